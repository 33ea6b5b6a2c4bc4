from celery import shared_task

from policies.reminders import review_reminders_send


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, retry_kwargs={"max_retries": 5},
             time_limit=600)
def review_reminders():
    """Daily: each policy's review reminder, once per milestone however often this runs."""
    return review_reminders_send()
