"""A concern from report to closure, as the teacher and the DSL see it."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident, ReferenceCounter, Status, StepState
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.factories import PupilFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 800}])
def test_teacher_reports_on_a_phone_and_the_dsl_works_the_case_to_closure(page, new_page, log_in, viewport):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    ReferenceCounter.objects.all().delete()
    pupil = PupilFactory(first_name="Zainab", last_name="Okoro", reg_class="6A")
    teacher = user_with_role(roles.STAFF, email="teacher@school.example")
    dsl = user_with_role(roles.DSL, email="dsl@school.example")

    # The teacher reports on a phone, finding the pupil by typing part of her name.
    log_in(page, teacher)
    page.get_by_role("link", name="Report a concern").first.click()
    page.get_by_label("What happened").fill("Zainab showed me unkind messages sent to her in a class group chat.")
    page.get_by_label("In school").check()
    page.get_by_label("Find a pupil").fill("Okor")
    results = page.get_by_test_id("pupil-results")
    expect(results).to_contain_text("Zainab Okoro")
    results.get_by_role("checkbox").first.check()
    page.get_by_label("Type").select_option("cyberbullying")
    page.get_by_role("button", name="Send to the DSL").click()
    expect(page.locator("main")).to_contain_text("OS-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    incident = Incident.objects.get()
    assert list(incident.pupils.all()) == [pupil]
    expect(page.locator("main")).to_contain_text(incident.reference)

    # The DSL opens it from the list on a desktop, triages it and works it.
    desk = new_page(viewport={"width": 1280, "height": 900})
    log_in(desk, dsl)
    desk.goto("/incidents/")
    desk.get_by_role("link", name=incident.reference).click()
    expect(desk).to_have_url(re.compile(rf"/incidents/{incident.pk}/$"))
    desk.locator("#id_triage-severity").select_option("medium")
    desk.locator("input[name='triage-child_protection'][value='no']").check()
    desk.get_by_role("button", name="Save and open the case").click()
    expect(desk.locator("main")).to_contain_text("Open")

    desk.get_by_text("Add an entry").click()
    desk.locator("#id_chronology-text").fill("Spoke to Zainab; she has screenshots and feels safe in school.")
    desk.get_by_role("button", name="Add to the chronology").click()
    expect(desk.locator("main")).to_contain_text("she has screenshots")

    desk.get_by_text("Record a referral or decision").click()
    desk.locator("input[name='referral-decision'][value='advice']").check()
    desk.locator("#id_referral-agency").select_option("education_safeguarding")
    desk.locator("#id_referral-outcome").fill("Advised to follow the anti-bullying policy and inform parents.")
    desk.get_by_role("button", name="Record").first.click()
    expect(desk.locator("main")).to_contain_text("Advised to follow the anti-bullying policy")

    first_step = desk.locator("button[name='state'][value='done']").first
    first_step.click()
    incident.refresh_from_db()
    assert incident.steps.filter(state=StepState.DONE).count() == 1
    # Every other step is done too before the case can close (each click reloads the page).
    while desk.locator("button[name='state'][value='done']").count():
        desk.locator("button[name='state'][value='done']").first.click()
    assert not incident.steps.filter(state=StepState.OPEN).exists()

    desk.locator("summary", has_text="Close the case").click()
    desk.locator("#id_close-outcome").fill("Messages removed; parents of both pupils met; support in place.")
    desk.locator("#id_close-lessons_learnt").fill("Add group-chat safety to the Year 6 PSHE unit.")
    desk.get_by_role("button", name="Close the case").click()
    expect(desk.locator("main")).to_contain_text("Closed")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert incident.chronology.count() == 1 and incident.referrals.count() == 1

    # The teacher sees the status, and nothing of the DSL's work.
    page.goto(f"/incidents/mine/{incident.pk}/")
    expect(page.locator("main")).to_contain_text("Closed")
    expect(page.locator("main")).not_to_contain_text("she has screenshots")
