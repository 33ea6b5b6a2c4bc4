"""Policy documents: only real PDFs and Word documents are accepted, told by their content; a
download is an attachment the browser cannot reinterpret, audited, and refused if the stored file
no longer checks out."""

import datetime
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies import documents
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import UserFactory, user_with_role
from tests.policies.factories import PDF_BYTES, docx_upload, make_policy, pdf_upload, record_version

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


def zip_bytes(**members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def lead(client):
    user = user_with_role(roles.ONLINE_SAFETY_LEAD)
    client.force_login(user)
    return user


@pytest.fixture
def policy(db):
    return make_policy("Remote learning")


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def post_version(client, policy, upload):
    return client.post(reverse("policies:version_new", args=[policy.pk]), {
        "number": "1.0", "approved_on": "2025-09-01", "approved_by": "Headteacher",
        "change_summary": "First version.", "document": upload, "ask_to_read": "no"})


# --- Uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, claimed", [
    ("policy.pdf", EXE_BYTES, "application/pdf"),  # a program renamed .pdf
    ("policy.pdf", PNG_BYTES, "application/pdf"),  # a picture renamed .pdf
    ("policy.png", PNG_BYTES, "image/png"),
    ("policy.pdf", b"Online safety policy\nReviewed annually.\n", "application/pdf"),  # text renamed .pdf
    ("policy.docx", zip_bytes(**{"notes.txt": "hello"}), "application/zip"),  # a zip, not a Word document
    ("policy.docx", zip_bytes(**{"[Content_Types].xml": "<Types/>"}), "application/zip"),
    ("policy.docx", b"PK\x03\x04 not really a zip at all", "application/vnd.openxmlformats"),
    ("policy.pdf", b"  %PDF-1.4 with something in front", "application/pdf"),
])
def test_files_that_are_not_pdf_or_docx_are_refused_whatever_their_name(client, lead, policy, media_root, name,
                                                                         content, claimed):
    response = post_version(client, policy, SimpleUploadedFile(name, content, content_type=claimed))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["document"])
    assert f"\"{name}\" is not a PDF or a Word document (.docx)" in errors
    assert not policy.versions.exists()
    assert stored_files(media_root) == []
    assert "Choose the file again" in response.content.decode()


@pytest.mark.parametrize("upload, extension", [(docx_upload, ".docx"), (pdf_upload, ".pdf"),
                                               (lambda: pdf_upload(name="policy.docx"), ".pdf")])
def test_pdf_and_docx_are_accepted_and_stored_by_their_real_kind(client, lead, policy, media_root, upload, extension):
    response = post_version(client, policy, upload())
    assert response.status_code == 302
    version = policy.versions.get()
    assert version.document.name.endswith(extension)
    assert len(stored_files(media_root)) == 1
    assert len(version.document_sha256) == 64


def test_an_empty_file_is_refused(client, lead, policy, media_root):
    response = post_version(client, policy, SimpleUploadedFile("policy.pdf", b"", content_type="application/pdf"))
    assert "empty" in " ".join(response.context["form"].errors["document"])
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused(client, lead, policy, media_root, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", len(PDF_BYTES) - 1)
    response = post_version(client, policy, pdf_upload())
    assert response.status_code == 200
    assert "the largest you can upload is" in " ".join(response.context["form"].errors["document"])
    assert not policy.versions.exists() and stored_files(media_root) == []
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", len(PDF_BYTES))
    assert post_version(client, policy, pdf_upload()).status_code == 302


def test_the_upload_limit_is_told_on_the_form(client, lead, policy):
    content = client.get(reverse("policies:version_new", args=[policy.pk])).content.decode()
    assert "up to 20.0\xa0MB" in content
    assert 'accept=".pdf,.docx' in content


# --- Downloads --------------------------------------------------------------------------------


@pytest.fixture
def version(policy, lead):
    return record_version(policy, approved_on=datetime.date(2025, 9, 1), number="2.1")


def test_a_download_is_a_named_attachment_that_cannot_be_sniffed_and_is_audited(client, lead, version):
    response = client.get(reverse("policies:document", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="remote-learning-v2.1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="policies.document.downloaded")
    assert event.actor == lead
    assert (event.object_type, event.object_id) == ("policies.policyversion", str(version.pk))
    assert event.detail == {"policy": version.policy_id}


def test_a_word_document_downloads_as_docx(client, lead, policy):
    version = record_version(policy, approved_on=datetime.date(2025, 9, 1), upload=docx_upload(), number="1.0")
    response = client.get(reverse("policies:document", args=[version.pk]))
    assert response["Content-Type"] == documents.DOCX[0]
    assert response["Content-Disposition"].endswith('-v1.0.docx"')


def test_an_older_version_can_still_be_downloaded(client, lead, policy, version):
    older = record_version(policy, approved_on=datetime.date(2023, 9, 1), number="1.0")
    assert client.get(reverse("policies:document", args=[older.pk])).status_code == 200


def test_a_governor_downloads_too(client, version):
    governor = user_with_role(roles.GOVERNOR)
    client.force_login(governor)
    assert client.get(reverse("policies:document", args=[version.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="policies.document.downloaded", actor=governor).exists()


def test_someone_without_a_role_gets_404_and_nothing_is_audited(client, version):
    client.force_login(UserFactory())
    assert client.get(reverse("policies:document", args=[version.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="policies.document.downloaded").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, version):
    client.logout()
    response = client.get(reverse("policies:document", args=[version.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_missing_file_is_404_not_a_crash(client, lead, version):
    default_storage.delete(version.document.name)
    assert client.get(reverse("policies:document", args=[version.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="policies.document.downloaded").exists()


def test_a_stored_file_that_no_longer_checks_out_is_not_handed_out(client, lead, version, media_root):
    (media_root / version.document.name).write_bytes(b"<html><script>alert(1)</script></html>")
    assert client.get(reverse("policies:document", args=[version.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="policies.document.downloaded").exists()


def test_an_unknown_version_is_404(client, lead):
    assert client.get(reverse("policies:document", args=[987654])).status_code == 404
