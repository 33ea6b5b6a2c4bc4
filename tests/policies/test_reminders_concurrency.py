"""Two workers running the daily reminders at the same moment send each reminder once.

Each run claims a reminder by inserting its ReviewReminder row; the unique key lets only one
insert through and the other run sends nothing for that policy. The threads have their own
database connections and are released together by a barrier. This needs PostgreSQL: SQLite takes
one writer at a time, so the two runs could never race there.
"""

import datetime
import threading
from collections import Counter

import pytest
from django.db import connection

from policies import reminders
from policies.models import Policy, ReviewReminder
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2026, 11, 16)
POLICIES = 20


@pytest.fixture(autouse=True)
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises all writers, so two "
                    "runs can never race there")


@pytest.fixture
def policies_at_milestones():
    user_with_role(roles.ONLINE_SAFETY_LEAD, email="osl@school.example")
    owner = user_with_role(roles.STAFF, email="owner@school.example")
    offsets = [30, 14, 7, 0, -7, -14, -21]  # one of each milestone, round and round
    return [Policy.objects.create(title=f"Policy {n:02d}", owner=owner if n % 2 else None,
                                  next_review_on=TODAY + datetime.timedelta(days=offsets[n % len(offsets)]))
            for n in range(POLICIES)]


def _together(jobs):
    """Run each job in its own thread, all released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - handed back to the test to assert on
            results[index] = error
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reminders run hung"
    return results


def _run():
    return reminders.review_reminders_send(today=TODAY)


def test_two_runs_at_once_send_each_policy_one_reminder(policies_at_milestones):
    results = _together([_run, _run])
    assert not any(isinstance(result, Exception) for result in results), results
    assert sum(results) == POLICIES  # between them; which run sent which does not matter
    per_policy = Counter(ReviewReminder.objects.values_list("policy_id", flat=True))
    assert per_policy == {policy.pk: 1 for policy in policies_at_milestones}
    emails = Counter(email.subject.rsplit(": ", 1)[1]
                     for email in OutboxEmail.objects.filter(template="policy_review_reminder"))
    assert emails == {policy.title: 1 for policy in policies_at_milestones}


def test_four_runs_at_once_still_send_one_each(policies_at_milestones):
    results = _together([_run] * 4)
    assert not any(isinstance(result, Exception) for result in results), results
    assert sum(results) == POLICIES
    assert ReviewReminder.objects.count() == POLICIES
    assert OutboxEmail.objects.filter(template="policy_review_reminder").count() == POLICIES
