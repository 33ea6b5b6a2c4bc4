"""A pupil's page shows who has signed which agreement for them, and what is missing.

The pupil's own key-stage agreement is signed only when the pupil signs it; a parent's signature on
it is shown too, but does not stand in for the pupil's.
"""

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from agreements import services
from agreements.models import Audience, DeviceSession
from safety_portal.school import roles
from tests.agreements.factories import make_link, publish
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(db):
    return {audience: publish(audience) for audience in (Audience.PARENT, Audience.PUPIL_KS2)}


def _section(client, pupil):
    page = client.get(reverse("school:pupil", args=[pupil.pk])).content.decode()
    assert 'data-testid="pupil-agreements"' in page
    return page


def _missing(page):
    """The agreements the section says are not yet signed, by name."""
    found = re.search(r'data-testid="agreements-missing">(.*?)</p>', page, re.S)
    return re.findall(r'<span class="badge[^"]*">([^<]+)</span>', found.group(1)) if found else []


def _statuses(page):
    return [strip_tags(cell).strip() for cell in re.findall(r'data-testid="still-counts">(.*?)</td>', page, re.S)]


def _pupil_signs(pupil):
    teacher = user_with_role(roles.STAFF)
    session = services.device_session_start(kind=DeviceSession.Kind.CLASS, user=teacher, reg_class=pupil.reg_class)
    return services.signature_record_for_pupil(device_session=session, pupil=pupil, typed_name="A Pupil")


def test_pupil_page_lists_signatures_and_what_is_still_missing(client, versions):
    link, _token = make_link(year_group=4)
    client.force_login(user_with_role(roles.DSL))
    assert _missing(_section(client, link.pupil)) == [str(Audience.PARENT.label), str(Audience.PUPIL_KS2.label)]

    services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)
    page = _section(client, link.pupil)
    # The parent's signatures: the parent agreement is signed, the pupil's own one still is not.
    assert _missing(page) == [str(Audience.PUPIL_KS2.label)]
    assert str(link.guardian) in page
    for signature in link.pupil.signatures.all():
        assert reverse("agreements:signature", args=[signature.pk]) in page
    assert sorted(_statuses(page)) == ["read with a parent: the pupil signs their own", "yes"]

    _pupil_signs(link.pupil)
    page = _section(client, link.pupil)
    assert _missing(page) == []
    assert "Not yet signed for the current version" not in page
    assert sorted(_statuses(page)) == ["read with a parent: the pupil signs their own", "yes", "yes"]


def test_a_parents_signature_on_the_key_stage_agreement_does_not_sign_it_for_the_pupil(client, versions):
    link, _token = make_link(year_group=4)
    services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)
    client.force_login(user_with_role(roles.HEADTEACHER))
    page = _section(client, link.pupil)
    assert str(Audience.PUPIL_KS2.label) in _missing(page)
    assert str(Audience.PARENT.label) not in _missing(page)


def test_the_pupils_own_signature_signs_their_agreement_without_a_parent(client, versions):
    link, _token = make_link(year_group=4)
    _pupil_signs(link.pupil)
    client.force_login(user_with_role(roles.DSL))
    page = _section(client, link.pupil)
    assert _missing(page) == [str(Audience.PARENT.label)]
    assert _statuses(page) == ["yes"]


def test_a_newer_version_that_must_be_signed_again_shows_as_missing(client, versions):
    link, _token = make_link(year_group=4)
    services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)
    _pupil_signs(link.pupil)
    publish(Audience.PARENT, body="New rules for parents.", requires_resign=True)
    client.force_login(user_with_role(roles.HEADTEACHER))
    page = _section(client, link.pupil)
    assert _missing(page) == [str(Audience.PARENT.label)]
    assert "no: a newer version must be signed" in _statuses(page)


def test_a_signature_on_another_key_stages_agreement_does_not_count(client, versions):
    publish(Audience.PUPIL_KS3)
    link, _token = make_link(year_group=6, reg_class="6A")
    _pupil_signs(link.pupil)
    link.pupil.year_group, link.pupil.reg_class = 7, "7A"  # moved up to secondary
    link.pupil.save()
    client.force_login(user_with_role(roles.DSL))
    page = _section(client, link.pupil)
    assert str(Audience.PUPIL_KS3.label) in _missing(page)
    assert _statuses(page) == ["no: another key stage's agreement"]
