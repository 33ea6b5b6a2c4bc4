import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from safety_portal.outbox.models import OutboxEmail
from safety_portal.outbox.services import email_queue
from safety_portal.outbox.tasks import outbox_send, outbox_sweep
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


def _fail_sending(settings, times):
    settings.EMAIL_BACKEND = "tests.outbox.backends.FailingBackend"
    FailingBackend.failures_left = times


def _make_due(email):
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())


def test_failed_send_is_kept_and_retried_later_not_at_once(school, settings, django_capture_on_commit_callbacks):
    _fail_sending(settings, 1)
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(to="a@home.example", template="test_message")
    email.refresh_from_db()
    # One attempt only, even with tasks run in-process: the next one is scheduled.
    assert email.attempts == 1 and email.sent_at is None
    assert "SMTP server unreachable" in email.last_error
    assert email.next_attempt_at > timezone.now()
    # Running the task again before then does nothing.
    outbox_send(email.pk)
    email.refresh_from_db()
    assert email.attempts == 1
    assert outbox_sweep() == 0
    _make_due(email)
    assert outbox_sweep() == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2 and email.last_error == ""
    assert len(mail.outbox) == 1


def test_retries_wait_longer_each_time_over_about_three_days(school, settings):
    _fail_sending(settings, 100)
    email = OutboxEmail.objects.create(to=["a@home.example"], subject="Never", body_text="x")
    waits = []
    for _ in range(OutboxEmail.MAX_ATTEMPTS):
        _make_due(email)
        before = timezone.now()
        outbox_send(email.pk)
        email.refresh_from_db()
        if email.next_attempt_at:
            waits.append(round((email.next_attempt_at - before).total_seconds() / 60))
    assert waits == sorted(waits) and waits[0] == 1
    assert 2.5 * 24 * 60 < sum(waits) < 3.5 * 24 * 60
    # After the last attempt it is given up, and nothing more is tried.
    assert email.gave_up_at is not None and email.attempts == OutboxEmail.MAX_ATTEMPTS
    outbox_send(email.pk)
    email.refresh_from_db()
    assert email.attempts == OutboxEmail.MAX_ATTEMPTS
    assert outbox_sweep() == 0
    assert OutboxEmail.objects.given_up().count() == 1
    assert len(mail.outbox) == 0


def test_sweep_sends_mail_left_behind_by_a_broker_outage_oldest_first(school):
    # Rows written while the broker was down: their tasks were never queued.
    older = OutboxEmail.objects.create(to=["a@home.example"], subject="Older", body_text="x")
    newer = OutboxEmail.objects.create(to=["b@home.example"], subject="Newer", body_text="y")
    OutboxEmail.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    assert outbox_sweep() == 2
    assert [m.subject for m in mail.outbox] == ["Older", "Newer"]
    newer.refresh_from_db()
    assert newer.sent_at is not None


def test_broker_outage_at_commit_does_not_break_the_request(client, school, staff_user, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis unreachable")

    monkeypatch.setattr("safety_portal.outbox.tasks.outbox_send.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": staff_user.email})
    assert response.status_code == 302
    email = OutboxEmail.objects.get()
    assert email.sent_at is None  # waiting for the sweep
    monkeypatch.undo()
    assert outbox_sweep() == 1
    assert len(mail.outbox) == 1


def test_password_reset_mail_goes_through_the_outbox(client, school, staff_user,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": staff_user.email})
    assert response.status_code == 302
    email = OutboxEmail.objects.get()
    assert email.to == [staff_user.email] and email.sent_at is not None
    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:8000/accounts/password/reset/" in mail.outbox[0].body  # SITE_URL
    # The working link is not kept in the database once sent.
    assert email.body_text == "" and email.body_html == ""


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, school, staff_user,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"}, follow=True)
    assert OutboxEmail.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password/reset/", {"email": staff_user.email}, follow=True)
    assert OutboxEmail.objects.count() == 1
    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content == known.content


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
