"""The case page: who may open it, what it shows, the audit trail and a constant number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import casework
from incidents.models import ChronologyEntry, EntryKind, IncidentType, ProcedureStep
from safety_portal.audit.labels import object_reference
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import User
from tests.factories import PupilFactory, user_with_role
from tests.incidents.factories import IncidentFactory, IncidentPupilFactory

pytestmark = pytest.mark.django_db


def url(incident):
    return reverse("incidents:detail", args=[incident.pk])


def client_for(client, *role_names):
    client.force_login(user_with_role(*role_names))
    return client


def test_dsl_sees_the_case_with_pupils_and_roles_linked_to_their_page(dsl_client):
    incident = IncidentFactory(description="Unkind messages in the form group chat.")
    link = IncidentPupilFactory(incident=incident, pupil=PupilFactory(first_name="Isla", last_name="Hughes"),
                                role="instigator")
    response = dsl_client.get(url(incident))
    assert response.status_code == 200
    html = response.content.decode()
    assert incident.reference in html
    assert "Unkind messages in the form group chat." in html
    assert "Isla Hughes" in html and "Instigator" in html
    assert reverse("school:pupil", args=[link.pupil.pk]) in html


def test_each_view_is_audited(dsl_client, dsl_user):
    incident = IncidentFactory()
    dsl_client.get(url(incident))
    dsl_client.get(url(incident))
    events = AuditEvent.objects.filter(action="incidents.incident.viewed", object_id=str(incident.pk))
    assert events.count() == 2
    assert events.first().actor == dsl_user
    assert events.first().object_type == "incidents.incident"


def test_audit_trail_links_an_incident_to_its_case_page(dsl_user):
    incident = IncidentFactory()
    label, link = object_reference("incidents.incident", str(incident.pk), dsl_user)
    assert link == url(incident)


@pytest.mark.parametrize("role", [roles.STAFF, roles.GOVERNOR, roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD])
def test_other_roles_get_404(client, role):
    incident = IncidentFactory()
    assert client_for(client, role).get(url(incident)).status_code == 404


def test_the_reporter_cannot_open_the_case_page(client):
    reporter = user_with_role(roles.STAFF)
    incident = IncidentFactory(reported_by=reporter)
    client.force_login(reporter)
    assert client.get(url(incident)).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(url(IncidentFactory()))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_dsl_cannot_open_a_restricted_case_unless_named(client):
    dsl = user_with_role(roles.DSL)
    incident = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    client.force_login(dsl)
    assert client.get(url(incident)).status_code == 404
    incident.named_people.add(dsl)
    assert client.get(url(incident)).status_code == 200


def test_headteacher_opens_a_restricted_case(client):
    incident = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    assert client_for(client, roles.HEADTEACHER).get(url(incident)).status_code == 200


def test_technical_staff_read_a_filtering_incident_without_any_forms(client):
    incident = IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://bad.example/", status="open")
    response = client_for(client, roles.TECHNICAL).get(url(incident))
    assert response.status_code == 200
    html = response.content.decode()
    assert "https://bad.example/" in html
    assert 'data-testid="triage-form"' not in html and 'data-testid="close-form"' not in html


def test_technical_staff_cannot_change_a_filtering_incident(client):
    incident = IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://bad.example/", status="open")
    client = client_for(client, roles.TECHNICAL)
    response = client.post(reverse("incidents:chronology_add", args=[incident.pk]), {
        "chronology-kind": "note", "chronology-happened_at": "2026-01-05T10:00", "chronology-text": "Checked."})
    assert response.status_code == 404
    response = client.post(reverse("incidents:close", args=[incident.pk]),
                           {"close-outcome": "x", "close-lessons_learnt": "y"})
    assert response.status_code == 404
    assert not ChronologyEntry.objects.exists()
    incident.refresh_from_db()
    assert not incident.is_closed


def test_technical_staff_get_404_on_a_cyberbullying_incident(client):
    incident = IncidentFactory(incident_type=IncidentType.CYBERBULLYING)
    client = client_for(client, roles.TECHNICAL)
    assert client.get(url(incident)).status_code == 404
    assert client.post(reverse("incidents:close", args=[incident.pk]),
                       {"close-outcome": "x", "close-lessons_learnt": "y"}).status_code == 404


def test_pupil_names_are_not_links_for_technical_staff(client):
    incident = IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://bad.example/", status="open")
    link = IncidentPupilFactory(incident=incident)
    html = client_for(client, roles.TECHNICAL).get(url(incident)).content.decode()
    assert link.pupil.display_name in html
    assert reverse("school:pupil", args=[link.pupil.pk]) not in html


def test_empty_case_says_what_will_appear(dsl_client):
    html = dsl_client.get(url(IncidentFactory())).content.decode()
    assert "appears here as a checklist once the case is triaged" in html
    assert "No pupils are linked to this case" in html


def _grow(incident, n, author):
    now = timezone.now()
    for i in range(n):
        IncidentPupilFactory(incident=incident)
        ProcedureStep.objects.create(incident=incident, order=i, key=f"step{i}", text="A step", state="done",
                                     decided_by=author, decided_at=now)
        entry = ChronologyEntry.objects.create(incident=incident, kind=EntryKind.NOTE, author=author, text=f"n{i}",
                                               happened_at=now - datetime.timedelta(hours=i))
        ChronologyEntry.objects.create(incident=incident, kind=EntryKind.CORRECTION, author=user_with_role(),
                                       text="c", happened_at=entry.happened_at, corrects=entry)
        casework.referral_record(incident=incident, actor=author, decision="not_referred", made_on=now.date(),
                                 rationale="r")
        casework.parents_record(incident=incident, actor=author, informed=True, informed_by=user_with_role(),
                                informed_at=now, method="phone")


def test_query_count_does_not_grow_with_the_case(dsl_client, dsl_user, count_queries):
    small, large = IncidentFactory(), IncidentFactory()
    _grow(small, 1, dsl_user)
    _grow(large, 12, dsl_user)
    small_count, _ = count_queries(dsl_client, url(small))
    large_count, response = count_queries(dsl_client, url(large))
    assert large_count == small_count
    assert response.content.decode().count('data-testid="corrected-by"') == 12


def test_the_audit_trail_hides_incidents_the_reader_may_not_open(client):
    from safety_portal.audit.services import audit_record

    restricted = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    ordinary = IncidentFactory()
    for incident in (restricted, ordinary):
        audit_record(action="incidents.incident.viewed", obj=incident)
    row = '<code class="small">incidents.incident.viewed</code>'
    office = client_for(client, roles.ADMINISTRATOR).get("/audit/").content.decode()
    assert row not in office
    dsl = client_for(client, roles.DSL).get("/audit/").content.decode()
    # Incidents the reader may open are shown by their reference.
    assert ordinary.reference in dsl and restricted.reference not in dsl
    assert f"#{restricted.pk}<" not in dsl.replace("</a>", "<")
    head = client_for(client, roles.HEADTEACHER).get("/audit/").content.decode()
    assert head.count(row) == 2


def test_a_former_dsl_named_on_a_restricted_case_loses_access_with_the_role(client):
    from django.contrib.auth.models import Group

    incident = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    person = user_with_role(roles.DSL, roles.STAFF)
    incident.named_people.add(person)
    client.force_login(person)
    assert client.get(url(incident)).status_code == 200
    person.groups.remove(Group.objects.get(name=roles.DSL))
    client.force_login(User.objects.get(pk=person.pk))
    assert client.get(url(incident)).status_code == 404


def test_technical_staff_never_see_the_dsls_work_or_a_child_protection_case(client):
    incident = IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://bad.example/",
                               status="open")
    ChronologyEntry.objects.create(incident=incident, happened_at=incident.occurred_at, author=incident.reported_by,
                                   text="Spoke to the family about home filtering.")
    tech = client_for(client, roles.TECHNICAL)
    page = tech.get(url(incident)).content.decode()
    assert "https://bad.example/" in page and "Spoke to the family" not in page
    new = IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://x.example/")
    assert tech.get(url(new)).status_code == 404  # not yet triaged: the reporter's type is unchecked
    incident.child_protection = True
    incident.save()
    assert tech.get(url(incident)).status_code == 404


def test_opening_a_case_work_address_directly_shows_the_case(client):
    incident = IncidentFactory()
    dsl = client_for(client, roles.DSL)
    response = dsl.get(reverse("incidents:chronology_add", args=[incident.pk]))
    assert response.status_code == 302 and response.url == url(incident)
    assert not ChronologyEntry.objects.exists()
