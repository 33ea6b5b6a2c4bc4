"""The audit page: filter by person, kind of record and its number or reference, and date; a case
page links to its own trail for those who may read it; queries stay constant as the trail grows."""

import pytest
from django.urls import reverse

from safety_portal.audit.forms import AuditFilterForm
from safety_portal.audit.models import AuditEvent
from safety_portal.audit.services import audit_record
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

EVENTS = reverse("audit:events")


@pytest.fixture
def head_client(client):
    client.force_login(user_with_role(roles.HEADTEACHER, email="head@school.example"))
    return client


def _shown(response):
    return [(event.object_type, event.object_id, event.action) for event in response.context["page_obj"]]


def test_filter_by_kind_of_record_and_its_number(head_client, staff_user):
    first, second = IncidentFactory(), IncidentFactory()
    for incident in (first, second):
        audit_record(action="incidents.incident.viewed", actor=staff_user, obj=incident)
    audit_record(action="school.pupil.viewed", actor=staff_user, object_type="school.pupil",
                 object_id=str(first.pk))  # the same number on another kind of record
    response = head_client.get(EVENTS, {"record_type": "incidents.incident", "record_id": str(first.pk)})
    assert _shown(response) == [("incidents.incident", str(first.pk), "incidents.incident.viewed")]
    # An incident's reference finds it too.
    response = head_client.get(EVENTS, {"record_type": "incidents.incident", "record_id": second.reference})
    assert _shown(response) == [("incidents.incident", str(second.pk), "incidents.incident.viewed")]
    response = head_client.get(EVENTS, {"record_type": "school.pupil"})
    assert [row[0] for row in _shown(response)] == ["school.pupil"]


def test_a_number_without_a_kind_is_an_error_that_keeps_what_was_typed(head_client):
    response = head_client.get(EVENTS, {"record_id": "42", "who": "dsl@"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "record_type" in form.errors
    assert form["record_id"].value() == "42" and form["who"].value() == "dsl@"
    response = head_client.get(EVENTS, {"record_type": "incidents.incident", "record_id": "OS-1999-9999"})
    assert "record_id" in response.context["form"].errors


def test_the_case_page_links_to_its_trail_for_audit_readers_only(head_client, client, dsl_user):
    incident = IncidentFactory()
    page = head_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    link = f"{EVENTS}?record_type=incidents.incident&amp;record_id={incident.pk}"
    assert link in page
    trail = head_client.get(f"{EVENTS}?record_type=incidents.incident&record_id={incident.pk}")
    assert ("incidents.incident", str(incident.pk), "incidents.incident.viewed") in _shown(trail)

    technician = user_with_role(roles.TECHNICAL, email="tech@school.example")
    filtering = IncidentFactory(incident_type="filtering_breach", area="content", status="open", child_protection=False)
    client.force_login(technician)
    page = client.get(reverse("incidents:detail", args=[filtering.pk]))
    assert page.status_code == 200 and 'data-testid="audit-trail-link"' not in page.content.decode()


def _grow(actor, incidents):
    for incident in incidents:
        audit_record(action="incidents.incident.viewed", actor=actor, obj=incident)
        audit_record(action="incidents.incident.triaged", actor=actor, obj=incident, detail={"fields": ["area"]})


def test_queries_do_not_grow_with_the_trail(head_client, staff_user, count_queries):
    _grow(staff_user, [IncidentFactory() for _ in range(3)])
    few, _response = count_queries(head_client, EVENTS, record_type="incidents.incident")
    _grow(staff_user, [IncidentFactory() for _ in range(40)])
    many, response = count_queries(head_client, EVENTS, record_type="incidents.incident")
    assert len(response.context["page_obj"]) == 50
    assert many <= few, f"{few} queries for a few events, {many} for a full page"
    assert AuditEvent.objects.count() > 80


def test_a_restricted_case_reference_answers_like_one_that_does_not_exist(dsl_client):
    from incidents.models import Sensitivity

    restricted = IncidentFactory(sensitivity=Sensitivity.RESTRICTED)
    hidden = dsl_client.get(EVENTS, {"record_type": "incidents.incident", "record_id": restricted.reference})
    missing = dsl_client.get(EVENTS, {"record_type": "incidents.incident", "record_id": "OS-1999-9999"})
    assert hidden.context["form"].errors["record_id"] == missing.context["form"].errors["record_id"]


def test_a_full_address_finds_that_person_only_and_part_of_one_finds_everyone_matching(head_client):
    people = {email: user_with_role(roles.DSL, email=email)
              for email in ("dsl@demo.school", "new.dsl@demo.school", "deputy.dsl@demo.school")}
    for person in people.values():
        audit_record(action="auth.login", actor=person)

    def who(typed):
        response = head_client.get(EVENTS, {"who": typed, "action": "auth.login"})
        return sorted(event.actor_label for event in response.context["page_obj"])

    assert who("DSL@Demo.School") == ["dsl@demo.school"]
    assert who("dsl") == sorted(people)
    assert who("@demo.school") == sorted(people)
    assert who("dsl@demo") == sorted(people)  # no dot after the @: still part of an address
    help_text = str(AuditFilterForm.base_fields["who"].help_text)
    assert "full email address" in help_text and "part of one" in help_text


def test_incidents_show_by_their_reference_to_readers_who_may_open_them(head_client, staff_user):
    incident = IncidentFactory()
    audit_record(action="incidents.incident.viewed", actor=staff_user, obj=incident)
    response = head_client.get(EVENTS, {"record_type": "incidents.incident"})
    content = response.content.decode()
    assert f"Incident {incident.reference}" in content
    assert f"Incident #{incident.pk}<" not in content
    assert reverse("incidents:detail", args=[incident.pk]) in content


def test_a_backwards_date_range_is_an_error_on_the_end_date(head_client, staff_user):
    audit_record(action="incidents.incident.viewed", actor=staff_user, obj=IncidentFactory())
    response = head_client.get(EVENTS, {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    form = response.context["form"]
    assert form.errors == {"date_to": ["The end date is before the start date."]}
    content = response.content.decode()
    assert "The end date is before the start date." in content
    assert "No events match" not in content
    assert 'data-testid="filter-errors"' in content
