"""Periodic jobs for the school app, run by Celery beat (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from safety_portal.celery import RETRY_ON_OUTAGE
from safety_portal.school.mis_import import mis_import_expire_stale


@shared_task(**RETRY_ON_OUTAGE)
def mis_import_expire():
    """Discard MIS uploads left awaiting confirmation for more than 24 hours, deleting their files."""
    return mis_import_expire_stale()
