"""Every Celery task in the project is safe to lose a worker under, and cannot run for ever.

Iterates the registered tasks, so a new task without these options fails here.
"""

import pytest
from django.conf import settings
from django.db import OperationalError

from safety_portal.celery import app


def project_tasks():
    app.loader.import_default_modules()
    return sorted((task for name, task in app.tasks.items() if not name.startswith("celery.")),
                  key=lambda task: task.name)


def test_the_project_has_its_tasks():
    names = {task.name for task in project_tasks()}
    # The periodic jobs and the outbox: if discovery broke, the checks below would pass on nothing.
    assert {"safety_portal.outbox.tasks.outbox_send", "safety_portal.outbox.tasks.outbox_sweep",
            "agreements.tasks.agreement_reminders", "policies.tasks.review_reminders",
            "incidents.tasks.incidents_overdue_digest", "consent.tasks.leavers_digest",
            "safety_portal.reports.tasks.term_end_reports", "safety_portal.reports.tasks.report_generate",
            "safety_portal.school.tasks.mis_import_expire"} <= names
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= names, "a beat entry names a task that does not exist"


@pytest.mark.parametrize("task", project_tasks(), ids=lambda task: task.name)
def test_task_is_acknowledged_late_and_has_time_limits(task):
    assert task.acks_late is True, "acknowledged only once done, so a lost worker's task runs again"
    soft = task.soft_time_limit or app.conf.task_soft_time_limit
    hard = task.time_limit or app.conf.task_time_limit
    assert soft and hard, "a stuck task must be stopped"
    assert soft < hard, "the soft limit comes first, so the task can record that it stopped"


@pytest.mark.parametrize("task", project_tasks(), ids=lambda task: task.name)
def test_task_retries_outages_with_backoff_or_says_why_not(task):
    reason = getattr(task, "no_retry_reason", "")
    if reason:
        assert not getattr(task, "autoretry_for", ()), "a task that says it is not retried must not be"
        return
    assert OperationalError in task.autoretry_for, "a database outage is retried"
    assert ConnectionError in task.autoretry_for
    assert Exception not in task.autoretry_for, "bugs are not retried"
    assert task.retry_backoff and task.retry_jitter
    assert 1 <= task.max_retries <= 10


def test_lost_worker_tasks_are_not_requeued_for_ever():
    # A task that kills its worker would kill every worker it was handed to.
    assert app.conf.task_reject_on_worker_lost is False
    assert app.conf.task_acks_late is True
