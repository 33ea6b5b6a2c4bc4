"""The outbox through a real Celery worker and the Redis broker (runs in CI)."""

import threading
import time

import pytest
from celery.signals import task_prerun
from django.conf import settings
from django.core import mail
from django.db import transaction

from safety_portal.celery import app
from safety_portal.outbox.models import OutboxEmail
from safety_portal.outbox.services import email_queue
from safety_portal.school.models import SchoolProfile

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL for a real broker and worker"),
]


@pytest.fixture
def celery_worker():
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def _wait_until_sent(email, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.sent_at:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_sends_an_email_queued_in_a_committed_transaction(celery_worker):
    SchoolProfile.objects.create(pk=1, name="Oakfield")
    ran_in = []

    def note_thread(sender=None, **kwargs):
        ran_in.append(threading.current_thread())

    task_prerun.connect(note_thread, weak=False)
    try:
        _queue_and_wait()
    finally:
        task_prerun.disconnect(note_thread)
    # The task ran in the worker, not in-process at commit time.
    assert ran_in and all(thread is not threading.main_thread() for thread in ran_in)


def _queue_and_wait():
    with transaction.atomic():
        email = email_queue(to="parent@home.example", template="test_message", context={"reference": "W1"})
        # Still inside the transaction: nothing has been handed to the broker yet.
        assert OutboxEmail.objects.get(pk=email.pk).sent_at is None
    assert _wait_until_sent(email), "the worker did not send the email within 20 seconds"
    assert [m.subject for m in mail.outbox] == ["Outbox check W1"]
    assert email.attempts == 1
