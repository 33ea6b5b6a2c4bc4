"""The policy register on the home page: reviews due for those who keep the register, the register's
standing for governors, and policies to read for anyone asked to confirm."""

import pytest
from django.urls import reverse
from django.utils import timezone

from policies import services
from policies.dashboard import policy_panels
from policies.models import Policy, Status, TrainingKind
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.policies.factories import days_from, make_policy, record_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_register(db):
    """Start without the starter entries the migration installs, so counts are this test's own."""
    Policy.objects.all().delete()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def lead(db):
    return user_with_role(roles.ONLINE_SAFETY_LEAD, roles.STAFF, email="osl@school.example")


def _panel(client, user, key):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return next((panel for panel in response.context["panels"] if panel.key == key), None), response


def _rows(panel):
    return {str(row.label): (row.value, row.url) for row in panel.rows}


def _trained(people, *, on, actor, kind=TrainingKind.ANNUAL):
    services.training_session_record(held_on=on, title="Safeguarding update", provider="DSL", kind=kind,
                                     attendees=list(people), actor=actor)


def test_the_lead_sees_how_many_are_overdue_due_soon_and_unrecorded_with_links_to_the_register(client, lead, today):
    make_policy("Late one", next_review_on=days_from(today, -3))
    make_policy("Late two", next_review_on=days_from(today, -40))
    make_policy("Soon", next_review_on=days_from(today, 10))
    make_policy("Blank")
    make_policy("Fine", next_review_on=days_from(today, 200))
    make_policy("Retired and late", status=Status.RETIRED, next_review_on=days_from(today, -90))
    panel, _response = _panel(client, lead, "policy_reviews")
    rows = _rows(panel)
    register = reverse("policies:register")
    assert rows["Overdue for review"] == (2, f"{register}?state=overdue")
    assert rows["Due within 30 days"] == (1, f"{register}?state=due_soon")
    assert rows["No approved version recorded"] == (1, f"{register}?state=not_recorded")
    assert rows["The full policy register"][1] == register


def test_the_most_urgent_five_are_named_longest_overdue_first(client, lead, today):
    policies = [make_policy(f"Policy {offset:+d}", next_review_on=days_from(today, offset))
                for offset in (25, -2, 5, -30, 0, 12)]
    make_policy("Not due", next_review_on=days_from(today, 31))
    panel, _response = _panel(client, lead, "policy_reviews")
    named = [(str(row.label), str(row.value), row.url) for row in panel.rows if str(row.label).startswith("Policy")]
    by_title = {policy.title: policy for policy in policies}
    assert [title for title, _value, _url in named] == ["Policy -30", "Policy -2", "Policy +0", "Policy +5",
                                                        "Policy +12"]
    late = by_title["Policy -30"]
    assert named[0][1] == f"overdue since {days_from(today, -30):%-d %b %Y}"
    assert named[0][2] == reverse("policies:detail", args=[late.pk])
    assert named[3][1] == f"due {days_from(today, 5):%-d %b %Y}"


def test_the_lead_sees_how_many_people_are_due_refresher_training(client, lead, today):
    teacher = user_with_role(roles.STAFF)
    governor = user_with_role(roles.GOVERNOR)
    _trained([teacher], on=days_from(today, -400), actor=lead)
    _trained([governor], on=days_from(today, -60), actor=lead, kind=TrainingKind.GOVERNOR)
    panel, _response = _panel(client, lead, "policy_reviews")
    # The teacher trained over a year ago and the lead never has.
    assert _rows(panel)["Training: people due a refresher or never trained"] == (
        2, reverse("policies:training_people") + "?show=due")


def test_with_nothing_due_the_panel_says_so(client, lead, today):
    record_version(make_policy("Fine"), approved_on=days_from(today, -30), actor=lead)
    _trained([lead], on=days_from(today, -30), actor=lead)
    panel, response = _panel(client, lead, "policy_reviews")
    assert panel.rows == []
    assert "No policy is overdue or due for review" in response.content.decode()


def test_the_headteacher_sees_the_reviews_panel_and_other_staff_do_not(client, today):
    make_policy("Late", next_review_on=days_from(today, -3))
    head = user_with_role(roles.HEADTEACHER)
    assert _panel(client, head, "policy_reviews")[0] is not None
    for role in (roles.STAFF, roles.DSL, roles.ADMINISTRATOR, roles.TECHNICAL, roles.GOVERNOR):
        assert _panel(client, user_with_role(role), "policy_reviews")[0] is None, role


def test_governors_see_the_registers_standing_in_numbers(client, today):
    make_policy("Late", next_review_on=days_from(today, -3))
    make_policy("Soon", next_review_on=days_from(today, 3))
    make_policy("Fine one", next_review_on=days_from(today, 100))
    make_policy("Fine two", next_review_on=days_from(today, 300))
    make_policy("Draft", status=Status.DRAFT)
    governor = user_with_role(roles.GOVERNOR)
    panel, response = _panel(client, governor, "governor_policies")
    rows = _rows(panel)
    register = reverse("policies:register")
    assert rows["Policies in use"] == (4, register)
    assert rows["Current"] == (2, f"{register}?state=current")
    assert rows["Due for review within 30 days"] == (1, f"{register}?state=due_soon")
    assert rows["Overdue for review"] == (1, f"{register}?state=overdue")
    assert "No approved version recorded" not in rows
    assert b'data-panel="governor_reports"' in response.content
    assert b'data-panel="policy_reviews"' not in response.content
    assert _panel(client, user_with_role(roles.STAFF), "governor_policies")[0] is None


def test_governors_panel_with_no_policies_in_use_says_what_will_appear(client):
    panel, _response = _panel(client, user_with_role(roles.GOVERNOR), "governor_policies")
    assert panel.rows == []


def test_a_policy_to_read_appears_until_it_is_confirmed(client, lead, today):
    version = record_version(make_policy("Online safety"), approved_on=today, read_roles=[roles.STAFF], actor=lead)
    teacher = user_with_role(roles.STAFF)
    panel, response = _panel(client, teacher, "policies_to_read")
    [row] = panel.rows
    assert str(row.label) == "Online safety"
    assert row.url == reverse("policies:read", args=[version.pk])
    assert f'href="{row.url}"' in response.content.decode()
    services.receipt_confirm(version=version, user=teacher)
    assert _panel(client, teacher, "policies_to_read")[0] is None


def test_no_policies_to_read_panel_for_those_not_asked(client, lead, today):
    record_version(make_policy("Online safety"), approved_on=today, read_roles=[roles.STAFF], actor=lead)
    assert _panel(client, user_with_role(roles.GOVERNOR), "policies_to_read")[0] is None
    assert _panel(client, user_with_role(roles.TECHNICAL), "policies_to_read")[0] is None


# Days since approval on a 12-month cycle: overdue, due soon, current, overdue; every fifth has no version.
APPROVED_DAYS_AGO = (400, 350, 100, 370)


def _register_of(size, today, actor):
    """`size` policies in every state, half asking staff to read their current version."""
    for n in range(size):
        policy = make_policy(f"Policy {size}-{n:03d}", owner=actor)
        if n % 5 == 4:
            continue  # no version recorded
        approved = days_from(today, -(APPROVED_DAYS_AGO[n % 5] + n % 3))
        record_version(policy, approved_on=approved, read_roles=[roles.STAFF] if n % 2 else [], actor=actor)
        if n % 7 == 0:
            Policy.objects.filter(pk=policy.pk).update(status=Status.RETIRED)
    for n in range(size // 5):
        _trained([user_with_role(roles.STAFF)], on=days_from(today, -30 * n), actor=actor)


def test_panels_cost_the_same_queries_with_5_or_60_policies(client, count_queries, today):
    everyone = user_with_role(*roles.ALL)  # sees all three panels
    client.force_login(everyone)
    _register_of(5, today, everyone)
    few, response = count_queries(client, "/")
    for key in ("policy_reviews", "governor_policies", "policies_to_read"):
        assert f'data-panel="{key}"'.encode() in response.content
    # The most urgent policies are listed by name, so that part of the panel is counted too.
    assert b"overdue since" in response.content and b"Due within 30 days" in response.content
    _register_of(60, today, everyone)
    many, response = count_queries(client, "/")
    assert many == few
    # A row per version to read: asked of staff, in use (a few are retired), not yet confirmed.
    assert response.content.count(b'href="/policies/versions/') == services.versions_to_read(everyone).count() == 23


def test_policy_panels_run_a_fixed_number_of_queries(django_assert_max_num_queries, today):
    everyone = user_with_role(*roles.ALL)
    _register_of(60, today, everyone)
    with django_assert_max_num_queries(6):
        panels = policy_panels(everyone)
    assert [panel.key for _position, panel in panels] == ["policy_reviews", "governor_policies", "policies_to_read"]
