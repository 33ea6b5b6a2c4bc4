"""Review reminders: 30, 14 and 7 days before, on the day and weekly while overdue, to the owner and
the online-safety lead, each once however often the daily task runs."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from policies import services
from policies.models import ReviewReminder, Status
from policies.reminders import review_reminders_send
from policies.tasks import review_reminders
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.policies.factories import days_from, make_policy, record_version

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 11, 16)
MILESTONE_DAYS = {-30: "before_30", -14: "before_14", -7: "before_7", 0: "due", 7: "overdue_1",
                  14: "overdue_2", 21: "overdue_3"}


@pytest.fixture
def lead(db):
    return user_with_role(roles.ONLINE_SAFETY_LEAD, roles.STAFF, email="osl@school.example",
                          first_name="Sam", last_name="Rahman")


@pytest.fixture
def owner(db):
    return user_with_role(roles.STAFF, email="owner@school.example", first_name="Ruth", last_name="Everett")


@pytest.fixture
def policy(owner):
    return make_policy("Online safety at home", owner=owner, next_review_on=DUE)


def _emails():
    return list(OutboxEmail.objects.filter(template="policy_review_reminder").order_by("pk"))


def _sent():
    return list(ReviewReminder.objects.order_by("pk").values_list("policy_id", "due_on", "milestone"))


@pytest.mark.parametrize(("offset", "milestone"), sorted(MILESTONE_DAYS.items()))
def test_each_milestone_day_emails_the_owner_and_the_lead_once(lead, owner, policy, offset, milestone):
    assert review_reminders_send(today=days_from(DUE, offset)) == 1
    [email] = _emails()
    assert email.to == [owner.email, lead.email]
    assert _sent() == [(policy.pk, DUE, milestone)]


def test_the_email_names_the_policy_owner_and_date_and_links_to_the_policy(lead, policy, settings):
    settings.SITE_URL = "https://portal.school.example"
    review_reminders_send(today=days_from(DUE, -14))
    [email] = _emails()
    assert email.subject == "Policy review due in 14 days: Online safety at home"
    for body in (email.body_text, email.body_html):
        assert "Online safety at home" in body
        assert "Ruth Everett" in body
        assert "16 November 2026" in body
        assert f"https://portal.school.example/policies/{policy.pk}/" in body
        assert "record the reviewed version" in body


@pytest.mark.parametrize(("offset", "subject"), [
    (-30, "Policy review due in 30 days: Online safety at home"),
    (-7, "Policy review due in 7 days: Online safety at home"),
    (0, "Policy review due today: Online safety at home"),
    (1, "Policy review overdue by 1 day: Online safety at home"),  # the day's run was missed
    (7, "Policy review overdue by 1 week: Online safety at home"),
    (21, "Policy review overdue by 3 weeks: Online safety at home"),
])
def test_the_subject_says_how_long_is_left_or_how_late_it_is(lead, policy, offset, subject):
    review_reminders_send(today=days_from(DUE, offset))
    assert [email.subject for email in _emails()] == [subject]
    if offset > 0:
        assert "overdue" in _emails()[0].body_text


def test_running_every_day_sends_only_on_milestone_days(lead, policy):
    sent_on = {}
    for offset in range(-45, 29):
        today = days_from(DUE, offset)
        before = len(_emails())
        review_reminders_send(today=today)
        review_reminders_send(today=today)  # the scheduler ran it twice
        if len(_emails()) > before:
            sent_on[offset] = len(_emails()) - before
    assert sent_on == {offset: 1 for offset in (-30, -14, -7, 0, 7, 14, 21, 28)}
    assert [milestone for _policy, _due, milestone in _sent()] == [
        "before_30", "before_14", "before_7", "due", "overdue_1", "overdue_2", "overdue_3", "overdue_4"]


def test_nothing_is_sent_before_the_first_milestone(lead, policy):
    for offset in (-365, -60, -31):
        assert review_reminders_send(today=days_from(DUE, offset)) == 0
    assert _emails() == [] and _sent() == []


def test_running_twice_on_the_same_day_sends_one(lead, policy):
    today = days_from(DUE, -7)
    assert review_reminders_send(today=today) == 1
    assert review_reminders_send(today=today) == 0
    assert len(_emails()) == 1
    assert ReviewReminder.objects.count() == 1


def test_a_missed_day_is_made_up_the_next_day_and_not_again(lead, policy):
    assert review_reminders_send(today=days_from(DUE, -30)) == 1
    # The server was off on the 14-days day.
    assert review_reminders_send(today=days_from(DUE, -13)) == 1
    assert review_reminders_send(today=days_from(DUE, -12)) == 0
    assert [milestone for _policy, _due, milestone in _sent()] == ["before_30", "before_14"]
    assert _emails()[-1].subject == "Policy review due in 13 days: Online safety at home"


def test_a_long_outage_sends_only_the_latest_reminder(lead, policy):
    assert review_reminders_send(today=days_from(DUE, 30)) == 1
    assert _sent() == [(policy.pk, DUE, "overdue_4")]
    assert review_reminders_send(today=days_from(DUE, 34)) == 0
    assert review_reminders_send(today=days_from(DUE, 35)) == 1


def test_reminders_keep_coming_weekly_while_overdue(lead, policy):
    for week in range(1, 9):
        assert review_reminders_send(today=days_from(DUE, 7 * week)) == 1
        assert review_reminders_send(today=days_from(DUE, 7 * week + 3)) == 0
    assert [milestone for _policy, _due, milestone in _sent()] == [f"overdue_{week}" for week in range(1, 9)]


def test_bringing_the_review_forward_starts_the_milestones_again(lead, owner):
    today = datetime.date(2026, 11, 2)
    policy = make_policy("Mobile phones", owner=owner, review_cycle_months=12)
    record_version(policy, approved_on=datetime.date(2025, 11, 16), actor=lead)  # due 16 November 2026
    assert review_reminders_send(today=today) == 1
    services.review_bring_forward(policy=policy, to=datetime.date(2026, 11, 9), reason="New guidance",
                                  actor=lead)
    assert review_reminders_send(today=today) == 1
    assert review_reminders_send(today=today) == 0
    assert _sent() == [(policy.pk, datetime.date(2026, 11, 16), "before_14"),
                       (policy.pk, datetime.date(2026, 11, 9), "before_7")]
    assert _emails()[-1].subject == "Policy review due in 7 days: Mobile phones"


def test_a_new_version_sets_a_new_date_and_its_milestones_start_from_the_beginning(lead, owner):
    policy = make_policy("Behaviour at lunchtime", owner=owner, review_cycle_months=12)
    record_version(policy, approved_on=datetime.date(2025, 10, 20), actor=lead)  # due 20 October 2026
    assert review_reminders_send(today=datetime.date(2026, 11, 3)) == 1  # two weeks overdue
    # The reviewed policy is approved the next day: the next review is a year on.
    record_version(policy, approved_on=datetime.date(2026, 11, 4), actor=lead)
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2027, 11, 4)
    assert review_reminders_send(today=datetime.date(2026, 11, 10)) == 0  # no more overdue reminders
    assert review_reminders_send(today=datetime.date(2027, 10, 4)) == 0  # 31 days before
    assert review_reminders_send(today=datetime.date(2027, 10, 5)) == 1
    assert _sent() == [(policy.pk, datetime.date(2026, 10, 20), "overdue_2"),
                       (policy.pk, datetime.date(2027, 11, 4), "before_30")]


def test_a_policy_that_is_not_in_use_gets_no_reminders(lead, owner):
    make_policy("Old ICT policy", owner=owner, status=Status.RETIRED, next_review_on=days_from(DUE, -7))
    make_policy("Draft remote learning", owner=owner, status=Status.DRAFT, next_review_on=DUE)
    assert review_reminders_send(today=DUE) == 0
    assert _emails() == [] and _sent() == []


def test_a_policy_with_no_version_recorded_gets_no_reminders(lead, owner):
    make_policy("Not yet written", owner=owner)
    assert review_reminders_send(today=DUE) == 0
    assert _emails() == []


def test_a_policy_with_no_owner_still_goes_to_the_online_safety_lead(lead):
    make_policy("Ownerless", next_review_on=DUE)
    assert review_reminders_send(today=DUE) == 1
    [email] = _emails()
    assert email.to == [lead.email]
    assert "not named yet" in email.body_text


def test_when_the_owner_is_the_online_safety_lead_they_get_one_copy(lead):
    make_policy("Filtering", owner=lead, next_review_on=DUE)
    review_reminders_send(today=DUE)
    [email] = _emails()
    assert email.to == [lead.email]


def test_every_online_safety_lead_is_told_and_inactive_accounts_are_not(lead, owner, policy):
    second = user_with_role(roles.ONLINE_SAFETY_LEAD, email="osl2@school.example")
    user_with_role(roles.ONLINE_SAFETY_LEAD, email="left@school.example", is_active=False)
    review_reminders_send(today=DUE)
    [email] = _emails()
    assert email.to == [owner.email, lead.email, second.email]


def test_an_inactive_owner_is_skipped(lead, owner, policy):
    owner.is_active = False
    owner.save()
    review_reminders_send(today=DUE)
    [email] = _emails()
    assert email.to == [lead.email]


def test_with_nobody_to_tell_nothing_is_claimed_so_a_new_lead_gets_it(owner):
    make_policy("Nobody's", next_review_on=DUE)
    assert review_reminders_send(today=DUE) == 0
    assert _sent() == []
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD, email="newlead@school.example")
    assert review_reminders_send(today=days_from(DUE, 1)) == 1
    assert [email.to for email in _emails()] == [[lead.email]]


def test_each_policy_gets_its_own_reminder(lead, owner):
    first = make_policy("Alpha", owner=owner, next_review_on=DUE)
    second = make_policy("Beta", next_review_on=days_from(DUE, 14))
    make_policy("Gamma", owner=owner, next_review_on=days_from(DUE, 60))  # not yet
    assert review_reminders_send(today=DUE) == 2
    assert sorted(_sent()) == sorted([(first.pk, DUE, "due"), (second.pk, days_from(DUE, 14), "before_14")])
    assert sorted(email.subject for email in _emails()) == [
        "Policy review due in 14 days: Beta", "Policy review due today: Alpha"]


def test_a_reminder_row_is_unique_for_its_policy_date_and_milestone(policy):
    ReviewReminder.objects.create(policy=policy, due_on=DUE, milestone="before_7")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReminder.objects.create(policy=policy, due_on=DUE, milestone="before_7")
    ReviewReminder.objects.create(policy=policy, due_on=DUE, milestone="due")
    ReviewReminder.objects.create(policy=policy, due_on=days_from(DUE, 7), milestone="before_7")
    assert ReviewReminder.objects.count() == 3


def test_the_daily_task_sends_todays_reminders_once_however_often_it_runs(lead, owner):
    today = timezone.localdate()
    due_soon = make_policy("Use of school devices", owner=owner, next_review_on=today + datetime.timedelta(days=7))
    overdue = make_policy("Remote learning", next_review_on=today - datetime.timedelta(days=14))
    make_policy("Current", owner=owner, next_review_on=today + datetime.timedelta(days=200))
    assert review_reminders.delay().get() == 2
    assert review_reminders.delay().get() == 0
    assert review_reminders.apply().get() == 0
    assert sorted(_sent()) == sorted([(due_soon.pk, due_soon.next_review_on, "before_7"),
                                      (overdue.pk, overdue.next_review_on, "overdue_2")])
    assert {tuple(email.to) for email in _emails()} == {(owner.email, lead.email), (lead.email,)}
