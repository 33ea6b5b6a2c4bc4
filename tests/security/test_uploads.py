"""Uploads, across every place the portal accepts a file: the request-size wall, type told by
content (a renamed program is refused everywhere), each point's own size limit, downloads that a
browser cannot render or sniff, and nothing under MEDIA_ROOT reachable by address.

Each app's own tests go deeper into its rules; this module keeps the rules the same everywhere,
so a new upload point added to UPLOAD_POINTS is held to all of them at once.
"""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from agreements.models import Audience, Signature
from incidents.models import Attachment
from policies.models import PolicyVersion
from safety_portal import settings as project_settings
from safety_portal.middleware import RequestSizeLimit
from safety_portal.school import roles
from safety_portal.school.models import MisImport, SchoolProfile
from tests.agreements.factories import guardian_with_child, publish
from tests.factories import user_with_role
from tests.incidents.factories import IncidentFactory
from tests.policies.factories import make_policy
from tests.school.test_profile import profile_data
from tests.security.clients import signed_in

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
# A Windows program: what a renamed .exe really starts with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
MIS_DATA = Path(__file__).resolve().parent.parent / "school" / "data"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    return buffer.getvalue()


class UploadPoint:
    """One place a file is accepted: who may use it, how a file is sent, and what it keeps."""

    def __init__(self, client):
        self.client = client  # replaced by a signed-in client by each point

    def stored(self):
        raise NotImplementedError


class IncidentAttachment(UploadPoint):
    limit = 10 * MB
    too_big = "the largest allowed is 10 MB"
    valid_name, valid_start = "evidence.pdf", PDF

    def __init__(self, client):
        super().__init__(client)
        self.client = signed_in(user_with_role(roles.DSL))
        self.incident = IncidentFactory()

    def send(self, upload):
        return self.client.post(reverse("incidents:attachment_add", args=[self.incident.pk]),
                                {"attachment-file": upload})

    def stored(self):
        return Attachment.objects.count()

    def download(self):
        attachment = Attachment.objects.get()
        return self.client.get(reverse("incidents:attachment", args=[self.incident.pk, attachment.pk]))

    def stored_name(self):
        return Attachment.objects.get().file.name


class PolicyDocument(UploadPoint):
    limit = 20 * MB
    too_big = "the largest you can upload is 20.0\xa0MB"
    valid_name, valid_start = "policy.pdf", PDF

    def __init__(self, client):
        super().__init__(client)
        self.client = signed_in(user_with_role(roles.ONLINE_SAFETY_LEAD))
        self.policy = make_policy("Remote learning")

    def send(self, upload):
        return self.client.post(reverse("policies:version_new", args=[self.policy.pk]), {
            "number": "1.0", "approved_on": "2025-09-01", "approved_by": "Headteacher",
            "change_summary": "First version.", "document": upload, "ask_to_read": "no"})

    def stored(self):
        return PolicyVersion.objects.count()

    def download(self):
        return self.client.get(reverse("policies:document", args=[PolicyVersion.objects.get().pk]))

    def stored_name(self):
        return PolicyVersion.objects.get().document.name


class PaperScan(UploadPoint):
    limit = 10 * MB
    too_big = "the largest allowed is 10 MB"
    valid_name, valid_start = "form.pdf", PDF

    def __init__(self, client):
        super().__init__(client)
        self.client = signed_in(user_with_role(roles.ADMINISTRATOR))
        for audience in (Audience.PARENT, Audience.PUPIL_KS2):
            publish(audience)
        self.pupil, self.guardian = guardian_with_child(year_group=5, reg_class="5A")

    def send(self, upload):
        signed_on = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
        return self.client.post(reverse("agreements:paper_new", args=[self.pupil.pk]), {
            "guardian": self.guardian.pk, "typed_name": "Sarah Lowe", "signed_on": signed_on, "scan": upload})

    def stored(self):
        return Signature.objects.count()

    def download(self):
        return self.client.get(reverse("agreements:paper_scan", args=[Signature.objects.first().pk]))

    def stored_name(self):
        return Signature.objects.first().paper_scan.name


class MisImportFile(UploadPoint):
    limit = 5 * MB
    too_big = "The largest file you can upload is 5.0\xa0MB"
    valid_name, valid_start = "pupils.csv", (MIS_DATA / "pupils_sims.csv").read_bytes()

    def __init__(self, client):
        super().__init__(client)
        self.client = signed_in(user_with_role(roles.ADMINISTRATOR))

    def send(self, upload):
        return self.client.post(reverse("mis_import:upload"), {"kind": "pupils", "file": upload})

    def stored(self):
        return MisImport.objects.count()


class SchoolLogo(UploadPoint):
    limit = 2 * MB
    too_big = "the largest allowed is 2 MB"
    valid_name, valid_start = "logo.png", png_bytes()

    def __init__(self, client):
        super().__init__(client)
        self.client = signed_in(user_with_role(roles.ADMINISTRATOR))

    def send(self, upload):
        return self.client.post(reverse("school:profile"), profile_data(logo=upload))

    def stored(self):
        return SchoolProfile.objects.exclude(logo="").count()


UPLOAD_POINTS = [IncidentAttachment, PolicyDocument, PaperScan, MisImportFile, SchoolLogo]
WITH_DOWNLOADS = [IncidentAttachment, PolicyDocument, PaperScan]


@pytest.fixture(autouse=True)
def school(db):
    SchoolProfile.objects.get_or_create(pk=1, defaults={"name": "Oakfield Primary"})


@pytest.mark.parametrize("point", UPLOAD_POINTS, ids=lambda point: point.__name__)
def test_a_real_file_of_an_accepted_kind_is_kept(client, point):
    """The control for the refusals below: the same request with a genuine file succeeds."""
    where = point(client)
    before = where.stored()
    response = where.send(SimpleUploadedFile(where.valid_name, where.valid_start))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert where.stored() > before


@pytest.mark.parametrize("point", UPLOAD_POINTS, ids=lambda point: point.__name__)
def test_a_program_renamed_to_an_accepted_name_is_refused_and_nothing_kept(client, point):
    where = point(client)
    before = where.stored()
    response = where.send(SimpleUploadedFile(where.valid_name, EXE, content_type="application/pdf"))
    assert response.status_code == 200  # the form again, with its message
    assert where.stored() == before


@pytest.mark.parametrize("point", UPLOAD_POINTS, ids=lambda point: point.__name__)
def test_a_file_over_the_points_limit_is_refused_and_nothing_kept(client, point):
    where = point(client)
    before = where.stored()
    too_big = where.valid_start + b"0" * (where.limit + 1 - len(where.valid_start))
    response = where.send(SimpleUploadedFile(where.valid_name, too_big))
    assert response.status_code == 200
    assert where.stored() == before
    assert where.too_big in response.content.decode()


@pytest.mark.parametrize("point", WITH_DOWNLOADS, ids=lambda point: point.__name__)
def test_a_stored_file_downloads_as_an_attachment_that_cannot_be_sniffed(client, point, media_root):
    where = point(client)
    assert where.send(SimpleUploadedFile(where.valid_name, PDF)).status_code == 302
    response = where.download()
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("point", WITH_DOWNLOADS, ids=lambda point: point.__name__)
def test_a_stored_file_is_not_reachable_by_its_address(client, point, media_root):
    where = point(client)
    assert where.send(SimpleUploadedFile(where.valid_name, PDF)).status_code == 302
    name = where.stored_name()
    assert (Path(media_root) / name).is_file()
    for address in (f"/{settings.MEDIA_URL.strip('/')}/{name}", f"/{name}", f"/static/{name}"):
        assert client.get(address).status_code == 404, address


def test_media_root_is_outside_everything_served_as_static_files():
    media = Path(project_settings.MEDIA_ROOT).resolve()
    for served in [project_settings.STATIC_ROOT, *project_settings.STATICFILES_DIRS]:
        served = Path(served).resolve()
        assert not media.is_relative_to(served) and not served.is_relative_to(media)
    from safety_portal.urls import urlpatterns

    assert not any(str(pattern.pattern).startswith(settings.MEDIA_URL) for pattern in urlpatterns)


# The outer wall: a request larger than any upload is turned away before its body is read.


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = read


def test_an_oversized_request_is_refused_from_its_header_without_reading_the_body():
    request = RequestFactory().post("/incidents/1/attachments/", data=b"", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = str(settings.MAX_REQUEST_BYTES + 1)
    request._stream = Unreadable()
    request.META["wsgi.input"] = Unreadable()

    def view(request):
        raise AssertionError("the view ran")

    response = RequestSizeLimit(view)(request)
    assert response.status_code == 413
    page = response.content.decode()
    assert "too large" in page and f"{settings.MAX_REQUEST_BYTES // MB} MB" in page


def test_a_request_within_the_limit_reaches_the_view():
    request = RequestFactory().post("/x/", data=b"abc", content_type="text/plain")
    assert RequestSizeLimit(lambda request: "reached")(request) == "reached"


@override_settings(MAX_REQUEST_BYTES=64 * 1024)
@pytest.mark.parametrize("point", UPLOAD_POINTS, ids=lambda point: point.__name__)
def test_each_upload_point_sits_behind_the_wall(client, point):
    where = point(client)
    before = where.stored()
    response = where.send(SimpleUploadedFile(where.valid_name, where.valid_start + b"0" * (128 * 1024)))
    assert response.status_code == 413
    assert "That was too large to send" in response.content.decode()
    assert response["Content-Security-Policy"]
    assert where.stored() == before


def test_the_wall_lets_the_largest_allowed_upload_through():
    assert settings.MAX_REQUEST_BYTES > max(point.limit for point in UPLOAD_POINTS) + MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * MB  # larger files go to a temporary file, not memory
