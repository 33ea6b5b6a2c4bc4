"""Evidence files: checked by content, stored outside the web root, downloaded only through a checked view."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import Attachment, IncidentType
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64


def docx_bytes(with_document=True):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, incident, name, content):
    return client.post(reverse("incidents:attachment_add", args=[incident.pk]),
                       {"attachment-file": SimpleUploadedFile(name, content, content_type="application/pdf")})


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("report.pdf", PDF, "application/pdf"),
    ("screenshot.png", PNG, "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("notes.txt", "Messages sent at 21:04 — “you’re not welcome”.".encode(), "text/plain; charset=utf-8"),
    ("letter.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_allowed_files_are_stored_with_their_checksum(dsl_client, dsl_user, media_root, name, content,
                                                      content_type):
    incident = IncidentFactory()
    assert upload(dsl_client, incident, name, content).status_code == 302
    attachment = Attachment.objects.get(incident=incident)
    assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(content))
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == dsl_user
    assert attachment.file.path.startswith(str(media_root))
    assert name not in attachment.file.name  # stored under a random name
    assert AuditEvent.objects.filter(action="incidents.attachment.uploaded", object_id=str(incident.pk)).exists()


@pytest.mark.parametrize(("name", "content"), [
    ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 64),
    ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ("archive.docx", docx_bytes(with_document=False)),
    ("animation.gif", GIF),
    ("binary.txt", b"abc\x00def"),
])
def test_other_content_is_refused_whatever_its_name(dsl_client, name, content):
    incident = IncidentFactory()
    response = upload(dsl_client, incident, name, content)
    assert response.status_code == 200
    assert "This kind of file cannot be attached." in response.content.decode()
    assert not Attachment.objects.exists()


def test_files_over_10_mb_are_refused(dsl_client):
    response = upload(dsl_client, IncidentFactory(), "big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert "the largest allowed is 10 MB" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("content", [PNG, JPEG, GIF, WEBP, HEIC])
@pytest.mark.parametrize("incident_type", [IncidentType.NUDES, IncidentType.INDECENT_IMAGES])
def test_image_upload_on_a_nudes_case_is_refused_even_renamed_pdf(dsl_client, content, incident_type):
    incident = IncidentFactory(incident_type=incident_type)
    response = upload(dsl_client, incident, "homework.pdf", content)
    assert response.status_code == 200
    assert "This file is an image." in response.content.decode()
    assert not Attachment.objects.exists()


def test_no_file_at_all_can_be_attached_to_a_nudes_case(dsl_client):
    response = upload(dsl_client, IncidentFactory(incident_type=IncidentType.NUDES), "statement.pdf", PDF)
    assert "Files cannot be attached to a nudes or indecent-image case" in response.content.decode()
    assert not Attachment.objects.exists()


def test_download_is_an_audited_attachment_with_nosniff(dsl_client, dsl_user):
    incident = IncidentFactory()
    upload(dsl_client, incident, "notes", b"plain words")
    attachment = Attachment.objects.get()
    response = dsl_client.get(reverse("incidents:attachment", args=[incident.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"plain words"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="notes.txt"' in response["Content-Disposition"]  # extension follows the content
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/plain")
    event = AuditEvent.objects.get(action="incidents.attachment.downloaded")
    assert (event.actor, event.object_id) == (dsl_user, str(incident.pk))


@pytest.mark.parametrize("role", [roles.STAFF, roles.GOVERNOR, roles.TECHNICAL, roles.ADMINISTRATOR])
def test_others_cannot_download(client, dsl_client, role):
    incident = IncidentFactory()
    upload(dsl_client, incident, "report.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(user_with_role(role))
    assert client.get(reverse("incidents:attachment", args=[incident.pk, attachment.pk])).status_code == 404


def test_an_attachment_is_404_under_another_case(dsl_client):
    incident, other = IncidentFactory(), IncidentFactory()
    upload(dsl_client, incident, "report.pdf", PDF)
    attachment = Attachment.objects.get()
    assert dsl_client.get(reverse("incidents:attachment", args=[other.pk, attachment.pk])).status_code == 404


def test_media_files_are_not_served_by_any_url(dsl_client, settings):
    incident = IncidentFactory()
    upload(dsl_client, incident, "report.pdf", PDF)
    attachment = Attachment.objects.get()
    assert dsl_client.get(f"/{settings.MEDIA_URL}{attachment.file.name}").status_code == 404
    assert dsl_client.get(f"/media/{attachment.file.name}").status_code == 404
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))
