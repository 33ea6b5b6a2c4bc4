"""Periodic jobs for agreements, run by Celery beat (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from agreements.reminders import agreement_reminders_send
from safety_portal.celery import RETRY_ON_OUTAGE


@shared_task(**RETRY_ON_OUTAGE)
def agreement_reminders():
    """Remind outstanding parents (at most weekly, three times a link) and staff (weekly).
    Returns how many emails went to each; a second run straight after sends none."""
    return agreement_reminders_send()
