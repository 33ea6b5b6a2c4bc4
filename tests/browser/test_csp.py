"""In Chromium, the Content Security Policy blocks nothing the portal's own pages need: no inline
script or style anywhere, so the browser reports no violation on the busiest pages."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Audience
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import make_link, publish
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_for_violations(page):
    """Chromium logs each blocked script, style or image to the console ("...Content Security Policy...")."""
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


@pytest.fixture(autouse=True)
def school(transactional_db):
    cache.clear()
    yield SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    cache.clear()


def test_the_sign_in_page_runs_without_violations(page):
    violations = watch_for_violations(page)
    response = page.goto(reverse("login"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("form")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []
    # The control: something the policy forbids is reported, so the silence above means something.
    page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    page.wait_for_timeout(200)
    assert any("style" in violation for violation in violations)


def test_a_parent_signs_with_a_drawn_signature_without_violations(new_page):
    publish(Audience.PARENT)
    _link, token = make_link()
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    violations = watch_for_violations(page)
    page.goto(reverse("parent_pack", args=[token]))
    page.wait_for_load_state("networkidle")
    canvas = page.locator("canvas").first
    if canvas.count():
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 20)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40, steps=8)
        page.mouse.up()
    page.wait_for_timeout(300)
    assert violations == []


def test_the_incident_report_form_runs_without_violations(page, log_in):
    teacher = user_with_role(roles.STAFF, email="teacher@school.example")
    log_in(page, teacher)
    violations = watch_for_violations(page)
    page.goto(reverse("incidents:report"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("textarea").first).to_be_visible()
    # The pupil search and the form's own script run (static/incidents/report.js).
    search = page.locator("input[name='pupil_query']")
    if search.count():
        search.fill("Ame")
        page.wait_for_timeout(500)
    assert violations == []
