"""Bad input and awkward moments on the register's forms: no 500, nothing half-saved."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from policies import services
from policies.models import PolicyVersion, ReadReceipt, ReviewReminder
from policies.reminders import review_reminders_send
from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.policies.factories import make_policy, pdf_upload, record_version

pytestmark = pytest.mark.django_db
HUGE_ID = "99999999999999999999999"


@pytest.fixture
def lead(client):
    user = user_with_role(roles.ONLINE_SAFETY_LEAD)
    client.force_login(user)
    return user


def _version_data(**changes):
    data = {"number": "2.0", "approved_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
            "approved_by": "Full governing body", "change_summary": "Reviewed.", "document": pdf_upload(),
            "ask_to_read": "no"}
    data.update(changes)
    return data


def test_confirming_a_read_with_a_bare_word_as_next_goes_home_and_keeps_the_receipt(client):
    version = record_version(make_policy(), approved_on=timezone.localdate(), number="1", read_roles=[roles.STAFF])
    teacher = user_with_role(roles.STAFF)
    client.force_login(teacher)
    response = client.post(reverse("policies:read", args=[version.pk]), {"confirm": "on", "next": "foo"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert ReadReceipt.objects.filter(version=version, user=teacher).exists()


def test_a_linked_policy_id_too_big_for_the_database_is_an_error_on_the_form(client, lead):
    response = client.post(reverse("policies:new"), {
        "title": "Remote learning", "category": "other", "approving_body": "headteacher", "review_cycle_months": "12",
        "status": "active", "linked": [HUGE_ID]})
    assert response.status_code == 200 and "linked" in response.context["form"].errors
    assert response.context["form"]["title"].value() == "Remote learning"


def test_an_attendee_id_too_big_for_the_database_is_an_error_on_the_form(client, lead):
    response = client.post(reverse("policies:training_new"), {
        "held_on": timezone.localdate().isoformat(), "title": "Annual update", "kind": "annual",
        "attendees": [HUGE_ID]})
    assert response.status_code == 200 and "attendees" in response.context["form"].errors


def test_no_document_is_kept_when_recording_the_version_fails(client, lead, media_root, monkeypatch):
    policy = make_policy()

    def fail(**kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(services, "version_record", fail)
    client.raise_request_exception = False
    response = client.post(reverse("policies:version_new", args=[policy.pk]), _version_data())
    assert response.status_code == 500
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_a_macro_enabled_word_file_is_refused(client, lead):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    upload = SimpleUploadedFile("policy.docx", buffer.getvalue())
    policy = make_policy()
    response = client.post(reverse("policies:version_new", args=[policy.pk]), _version_data(document=upload))
    assert response.status_code == 200 and "document" in response.context["form"].errors
    assert not PolicyVersion.objects.filter(policy=policy).exists()


def test_an_earlier_version_cannot_ask_staff_to_read_it(client, lead):
    policy = make_policy()
    record_version(policy, approved_on=timezone.localdate() - datetime.timedelta(days=10), number="3")
    response = client.post(reverse("policies:version_new", args=[policy.pk]), _version_data(
        number="2", approved_on=(timezone.localdate() - datetime.timedelta(days=400)).isoformat(), ask_to_read="all"))
    assert response.status_code == 200 and "ask_to_read" in response.context["form"].errors
    assert policy.versions.count() == 1


def test_an_owner_without_a_role_is_not_reminded_but_the_lead_is_and_it_is_audited():
    today = datetime.date(2027, 3, 1)
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD, email="lead@school.example")
    owner = user_with_role(roles.STAFF, email="owner@school.example")
    owner.groups.clear()
    policy = make_policy(owner=owner, next_review_on=today)
    assert review_reminders_send(today=today) == 1
    assert OutboxEmail.objects.get().to == [lead.email]
    event = AuditEvent.objects.get(action="policies.review.reminded")
    assert event.object_id == str(policy.pk)
    assert event.detail == {"milestone": "due", "due_on": "2027-03-01", "emailed": 1}
    assert ReviewReminder.objects.filter(policy=policy, milestone="due").count() == 1
