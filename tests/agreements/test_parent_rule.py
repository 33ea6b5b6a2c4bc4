"""One rule for parents, seen the same way everywhere: the parent's page, the record, reminders,
the pack's "not signed yet" choice and the home page.

A child is signed for when a guardian has a counted signature on the parent agreement for them.
A key-stage version that asks everyone to sign again is for the pupil to sign in class: it does not
bring the parents back.
"""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agreements import reminders, services
from agreements.forms_packs import PackChooseForm, links_with_status
from agreements.models import Audience, Signature, SigningLink
from agreements.parent_pack import pack_state
from safety_portal.school import roles
from tests.agreements.factories import make_link, publish
from tests.factories import GuardianFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def versions(db):
    return {audience: publish(audience) for audience in (Audience.PARENT, Audience.PUPIL_KS2)}


def _signs(link):
    services.signature_record_for_guardian(link=link, typed_name="Pat Parent", discussed_with_child=True)


def _everywhere(client, link):
    """Whether each place says the child is signed for: {place: True/False}."""
    pupil = link.pupil
    page = client.get(reverse("parent_pack", args=[link.token])).content.decode()
    record_url = reverse("agreements:compliance_audience", args=[Audience.PARENT])
    outstanding_rows = client.get(record_url, {"status": "outstanding"}).context["rows"]
    signed_rows = client.get(record_url, {"status": "signed"}).context["rows"]
    assert [row.person for row in outstanding_rows + signed_rows] == [pupil]
    pack_choice = PackChooseForm({"outstanding": "on"})
    assert pack_choice.is_valid()
    home = client.get("/")
    signing_panel = next(panel for panel in home.context["panels"] if panel.key == "signing")
    children_waiting = next(row.value for row in signing_panel.rows
                            if str(row.label) == "Children with no parent signature yet")
    SigningLink.objects.filter(pk=link.pk).update(sent_at=timezone.now() - datetime.timedelta(days=8))
    due = list(reminders.parent_links_due(timezone.now()))
    return {
        "page": 'name="typed_name"' not in page and "You have signed" in page,
        "record": [row.person for row in signed_rows] == [pupil],
        "pack choice": pupil not in pack_choice.pupils(),
        "pack status": links_with_status(SigningLink.objects.filter(pk=link.pk)).get().signed_at is not None,
        "home page": children_waiting == 0,
        "reminders": link not in due,
    }


@pytest.fixture
def office_client(client):
    client.force_login(user_with_role(roles.ADMINISTRATOR, roles.DSL))
    return client


def _link(**kwargs):
    link, token = make_link(year_group=4, **kwargs)
    link.token = token
    return link


def test_before_anyone_signs_every_place_says_not_signed(office_client, versions):
    link = _link()
    assert _everywhere(office_client, link) == dict.fromkeys(
        ["page", "record", "pack choice", "pack status", "home page", "reminders"], False)


def test_a_key_stage_version_that_asks_everyone_to_sign_again_leaves_the_parent_signed_everywhere(
        office_client, versions):
    link = _link()
    _signs(link)
    new_ks2 = publish(Audience.PUPIL_KS2, body="A rewritten pupils' agreement.", requires_resign=True)

    assert all(_everywhere(office_client, link).values()), _everywhere(office_client, link)
    state = pack_state(link)
    assert not state.needs_signing and state.to_sign == []
    page = office_client.get(reverse("parent_pack", args=[link.token])).content.decode()
    # The parent still sees what they signed, and that the new version is for their child to sign at school.
    assert versions[Audience.PUPIL_KS2].title in page and "signs the new version at school" in page
    assert "A rewritten pupils' agreement." not in page
    # A second post records nothing: there is nothing for this parent to sign.
    response = office_client.post(reverse("parent_pack", args=[link.token]),
                                  {"discussed": "on", "agree": "on", "typed_name": "Pat Parent", "shown": ""})
    assert "already signed" in response.content.decode()
    assert not Signature.objects.filter(version=new_ks2).exists()


def test_a_parent_version_that_asks_everyone_to_sign_again_brings_the_parent_back_everywhere(
        office_client, versions):
    link = _link()
    _signs(link)
    new_parent = publish(Audience.PARENT, body="New rules for parents.", requires_resign=True)

    assert not any(_everywhere(office_client, link).values())
    # Only the new parent agreement is asked for: the key-stage one this parent signed is unchanged.
    assert pack_state(link).to_sign == [new_parent]


def test_both_re_signed_asks_the_parent_for_both(office_client, versions):
    link = _link()
    _signs(link)
    new_parent = publish(Audience.PARENT, body="New rules for parents.", requires_resign=True)
    new_ks2 = publish(Audience.PUPIL_KS2, body="A rewritten pupils' agreement.", requires_resign=True)
    state = pack_state(link)
    assert state.to_sign == [new_parent, new_ks2] and state.signed == []
    _signs(link)
    assert all(_everywhere(office_client, link).values())


def test_another_guardians_signature_signs_for_the_child_but_this_guardian_may_still_sign(office_client, versions):
    mum_link = _link()
    dad = GuardianFactory()
    PupilGuardianFactory(pupil=mum_link.pupil, guardian=dad)
    dad_link, dad_token = make_link(pupil=mum_link.pupil, guardian=dad, pack=mum_link.pack)
    dad_link.token = dad_token
    _signs(mum_link)

    places = _everywhere(office_client, dad_link)
    # The child is signed for: the record, the home page, the pack choice and reminders agree.
    assert places["record"] and places["home page"] and places["pack choice"] and places["reminders"]
    # Dad's own link still lets him sign, and his link in the pack shows he has not.
    assert not places["page"] and not places["pack status"]
    assert pack_state(dad_link).needs_signing
