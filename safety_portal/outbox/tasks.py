import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from safety_portal.outbox.models import OutboxEmail

log = logging.getLogger(__name__)


class SendFailed(Exception):
    pass


@shared_task(bind=True, autoretry_for=(SendFailed,), retry_backoff=30, retry_backoff_max=3600,
             retry_jitter=True, max_retries=OutboxEmail.MAX_ATTEMPTS)
def outbox_send(self, email_id):
    """Send one outbox email, once: the row lock makes a second run wait, then see it sent."""
    with transaction.atomic():
        email = OutboxEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at or email.gave_up_at:
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
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= OutboxEmail.MAX_ATTEMPTS:
                email.gave_up_at = timezone.now()
            email.save(update_fields=["attempts", "last_error", "gave_up_at"])
            log.warning("Email %s not sent (attempt %s): %s", email.pk, email.attempts, exc)
            failed = True
        else:
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "sent_at", "last_error"])
            failed = False
    # Raised outside the transaction so the attempt count is kept for the retry.
    if failed and not email.gave_up_at:
        raise SendFailed(email.last_error)


@shared_task
def outbox_sweep():
    """Queue anything left unsent (broker outage, lost task) for another try."""
    cutoff = timezone.now() - datetime.timedelta(minutes=2)
    ids = list(OutboxEmail.objects.unsent().filter(created_at__lt=cutoff).values_list("pk", flat=True)[:500])
    for email_id in ids:
        outbox_send.delay(email_id)
    return len(ids)
