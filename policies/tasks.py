from celery import shared_task

from policies.reminders import review_reminders_send
from safety_portal.celery import RETRY_ON_OUTAGE


@shared_task(**RETRY_ON_OUTAGE)
def review_reminders():
    """Daily: each policy's review reminder, once per milestone however often this runs."""
    return review_reminders_send()
