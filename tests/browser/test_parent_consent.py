"""A parent gives, then withdraws, photo consent on a phone; staff see it on the "do not
photograph" list straight away."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Audience
from consent.models import ConsentDecision
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.consent.factories import purposes
from tests.factories import PupilFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SOCIAL = "Official school social media"


@pytest.fixture
def family():
    cache.clear()
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary", phone="01632 960123")
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    in_use = purposes()
    pupil, guardian = guardian_with_child(pupil=PupilFactory(first_name="Amelia", last_name="Featherstonehaugh",
                                                             year_group=4, reg_class="4 Oak"))
    _link, token = make_link(pupil=pupil, guardian=guardian)
    return pupil, token, [purpose for purpose in in_use if purpose.active]


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _choose(page, purpose_name, answer):
    group = page.get_by_role("group", name=purpose_name, exact=True)
    group.get_by_role("radio", name=answer, exact=True).check()


def _dnp_row(page, pupil):
    return page.get_by_role("row").filter(has_text=pupil.first_name).filter(has_text=pupil.last_name)


def test_parent_withdraws_social_media_consent_on_a_phone_and_staff_see_it_at_once(new_page, log_in, family):
    pupil, token, in_use = family
    teacher = UserFactory(first_name="Marcus", last_name="Bellamy", email="m.bellamy@school.example",
                          roles=[roles.STAFF])

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(reverse("parent_pack", args=[token]))
    section = phone.get_by_test_id("photo-consent")
    expect(section.get_by_role("heading", name="Photos and videos of Amelia")).to_be_visible()
    expect(section).to_contain_text("hard to take back")
    expect(section.get_by_role("radio")).to_have_count(2 * len(in_use))
    for radio in section.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    _no_sideways_scroll(phone, PHONE["width"])

    for purpose in in_use:
        _choose(phone, purpose.name, "Yes")
    section.get_by_role("button", name="Save photo choices").tap()
    expect(phone.get_by_test_id("consent-message")).to_have_text(
        "Your photo choices for Amelia are saved. A receipt is on its way.")
    expect(phone.get_by_test_id("current-answer")).to_have_count(len(in_use))
    assert ConsentDecision.objects.filter(pupil=pupil, answer=True).count() == len(in_use)

    # Staff: everything is yes, so Amelia is not on the list.
    desk = new_page(viewport=DESKTOP)
    log_in(desk, teacher)
    desk.goto("/consent/do-not-photograph/")
    expect(desk.get_by_role("heading", name="Do not photograph")).to_be_visible()
    expect(_dnp_row(desk, pupil)).to_have_count(0)

    # The parent changes their mind about social media.
    social = phone.get_by_role("group", name=SOCIAL, exact=True)
    expect(social.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    expect(social).to_contain_text(re.compile(r"Your answer: yes, given \d{1,2} \w+ \d{4}"))
    _choose(phone, SOCIAL, "No")
    phone.get_by_role("button", name="Save photo choices").tap()
    expect(phone.get_by_test_id("consent-message")).to_contain_text("are saved")
    social = phone.get_by_role("group", name=SOCIAL, exact=True)
    expect(social.get_by_role("radio", name="No", exact=True)).to_be_checked()
    expect(social).to_contain_text("Your answer: no, given")
    _no_sideways_scroll(phone, PHONE["width"])

    # ...and it counts at once.
    desk.reload()
    row = _dnp_row(desk, pupil)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(SOCIAL)
    expect(row).to_contain_text("4 Oak")
    for purpose in in_use:
        if purpose.name != SOCIAL:
            expect(row).not_to_contain_text(purpose.name)


def test_a_missing_answer_on_a_small_phone_keeps_the_other_choices(new_page, family):
    pupil, token, in_use = family
    phone = new_page(viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
    phone.goto(reverse("parent_pack", args=[token]))
    skipped = in_use[-1]
    for purpose in in_use:
        if purpose != skipped:
            _choose(phone, purpose.name, "No" if purpose.name == SOCIAL else "Yes")
    phone.get_by_role("button", name="Save photo choices").tap()

    expect(phone.get_by_test_id("form-errors")).to_contain_text(f"{skipped.name}: Choose yes or no")
    expect(phone.get_by_role("group", name=skipped.name, exact=True)).to_contain_text("Choose yes or no")
    expect(phone.get_by_role("group", name=SOCIAL, exact=True).get_by_role("radio", name="No", exact=True)
           ).to_be_checked()
    _no_sideways_scroll(phone, SMALL_PHONE["width"])
    assert not ConsentDecision.objects.exists()

    # The summary's link takes the parent to the question they missed.
    phone.get_by_test_id("form-errors").get_by_role("link", name=skipped.name).tap()
    _choose(phone, skipped.name, "Yes")
    phone.get_by_role("button", name="Save photo choices").tap()
    expect(phone.get_by_test_id("consent-message")).to_contain_text("are saved")
    assert ConsentDecision.objects.filter(pupil=pupil).count() == len(in_use)
