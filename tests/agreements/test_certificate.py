"""The signature certificate: a PDF of the text as signed, the signer and the evidence."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from agreements import services
from agreements.certificate import url_fetcher
from agreements.models import Audience, Signature, SignatureMethod
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.agreements.test_drawing import image_data_url
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

BODY = "Keep your password to yourself.\n\nReport anything that worries you to the DSL the same day."


def certificate_url(signature):
    return reverse("agreements:certificate", args=[signature.pk])


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    # Lines wrap wherever the page ends: compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), reader


@pytest.fixture
def teacher():
    return UserFactory(first_name="Marcus", last_name="Bellamy", email="m.bellamy@school.example",
                       roles=[roles.STAFF])


def test_certificate_has_the_signer_the_hash_and_the_text_as_signed(client, teacher):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    version = publish(Audience.STAFF, title="Staff agreement 2026", body=BODY)
    signature = services.signature_record_for_account(user=teacher, version=version, typed_name="Marcus Bellamy")
    client.force_login(teacher)
    response = client.get(certificate_url(signature))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="signature-{signature.pk}-marcus-bellamy.pdf"'
    text, reader = pdf_text(response)
    assert "Oakfield Primary" in text
    assert "Marcus Bellamy" in text
    assert signature.content_hash in text
    assert "Staff agreement 2026" in text
    assert "Keep your password to yourself." in text
    assert "Report anything that worries you to the DSL the same day." in text
    assert "Typed name" in text
    assert "it is exactly the text that was signed" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert not any(page.images for page in reader.pages)  # nothing drawn, no image


def test_certificate_shows_the_drawn_signature(client, teacher):
    version = publish(Audience.STAFF)
    signature = services.signature_record_for_account(user=teacher, version=version, typed_name="Marcus Bellamy",
                                                      drawing=image_data_url())
    client.force_login(teacher)
    _text, reader = pdf_text(client.get(certificate_url(signature)))
    # Pages share one resource list, so the one image is listed on each: count it once.
    assert len({image.name for page in reader.pages for image in page.images}) == 1
    assert len(reader.pages[0].images) == 1


def test_certificate_says_when_the_stored_text_no_longer_matches(client, teacher):
    version = publish(Audience.STAFF)
    signature = Signature.objects.create(version=version, user=teacher, typed_name="Marcus Bellamy",
                                         method=SignatureMethod.TYPED, content_hash="0" * 64,
                                         signed_at=version.published_at)
    client.force_login(teacher)
    text, _reader = pdf_text(client.get(certificate_url(signature)))
    assert "0" * 64 in text
    assert "has a different fingerprint from the one taken when this was signed" in text
    assert "exactly the text that was signed" not in text


def test_certificate_of_a_parent_signature_names_the_child(client, admin_user):
    publish(Audience.PARENT, body=BODY)
    publish(Audience.PUPIL_KS2)
    pupil, guardian = guardian_with_child(year_group=5, reg_class="5A")
    link, _token = make_link(pupil=pupil, guardian=guardian)
    signature = services.signature_record_for_guardian(
        link=link, typed_name=str(guardian), discussed_with_child=True)[0]
    client.force_login(admin_user)
    text, _reader = pdf_text(client.get(certificate_url(signature)))
    assert str(guardian) in text
    assert f"On behalf of {pupil.display_name}, 5A" in text


def test_every_certificate_download_is_audited(client, teacher):
    signature = services.signature_record_for_account(user=teacher, version=publish(Audience.STAFF),
                                                      typed_name="Marcus Bellamy")
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD)
    for user in (teacher, lead):
        client.force_login(user)
        assert client.get(certificate_url(signature)).status_code == 200
    events = AuditEvent.objects.filter(action="agreements.certificate.downloaded", object_id=str(signature.pk))
    assert sorted(event.actor_id for event in events) == sorted([teacher.pk, lead.pk])


def test_no_certificate_for_someone_elses_signature(client, teacher, staff_user):
    signature = services.signature_record_for_account(user=teacher, version=publish(Audience.STAFF),
                                                      typed_name="Marcus Bellamy")
    client.force_login(staff_user)
    assert client.get(certificate_url(signature)).status_code == 404
    assert not AuditEvent.objects.filter(action="agreements.certificate.downloaded").exists()


def test_the_pdf_loads_nothing_from_outside():
    fetch = url_fetcher()
    with pytest.raises(ValueError):
        fetch("https://tracker.example/pixel.png")
    with pytest.raises(ValueError):
        fetch("file:///etc/passwd")
    assert fetch(image_data_url()).content_type == "image/png"
