"""A class signing session ended from the teacher's desk. The pupil's own journey (start, sign, end)
is in test_journeys.py."""

import re

import pytest
from playwright.sync_api import expect

from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
