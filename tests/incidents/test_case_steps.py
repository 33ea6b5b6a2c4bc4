"""Procedure steps: done (who, when), not applicable with a reason, or back to to-do."""

import pytest
from django.urls import reverse

from incidents.models import ProcedureStep, StepState
from safety_portal.audit.models import AuditEvent
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def step():
    incident = IncidentFactory(status="open")
    return ProcedureStep.objects.create(incident=incident, order=1, key="support", text="Offer support.")


def post(client, step, **data):
    return client.post(reverse("incidents:step", args=[step.incident.pk, step.pk]), data)


def test_marking_a_step_done_records_who_and_when(dsl_client, dsl_user, step):
    assert post(dsl_client, step, state="done").status_code == 302
    step.refresh_from_db()
    assert (step.state, step.decided_by) == (StepState.DONE, dsl_user)
    assert step.decided_at is not None
    assert AuditEvent.objects.filter(action="incidents.step.updated").exists()


def test_not_applicable_needs_a_reason(dsl_client, step):
    response = post(dsl_client, step, state="not_applicable", reason="  ")
    assert response.status_code == 200
    assert "Say why this step does not apply." in response.content.decode()
    step.refresh_from_db()
    assert step.state == StepState.OPEN


def test_a_decision_on_a_step_stays_on_the_record(dsl_client, step):
    post(dsl_client, step, state="not_applicable", reason="No device was involved.")
    step.refresh_from_db()
    assert (step.state, step.reason) == (StepState.NOT_APPLICABLE, "No device was involved.")
    # Neither undone nor overwritten: a change of mind goes in the chronology.
    post(dsl_client, step, state="open")
    post(dsl_client, step, state="done")
    step.refresh_from_db()
    assert (step.state, step.reason) == (StepState.NOT_APPLICABLE, "No device was involved.")


def test_a_step_of_another_case_is_404(dsl_client, step):
    other = IncidentFactory()
    response = dsl_client.post(reverse("incidents:step", args=[other.pk, step.pk]), {"state": "done"})
    assert response.status_code == 404
