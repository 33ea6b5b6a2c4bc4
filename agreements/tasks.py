"""Periodic jobs for agreements, run by Celery beat (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from agreements.reminders import agreement_reminders_send


@shared_task
def agreement_reminders():
    """Remind outstanding parents (at most weekly, three times a link) and staff (weekly).
    Returns how many emails went to each; a second run straight after sends none."""
    return agreement_reminders_send()
