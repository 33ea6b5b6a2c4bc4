"""The portal's journeys end to end, as the people who make them see them (issue 9).

Each test drives the real pages with only what a person sees: roles, names, labels, the words on
the page. Each saves a screenshot at every important step under
test-results/journeys/<test name>/ (the journey_screenshot fixture), so a reviewer can look at
the journey without running it.
"""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements.models import Agreement, Audience, DeviceSession, Signature, SignatureMethod, Visitor
from consent.models import ConsentDecision
from incidents.models import Incident, ReferenceCounter, Status, StepState
from policies.dates import add_months
from policies.models import Policy
from safety_portal.reports import services
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.consent.factories import purposes
from tests.factories import DEFAULT_PASSWORD, PupilFactory, UserFactory, school_year, user_with_role
from tests.policies.factories import PDF_BYTES, make_policy, record_version
from tests.reports.factories import local, make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SOCIAL = "Official school social media"
WIFI_NOTE = "Guest Wi-Fi: OakfieldGuest, password acorn-2026"
POLICY = "Remote learning"


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_teacher_reports_a_concern_and_the_dsl_works_it_to_closure(new_page, log_in, journey_screenshot):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    ReferenceCounter.objects.all().delete()
    pupil = PupilFactory(first_name="Zainab", last_name="Okoro", reg_class="6A")
    teacher = user_with_role(roles.STAFF, email="teacher@school.example")
    dsl = user_with_role(roles.DSL, email="dsl@school.example")

    # The teacher reports on a phone, finding the pupil by typing part of her name.
    phone = new_page(viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True)
    log_in(phone, teacher)
    phone.get_by_role("link", name="Report a concern").first.click()
    expect(phone.get_by_role("heading", name="Report an online-safety concern")).to_be_visible()
    phone.get_by_label("What happened").fill("Zainab showed me unkind messages sent to her in a class group chat.")
    phone.get_by_label("In school").check()
    phone.get_by_label("Find a pupil").fill("Okor")
    found = phone.get_by_role("checkbox", name=re.compile("Zainab Okoro"))
    expect(found).to_be_visible()
    found.check()
    phone.get_by_role("combobox", name="Type").select_option(label="Cyberbullying")
    journey_screenshot(phone, "teacher-fills-in-the-concern")
    phone.get_by_role("button", name="Send to the DSL").click()
    expect(phone.get_by_role("heading", name="Thank you: your concern is saved")).to_be_visible()
    incident = Incident.objects.get()
    assert list(incident.pupils.all()) == [pupil]
    expect(phone.get_by_role("main")).to_contain_text(incident.reference)
    no_sideways_scroll(phone, 360)
    journey_screenshot(phone, "teacher-sees-the-reference")

    # The DSL, on a desktop with two-factor sign-in, opens it from the list and triages it.
    desk = new_page(viewport=DESKTOP)
    log_in(desk, dsl)
    desk.goto("/incidents/")
    journey_screenshot(desk, "dsl-incident-list")
    desk.get_by_role("link", name=incident.reference).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(incident.reference)
    triage = desk.get_by_role("region", name="Triage")
    triage.get_by_label("Severity").select_option(label="Medium")
    triage.get_by_role("group", name="Is this a child-protection concern?").get_by_role(
        "radio", name="No", exact=True).check()
    journey_screenshot(desk, "dsl-triages-the-case")
    triage.get_by_role("button", name="Save and open the case").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Open")
    incident.refresh_from_db()
    assert incident.status == Status.OPEN and incident.severity == "medium" and incident.child_protection is False

    # A chronology entry, the advice sought, and the parents told.
    chronology = desk.get_by_role("region", name="Chronology")
    chronology.get_by_text("Add an entry").click()
    chronology.get_by_label("What happened").fill("Spoke to Zainab; she has screenshots and feels safe in school.")
    chronology.get_by_role("button", name="Add to the chronology").click()
    expect(desk.get_by_role("region", name="Chronology")).to_contain_text("she has screenshots")

    referrals = desk.get_by_role("region", name="Referrals and advice")
    referrals.get_by_text("Record a referral or decision").click()
    referrals.get_by_role("radio", name="Advice sought").check()
    referrals.get_by_role("combobox", name="Agency").select_option(label="Education safeguarding team")
    referrals.get_by_label("Outcome or advice given").fill("Follow the anti-bullying policy and inform parents.")
    referrals.get_by_role("button", name="Record").click()
    expect(desk.get_by_role("region", name="Referrals and advice")).to_contain_text(
        "Follow the anti-bullying policy")

    parents = desk.get_by_role("region", name="Parents and carers")
    parents.get_by_text("Record whether parents were told").click()
    parents.get_by_role("radio", name="Yes", exact=True).check()
    parents.get_by_label("How").select_option(label="Phone")
    journey_screenshot(desk, "dsl-records-the-parents-were-told")
    parents.get_by_role("button", name="Record").click()
    expect(desk.get_by_role("region", name="Parents and carers")).to_contain_text("Told")

    # The procedure: sanctions do not apply here (with the reason), every other step is done.
    procedure = desk.get_by_role("region", name="Procedure")
    sanctions = procedure.get_by_role("listitem").filter(has_text="Decide any sanctions")
    sanctions.get_by_label("Why this step does not apply").fill("The messages came from outside the school.")
    sanctions.get_by_role("button", name="Not applicable").click()
    expect(desk.get_by_role("region", name="Procedure").get_by_role("listitem").filter(
        has_text="Decide any sanctions")).to_contain_text("The messages came from outside the school.")
    done_buttons = desk.get_by_role("region", name="Procedure").get_by_role("button", name="Done", exact=True)
    for remaining in range(done_buttons.count(), 0, -1):
        expect(done_buttons).to_have_count(remaining)  # each click reloads the page
        done_buttons.first.click()
    expect(done_buttons).to_have_count(0)
    assert not incident.steps.filter(state=StepState.OPEN).exists()
    journey_screenshot(desk, "dsl-has-decided-every-step")

    status = desk.get_by_role("region", name="Status")
    status.get_by_text("Close the case").first.click()  # the disclosure, then its button
    status.get_by_label("Outcome").fill("Messages removed; parents of both pupils met; support in place.")
    status.get_by_label("Lessons learnt").fill("Add group-chat safety to the Year 6 PSHE unit.")
    status.get_by_role("button", name="Close the case").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Closed")
    journey_screenshot(desk, "dsl-has-closed-the-case")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert incident.outcome.startswith("Messages removed")
    assert incident.chronology.count() == 1 and incident.referrals.count() == 1
    assert incident.parent_contacts.get().informed
    assert incident.steps.get(key="sanctions").state == StepState.NOT_APPLICABLE

    # The teacher sees the status, and nothing of the DSL's work.
    phone.goto(f"/incidents/mine/{incident.pk}/")
    expect(phone.get_by_role("main")).to_contain_text("Closed")
    expect(phone.get_by_role("main")).not_to_contain_text("she has screenshots")
    journey_screenshot(phone, "teacher-sees-it-closed")


def test_a_parent_signs_and_sets_photo_consent_on_a_phone(new_page, journey_screenshot):
    cache.clear()
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary", phone="01632 960123")
    parent_version = publish(Audience.PARENT)
    pupil_version = publish(Audience.PUPIL_KS2)
    in_use = [purpose for purpose in purposes() if purpose.active]
    pupil, guardian = guardian_with_child(pupil=PupilFactory(first_name="Amelia", last_name="Featherstonehaugh",
                                                             year_group=4, reg_class="4 Oak"))
    _link, token = make_link(pupil=pupil, guardian=guardian)

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(reverse("parent_pack", args=[token]))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Online-safety agreements for Amelia")
    expect(phone.get_by_role("heading", name=parent_version.title)).to_be_visible()
    expect(phone.get_by_role("heading", name=pupil_version.title)).to_be_visible()
    expect(phone.get_by_text("4 Oak")).to_be_visible()
    expect(phone.get_by_role("main")).not_to_contain_text("Featherstonehaugh")  # first names only on a link
    expect(phone.get_by_text("personal token")).to_have_count(0)  # the template's own comment stays hidden
    no_sideways_scroll(phone, PHONE["width"])
    journey_screenshot(phone, "parent-opens-the-link")

    # Signing without the declaration is refused: the error is in a summary linked to the field,
    # and next to it, and what was typed is kept.
    phone.get_by_label("I have read and agree").check()
    phone.get_by_label("Type your full name").fill("Sarah Lowe")
    phone.get_by_role("button", name="Sign for Amelia").tap()
    summary = phone.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("talked the pupils' agreement through")
    expect(phone.get_by_label("Type your full name")).to_have_value("Sarah Lowe")
    journey_screenshot(phone, "parent-missed-the-declaration")
    assert not Signature.objects.exists()
    summary.get_by_role("link", name="I have discussed the pupils' agreement with my child").tap()
    discussed = phone.get_by_label("I have discussed the pupils' agreement with my child")
    expect(discussed).to_be_focused()
    expect(discussed).to_have_accessible_description(re.compile("talked the pupils' agreement through"))
    phone.keyboard.press("Space")
    expect(discussed).to_be_checked()
    expect(phone.get_by_label("I have read and agree")).to_be_checked()
    phone.get_by_role("button", name="Sign for Amelia").tap()

    expect(phone.get_by_role("heading", name="Thank you: signed")).to_be_visible()
    signed = phone.get_by_role("region", name="What you signed")
    expect(signed).to_contain_text(parent_version.title)
    expect(signed).to_contain_text("Sarah Lowe")
    no_sideways_scroll(phone, PHONE["width"])
    journey_screenshot(phone, "parent-has-signed")
    assert Signature.objects.filter(guardian=guardian, pupil=pupil).count() == 2

    # Photo consent, on the same visit: nothing is chosen for the parent; yes to all but social media.
    photos = phone.get_by_role("region", name="Photos and videos of Amelia")
    expect(photos).to_contain_text("hard to take back")
    expect(photos.get_by_role("radio")).to_have_count(2 * len(in_use))
    for radio in photos.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    for purpose in in_use:
        answer = "No" if purpose.name == SOCIAL else "Yes"
        photos.get_by_role("group", name=purpose.name, exact=True).get_by_role(
            "radio", name=answer, exact=True).tap()
    journey_screenshot(phone, "parent-chooses-photo-consent")
    photos.get_by_role("button", name="Save photo choices").tap()

    photos = phone.get_by_role("region", name="Photos and videos of Amelia")
    expect(photos.get_by_role("status")).to_have_text(
        "Your photo choices for Amelia are saved. A receipt is on its way.")
    social = photos.get_by_role("group", name=SOCIAL, exact=True)
    expect(social.get_by_role("radio", name="No", exact=True)).to_be_checked()
    expect(social).to_contain_text("Your answer: no, given")
    no_sideways_scroll(phone, PHONE["width"])
    journey_screenshot(phone, "parent-photo-choices-saved")
    decisions = {decision.purpose.name: decision.answer
                 for decision in ConsentDecision.objects.filter(pupil=pupil, guardian=guardian)}
    assert decisions == {purpose.name: purpose.name != SOCIAL for purpose in in_use}

    # Opening the link again shows what was signed, with no form to sign twice.
    phone.goto(reverse("parent_pack", args=[token]))
    expect(phone.get_by_role("heading", name="You have signed")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign for Amelia")).to_have_count(0)
    journey_screenshot(phone, "parent-opens-the-link-again")


def test_a_pupil_signs_in_a_class_session(page, log_in, journey_screenshot):
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
    expect(page.get_by_text("This device will be signed out of your account")).to_be_visible()
    page.get_by_label("Class or year group").select_option(label="5A")
    journey_screenshot(page, "teacher-starts-the-session")
    page.get_by_role("button", name="Start the session on this device").click()
    expect(page.get_by_role("heading", name="Find your name")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    expect(page.get_by_role("link", name="Amelia S.")).to_be_visible()
    expect(page.get_by_role("link", name="Oliver P.")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Yusuf")
    journey_screenshot(page, "the-class-sees-their-names")

    # Amelia picks her name, reads her agreement, ticks, writes her name and draws it.
    page.get_by_role("link", name="Amelia S.").click()
    expect(page.get_by_role("heading", name="Is this you? Amelia")).to_be_visible()
    expect(page.get_by_role("article")).to_contain_text("I will ask a grown-up before I download anything.")
    page.get_by_label("I understand these rules and I will follow them").check()
    page.get_by_label("Write your name").fill("Amelia Smith")
    pad = page.get_by_role("img", name="Or draw your name here")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 90, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 50, steps=8)
    page.mouse.up()
    expect(page.get_by_text("Drawing added.")).to_be_visible()
    journey_screenshot(page, "pupil-signs")
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Thank you, Amelia")
    expect(page.get_by_role("link", name="Amelia S. (signed)")).to_be_visible()
    journey_screenshot(page, "pupil-has-signed")
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
    expect(page.get_by_role("main")).to_contain_text("That is not the password of the teacher")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    journey_screenshot(page, "teacher-ends-the-session")
    page.get_by_role("button", name="End the session").click()
    expect(page.get_by_role("main")).to_contain_text("The session has ended.")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    journey_screenshot(page, "device-signed-out")
    assert DeviceSession.objects.get().ended_by == teacher
    page.goto("/pupil-signing/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_visitor_signs_at_the_kiosk(page, log_in, journey_screenshot):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    publish(Audience.VISITOR, title="Visitors to Oakfield", body="Wear your visitor badge at all times.")
    Agreement.objects.filter(audience=Audience.VISITOR).update(after_signing_note=WIFI_NOTE)
    office = user_with_role(roles.ADMINISTRATOR, email="office@school.example")

    # The office starts the kiosk on the reception tablet (an administrator: two-factor sign-in).
    log_in(page, office)
    page.goto("/agreements/sessions/kiosk/")
    expect(page.get_by_text("This device will be signed out of your account")).to_be_visible()
    page.get_by_role("button", name="Start the kiosk on this device").click()
    expect(page.get_by_role("link", name="Sign in as a visitor")).to_be_visible()
    journey_screenshot(page, "kiosk-welcome")

    page.get_by_role("link", name="Sign in as a visitor").click()
    page.get_by_label("Your name").fill("Jane Doe")
    page.get_by_label("Organisation or company").fill("Acme Heating")
    page.get_by_label("Reason for your visit").fill("Annual service")
    expect(page.get_by_role("article")).to_contain_text("Wear your visitor badge at all times.")
    page.get_by_label("I have read and agree").check()
    page.get_by_label("Type your full name").fill("Jane Doe")
    journey_screenshot(page, "visitor-fills-in-the-form")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", name="Thank you, Jane")).to_be_visible()
    expect(page.get_by_text(WIFI_NOTE)).to_be_visible()
    journey_screenshot(page, "visitor-is-thanked")
    visitor = Visitor.objects.get()
    assert (visitor.full_name, visitor.organisation, visitor.purpose) == ("Jane Doe", "Acme Heating", "Annual service")
    assert Signature.objects.get().visitor == visitor

    # Finished: the next visitor sees nothing of Jane, not even with the Back button.
    page.get_by_role("link", name="Finish").click()
    expect(page.get_by_role("link", name="Sign in as a visitor")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("link", name="Sign in as a visitor")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(WIFI_NOTE)
    expect(page.get_by_role("main")).not_to_contain_text("Jane")
    page.get_by_role("link", name="Sign in as a visitor").click()
    for label in ("Your name", "Organisation or company", "Reason for your visit", "Type your full name"):
        expect(page.get_by_label(label)).to_have_value("")
    expect(page.get_by_label("I have read and agree")).not_to_be_checked()
    journey_screenshot(page, "next-visitor-gets-an-empty-form")

    # Typing an address elsewhere in the portal lands back on the welcome page.
    page.goto("/agreements/sessions/visitors/")
    expect(page.get_by_role("link", name="Sign in as a visitor")).to_be_visible()


def test_the_online_safety_lead_records_a_policy_review(page, log_in, journey_screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    lead = UserFactory(first_name="Priya", last_name="Carrington", email="p.carrington@school.example",
                       roles=[roles.ONLINE_SAFETY_LEAD])
    # Approved 13 months ago on a 12-month cycle: a month overdue.
    policy = make_policy(POLICY, review_cycle_months=12)
    record_version(policy, approved_on=add_months(timezone.localdate(), -13), number="1.0", actor=lead)

    def register_row():
        return page.get_by_role("row").filter(has=page.get_by_role("link", name=POLICY, exact=True))

    log_in(page, lead)
    page.goto("/policies/")
    expect(page.get_by_role("heading", name="Policy register")).to_be_visible()
    expect(register_row()).to_contain_text("Overdue")
    journey_screenshot(page, "register-shows-the-policy-overdue")

    register_row().get_by_role("link", name=POLICY, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(POLICY)
    expect(page.get_by_text("The review date has passed")).to_be_visible()

    page.get_by_role("link", name="Record a new version").click()
    expect(page.get_by_role("heading", name=f"Record a new version of {POLICY}")).to_be_visible()
    expect(page.get_by_label("Version number")).to_have_value("1.1")
    page.get_by_label("Version number").fill("2.0")
    page.get_by_label("Approved on").fill(timezone.localdate().isoformat())
    page.get_by_label("Approved by").fill("Full governing body, autumn meeting")
    page.get_by_label("What changed").fill("Reviewed with the new filtering and monitoring standards.")
    page.get_by_label("Document").set_input_files(
        files=[{"name": "remote-learning-2.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.get_by_role("radio", name="No", exact=True).check()
    journey_screenshot(page, "lead-records-version-2")
    page.get_by_role("button", name="Save the version").click()

    expect(page.get_by_role("alert").filter(has_text="Version 2.0 is now the current version")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Current", exact=True)).to_be_visible()
    expect(page.get_by_text("The review date has passed")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Version 2\.0, approved on"))).to_be_visible()
    expect(page.get_by_role("region", name="Revision log").get_by_role("row")).to_have_count(3)  # header, 2.0, 1.0
    journey_screenshot(page, "policy-is-current-again")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download version 2.0").first.click()
    with open(download_info.value.path(), "rb") as handle:
        assert handle.read() == PDF_BYTES

    page.get_by_role("link", name="Policy register").click()
    expect(register_row()).to_contain_text("Current")
    expect(register_row()).not_to_contain_text("Overdue")
    page.get_by_label("Review").select_option(label="Overdue")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=POLICY, exact=True)).to_have_count(0)
    journey_screenshot(page, "nothing-overdue")

    policy.refresh_from_db()
    assert policy.current_version.number == "2.0"
    assert policy.next_review_on == add_months(timezone.localdate(), 12)
    assert Policy.objects.with_review_state().get(pk=policy.pk).review_state == "current"


def test_a_governor_downloads_the_termly_pdf_and_reads_the_figures(new_page, log_in, dsl_user, governor_user,
                                                                   journey_screenshot):
    term = school_year(2025)[0]  # Autumn 2025/26: 3 September to 19 December 2025
    reporter = user_with_role(roles.STAFF)
    # Seven concerns in the term; four closed in it, after 2, 4, 6 and 8 days (a median of 5).
    for number in range(7):
        reported = local(2025, 10, 1 + number, 10)
        make_incident(reported, reporter=reporter, description="Private details the governors must never read",
                      closed_at=reported + datetime.timedelta(days=2 * (number + 1)) if number < 4 else None)
    make_incident(local(2026, 1, 12, 9), reporter=reporter)  # next term: not counted
    report = Report.objects.create(term=term, state=State.GENERATING, requested_by=dsl_user)

    # The DSL waits for the draft: the page shows the progress and reloads by itself.
    dsl = new_page()
    log_in(dsl, dsl_user)
    dsl.goto(f"/reports/{report.pk}/")
    expect(dsl.get_by_text("Preparing the report… this can take a minute")).to_be_visible()
    Report.objects.filter(pk=report.pk).update(progress=60)
    expect(dsl.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "60")
    journey_screenshot(dsl, "dsl-waits-for-the-draft")
    services.report_generate(report.pk)  # the worker finishes
    expect(dsl.get_by_role("main").get_by_text("Draft", exact=True)).to_be_visible()
    dsl.get_by_label("I have checked these figures").check()
    journey_screenshot(dsl, "dsl-checks-the-draft")
    dsl.get_by_role("button", name="Finalise the report").click()
    expect(dsl.get_by_role("main").get_by_text("Finalised", exact=True).first).to_be_visible()  # the state
    expect(dsl.get_by_role("button", name="Finalise the report")).to_have_count(0)

    # A governor signs in, finds it and downloads it.
    governor = new_page()
    log_in(governor, governor_user)
    governor.get_by_role("navigation", name="Main menu").get_by_role("link", name="Governor reports").click()
    expect(governor.get_by_role("heading", level=1)).to_contain_text("Governor reports")
    journey_screenshot(governor, "governor-sees-the-report")
    with governor.expect_download() as download_info:
        governor.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "online-safety-report-2025-autumn.pdf"
    with open(download.path(), "rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "OFFICIAL-SENSITIVE" in flat and "Autumn 2025/26" in flat
    assert re.search(r"Recorded this term \(Autumn 2025/26\) 7\b", flat), flat[:2000]
    assert re.search(r"Closed this term 4\b", flat), flat[:2000]
    assert re.search(r"Still open at the end of the term 3\b", flat), flat[:2000]
    assert re.search(r"Median days from report to close 5\b", flat), flat[:2000]
    assert "Private details" not in flat
