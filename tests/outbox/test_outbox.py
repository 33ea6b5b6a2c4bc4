import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from safety_portal.outbox.models import OutboxEmail
from safety_portal.outbox.services import email_queue
from safety_portal.outbox.tasks import SendFailed, outbox_send, outbox_sweep
from safety_portal.school.models import SchoolProfile
from tests.outbox.backends import FailingBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(db):
    return SchoolProfile.objects.create(pk=1, name="Oakfield & District School")


def test_email_is_written_to_the_outbox_and_sent_after_commit(school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(to="parent@home.example", template="test_message", context={"reference": "R1"})
    # Nothing leaves before the transaction commits.
    assert len(mail.outbox) == 0
    assert OutboxEmail.objects.get(pk=email.pk).sent_at is None
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["parent@home.example"]
    assert message.subject == "Outbox check R1"
    assert "Oakfield & District School" in message.body  # plain text is not HTML-escaped
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Oakfield &amp; District School" in html
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_rolled_back_change_sends_nothing(school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                email_queue(to="parent@home.example", template="test_message")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert OutboxEmail.objects.count() == 0
    assert len(mail.outbox) == 0


def test_send_task_running_twice_sends_once(school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(to="a@home.example", template="test_message")
    outbox_send(email.pk)
    outbox_send.delay(email.pk)
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_failed_send_keeps_the_row_and_a_later_run_sends_it(school, settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.FailingBackend"
    FailingBackend.failures_left = 2
    email = OutboxEmail.objects.create(to=["a@home.example"], subject="Retry me", body_text="x")
    for _ in range(2):
        # Raised so that Celery schedules a retry with backoff.
        with pytest.raises(SendFailed):
            outbox_send(email.pk)
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 2
    assert "SMTP server unreachable" in email.last_error
    outbox_send(email.pk)
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 3 and email.last_error == ""
    assert len(mail.outbox) == 1


def test_send_task_retries_with_backoff():
    assert SendFailed in outbox_send.autoretry_for
    assert outbox_send.retry_backoff and outbox_send.max_retries == OutboxEmail.MAX_ATTEMPTS


def test_email_that_never_sends_is_given_up_with_the_error_kept(school, settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.FailingBackend"
    FailingBackend.failures_left = 100
    email = OutboxEmail.objects.create(to=["a@home.example"], subject="Never", body_text="x")
    for _ in range(OutboxEmail.MAX_ATTEMPTS - 1):
        with pytest.raises(SendFailed):
            outbox_send(email.pk)
    outbox_send(email.pk)  # the last attempt gives up quietly
    outbox_send(email.pk)  # and nothing more is tried
    FailingBackend.failures_left = 0
    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts == OutboxEmail.MAX_ATTEMPTS
    assert email.gave_up_at is not None
    assert "SMTP server unreachable" in email.last_error
    assert outbox_sweep() == 0
    assert len(mail.outbox) == 0


def test_sweep_sends_mail_left_behind_by_a_broker_outage(school):
    # A row written while the broker was down: its task was never queued.
    stale = OutboxEmail.objects.create(to=["a@home.example"], subject="Left behind", body_text="x")
    OutboxEmail.objects.filter(pk=stale.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    fresh = OutboxEmail.objects.create(to=["b@home.example"], subject="Just queued", body_text="y")
    assert outbox_sweep() == 1
    assert [m.subject for m in mail.outbox] == ["Left behind"]
    fresh.refresh_from_db()
    assert fresh.sent_at is None


def test_password_reset_mail_goes_through_the_outbox(client, school, staff_user,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": staff_user.email})
    assert response.status_code == 302
    email = OutboxEmail.objects.get()
    assert email.to == [staff_user.email] and email.sent_at is not None
    assert "/accounts/password/reset/" in email.body_text
    assert "http://127.0.0.1:8000/accounts/password/reset/" in email.body_text  # SITE_URL
    assert len(mail.outbox) == 1


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, school):
    response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert OutboxEmail.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (set DATABASE_URL)")
def test_two_workers_sending_the_same_email_at_once_send_it_once(settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.SlowBackend"
    SchoolProfile.objects.create(pk=1, name="Oakfield")
    email = OutboxEmail.objects.create(to=["a@home.example"], subject="Once", body_text="x")
    errors = []

    def worker():
        try:
            outbox_send(email.pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1
