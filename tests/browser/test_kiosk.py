"""The reception kiosk clears itself: after the thank-you page and after a form left idle. The
visitor's journey (sign in, the Wi-Fi note, nothing left for the next one) is in test_journeys.py."""

import re

import pytest
from playwright.sync_api import expect

from agreements.models import Agreement, Audience, Visitor
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import publish
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIFI_NOTE = "Guest Wi-Fi: OakfieldGuest, password acorn-2026"


@pytest.fixture
def kiosk(page, log_in):
    """The office starts the kiosk on `page`."""
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    publish(Audience.VISITOR, title="Visitors to Oakfield", body="Wear your visitor badge at all times.")
    Agreement.objects.filter(audience=Audience.VISITOR).update(after_signing_note=WIFI_NOTE)
    office = user_with_role(roles.ADMINISTRATOR, email="office@school.example")
    log_in(page, office)
    page.goto("/agreements/sessions/kiosk/")
    expect(page.get_by_test_id("handover-warning")).to_be_visible()
    page.get_by_role("button", name="Start the kiosk on this device").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    return page


def expect_empty_form(page):
    for label in ("Your name", "Organisation or company", "Reason for your visit", "Type your full name"):
        expect(page.get_by_label(label)).to_have_value("")
    expect(page.get_by_label("I have read and agree")).not_to_be_checked()


def test_the_thank_you_page_returns_to_the_welcome_page_by_itself(kiosk):
    page = kiosk
    page.get_by_role("link", name="Sign in as a visitor").click()
    page.get_by_label("Your name").fill("Sam Hill")
    page.get_by_label("Reason for your visit").fill("Meeting")
    page.get_by_label("I have read and agree").check()
    page.get_by_label("Type your full name").fill("Sam Hill")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Thank you, Sam")).to_be_visible()
    # 30 seconds in real life; the page reads its wait from the attribute on every tick.
    page.evaluate("document.querySelector('[data-kiosk-done]').setAttribute('data-return-seconds', '1')")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.locator("main")).not_to_contain_text("Sam")


def test_the_sign_in_form_clears_itself_after_being_left_idle(kiosk):
    page = kiosk
    page.get_by_role("link", name="Sign in as a visitor").click()
    page.get_by_label("Your name").fill("Half Finished")
    page.get_by_label("Reason for your visit").fill("Left without signing")
    # Two minutes in real life; the page reads its wait from the attribute on every tick.
    page.evaluate("document.querySelector('[data-kiosk-idle]').setAttribute('data-idle-seconds', '2')")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.get_by_role("link", name="Sign in as a visitor")).to_be_visible()
    page.get_by_role("link", name="Sign in as a visitor").click()
    expect_empty_form(page)
    assert not Visitor.objects.exists()


def test_typing_keeps_the_form_open(kiosk):
    page = kiosk
    page.get_by_role("link", name="Sign in as a visitor").click()
    page.evaluate("document.querySelector('[data-kiosk-idle]').setAttribute('data-idle-seconds', '3')")
    name = page.get_by_label("Your name")
    for letter in "Slow Typist":
        name.press(letter if letter != " " else "Space")
        page.wait_for_timeout(400)
    expect(page).to_have_url(re.compile(r"/kiosk/sign/$"))
    expect(name).to_have_value("Slow Typist")
