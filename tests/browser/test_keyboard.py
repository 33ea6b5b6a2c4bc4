"""Keyboard alone: a parent signs (typing their name: drawing is never needed) and sets photo consent
on a phone, a teacher reports a concern, a visitor signs at the kiosk. Only keys are pressed (Tab,
Shift+Tab, Space, Enter, arrows, typing); each control reached shows a visible focus ring. And each
form's error summary links move the focus to the field they name, radio groups included."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Audience, Signature, SignatureMethod, Visitor
from consent.models import ConsentDecision
from incidents.models import Incident
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.consent.factories import purposes
from tests.factories import PupilFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# What a person sees of the focused element: its label (or text), and whether a ring shows it.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const labelled = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const style = getComputedStyle(el);
  return {
    name: (labelled || el.getAttribute("aria-label") || el.innerText || "").trim().replace(/\\s+/g, " "),
    role: el.type || el.tagName.toLowerCase(),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, name, *, role=None, key="Tab", limit=60):
    """Press Tab (or `key`) until the control named `name` has the focus; check its focus ring."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and now["name"].startswith(name) and (role is None or now["role"] == role):
            assert now["ring"], f"no visible focus on {name!r}"
            return now
        seen.append(now and now["name"][:40])
    raise AssertionError(f"{name!r} never had the focus; the focus went through {seen}")


@pytest.fixture(autouse=True)
def school(transactional_db):
    cache.clear()
    yield SchoolProfile.objects.create(pk=1, name="Oakfield Primary", phone="01632 960123")
    cache.clear()


def test_a_parent_signs_and_sets_photo_consent_with_the_keyboard_on_a_phone(new_page):
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    in_use = [purpose for purpose in purposes() if purpose.active]
    pupil, guardian = guardian_with_child(pupil=PupilFactory(first_name="Amelia", year_group=4, reg_class="4 Oak"))
    _link, token = make_link(pupil=pupil, guardian=guardian)
    page = new_page(viewport=PHONE, is_mobile=True)
    page.goto(reverse("parent_pack", args=[token]))

    tab_to(page, "I have discussed the pupils' agreement with my child")
    page.keyboard.press("Space")
    tab_to(page, "I have read and agree")
    page.keyboard.press("Space")
    tab_to(page, "Type your full name")
    page.keyboard.type("Sarah Lowe")
    tab_to(page, "Sign for Amelia")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you: signed")).to_be_visible()
    signatures = Signature.objects.filter(guardian=guardian, pupil=pupil)
    assert signatures.count() == 2
    assert {(s.typed_name, s.method) for s in signatures} == {("Sarah Lowe", SignatureMethod.TYPED)}

    # The photo choices: Tab reaches each question's first answer; the arrows choose within it.
    page.goto(reverse("parent_pack", args=[token]))
    for number, _purpose in enumerate(in_use):
        tab_to(page, "Yes", role="radio")
        if number == 0:
            page.keyboard.press("ArrowRight")  # "No" for the first one
        else:
            page.keyboard.press("Space")
    tab_to(page, "Save photo choices")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("consent-message")).to_contain_text("are saved")
    answers = dict(ConsentDecision.objects.filter(pupil=pupil).values_list("purpose__name", "answer"))
    assert answers == {purpose.name: purpose != in_use[0] for purpose in in_use}


def test_a_teacher_reports_a_concern_with_the_keyboard(page, log_in):
    PupilFactory(first_name="Zainab", last_name="Okoro", reg_class="6A")
    log_in(page, user_with_role(roles.STAFF, email="teacher@school.example"))
    page.goto(reverse("incidents:report"))

    tab_to(page, "What happened")
    page.keyboard.type("Zainab showed me unkind messages in a class group chat.")
    tab_to(page, "In school", role="radio")
    page.keyboard.press("Space")
    tab_to(page, "Find a pupil")
    page.keyboard.type("Okor")
    expect(page.get_by_test_id("pupil-results")).to_contain_text("Zainab Okoro")
    tab_to(page, "Zainab Okoro", role="checkbox")
    page.keyboard.press("Space")
    tab_to(page, "Type", role="select-one")
    page.keyboard.type("Cyber")
    tab_to(page, "Send to the DSL")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("OS-")
    incident = Incident.objects.get()
    assert incident.incident_type == "cyberbullying"
    assert [pupil.first_name for pupil in incident.pupils.all()] == ["Zainab"]


@pytest.fixture
def kiosk(page, log_in):
    publish(Audience.VISITOR, title="Visitors to Oakfield")
    log_in(page, user_with_role(roles.ADMINISTRATOR, email="office@school.example"))
    page.goto("/agreements/sessions/kiosk/")
    page.get_by_role("button", name="Start the kiosk on this device").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    return page


def test_a_visitor_signs_at_the_kiosk_with_the_keyboard(kiosk):
    page = kiosk
    tab_to(page, "Sign in as a visitor")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/kiosk/sign/$"))
    tab_to(page, "Your name")
    page.keyboard.type("Jane Doe")
    tab_to(page, "Reason for your visit")
    page.keyboard.type("Annual service")
    # Back a step to the one field skipped on the way.
    tab_to(page, "Organisation or company", key="Shift+Tab")
    page.keyboard.type("Acme Heating")
    tab_to(page, "I have read and agree")
    page.keyboard.press("Space")
    tab_to(page, "Type your full name")
    page.keyboard.type("Jane Doe")
    tab_to(page, "Sign in", role="submit")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you, Jane")).to_be_visible()
    visitor = Visitor.objects.get()
    assert (visitor.full_name, visitor.organisation, visitor.purpose) == ("Jane Doe", "Acme Heating", "Annual service")
    assert Signature.objects.get().visitor == visitor


def follow_each_summary_link(page, expected):
    """Enter on each link of the error summary puts the focus on the field it names."""
    summary = page.get_by_test_id("form-errors")
    expect(summary).to_be_visible()
    links = summary.get_by_role("link")
    names = [link.inner_text() for link in links.all()]
    assert set(expected) <= set(names), names
    for index, name in enumerate(names):
        links.nth(index).focus()
        page.keyboard.press("Enter")
        target = page.evaluate("document.activeElement.id")
        assert target, f"{name}: the focus stayed nowhere"
        href = links.nth(index).get_attribute("href")
        assert href == f"#{target}", f"{name}: the link leads to {href}, the focus went to #{target}"
        if name in expected:
            now = focused(page)
            assert now["name"].startswith(expected[name]), f"{name}: the focus is on {now['name']!r}"
            assert now["ring"], f"{name}: no visible focus"


def test_the_concern_forms_error_summary_leads_to_each_field(page, log_in):
    log_in(page, user_with_role(roles.STAFF, email="teacher@school.example"))
    page.goto(reverse("incidents:report"))
    page.get_by_role("button", name="Send to the DSL").click()
    # The location is a radio group: its link goes to the first choice.
    follow_each_summary_link(page, {"What happened": "What happened", "Where": "In school"})


def test_the_parent_and_kiosk_error_summaries_lead_to_each_field(new_page, kiosk):
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    purposes()
    pupil, guardian = guardian_with_child(pupil=PupilFactory(first_name="Amelia"))
    _link, token = make_link(pupil=pupil, guardian=guardian)
    phone = new_page(viewport=PHONE, is_mobile=True)
    phone.goto(reverse("parent_pack", args=[token]))
    phone.get_by_role("button", name="Sign for Amelia").click()
    follow_each_summary_link(phone, {"I have read and agree": "I have read and agree",
                                     "Type your full name": "Type your full name"})
    phone.get_by_role("button", name="Save photo choices").click()
    follow_each_summary_link(phone, {"School website": "Yes"})

    page = kiosk
    page.get_by_role("link", name="Sign in as a visitor").click()
    page.get_by_role("button", name="Sign in", exact=True).click()
    follow_each_summary_link(page, {"Your name": "Your name", "Reason for your visit": "Reason for your visit",
                                    "Type your full name": "Type your full name"})
