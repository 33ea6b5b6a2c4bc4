import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from safety_portal.outbox.models import OutboxEmail

log = logging.getLogger(__name__)


# Celery retries none of these two: an email's retries are on its row (next_attempt_at), which
# the sweep reads every minute, so an outage delays mail and a retry chain cannot double it.
NO_CELERY_RETRY = "the outbox row keeps its own attempts; the sweep retries"


@shared_task(no_retry_reason=NO_CELERY_RETRY)
def outbox_send(email_id):
    """Try to send one outbox email.

    The row lock makes a second run wait and then find it sent, so it goes once.
    Retries belong to the row (next_attempt_at) and the sweep, not to Celery, so
    a re-queued task can never start a second chain of attempts. One gap remains:
    if the worker dies after the mail server accepted the message but before the
    commit, the message is sent again on the next attempt (at least once).
    """
    with transaction.atomic():
        email = OutboxEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or not email.is_due():
            return
        message = EmailMultiAlternatives(
            subject=email.subject, body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL, to=email.to,
            headers={"X-Portal-Outbox-Id": str(email.pk)},
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as exc:  # any failure: kept on the row, tried again later
            email.record_failure(f"{type(exc).__name__}: {exc}")
            log.warning("Email %s not sent (attempt %s): %s", email.pk, email.attempts, exc)
            if email.gave_up_at:
                log.error("Email %s given up after %s attempts", email.pk, email.attempts)
        else:
            email.record_sent()
        email.save()


@shared_task(no_retry_reason=NO_CELERY_RETRY)
def outbox_sweep():
    """Queue every email that is due: left behind by a broker outage, or waiting to retry."""
    due = OutboxEmail.objects.due(timezone.now()).order_by("created_at")
    ids = list(due.values_list("pk", flat=True)[:500])
    for email_id in ids:
        outbox_send.delay(email_id)
    return len(ids)
