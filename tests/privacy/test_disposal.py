"""Disposal: chosen, confirmed with a reason, done in one transaction, one audit event per record;
records not due can never go; the database still refuses an ordinary delete of evidence."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from agreements.models import Signature
from consent.models import ConsentDecision
from incidents.models import Attachment, ChronologyEntry, Incident, IncidentPupil, Referral, StatusChange
from safety_portal.audit.models import AuditEvent
from safety_portal.audit.services import audit_verify_chain
from safety_portal.privacy import services
from safety_portal.privacy.models import Disposal
from tests.factories import PupilFactory
from tests.privacy.factories import closed_incident, consent_decision, grown_up_pupil, leaver, pupil_signature

pytestmark = pytest.mark.django_db(transaction=False)

DISPOSE = reverse("privacy:dispose")


@pytest.fixture
def case(dsl_user):
    """A due child-protection case with a chronology (and a correction), a referral and a file."""
    incident = closed_incident(pupils=[grown_up_pupil()], description="SECRET ACCOUNT OF WHAT HAPPENED")
    now = timezone.now()
    entry = ChronologyEntry.objects.create(incident=incident, happened_at=now, author=dsl_user, text="Call")
    ChronologyEntry.objects.create(incident=incident, happened_at=now, author=dsl_user, text="Fix",
                                   kind="correction", corrects=entry)
    StatusChange.objects.create(incident=incident, to_status="closed", changed_by=dsl_user)
    Referral.objects.create(incident=incident, decision="not_referred", made_on=now.date(), recorded_by=dsl_user)
    Attachment.objects.create(incident=incident, file=SimpleUploadedFile("evidence.png", b"png"),
                              original_name="evidence.png", content_type="image/png", size=3, sha256="0" * 64,
                              uploaded_by=dsl_user)
    return incident


def test_the_confirmation_page_lists_the_chosen_records_and_deletes_nothing(dsl_client, case):
    response = dsl_client.get(DISPOSE, {"record": [f"incident_cp:{case.pk}"]})
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert Incident.objects.filter(pk=case.pk).exists()


def test_without_a_reason_nothing_is_disposed(dsl_client, case):
    response = dsl_client.post(DISPOSE, {"record": [f"incident_cp:{case.pk}"], "reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Incident.objects.filter(pk=case.pk).exists()


def test_disposal_removes_the_case_and_everything_under_it_and_logs_each_record(
        dsl_client, dsl_user, case, django_capture_on_commit_callbacks):
    gone = leaver(3)
    signature = pupil_signature(gone)
    decision = consent_decision(gone)
    file_name = case.attachments.get().file.name
    assert default_storage.exists(file_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = dsl_client.post(DISPOSE, {
            "record": [f"incident_cp:{case.pk}", f"signature:{signature.pk}", f"consent:{decision.pk}"],
            "reason": "Annual review 2026"})
    assert response.status_code == 302
    assert not Incident.objects.filter(pk=case.pk).exists()
    for model in (ChronologyEntry, StatusChange, Referral, Attachment, IncidentPupil):
        assert not model.objects.filter(incident_id=case.pk).exists()
    assert not Signature.objects.filter(pk=signature.pk).exists()
    assert not ConsentDecision.objects.filter(pk=decision.pk).exists()
    assert not default_storage.exists(file_name)
    assert Disposal.objects.count() == 3
    events = list(AuditEvent.objects.filter(action="privacy.record.disposed").order_by("sequence"))
    assert len(events) == 3
    assert {(e.detail["kind"], e.detail["record_id"]) for e in events} == {
        ("incident_cp", case.pk), ("signature", signature.pk), ("consent", decision.pk)}
    incident_event = next(e for e in events if e.detail["kind"] == "incident_cp")
    assert incident_event.detail["reference"] == case.reference
    assert incident_event.detail["reason"] == "Annual review 2026"
    assert "25 years" in incident_event.detail["rule"]
    assert incident_event.actor == dsl_user
    # Never the content, never a name.
    assert "SECRET" not in str([e.detail for e in events])
    assert gone.last_name not in str([e.detail for e in events])
    assert audit_verify_chain().ok


def test_a_record_not_yet_due_can_never_be_disposed(dsl_client, dsl_user, case):
    young = closed_incident(pupils=[PupilFactory()])
    response = dsl_client.post(DISPOSE, {"record": [f"incident_cp:{young.pk}"], "reason": "Tidy up"})
    assert response.status_code == 302
    assert Incident.objects.filter(pk=young.pk).exists()
    # Mixed with a due one: all or nothing.
    with pytest.raises(ValidationError):
        services.dispose_records(chosen={"incident_cp": {case.pk, young.pk}}, reason="Tidy", user=dsl_user)
    assert Incident.objects.filter(pk__in=[case.pk, young.pk]).count() == 2
    assert not Disposal.objects.exists()


def test_due_status_is_checked_again_when_disposing(dsl_user, case):
    """Between the confirmation page and the POST the case is reopened: nothing goes."""
    Incident.objects.filter(pk=case.pk).update(status="open")
    with pytest.raises(ValidationError):
        services.dispose_records(chosen={"incident_cp": {case.pk}}, reason="Review", user=dsl_user)
    assert Incident.objects.filter(pk=case.pk).exists()


def test_a_pupils_signature_is_not_due_while_on_roll_even_if_chosen(dsl_user):
    signature = pupil_signature(PupilFactory())
    with pytest.raises(ValidationError):
        services.dispose_records(chosen={"signature": {signature.pk}}, reason="Review", user=dsl_user)
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_a_dsl_cannot_dispose_of_a_case_they_may_not_open(dsl_user):
    hidden = closed_incident(pupils=[grown_up_pupil()], incident_type="staff_misuse")
    with pytest.raises(ValidationError):
        services.dispose_records(chosen={"incident_cp": {hidden.pk}}, reason="Review", user=dsl_user)
    assert Incident.objects.filter(pk=hidden.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite's evidence triggers refuse updates only (the test runner empties tables with "
                           "DELETE there); the delete rule exists on PostgreSQL")
def test_an_ordinary_delete_of_evidence_is_still_refused_by_the_database(dsl_user):
    gone = leaver(3)
    signature = pupil_signature(gone)
    decision = consent_decision(gone)
    for queryset in (Signature.objects.filter(pk=signature.pk), ConsentDecision.objects.filter(pk=decision.pk)):
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
            queryset.delete()
    # And the switch does not outlive the disposal that set it.
    services.dispose_records(chosen={"signature": {signature.pk}}, reason="Review", user=dsl_user)
    with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
        ConsentDecision.objects.filter(pk=decision.pk).delete()
    assert not Signature.objects.filter(pk=signature.pk).exists()


def test_the_destruction_log_is_shown_on_the_report(dsl_client, dsl_user, case):
    services.dispose_records(chosen={"incident_cp": {case.pk}}, reason="Annual review", user=dsl_user,
                             today=timezone.localdate() + datetime.timedelta(days=1))
    content = dsl_client.get(reverse("privacy:retention")).content.decode()
    assert case.reference in content and "Annual review" in content


def test_disposal_events_are_on_the_audit_trail_for_the_dsl_only(client, dsl_client, dsl_user, admin_user, case):
    services.dispose_records(chosen={"incident_cp": {case.pk}}, reason="Annual review", user=dsl_user)
    # The reason is in the event's detail; the action's name is also in the filter's list, so not used here.
    assert "reason: Annual review" in dsl_client.get(reverse("audit:events")).content.decode()
    client.force_login(admin_user)
    assert "reason: Annual review" not in client.get(reverse("audit:events")).content.decode()
