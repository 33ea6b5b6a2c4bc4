"""Writing to and checking the audit trail. Every app records through here."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from safety_portal.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


def client_ip(request):
    """The client's address in canonical form, or None.

    Behind the production reverse proxy REMOTE_ADDR is the proxy, so with
    TRUST_X_FORWARDED_FOR the last X-Forwarded-For entry (the one our own proxy
    appended) is used. Earlier entries come from the browser and are never trusted.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        address = forwarded or address
    try:
        # Canonical, so the hash covers exactly what PostgreSQL's inet column stores.
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def account_for_address(address):
    """The account an email address typed at sign-in or reset belongs to, if any."""
    # PostgreSQL cannot hold NUL in text, so such a value is no address (and must not reach a query).
    if not address or not isinstance(address, str) or "\x00" in address:
        return None
    return get_user_model().objects.by_email(address).first()


def _object_ref(obj):
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def audit_record(*, action, actor=None, obj=None, request=None, detail=None,
                 object_type="", object_id=""):
    """Append one event. Runs inside the caller's transaction, so it lands with the change."""
    return audit_record_many(
        actor=actor, request=request,
        events=[{"action": action, "obj": obj, "detail": detail,
                 "object_type": object_type, "object_id": object_id}],
    )[0]


def audit_record_many(*, events, actor=None, request=None):
    """Append several events in one go (an MIS import writes thousands)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    ip = client_ip(request)
    now = timezone.now()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        rows = []
        sequence, prev_hash = head.sequence, head.hash
        for event in events:
            obj_type, obj_id = _object_ref(event.get("obj"))
            sequence += 1
            row = AuditEvent(
                sequence=sequence,
                created_at=now,
                actor=actor,
                actor_label=actor.email if actor else "",
                action=event["action"],
                object_type=event.get("object_type") or obj_type,
                object_id=str(event.get("object_id") or obj_id),
                ip_address=ip,
                detail=event.get("detail") or {},
                prev_hash=prev_hash,
            )
            row.hash = row.compute_hash()
            prev_hash = row.hash
            rows.append(row)
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
        AuditChainHead.objects.filter(pk=1).update(sequence=sequence, hash=prev_hash)
    return rows


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def audit_verify_chain():
    """Walk the chain from the start; report the first event that does not fit.

    The head is read first and the walk stops at it, so events committed while
    the check runs are left for the next check instead of looking like tampering.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    last_sequence = head.sequence if head else 0
    expected_sequence, prev_hash, checked = 1, GENESIS_HASH, 0
    events = AuditEvent.objects.filter(sequence__lte=last_sequence).order_by("sequence")
    for event in events.iterator(chunk_size=2000):
        if event.sequence != expected_sequence:
            return ChainReport(False, checked, expected_sequence,
                               f"event #{expected_sequence} is missing")
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.sequence,
                               "does not point at the previous event's hash")
        if event.compute_hash() != event.hash:
            return ChainReport(False, checked, event.sequence,
                               "its content does not match its hash (edited)")
        prev_hash, expected_sequence, checked = event.hash, expected_sequence + 1, checked + 1
    if head and (head.sequence != checked or head.hash != prev_hash):
        return ChainReport(False, checked, checked + 1,
                           f"the trail should end at event #{head.sequence}: later events were removed")
    return ChainReport(True, checked)
