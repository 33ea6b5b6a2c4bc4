"""A device handed to pupils or visitors offers no link out of its signing pages."""

import pytest
from django.urls import reverse

from agreements import services
from agreements.middleware import DEVICE_SESSION_KEY
from agreements.models import Audience, DeviceSession
from tests.agreements.factories import publish
from tests.factories import PupilFactory, user_with_role

pytestmark = pytest.mark.django_db

TEXT = "Report worries to [CEOP](https://www.ceop.police.uk/) or a teacher."


def _hand_over(client, kind, **group):
    session = services.device_session_start(kind=kind, user=user_with_role("Administrator"), **group)
    store = client.session
    store[DEVICE_SESSION_KEY] = session.pk
    store.save()


def test_pupil_signing_page_shows_link_words_but_no_link(client):
    publish(Audience.PUPIL_KS2, body=TEXT)
    pupil = PupilFactory(year_group=5, reg_class="5A")
    _hand_over(client, DeviceSession.Kind.CLASS, reg_class="5A")
    page = client.get(reverse("device:pupil_sign", args=[pupil.pk])).content.decode()
    assert "CEOP" in page
    assert "ceop.police.uk" not in page


def test_kiosk_signing_page_shows_link_words_but_no_link(client):
    publish(Audience.VISITOR, body=TEXT)
    _hand_over(client, DeviceSession.Kind.KIOSK)
    page = client.get(reverse("device:kiosk_sign")).content.decode()
    assert "CEOP" in page
    assert "ceop.police.uk" not in page


def test_the_same_text_keeps_its_link_for_a_signed_in_member_of_staff(client):
    version = publish(Audience.STAFF, body=TEXT)
    client.force_login(user_with_role("Staff"))
    page = client.get(reverse("agreements:sign", args=[version.agreement.audience])).content.decode()
    assert 'href="https://www.ceop.police.uk/"' in page
