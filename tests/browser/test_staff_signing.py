"""A teacher signs the staff agreement after signing in, then reaches the page they asked for."""

import re

import pytest
from playwright.sync_api import expect

from agreements.models import Audience, Signature, SignatureMethod
from safety_portal.school import roles
from tests.agreements.factories import publish
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def teacher():
    publish(Audience.STAFF, body="Lock your screen whenever you step away from it.")
    return UserFactory(first_name="Marcus", last_name="Bellamy", email="m.bellamy@school.example",
                       roles=[roles.STAFF])


def tab_to(page, target, limit=80):
    """Press Tab until `target` has the focus, as someone without a mouse would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}],
                         ids=["desktop", "phone"])
def test_teacher_is_shown_the_agreement_first_and_signs_with_a_drawing(page, log_in, teacher, viewport):
    page.goto("/incidents/mine/")
    log_in(page, teacher)
    expect(page).to_have_url(re.compile(r"/agreements/sign/\?next="))
    expect(page.get_by_role("heading", name="Your agreements")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Read and sign")).click()
    expect(page.get_by_test_id("agreement-text")).to_contain_text("Lock your screen whenever you step away")
    page.get_by_label("I have read and agree").check()
    page.get_by_label("Type your full name").fill("Marcus Bellamy")

    pad = page.get_by_role("img", name="Draw your signature (optional)")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 30, steps=8)
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] - 30, steps=8)
    page.mouse.up()
    expect(page.get_by_text("Drawing added.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("button", name="Sign the agreement").click()
    expect(page).to_have_url(re.compile(r"/incidents/mine/$"))
    expect(page.get_by_role("alert")).to_contain_text("You have signed")
    expect(page.get_by_test_id("agreements-prompt")).to_have_count(0)
    signature = Signature.objects.get(user=teacher)
    assert signature.method == SignatureMethod.DRAWN
    assert signature.drawing.startswith("data:image/png;base64,")
    assert signature.typed_name == "Marcus Bellamy"


def test_teacher_signs_with_the_keyboard_only(page, log_in, teacher):
    page.goto("/incidents/report/")
    log_in(page, teacher)
    expect(page).to_have_url(re.compile(r"/agreements/sign/\?next="))

    read_and_sign = page.get_by_role("link", name=re.compile(r"^Read and sign"))
    tab_to(page, read_and_sign)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("agreement-text")).to_contain_text("Lock your screen whenever you step away")

    agree = page.get_by_label("I have read and agree")
    tab_to(page, agree)
    page.keyboard.press("Space")
    expect(agree).to_be_checked()
    page.keyboard.press("Tab")
    name = page.get_by_label("Type your full name")
    expect(name).to_be_focused()
    page.keyboard.type("Marcus Bellamy")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/incidents/report/$"))
    expect(page.get_by_role("alert")).to_contain_text("You have signed")
    signature = Signature.objects.get(user=teacher)
    assert signature.method == SignatureMethod.TYPED and signature.typed_name == "Marcus Bellamy"


def test_prompt_stays_on_every_page_until_the_teacher_signs(page, log_in, teacher):
    log_in(page, teacher)
    page.goto("/incidents/mine/")
    prompt = page.get_by_test_id("agreements-prompt")
    expect(prompt).to_contain_text("You have 1 agreement to sign.")
    prompt.get_by_role("link", name="Read and sign").click()
    expect(page).to_have_url(re.compile(r"/agreements/sign/\?next=%2Fincidents%2Fmine%2F$|next=/incidents/mine/$"))
    expect(page.get_by_test_id("agreements-prompt")).to_have_count(0)
