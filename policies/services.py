"""Write operations on the policy register and the training log. Each runs in one transaction
with its audit events and any email it causes (the outbox is written in the same transaction).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from policies.dates import add_months
from policies.models import (
    MAX_REVIEW_CYCLE_MONTHS,
    CalendarFeed,
    Policy,
    PolicyVersion,
    ReadReceipt,
    TrainingAttendance,
    TrainingSession,
    version_number_key,
)
from safety_portal.audit.services import audit_record
from safety_portal.outbox.services import email_queue
from safety_portal.school.models import SchoolProfile, User

POLICY_FIELDS = ("title", "category", "owner", "approving_body", "committee_name", "review_cycle_months",
                 "on_website", "status")
READ_REMINDER_GAP = timezone.timedelta(hours=20)


class VersionNumberNotNewer(Exception):
    """A version dated as the newest approval must carry a higher number than the current one."""


class ReadReminderTooSoon(Exception):
    """Staff were reminded to read this version less than a day ago."""


class NothingToBringForward(Exception):
    """The new date is not earlier than the scheduled review date, or (with none scheduled) is
    further off than the longest review cycle."""


class VersionNumberOutOfOrder(Exception):
    """A version added to the history (approved before the current one) must have a lower number."""


def _review_date_refresh(policy):
    policy.next_review_on = policy.review_date_from_rules()
    policy.save(update_fields=["next_review_on", "review_brought_forward_to", "review_brought_forward_reason",
                               "current_version"])


def policy_create(*, actor, linked=(), request=None, **fields):
    with transaction.atomic():
        policy = Policy.objects.create(**{name: fields[name] for name in POLICY_FIELDS if name in fields})
        policy.linked.set(linked)
        audit_record(action="policies.policy.created", obj=policy, actor=actor, request=request)
    return policy


def policy_update(*, policy, actor, linked=None, request=None, **fields):
    """Change the register entry. A new review cycle moves the next review date with it."""
    with transaction.atomic():
        policy = Policy.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=policy.pk)
        changed = [name for name in POLICY_FIELDS if name in fields and getattr(policy, name) != fields[name]]
        for name in changed:
            setattr(policy, name, fields[name])
        policy.next_review_on = policy.review_date_from_rules()  # a new cycle moves the date
        policy.save()
        if linked is not None:
            before = set(policy.linked.values_list("pk", flat=True))
            policy.linked.set(linked)
            if before != {other.pk for other in linked}:
                changed.append("linked")
        if changed:
            audit_record(action="policies.policy.changed", obj=policy, actor=actor, request=request,
                         detail={"fields": changed})
    return policy


def version_record(*, policy, number, change_summary, approved_on, approved_by, document, document_name,
                   document_sha256, read_groups=(), actor, request=None):
    """Add an approved version to the revision log.

    The version with the latest approval date is the current one; an older version can be added
    for the history without changing anything else. A new current version restarts the review
    cycle from its approval date and clears any brought-forward date.
    """
    with transaction.atomic():
        policy = Policy.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=policy.pk)
        current = policy.current_version
        becomes_current = current is None or approved_on >= current.approved_on
        if current is not None:
            newer = version_number_key(number) > version_number_key(current.number)
            if becomes_current and not newer:
                raise VersionNumberNotNewer(current.number)
            if not becomes_current and newer:
                raise VersionNumberOutOfOrder(current.number)
        version = PolicyVersion.objects.create(
            policy=policy, number=number, change_summary=change_summary, approved_on=approved_on,
            approved_by=approved_by, document=document, document_name=document_name[:200],
            document_sha256=document_sha256, recorded_by=actor)
        if becomes_current:
            version.read_groups.set(read_groups)
            policy.current_version = version
            policy.review_brought_forward_to = None
            policy.review_brought_forward_reason = ""
            _review_date_refresh(policy)
        audit_record(action="policies.version.recorded", obj=version, actor=actor, request=request,
                     detail={"policy": policy.pk, "number": number, "current": becomes_current,
                             "read_roles": sorted(group.name for group in read_groups) if becomes_current else [],
                             "next_review_on": policy.next_review_on.isoformat() if policy.next_review_on else None})
    return version


def bring_forward_latest(policy, today=None):
    """The latest date a review can be brought forward to: the day before the review now due, so
    a review only ever moves earlier. With no approved version the date is set by hand, up to
    the longest cycle from today."""
    scheduled = policy.scheduled_review_on()
    if scheduled is None:
        return add_months(today or timezone.localdate(), MAX_REVIEW_CYCLE_MONTHS)
    return min(scheduled, policy.next_review_on or scheduled) - timezone.timedelta(days=1)


def review_bring_forward(*, policy, to, reason, actor, request=None):
    """Review earlier than the cycle says, for example after an incident or new guidance."""
    with transaction.atomic():
        policy = Policy.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=policy.pk)
        scheduled = policy.scheduled_review_on()
        latest = bring_forward_latest(policy)
        if to > latest:
            raise NothingToBringForward(latest)
        policy.review_brought_forward_to = to
        policy.review_brought_forward_reason = reason
        _review_date_refresh(policy)
        audit_record(action="policies.review.brought_forward", obj=policy, actor=actor, request=request,
                     detail={"to": to.isoformat(), "scheduled": scheduled.isoformat() if scheduled else None})
    return policy


def readers_asked(version):
    """Active accounts asked to confirm they have read `version` (whether or not they have)."""
    return User.objects.filter(is_active=True, groups__in=version.read_groups.all()).distinct()


def has_read(version):
    """The condition, on a query of accounts, of having confirmed they read `version`."""
    return Exists(ReadReceipt.objects.filter(version=version, user=OuterRef("pk")))


def versions_to_read(user):
    """Current versions of policies in use that ask this person to confirm and that they have not."""
    if not user.is_authenticated or not user.is_active:
        return PolicyVersion.objects.none()
    return (PolicyVersion.objects
            .filter(pk__in=Policy.objects.in_use().filter(current_version__isnull=False).values("current_version"))
            .filter(Exists(PolicyVersion.read_groups.through.objects.filter(
                policyversion_id=OuterRef("pk"), group__user=user)))
            .exclude(Exists(ReadReceipt.objects.filter(version=OuterRef("pk"), user=user)))
            .select_related("policy")
            .order_by("policy__title"))


def receipt_confirm(*, version, user, request=None):
    """Record that `user` has read `version`. Confirming twice keeps the first confirmation."""
    with transaction.atomic():
        receipt, created = ReadReceipt.objects.get_or_create(version=version, user=user)
        if created:
            audit_record(action="policies.read.confirmed", obj=version, actor=user, request=request,
                         detail={"policy": version.policy_id})
    return receipt, created


def read_reminders_send(*, version, actor, request=None, now=None):
    """Email everyone asked who has not confirmed yet. Returns how many were emailed.

    At most once in 20 hours per version, so a double click or an impatient owner sends one."""
    now = now or timezone.now()
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
        if version.read_reminded_at and version.read_reminded_at > now - READ_REMINDER_GAP:
            raise ReadReminderTooSoon(version.read_reminded_at)
        outstanding = list(readers_asked(version).exclude(has_read(version)).exclude(email=""))
        school = SchoolProfile.load()
        url = reverse("policies:read", args=[version.pk])
        for person in outstanding:
            email_queue(to=person.email, template="policy_read_reminder", school=school,
                        context={"version": version, "policy": version.policy, "person": person, "path": url,
                                 "url": f"{settings.SITE_URL.rstrip('/')}{url}"})
        version.read_reminded_at = now
        version.save(update_fields=["read_reminded_at"])
        audit_record(action="policies.read.reminded", obj=version, actor=actor, request=request,
                     detail={"emailed": len(outstanding)})
    return len(outstanding)


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_create(*, user, request=None):
    """A new secret calendar address for `user`, replacing any earlier one. Returns the token (shown once)."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _token_hash(token),
                                                                   "created_at": timezone.now()})
        audit_record(action="policies.calendar.created", obj=user, actor=user, request=request)
    return token


def calendar_feed_revoke(*, user, request=None):
    with transaction.atomic():
        deleted, _ = CalendarFeed.objects.filter(user=user).delete()
        if deleted:
            audit_record(action="policies.calendar.revoked", obj=user, actor=user, request=request)
    return bool(deleted)


def calendar_feed_user(token):
    """The active account a calendar token belongs to, or None."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def training_session_record(*, held_on, title, provider, kind, notes="", attendees, actor, request=None):
    with transaction.atomic():
        session = TrainingSession.objects.create(held_on=held_on, title=title, provider=provider, kind=kind,
                                                 notes=notes, recorded_by=actor)
        TrainingAttendance.objects.bulk_create(
            [TrainingAttendance(session=session, user=person) for person in attendees])
        audit_record(action="policies.training.recorded", obj=session, actor=actor, request=request,
                     detail={"kind": kind, "attendees": len(attendees)})
    return session


def training_session_update(*, session, held_on, title, provider, kind, notes="", attendees, actor, request=None):
    """Correct a session's details or who attended (people are added and removed, never rewritten)."""
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        session.held_on, session.title, session.provider, session.kind, session.notes = (
            held_on, title, provider, kind, notes)
        session.save()
        wanted = {person.pk for person in attendees}
        present = set(session.attendance.values_list("user_id", flat=True))
        session.attendance.filter(user_id__in=present - wanted).delete()
        TrainingAttendance.objects.bulk_create(
            [TrainingAttendance(session=session, user_id=pk) for pk in sorted(wanted - present)])
        audit_record(action="policies.training.changed", obj=session, actor=actor, request=request,
                     detail={"kind": kind, "added": len(wanted - present), "removed": len(present - wanted)})
    return session


def training_session_delete(*, session, actor, request=None):
    with transaction.atomic():
        audit_record(action="policies.training.deleted", obj=session, actor=actor, request=request,
                     detail={"kind": session.kind, "held_on": session.held_on.isoformat(),
                             "attendees": session.attendance.count()})
        session.delete()
