"""Triage: type, area, severity, child protection, owner; NEW becomes OPEN and the checklist arrives."""

import pytest
from django.urls import reverse

from incidents import procedures
from incidents.models import IncidentType, Sensitivity, Status, StatusChange, StepState
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def triage(client, incident, **data):
    values = {"area": "conduct", "incident_type": "cyberbullying", "severity": "medium",
              "child_protection": "no", "owner": ""}
    values.update(data)
    return client.post(reverse("incidents:triage", args=[incident.pk]),
                       {f"triage-{key}": value for key, value in values.items()})


def test_triage_opens_a_new_case_and_copies_its_procedure(dsl_client, dsl_user):
    incident = IncidentFactory(incident_type=IncidentType.NOT_SURE, area="not_sure")
    response = triage(dsl_client, incident, incident_type="nudes", area="conduct", severity="high",
                      child_protection="yes", owner=dsl_user.pk)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.OPEN
    assert (incident.incident_type, incident.severity, incident.child_protection, incident.owner) == (
        "nudes", "high", True, dsl_user)
    change = StatusChange.objects.get(incident=incident)
    assert (change.from_status, change.to_status, change.changed_by) == ("new", "open", dsl_user)
    assert [s.key for s in incident.steps.all()] == [k for k, _t in procedures.steps_for(IncidentType.NUDES)]
    assert AuditEvent.objects.filter(action="incidents.incident.triaged", object_id=str(incident.pk)).exists()
    assert incident.last_activity_at >= change.changed_at


def test_changing_type_adds_missing_steps_and_keeps_decided_ones(dsl_client, dsl_user):
    incident = IncidentFactory(incident_type=IncidentType.CYBERBULLYING)
    triage(dsl_client, incident)
    done = incident.steps.get(key="identify")
    dsl_client.post(reverse("incidents:step", args=[incident.pk, done.pk]), {"state": "done"})
    triage(dsl_client, incident, incident_type="online_hate", area="content")
    keys = [s.key for s in incident.steps.all()]
    for key, _text in procedures.steps_for(IncidentType.ONLINE_HATE):
        assert key in keys
    assert incident.steps.get(key="identify").state == StepState.DONE  # decided: kept
    assert not incident.steps.filter(key="block_report").exists()  # undecided and no longer asked for
    assert StatusChange.objects.filter(incident=incident).count() == 1  # already open


def test_missing_severity_is_refused_and_input_kept(dsl_client):
    incident = IncidentFactory()
    response = triage(dsl_client, incident, severity="", incident_type="online_hate", area="content")
    assert response.status_code == 200
    assert "Choose how severe this is." in response.content.decode()
    assert response.context["triage_form"]["incident_type"].value() == "online_hate"
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_owner_must_be_on_the_dsl_team(dsl_client):
    teacher = user_with_role(roles.STAFF)
    incident = IncidentFactory()
    response = triage(dsl_client, incident, owner=teacher.pk)
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.owner is None


def test_dsl_moving_a_case_to_staff_misuse_hands_it_to_the_headteacher(dsl_client):
    head = user_with_role(roles.HEADTEACHER)
    incident = IncidentFactory()
    response = triage(dsl_client, incident, incident_type="staff_misuse", owner=head.pk)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    incident.refresh_from_db()
    assert incident.sensitivity == Sensitivity.RESTRICTED
    assert dsl_client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404


def test_a_restricted_case_cannot_be_given_to_an_unnamed_dsl(dsl_client):
    other_dsl = user_with_role(roles.DSL)
    incident = IncidentFactory()
    response = triage(dsl_client, incident, incident_type="staff_misuse", owner=other_dsl.pk)
    assert response.status_code == 200
    assert "can be owned only by the headteacher" in response.content.decode()
    incident.refresh_from_db()
    assert incident.sensitivity == Sensitivity.SAFEGUARDING


def test_only_the_headteacher_names_people_on_a_case(client, dsl_client):
    dsl = user_with_role(roles.DSL)
    incident = IncidentFactory()
    triage(dsl_client, incident, incident_type="staff_misuse", named_people=dsl.pk)  # ignored for a DSL
    assert not incident.named_people.exists()
    head = user_with_role(roles.HEADTEACHER)
    client.force_login(head)
    response = triage(client, incident, incident_type="staff_misuse", named_people=dsl.pk, owner=dsl.pk)
    assert response.status_code == 302
    assert list(incident.named_people.all()) == [dsl]
    client.force_login(dsl)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200


def test_closed_case_cannot_be_triaged(dsl_client):
    incident = IncidentFactory(status=Status.CLOSED)
    response = triage(dsl_client, incident, severity="critical")
    assert "closed" in response.content.decode()
    incident.refresh_from_db()
    assert incident.severity == ""


def test_triaging_an_urgent_concern_unpins_it(dsl_client, dsl_user):
    from incidents import casework
    from incidents.models import IncidentType
    from tests.incidents.factories import IncidentFactory

    incident = IncidentFactory(immediate_risk=True)
    assert incident.is_urgent
    casework.incident_triage(incident=incident, actor=dsl_user, area="conduct",
                             incident_type=IncidentType.CYBERBULLYING, severity="high", child_protection=True,
                             owner=None)
    incident.refresh_from_db()
    assert not incident.is_urgent and incident.acknowledged_by == dsl_user
