"""Closing needs an outcome and lessons learnt; reopening needs a reason; both are in the status history."""

import pytest
from django.urls import reverse

from incidents.models import Status, StatusChange
from safety_portal.audit.models import AuditEvent
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def close(client, incident, **data):
    return client.post(reverse("incidents:close", args=[incident.pk]), {f"close-{k}": v for k, v in data.items()})


def test_closing_without_lessons_learnt_is_refused_and_outcome_kept(dsl_client):
    incident = IncidentFactory(status=Status.OPEN)
    response = close(dsl_client, incident, outcome="Messages deleted; apology made.", lessons_learnt="")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Record the lessons learnt before closing the case" in html
    assert "Messages deleted; apology made." in html
    incident.refresh_from_db()
    assert incident.status == Status.OPEN
    assert not StatusChange.objects.exists()


def test_closing_with_outcome_and_lessons(dsl_client, dsl_user):
    incident = IncidentFactory(status=Status.OPEN)
    response = close(dsl_client, incident, outcome="Resolved.", lessons_learnt="Teach group-chat etiquette in Y6.")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.outcome, incident.lessons_learnt) == (
        Status.CLOSED, "Resolved.", "Teach group-chat etiquette in Y6.")
    assert incident.closed_at is not None
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("open", "closed", dsl_user)
    assert AuditEvent.objects.filter(action="incidents.incident.closed", object_id=str(incident.pk)).exists()


def test_reopening_needs_a_reason(dsl_client, dsl_user):
    incident = IncidentFactory(status=Status.OPEN)
    close(dsl_client, incident, outcome="Resolved.", lessons_learnt="None.")
    response = dsl_client.post(reverse("incidents:reopen", args=[incident.pk]), {"reopen-reason": ""})
    assert "Give the reason for reopening the case." in response.content.decode()
    incident.refresh_from_db()
    assert incident.is_closed
    dsl_client.post(reverse("incidents:reopen", args=[incident.pk]), {"reopen-reason": "New messages appeared."})
    incident.refresh_from_db()
    assert incident.status == Status.OPEN and incident.closed_at is None
    last = StatusChange.objects.last()
    assert (last.to_status, last.reason) == ("open", "New messages appeared.")
    assert AuditEvent.objects.filter(action="incidents.incident.reopened").exists()
    html = dsl_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "New messages appeared." in html


def test_a_closed_case_takes_no_new_entries(dsl_client):
    incident = IncidentFactory(status=Status.CLOSED)
    response = dsl_client.post(reverse("incidents:chronology_add", args=[incident.pk]), {
        "chronology-kind": "note", "chronology-happened_at": "2026-01-05T10:00", "chronology-text": "Late note"})
    assert "Reopen it to make changes" in response.content.decode()
    assert not incident.chronology.exists()


def test_reclosing_a_reopened_case_keeps_the_first_outcome_and_lessons(dsl_user):
    from incidents import casework
    from incidents.models import Status, StatusChange
    from tests.incidents.factories import IncidentFactory

    incident = IncidentFactory(status=Status.OPEN)
    casework.incident_close(incident=incident, actor=dsl_user, outcome="First outcome", lessons_learnt="First lesson")
    casework.incident_reopen(incident=incident, actor=dsl_user, reason="New messages came to light")
    casework.incident_close(incident=incident, actor=dsl_user, outcome="Second outcome", lessons_learnt="Second")
    closings = StatusChange.objects.filter(incident=incident, to_status=Status.CLOSED).order_by("pk")
    assert [(c.outcome, c.lessons_learnt) for c in closings] == [("First outcome", "First lesson"),
                                                                 ("Second outcome", "Second")]


def test_a_case_cannot_close_while_procedure_steps_are_still_to_do(dsl_user):
    import pytest
    from django.core.exceptions import ValidationError

    from incidents import casework
    from incidents.models import ProcedureStep, Status
    from tests.incidents.factories import IncidentFactory

    incident = IncidentFactory(status=Status.OPEN)
    step = ProcedureStep.objects.create(incident=incident, order=1, key="support", text="Offer support")
    with pytest.raises(ValidationError, match="still to do"):
        casework.incident_close(incident=incident, actor=dsl_user, outcome="Done", lessons_learnt="None")
    incident.refresh_from_db()
    assert incident.status == Status.OPEN
    casework.step_decide(step=step, actor=dsl_user, state="done")
    casework.incident_close(incident=incident, actor=dsl_user, outcome="Done", lessons_learnt="None")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
