import datetime

import pytest
from django.utils import timezone

from incidents.models import Incident, IncidentType, ProcedureStep, Status
from safety_portal.school import roles
from safety_portal.school.models import Term, academic_year_for
from tests.factories import PupilFactory, school_year, user_with_role
from tests.incidents.factories import IncidentFactory, IncidentPupilFactory

pytestmark = pytest.mark.django_db


def _panel(response, key):
    return next(p for p in response.context["panels"] if p.key == key)


def _data(size):
    for _n in range(size):
        incident = IncidentFactory(status=Status.OPEN, immediate_risk=True,
                                   reported_at=timezone.now() - datetime.timedelta(days=9))
        ProcedureStep.objects.create(incident=incident, order=1, key="notify", text="Tell the DSL")
        IncidentPupilFactory(incident=incident, pupil=PupilFactory())
        IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://bad.example", status="open")


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.TECHNICAL, roles.STAFF])
def test_dashboard_queries_stay_constant_as_incidents_grow(client, count_queries, role):
    user = user_with_role(role)
    client.force_login(user)
    school_year(2026)
    school_year(2025)
    _data(2)
    IncidentFactory(reported_by=user)
    few, _response = count_queries(client, "/")
    _data(30)
    IncidentFactory.create_batch(5, reported_by=user)
    many, _response = count_queries(client, "/")
    assert many == few


def test_dsl_panels_show_urgent_statuses_overdue_steps_and_term_counts(client):
    this_year = academic_year_for(timezone.localdate())
    school_year(this_year - 1)
    school_year(this_year)
    dsl = user_with_role(roles.DSL)
    client.force_login(dsl)
    urgent = IncidentFactory(immediate_risk=True)
    IncidentFactory(status=Status.OPEN)
    old = IncidentFactory(status=Status.OPEN, reported_at=timezone.now() - datetime.timedelta(days=10))
    ProcedureStep.objects.create(incident=old, order=1, key="secure", text="Secure the device")
    response = client.get("/")
    assert urgent.reference in str(_panel(response, "urgent").rows[0].label)
    assert _panel(response, "urgent").rows[0].action_url == f"/incidents/{urgent.pk}/acknowledge/"
    # One click: a POST form with the CSRF token, not a link to another page.
    assert f'action="/incidents/{urgent.pk}/acknowledge/"' in response.content.decode()
    statuses = {str(row.label): row.value for row in _panel(response, "open_incidents").rows}
    assert any("New" in label and value == 1 for label, value in statuses.items())
    assert any("Open" in label and value == 2 for label, value in statuses.items())
    steps = _panel(response, "open_steps").rows
    assert steps[0][1] == 1 and old.reference in str(steps[1][0])
    term_rows = _panel(response, "term_counts").rows
    current = Term.objects.current()
    in_term = [i for i in Incident.objects.all() if current.contains(timezone.localdate(i.reported_at))]
    assert (term_rows[0].label, term_rows[0].value) == (str(current), len(in_term))
    assert len(term_rows) == 2  # and last term


def test_dsl_panels_leave_out_restricted_cases_they_are_not_named_on(client):
    dsl = user_with_role(roles.DSL)
    client.force_login(dsl)
    hidden = IncidentFactory(immediate_risk=True, incident_type=IncidentType.STAFF_MISUSE)
    named = IncidentFactory(immediate_risk=True, incident_type=IncidentType.STAFF_MISUSE)
    named.named_people.add(dsl)
    content = client.get("/").content.decode()
    assert hidden.reference not in content
    assert named.reference in content


def test_technical_staff_see_recent_filtering_incidents_only(client):
    client.force_login(user_with_role(roles.TECHNICAL))
    filtering = IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://bad.example", status="open")
    bullying = IncidentFactory()
    content = client.get("/").content.decode()
    assert filtering.reference in content and bullying.reference not in content
    assert 'data-panel="urgent"' not in content


def test_reporters_see_their_concerns_with_status(client, staff_user):
    mine = IncidentFactory(reported_by=staff_user, status=Status.OPEN)
    other = IncidentFactory()
    client.force_login(staff_user)
    response = client.get("/")
    rows = _panel(response, "my_concerns").rows
    assert mine.reference in str(rows[0][0]) and str(rows[0][1]) == "Open"
    assert other.reference not in response.content.decode()
    assert b'href="/incidents/report/"' in response.content
