"""Periodic jobs for the incident log, run by Celery beat (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from incidents.services import incident_overdue_digest
from safety_portal.celery import RETRY_ON_OUTAGE


@shared_task(**RETRY_ON_OUTAGE)
def incidents_overdue_digest():
    """Email the DSL team the incidents needing attention; each incident at most once a day."""
    return incident_overdue_digest()
