"""Chasing outstanding agreements: parents by their personal links, staff and governors weekly.

Both are safe to run as often as the scheduler likes. A parent's link is claimed with a
conditional update (services.parent_reminder_claim) and a member of staff's week with a unique
row (services.staff_reminder_claim), so a second run, or two runs at once, send nothing new.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from agreements import compliance, services
from agreements.models import ACCOUNT_AUDIENCES, Agreement, Audience, SigningLink
from safety_portal.outbox.services import email_queue
from safety_portal.school.models import Pupil, PupilGuardian


def parent_links_due(now):
    """Links whose reminder is due: the child is on roll and nobody has signed for them yet, the
    guardian still has parental responsibility and an email address, and the link is the newest
    this guardian has for this child. Expired links count: a reminder brings them back to life.

    A parent hears from the school at most once in any 7 days: while any of their links (another
    child's, another pack's) was emailed in that time, none is due, and once they are due they go
    out together in one email."""
    parent = Agreement.objects.filter(audience=Audience.PARENT, current_version__isnull=False).first()
    if parent is None:
        return SigningLink.objects.none()
    newer = SigningLink.objects.filter(guardian=OuterRef("guardian"), pupil=OuterRef("pupil"), pk__gt=OuterRef("pk"))
    emailed_lately = SigningLink.objects.filter(guardian=OuterRef("guardian"),
                                                sent_at__gt=now - services.PARENT_REMINDER_EVERY)
    still_responsible = PupilGuardian.objects.filter(
        pupil=OuterRef("pupil"), guardian=OuterRef("guardian"), parental_responsibility=True)
    return (SigningLink.objects
            .filter(revoked_at__isnull=True, reminders_sent__lt=services.PARENT_REMINDERS_MAX,
                    sent_at__lte=now - services.PARENT_REMINDER_EVERY,
                    pupil__in=Pupil.objects.on_roll(timezone.localdate(now)))
            .filter(Exists(still_responsible))
            .exclude(guardian__email="")
            .exclude(compliance.has_signed(parent, "pupil"))
            .exclude(Exists(newer))
            .exclude(Exists(emailed_lately))
            .select_related("guardian", "pupil")
            .order_by("guardian_id", "pk"))


def parent_reminders_send(now=None):
    """One email per guardian listing a fresh link for each child still to sign for. Returns emails sent."""
    now = now or timezone.now()
    by_guardian = {}
    for link in parent_links_due(now):
        by_guardian.setdefault(link.guardian, []).append(link)
    sent = 0
    for guardian, links in by_guardian.items():
        # The claim rotates the token, so it commits only together with the email carrying the new one.
        with transaction.atomic():
            claimed = []
            for link in links:
                pupil = link.pupil
                token = services.parent_reminder_claim(link=link, now=now)
                if token is not None:
                    link.pupil = pupil  # the claim reloaded the link; the child is unchanged
                    claimed.append((link, token))
            if claimed:
                services.links_email(guardian, claimed, template="agreement_reminder")
                sent += 1
    return sent


def staff_outstanding():
    """{user: [agreements]} for active staff, governors and named social-media signers yet to sign."""
    outstanding = {}
    agreements = Agreement.objects.filter(audience__in=ACCOUNT_AUDIENCES, current_version__isnull=False)
    for agreement in agreements.select_related("current_version").order_by("pk"):
        people, signed = compliance.people(agreement)
        for user in people.exclude(signed).order_by("pk"):
            outstanding.setdefault(user, []).append(agreement)
    return outstanding


def staff_reminders_send(now=None):
    """At most one email a week to each person with an agreement to sign. Returns emails sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sign_url = f"{settings.SITE_URL.rstrip('/')}{reverse('agreements:sign_list')}"
    sent = 0
    for user, agreements in staff_outstanding().items():
        with transaction.atomic():
            if services.staff_reminder_claim(user=user, today=today):
                email_queue(to=user.email, template="agreement_staff_reminder",
                            context={"user": user, "agreements": agreements, "url": sign_url})
                sent += 1
    return sent


def agreement_reminders_send(now=None):
    now = now or timezone.now()
    return {"parents": parent_reminders_send(now), "staff": staff_reminders_send(now)}
