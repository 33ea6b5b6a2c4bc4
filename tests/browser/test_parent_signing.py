"""A parent signs on a phone from the personal link in their email."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Audience, Signature
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.factories import PupilFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_parent_reads_and_signs_on_a_phone(new_page):
    cache.clear()
    SchoolProfile.objects.create(pk=1, name="St Aldhelm's Church of England Voluntary Aided Primary School",
                                 phone="01632 960123")
    parent_version = publish(Audience.PARENT)
    pupil_version = publish(Audience.PUPIL_KS2)
    pupil, guardian = guardian_with_child(pupil=PupilFactory(first_name="Rosalind", last_name="Featherstonehaugh",
                                                             year_group=4, reg_class="4 Willow"))
    _link, token = make_link(pupil=pupil, guardian=guardian)

    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(reverse("parent_pack", args=[token]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Online-safety agreements for Rosalind")
    expect(page.get_by_role("heading", name=parent_version.title)).to_be_visible()
    expect(page.get_by_role("heading", name=pupil_version.title)).to_be_visible()
    expect(page.get_by_text("4 Willow")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Featherstonehaugh")
    _no_sideways_scroll(page)

    # Signing without the declaration is refused, and the typed name is kept.
    page.get_by_label("I have read and agree").check()
    page.get_by_label("Type your full name").fill("Sarah Lowe")
    page.get_by_role("button", name="Sign for Rosalind").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("talked the pupils' agreement through")
    expect(page.get_by_label("Type your full name")).to_have_value("Sarah Lowe")
    assert not Signature.objects.exists()

    page.get_by_label("I have discussed the pupils' agreement with my child").check()
    page.get_by_label("I have read and agree").check()
    page.get_by_role("button", name="Sign for Rosalind").click()
    expect(page.get_by_role("heading", name="Thank you: signed")).to_be_visible()
    expect(page.get_by_test_id("signed-confirmation")).to_contain_text("receipt")
    expect(page.get_by_test_id("signed-list")).to_contain_text(parent_version.title)
    expect(page.get_by_test_id("signed-list")).to_contain_text("Sarah Lowe")
    _no_sideways_scroll(page)
    assert Signature.objects.filter(guardian=guardian, pupil=pupil).count() == 2

    # Opening the link again shows what was signed, with no form.
    page.goto(reverse("parent_pack", args=[token]))
    expect(page.get_by_role("heading", name="You have signed")).to_be_visible()
    expect(page.get_by_role("button", name="Sign for Rosalind")).to_have_count(0)
    _no_sideways_scroll(page)
