"""A teacher hands a laptop to the class; a pupil finds their name, reads and signs."""

import re

import pytest
from playwright.sync_api import expect

from agreements.models import Audience, DeviceSession, Signature, SignatureMethod
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import publish
from tests.factories import DEFAULT_PASSWORD, PupilFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pupil_signs_in_a_class_session_and_cannot_wander_off(page, log_in):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    publish(Audience.PUPIL_KS2, title="Our rules for computers",
            body="I will ask a grown-up before I **download** anything.")
    amelia = PupilFactory(first_name="Amelia", last_name="Smith", year_group=5, reg_class="5A")
    PupilFactory(first_name="Oliver", last_name="Patel", year_group=5, reg_class="5A")
    PupilFactory(first_name="Yusuf", last_name="Khan", year_group=5, reg_class="5B")
    teacher = user_with_role(roles.STAFF, email="teacher@school.example")

    # The teacher starts the session for 5A; the laptop is no longer signed in as them.
    log_in(page, teacher)
    page.goto("/agreements/sessions/")
    expect(page.get_by_test_id("handover-warning")).to_contain_text("This device will be signed out of your account")
    page.get_by_label("Class or year group").select_option(label="5A")
    page.get_by_role("button", name="Start the session on this device").click()
    expect(page).to_have_url(re.compile(r"/pupil-signing/$"))
    expect(page.get_by_role("heading", name="Find your name")).to_be_visible()
    expect(page.get_by_test_id("main-menu")).to_have_count(0)
    names = page.get_by_test_id("pupil-names")
    expect(names).to_contain_text("Amelia S.")
    expect(names).to_contain_text("Oliver P.")
    expect(names).not_to_contain_text("Yusuf")

    # Amelia taps her name, reads her agreement, ticks, types and signs.
    page.get_by_role("link", name="Amelia S.").click()
    expect(page.get_by_role("heading", name="Is this you? Amelia")).to_be_visible()
    expect(page.get_by_role("article")).to_contain_text("I will ask a grown-up before I download anything.")
    page.get_by_label("I understand these rules and I will follow them").check()
    page.get_by_label("Write your name").fill("Amelia Smith")
    pad = page.get_by_role("img", name="Or draw your name here")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 90, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 50, steps=8)
    page.mouse.up()
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Thank you, Amelia")
    expect(page.get_by_role("link", name="Amelia S. (signed)")).to_be_visible()
    signature = Signature.objects.get()
    assert signature.pupil == amelia and signature.typed_name == "Amelia Smith"
    assert signature.method == SignatureMethod.DRAWN

    # Typing another address lands back on the names.
    for address in ("/incidents/", "/school/pupils/", "/agreements/"):
        page.goto(address)
        expect(page).to_have_url(re.compile(r"/pupil-signing/$"))
        expect(page.get_by_role("heading", name="Find your name")).to_be_visible()

    # The teacher ends the session with their password; the laptop is signed out.
    page.get_by_role("link", name="Teacher: end the session").click()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="End the session").click()
    expect(page.locator("main")).to_contain_text("That is not the password of the teacher")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="End the session").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main")).to_contain_text("The session has ended.")
    assert DeviceSession.objects.get().ended_by == teacher
    page.goto("/pupil-signing/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_session_ended_from_the_teachers_desk_signs_the_class_device_out(page, new_page, log_in):
    PupilFactory(first_name="Amelia", last_name="Smith", year_group=2, reg_class="2C")
    teacher = user_with_role(roles.STAFF, email="teacher@school.example")
    log_in(page, teacher)
    page.goto("/agreements/sessions/")
    page.get_by_label("Class or year group").select_option(label="Year 2")
    page.get_by_role("button", name="Start the session on this device").click()
    expect(page.get_by_role("link", name="Amelia S.")).to_be_visible()

    desk = new_page()
    log_in(desk, teacher)
    desk.goto("/agreements/sessions/")
    desk.get_by_role("button", name="End the session for Year 2").click()
    expect(desk.get_by_role("alert")).to_contain_text("Session ended")

    # The names page left on screen checks in with the server (every 5 minutes; 1 second here).
    page.evaluate("document.querySelector('[data-refresh-seconds]').setAttribute('data-refresh-seconds', '1')")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main")).to_contain_text("The signing session has ended.")
