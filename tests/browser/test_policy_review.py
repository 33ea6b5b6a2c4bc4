"""The online-safety lead finds an overdue policy in the register, records the newly approved
version with its document, and the overdue warning is gone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from policies.dates import add_months
from policies.models import Policy
from safety_portal.school import roles
from tests.factories import UserFactory
from tests.policies.factories import PDF_BYTES, make_policy, record_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Remote learning"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def overdue_policy(media_root):
    """Approved 13 months ago on a 12-month cycle: a month overdue."""
    lead = UserFactory(first_name="Priya", last_name="Carrington", email="p.carrington@school.example",
                       roles=[roles.ONLINE_SAFETY_LEAD])
    policy = make_policy(TITLE, review_cycle_months=12)
    record_version(policy, approved_on=add_months(timezone.localdate(), -13), number="1.0", actor=lead)
    return lead, policy


def _register_row(page):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE, exact=True))


def test_online_safety_lead_records_a_reviewed_policy_and_the_overdue_warning_goes(page, log_in, overdue_policy):
    lead, policy = overdue_policy
    log_in(page, lead)

    page.goto("/policies/")
    expect(page.get_by_role("heading", name="Policy register")).to_be_visible()
    expect(_register_row(page)).to_contain_text("Overdue")

    _register_row(page).get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_test_id("review-state")).to_have_text("Overdue")
    expect(page.get_by_text("The review date has passed")).to_be_visible()

    page.get_by_role("link", name="Record a new version").click()
    expect(page.get_by_role("heading", name=f"Record a new version of {TITLE}")).to_be_visible()
    expect(page.get_by_label("Version number")).to_have_value("1.1")
    page.get_by_label("Version number").fill("2.0")
    page.get_by_label("Approved on").fill(timezone.localdate().isoformat())
    page.get_by_label("Approved by").fill("Full governing body, autumn meeting")
    page.get_by_label("What changed").fill("Reviewed with the new filtering and monitoring standards.")
    page.get_by_label("Document").set_input_files(
        files=[{"name": "remote-learning-2.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Save the version").click()

    expect(page.get_by_role("alert").filter(has_text="Version 2.0 is now the current version")).to_be_visible()
    expect(page.get_by_test_id("review-state")).to_have_text("Current")
    expect(page.get_by_test_id("current-version")).to_contain_text("Version 2.0")
    expect(page.get_by_test_id("current-version").get_by_role("link", name="Download version 2.0")).to_be_visible()
    versions = page.get_by_test_id("versions")
    expect(versions.get_by_role("row")).to_have_count(3)  # the header, 2.0 and 1.0

    page.get_by_role("link", name="Policy register").click()
    expect(_register_row(page)).to_contain_text("Current")
    expect(_register_row(page)).not_to_contain_text("Overdue")
    page.get_by_label("Review").select_option(label="Overdue")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_have_count(0)

    policy.refresh_from_db()
    assert policy.current_version.number == "2.0"
    assert policy.next_review_on == add_months(timezone.localdate(), 12)
    assert Policy.objects.with_review_state().get(pk=policy.pk).review_state == "current"
