"""The weekly email to the office listing pupils who have left, whose images should be deleted.

Each leaver is named in one digest only: the rows are marked notified in the same transaction
that queues the email, so a second run (or one racing this) sends nothing new. A leaver already
marked as reviewed is never listed.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from consent.models import LeaverImageReview
from consent.services import leavers_list_for_review, office_recipients
from safety_portal.outbox.services import email_queue


def leavers_page_link():
    return f"{settings.SITE_URL.rstrip('/')}{reverse('consent:leavers')}"


def leavers_digest_send(today=None):
    """List new leavers, then email the office the ones it has not been told about. Returns emails queued."""
    today = today or timezone.localdate()
    leavers_list_for_review(today=today)
    recipients = sorted({email for email in office_recipients() if email})
    if not recipients:
        return 0  # nobody to tell: leave them un-notified, so the first office account gets them
    with transaction.atomic():
        # Locked, so a run racing this one waits and then finds them notified (PostgreSQL).
        waiting = list(LeaverImageReview.objects.select_for_update()
                       .filter(notified_at__isnull=True, reviewed_at__isnull=True)
                       .select_related("pupil").order_by("pupil__reg_class", "pupil__last_name", "pk"))
        if not waiting:
            return 0
        # Names, class and leaving date only: enough for the office to find the images.
        leavers = [{"name": review.pupil.display_name, "reg_class": review.pupil.reg_class,
                    "leaving_date": review.pupil.leaving_date} for review in waiting]
        email_queue(to=recipients, template="consent_leavers_digest",
                    context={"leavers": leavers, "link": leavers_page_link()})
        LeaverImageReview.objects.filter(pk__in=[review.pk for review in waiting]).update(notified_at=timezone.now())
    return 1
