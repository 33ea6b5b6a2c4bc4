import re

import pytest
from playwright.sync_api import expect

from safety_portal.school import roles
from tests.factories import DEFAULT_PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dsl():
    return user_with_role(roles.DSL, email="dsl@school.example", first_name="Dana")


def test_dsl_signs_in_through_the_form_and_sees_the_dsl_dashboard(page, dsl, live_server,
                                                                   submit_login_form):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    submit_login_form(page, "dsl@school.example", DEFAULT_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dana")
    urgent = page.locator('[data-panel="urgent"]')
    expect(urgent).to_be_visible()
    expect(urgent.get_by_role("heading")).to_have_text("Urgent concerns")
    menu = page.get_by_test_id("main-menu")
    expect(menu.get_by_role("link", name="Audit trail")).to_be_visible()
    expect(menu).not_to_contain_text("MIS import")
    expect(page.locator('[data-panel="setup"]')).to_have_count(0)


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page, dsl, submit_login_form):
    page.goto("/")

    submit_login_form(page, "dsl@school.example", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main")).to_contain_text("do not match an account")
    expect(page.locator('[data-panel="urgent"]')).to_have_count(0)
    expect(page.get_by_test_id("main-menu")).to_have_count(0)


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}])
def test_login_page_fits_a_360px_phone_without_sideways_scrolling(page):
    page.goto("/accounts/login/")

    expect(page.locator('input[name="username"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_log_in_helper_signs_a_user_in(page, dsl, log_in):
    log_in(page, dsl)

    expect(page.locator('[data-panel="urgent"]')).to_be_visible()
