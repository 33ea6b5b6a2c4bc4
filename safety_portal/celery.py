import os

from celery import Celery
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_portal.settings")

app = Celery("safety_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Options for a task that is safe to run again (every periodic job is idempotent): a database or
# network outage is retried with growing, jittered waits, then left to the next scheduled run.
# Bugs are not retried: they would fail the same way five times. Acks-late and the time limits
# come from settings (CELERY_TASK_*); tests/reliability/test_tasks.py checks every task has them.
RETRY_ON_OUTAGE = {
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 5,
}
