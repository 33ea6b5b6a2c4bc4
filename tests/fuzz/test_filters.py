"""Property-based tests on the GET filter forms of every list page: any query string (junk values,
lists, impossible dates, numbers no column holds, NUL) gives the page or a redirect, never a 500,
and a search box shows back what was typed."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from agreements.forms_compliance import ComplianceFilterForm
from agreements.forms_device import VisitorFilterForm
from agreements.forms_packs import LinkFilterForm
from agreements.models import Audience
from consent.forms_staff import DoNotPhotographFilterForm
from incidents.listing import IncidentFilterForm
from policies.forms import RegisterFilterForm
from policies.forms_reading import ReceiptFilterForm
from policies.forms_training import PeopleFilterForm, SessionFilterForm
from safety_portal.audit.forms import AuditFilterForm
from safety_portal.school import roles
from safety_portal.school.forms import PupilFilterForm, StaffFilterForm
from tests.agreements.factories import make_link
from tests.factories import user_with_role
from tests.fuzz.checks import assert_no_server_error, example, fuzz_settings, shown_values, typed
from tests.fuzz.strategies import clean_text, junk_scalar, query_strings
from tests.incidents.factories import IncidentFactory
from tests.policies.factories import make_policy, record_version

pytestmark = pytest.mark.django_db

# The list pages with filters: name -> (address given the set-up records, the form its filters come from).
LIST_PAGES = {
    "incident list": (lambda records: reverse("incidents:list"), IncidentFilterForm),
    "incident export": (lambda records: reverse("incidents:export"), IncidentFilterForm),
    "agreement compliance": (lambda records: reverse("agreements:compliance_audience", args=[Audience.PARENT]),
                             ComplianceFilterForm),
    "staff compliance": (lambda records: reverse("agreements:compliance_audience", args=[Audience.STAFF]),
                         ComplianceFilterForm),
    "visitor log": (lambda records: reverse("agreements:visitors"), VisitorFilterForm),
    "visitor export": (lambda records: reverse("agreements:visitors_export"), VisitorFilterForm),
    "signing pack links": (lambda records: reverse("agreements:pack", args=[records["pack"].pk]), LinkFilterForm),
    "policy register": (lambda records: reverse("policies:register"), RegisterFilterForm),
    "read receipts": (lambda records: reverse("policies:receipts", args=[records["version"].pk]), ReceiptFilterForm),
    "training people": (lambda records: reverse("policies:training_people"), PeopleFilterForm),
    "training people csv": (lambda records: reverse("policies:training_people_csv"), PeopleFilterForm),
    "training sessions": (lambda records: reverse("policies:training"), SessionFilterForm),
    "audit page": (lambda records: reverse("audit:events"), AuditFilterForm),
    "pupil list": (lambda records: reverse("school:pupils"), PupilFilterForm),
    "staff list": (lambda records: reverse("school:staff"), StaffFilterForm),
    "do-not-photograph list": (lambda records: reverse("consent:do_not_photograph"), DoNotPhotographFilterForm),
}
SEARCH_BOXES = ("q",)


@pytest.fixture
def records(client):
    """Someone who opens every list page (the headteacher, DSL, office and online-safety lead in one),
    and a record for each page that lists one thing."""
    user = user_with_role(roles.HEADTEACHER, roles.DSL, roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD,
                          email="head.fuzz@school.example")
    client.force_login(user)
    IncidentFactory(owner=user)
    link, _token = make_link()
    policy = make_policy()
    version = record_version(policy, approved_on=datetime.date(2026, 1, 5), actor=user)
    return {"user": user, "pack": link.pack, "version": version}


@pytest.mark.parametrize("page", LIST_PAGES)
@fuzz_settings(max_examples=20)
@given(data=st.data())
def test_list_filters(client, records, page, data):
    address, form_class = LIST_PAGES[page]
    params = {name: clean_text(1, 40) | junk_scalar for name in form_class.base_fields}
    query = data.draw(query_strings(params))
    with example(f"filters: {page}"):
        response = client.get(address(records), query)
        assert_no_server_error(response)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            shown = shown_values(response.content.decode())
            for name in SEARCH_BOXES:
                if name in query and name in shown:
                    value = typed(query[name])
                    assert value in shown[name] or value.strip() in shown[name], (name, value, shown[name])
