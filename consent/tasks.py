"""Periodic jobs for photo consent, run by Celery beat (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from consent.digest import leavers_digest_send
from safety_portal.celery import RETRY_ON_OUTAGE


@shared_task(**RETRY_ON_OUTAGE)
def leavers_digest():
    """Email the office the pupils who have left and whose images should be reviewed, each once.
    Returns how many emails were queued; a second run straight after sends none."""
    return leavers_digest_send()
