"""axe-core (WCAG 2.1 A and AA, and best practice) finds no serious or critical problem on any page a
parent, pupil or visitor can reach, nor on sign-in, each role's home page, the concern form and the
case page. Each page is checked as it first appears and, for forms, with its errors showing."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agreements.models import Audience
from incidents.casework import chronology_add, incident_triage
from incidents.models import EntryKind, Severity
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.browser.axe import assert_accessible, serve_axe, violations
from tests.consent.factories import purposes
from tests.factories import DEFAULT_PASSWORD, PupilFactory, UserFactory, user_with_role
from tests.incidents.factories import IncidentFactory, IncidentPupilFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def school(transactional_db):
    cache.clear()
    yield SchoolProfile.objects.create(pk=1, name="Oakfield Primary", phone="01632 960123")
    cache.clear()


@pytest.fixture
def checked_page(new_page):
    """A page that can run axe: open_page(**context_args)."""

    def open_page(**context_args):
        page = new_page(**context_args)
        serve_axe(page)
        return page

    return open_page


def test_axe_reports_what_it_finds(checked_page, live_server):
    """The control: a page with a known serious problem (an image with no text) fails the check,
    so the silence of the other tests means something."""
    page = checked_page()
    page.goto(reverse("login"))
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/favicon.svg\">')")
    found = violations(page)
    assert [rule for rule, *_rest in found] == ["image-alt"]
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, "the login page with a bad image")


def test_every_page_a_parent_can_reach(checked_page):
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    purposes()
    pupil, guardian = guardian_with_child(pupil=PupilFactory(first_name="Amelia", year_group=4, reg_class="4 Oak"))
    _link, token = make_link(pupil=pupil, guardian=guardian)
    _old, expired = make_link(pupil=pupil, guardian=guardian, expires_in=-datetime.timedelta(days=1))

    page = checked_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(reverse("parent_pack", args=[token]))
    assert_accessible(page, "the parent's link")

    # Both forms sent empty: their errors show.
    page.get_by_role("button", name="Sign for Amelia").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    assert_accessible(page, "the parent's link with signing errors")
    page.get_by_role("button", name="Save photo choices").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    assert_accessible(page, "the parent's link with photo-choice errors")

    page.goto(reverse("consent_parent", args=[token]))
    assert_accessible(page, "the photo choices page")

    page.goto(reverse("parent_pack", args=[token]))
    page.get_by_label("I have discussed the pupils' agreement with my child").check()
    page.get_by_label("I have read and agree").check()
    page.get_by_label("Type your full name").fill("Sarah Lowe")
    page.get_by_role("button", name="Sign for Amelia").click()
    expect(page.get_by_role("heading", name="Thank you: signed")).to_be_visible()
    assert_accessible(page, "the parent's thank-you page")

    page.goto(reverse("parent_pack", args=[token]))
    expect(page.get_by_role("heading", name="You have signed")).to_be_visible()
    for purpose_group in page.get_by_test_id("photo-consent").get_by_role("group").all():
        purpose_group.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("button", name="Save photo choices").click()
    expect(page.get_by_test_id("consent-message")).to_contain_text("are saved")
    assert_accessible(page, "the parent's link, signed, with photo choices saved")

    page.goto(reverse("parent_pack", args=[expired]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "an expired link")
    page.goto(reverse("parent_pack", args=["not-a-real-link"]))
    assert_accessible(page, "an unknown link")


def test_every_page_of_a_class_session(checked_page, log_in):
    publish(Audience.PUPIL_KS2, title="Our rules for computers")
    PupilFactory(first_name="Amelia", last_name="Smith", year_group=5, reg_class="5A")
    teacher = user_with_role(roles.STAFF, email="teacher@school.example")
    page = checked_page()
    log_in(page, teacher)
    page.goto("/agreements/sessions/")
    assert_accessible(page, "starting a class session")
    page.get_by_label("Class or year group").select_option(label="5A")
    page.get_by_role("button", name="Start the session on this device").click()
    expect(page.get_by_role("heading", name="Find your name")).to_be_visible()
    assert_accessible(page, "the pupils' names")

    page.get_by_role("link", name="Amelia S.").click()
    expect(page.get_by_role("heading", name="Is this you? Amelia")).to_be_visible()
    assert_accessible(page, "a pupil's signing page")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    assert_accessible(page, "a pupil's signing page with errors")

    page.get_by_label("I understand these rules and I will follow them").check()
    page.get_by_label("Write your name").fill("Amelia Smith")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Thank you, Amelia")
    assert_accessible(page, "the names after signing")

    page.get_by_role("link", name="Teacher: end the session").click()
    assert_accessible(page, "ending the session")


def test_every_kiosk_page(checked_page, log_in):
    publish(Audience.VISITOR, title="Visitors to Oakfield")
    page = checked_page()
    log_in(page, user_with_role(roles.ADMINISTRATOR, email="office@school.example"))
    page.goto("/agreements/sessions/kiosk/")
    assert_accessible(page, "starting the kiosk")
    page.get_by_role("button", name="Start the kiosk on this device").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    assert_accessible(page, "the kiosk's welcome page")

    page.get_by_role("link", name="Sign in as a visitor").click()
    assert_accessible(page, "the visitor's form")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    assert_accessible(page, "the visitor's form with errors")

    page.get_by_label("Your name").fill("Jane Doe")
    page.get_by_label("Reason for your visit").fill("Annual service")
    page.get_by_label("I have read and agree").check()
    page.get_by_label("Type your full name").fill("Jane Doe")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Thank you, Jane")).to_be_visible()
    assert_accessible(page, "the visitor's thank-you page")

    page.get_by_role("link", name="Finish").click()
    page.goto("/kiosk/end/")
    assert_accessible(page, "ending the kiosk")


def _password_step(page, email, password=DEFAULT_PASSWORD):
    page.goto(reverse("login"))
    page.get_by_label(re.compile("email", re.I)).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_and_two_factor_pages(checked_page):
    page = checked_page()
    page.goto(reverse("login"))
    assert_accessible(page, "the login page")
    head = user_with_role(roles.HEADTEACHER, email="head@school.example")
    TOTPDevice.objects.create(user=head, name="Phone", confirmed=True)
    _password_step(page, head.email, "not the password")
    expect(page.get_by_text("do not match an account")).to_be_visible()
    assert_accessible(page, "the login page with an error")

    _password_step(page, head.email)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/code/"))
    assert_accessible(page, "the two-factor code page")
    page.get_by_label(re.compile("code", re.I)).fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label(re.compile("code", re.I))).to_have_value("000000")
    assert_accessible(page, "the two-factor code page with an error")

    # A first sign-in sets up the authenticator app.
    dsl = user_with_role(roles.DSL, email="dsl@school.example")
    first = checked_page()
    _password_step(first, dsl.email)
    expect(first).to_have_url(re.compile(r"/accounts/two-factor/set-up/"))
    assert_accessible(first, "setting up two-factor sign-in")
    first.get_by_label(re.compile("code", re.I)).fill("000000")
    first.get_by_role("button", name="Confirm").click()
    expect(first.get_by_label(re.compile("code", re.I))).to_have_value("000000")
    assert_accessible(first, "setting up two-factor sign-in with an error")


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.STAFF, roles.GOVERNOR,
                                  roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD])
def test_each_roles_home_page(checked_page, log_in, role):
    reporter = UserFactory(roles=[roles.STAFF])
    IncidentPupilFactory(incident=IncidentFactory(reported_by=reporter))
    page = checked_page()
    log_in(page, user_with_role(role, email="person@school.example"))
    page.goto("/")
    assert_accessible(page, f"the {role} home page")


def test_the_concern_form_and_the_case_page(checked_page, log_in):
    PupilFactory(first_name="Zainab", last_name="Okoro", reg_class="6A")
    teacher = user_with_role(roles.STAFF, email="teacher@school.example")
    page = checked_page()
    log_in(page, teacher)
    page.goto(reverse("incidents:report"))
    assert_accessible(page, "the concern form")
    page.get_by_role("button", name="Send to the DSL").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    assert_accessible(page, "the concern form with errors")

    incident = IncidentFactory(reported_by=teacher)
    IncidentPupilFactory(incident=incident)
    desk = checked_page()
    dsl = user_with_role(roles.DSL, email="dsl@school.example")
    log_in(desk, dsl)
    desk.goto(f"/incidents/{incident.pk}/")
    assert_accessible(desk, "a new case, as the DSL")
    desk.get_by_role("button", name="Save and open the case").click()
    assert_accessible(desk, "the triage form with errors")

    # An open case, with its chronology, steps and the forms to work it.
    incident_triage(incident=incident, actor=dsl, area=incident.area, incident_type=incident.incident_type,
                    severity=Severity.MEDIUM, child_protection=False, owner=dsl)
    chronology_add(incident=incident, actor=dsl, kind=EntryKind.NOTE, happened_at=timezone.now(),
                   text="Spoke to the pupil; she feels safe in school.")
    desk.reload()
    expect(desk.locator("main")).to_contain_text("she feels safe in school")
    assert_accessible(desk, "an open case, as the DSL")

