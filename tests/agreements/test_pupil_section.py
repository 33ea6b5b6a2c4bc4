"""A pupil's page shows who has signed which agreement for them, and what is missing."""

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Audience
from safety_portal.school import roles
from tests.agreements.factories import make_link, publish
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_pupil_page_lists_signatures_and_what_is_still_missing(client):
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    link, _token = make_link(year_group=4)
    client.force_login(user_with_role(roles.DSL))
    page = client.get(reverse("school:pupil", args=[link.pupil.pk])).content.decode()
    assert 'data-testid="pupil-agreements"' in page
    assert "Not yet signed for the current version" in page

    services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)
    page = client.get(reverse("school:pupil", args=[link.pupil.pk])).content.decode()
    assert "Not yet signed for the current version" not in page
    assert str(link.guardian) in page
    signature = link.pupil.signatures.first()
    assert reverse("agreements:signature", args=[signature.pk]) in page


def test_a_newer_version_that_must_be_signed_again_shows_as_missing(client):
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    link, _token = make_link(year_group=4)
    services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)
    publish(Audience.PARENT, body="New rules for parents.", requires_resign=True)
    client.force_login(user_with_role(roles.HEADTEACHER))
    page = client.get(reverse("school:pupil", args=[link.pupil.pk])).content.decode()
    assert "Not yet signed for the current version" in page
    assert "no: a newer version must be signed" in page
