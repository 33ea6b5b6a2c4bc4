"""Paper forms: the office records who signed and when, with an optional scan checked by its content."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Audience, Signature, SignatureMethod
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.factories import GuardianFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def versions(db):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    return {audience: publish(audience) for audience in (Audience.PARENT, Audience.PUPIL_KS2, Audience.PUPIL_KS3)}


@pytest.fixture
def family(db):
    return guardian_with_child(year_group=5, reg_class="5A")


def _url(pupil):
    return reverse("agreements:paper_new", args=[pupil.pk])


def _post(client, pupil, guardian, *, scan=None, days_ago=2, name="Sarah Lowe", **extra):
    data = {"guardian": guardian.pk, "typed_name": name,
            "signed_on": (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat(), **extra}
    if scan is not None:
        data["scan"] = scan
    return client.post(_url(pupil), data)


def test_office_records_a_paper_form_for_both_agreements(admin_client, admin_user, versions, family):
    pupil, guardian = family
    response = _post(admin_client, pupil, guardian, days_ago=3)
    assert response.status_code == 302 and response["Location"] == reverse("agreements:packs")
    signatures = Signature.objects.filter(pupil=pupil, guardian=guardian)
    assert {s.version for s in signatures} == {versions[Audience.PARENT], versions[Audience.PUPIL_KS2]}
    for signature in signatures:
        assert signature.method == SignatureMethod.PAPER
        assert signature.recorded_by == admin_user and signature.typed_name == "Sarah Lowe"
        assert timezone.localtime(signature.signed_at).date() == timezone.localdate() - datetime.timedelta(days=3)
        assert not signature.paper_scan
    assert AuditEvent.objects.filter(action="agreements.signature.recorded", actor=admin_user).count() == 2


def test_office_records_a_paper_form_with_a_scan_kept_once(admin_client, versions, family, media_root):
    pupil, guardian = family
    response = _post(admin_client, pupil, guardian, scan=SimpleUploadedFile("form.pdf", PDF))
    assert response.status_code == 302
    names = set(Signature.objects.values_list("paper_scan", flat=True))
    assert len(names) == 1
    [name] = names
    assert name.endswith(".pdf") and "form" not in name  # a random name, not the uploader's
    assert (media_root / name).read_bytes() == PDF
    assert len(list(media_root.rglob("*.pdf"))) == 1


@pytest.mark.parametrize(("content", "extension"), [(PNG, ".png"), (JPEG, ".jpg")])
def test_images_of_the_form_are_accepted(admin_client, versions, family, content, extension):
    pupil, guardian = family
    assert _post(admin_client, pupil, guardian, scan=SimpleUploadedFile("photo.pdf", content)).status_code == 302
    assert Signature.objects.first().paper_scan.name.endswith(extension)


def test_a_file_pretending_to_be_a_pdf_is_refused_and_nothing_is_recorded(admin_client, versions, family,
                                                                           media_root):
    pupil, guardian = family
    fake = SimpleUploadedFile("form.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = _post(admin_client, pupil, guardian, scan=fake)
    assert response.status_code == 200
    page = response.content.decode()
    assert "not a PDF, JPEG or PNG" in page and 'value="Sarah Lowe"' in page
    assert not Signature.objects.exists()
    assert not list(media_root.rglob("*.*"))


def test_a_scan_over_10_mb_is_refused(admin_client, versions, family):
    pupil, guardian = family
    big = SimpleUploadedFile("form.pdf", PDF + b"0" * (10 * 1024 * 1024))
    response = _post(admin_client, pupil, guardian, scan=big)
    assert response.status_code == 200 and "largest allowed is 10 MB" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_date_in_the_future_is_refused(admin_client, versions, family):
    pupil, guardian = family
    response = _post(admin_client, pupil, guardian, days_ago=-1)
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_date_more_than_a_year_ago_is_refused(admin_client, versions, family):
    pupil, guardian = family
    response = _post(admin_client, pupil, guardian, days_ago=400)
    assert response.status_code == 200 and "more than a year ago" in response.content.decode()
    assert not Signature.objects.exists()


def test_only_guardians_with_parental_responsibility_can_be_chosen(admin_client, versions, family):
    pupil, guardian = family
    childminder = PupilGuardianFactory(pupil=pupil, parental_responsibility=False).guardian
    stranger = GuardianFactory()
    page = admin_client.get(_url(pupil)).content.decode()
    assert str(guardian) in page and str(childminder) not in page
    for someone in (childminder, stranger):
        response = _post(admin_client, pupil, someone)
        assert response.status_code == 200 and response.context["form"].errors["guardian"]
    assert not Signature.objects.exists()


def test_a_family_that_already_signed_is_told_so(admin_client, versions, family):
    pupil, guardian = family
    link, _token = make_link(pupil=pupil, guardian=guardian)
    services.signature_record_for_guardian(link=link, typed_name="Sarah Lowe", discussed_with_child=True)
    response = _post(admin_client, pupil, guardian)
    assert response.status_code == 200
    assert "already signed the current agreements" in response.content.decode()
    assert Signature.objects.count() == 2


def test_an_unpublished_agreement_is_named(admin_client, db):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    publish(Audience.PARENT)
    pupil, guardian = guardian_with_child(year_group=8, reg_class="8A")
    response = _post(admin_client, pupil, guardian)
    assert response.status_code == 200
    assert "Pupils: key stage 3" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_child_with_no_one_holding_parental_responsibility_gets_an_explanation(admin_client, versions):
    pupil, _guardian = guardian_with_child(parental_responsibility=False)
    page = admin_client.get(_url(pupil)).content.decode()
    assert "No one has parental responsibility" in page and 'data-testid="paper-form"' not in page


def test_back_to_where_the_office_came_from(admin_client, versions, family):
    pupil, guardian = family
    response = _post(admin_client, pupil, guardian, next="/agreements/packs/7/?status=outstanding")
    assert response["Location"] == "/agreements/packs/7/?status=outstanding"
    other, other_guardian = guardian_with_child()
    response = _post(admin_client, other, other_guardian, next="https://evil.example/")
    assert response["Location"] == reverse("agreements:packs")


def _signature_with_scan(admin_client, family):
    pupil, guardian = family
    _post(admin_client, pupil, guardian, scan=SimpleUploadedFile("form.pdf", PDF))
    return Signature.objects.filter(pupil=pupil).first()


def test_the_office_downloads_the_scan_and_it_is_audited(admin_client, admin_user, versions, family):
    signature = _signature_with_scan(admin_client, family)
    response = admin_client.get(reverse("agreements:paper_scan", args=[signature.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="paper-form-{signature.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    event = AuditEvent.objects.get(action="agreements.paper_scan.downloaded")
    assert event.actor == admin_user and event.object_id == str(signature.pk)


def test_compliance_readers_may_download_the_scan(client, admin_client, versions, family):
    signature = _signature_with_scan(admin_client, family)
    client.force_login(user_with_role(roles.DSL))
    assert client.get(reverse("agreements:paper_scan", args=[signature.pk])).status_code == 200


@pytest.mark.parametrize("role", [roles.STAFF, roles.GOVERNOR, roles.TECHNICAL])
def test_others_get_404_for_the_scan_and_nothing_is_audited(client, admin_client, versions, family, role):
    signature = _signature_with_scan(admin_client, family)
    client.force_login(user_with_role(role))
    assert client.get(reverse("agreements:paper_scan", args=[signature.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="agreements.paper_scan.downloaded").exists()


def test_a_signature_without_a_scan_has_nothing_to_download(admin_client, versions, family):
    pupil, guardian = family
    _post(admin_client, pupil, guardian)
    signature = Signature.objects.first()
    assert admin_client.get(reverse("agreements:paper_scan", args=[signature.pk])).status_code == 404


def test_paper_form_page_is_for_the_office_only(client, versions, family):
    pupil, guardian = family
    client.force_login(user_with_role(roles.DSL))
    assert client.get(_url(pupil)).status_code == 404
    assert _post(client, pupil, guardian).status_code == 404
    assert not Signature.objects.exists()


def test_paper_records_the_declaration_as_given_and_no_office_address_as_the_parents(admin_client, versions,
                                                                                      family):
    pupil, guardian = family
    assert _post(admin_client, pupil, guardian).status_code == 302
    signatures = list(Signature.objects.filter(pupil=pupil))
    assert len(signatures) == 2
    assert not any(signature.discussed_with_child for signature in signatures)
    assert all(signature.ip_address is None and signature.user_agent == "" for signature in signatures)


def test_paper_declaration_ticked_is_kept(admin_client, versions, family):
    pupil, guardian = family
    _post(admin_client, pupil, guardian, discussed_with_child="on")
    assert all(signature.discussed_with_child for signature in Signature.objects.filter(pupil=pupil))
