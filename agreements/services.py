"""Write operations on agreements. Each runs in one transaction with its audit events.

Signing is the same rule for every audience: at most one signature per signer per version. A
second attempt (double click, two tabs) meets the unique constraint and raises AlreadySigned;
nothing else is written.
"""

import datetime
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from agreements.models import (
    KEY_STAGE_AUDIENCE,
    Agreement,
    AgreementVersion,
    Audience,
    DeviceSession,
    Signature,
    SignatureMethod,
    SigningLink,
    SigningPack,
    StaffReminder,
    VersionStatus,
    Visitor,
    link_expiry_from,
)
from safety_portal.audit.services import audit_record, client_ip
from safety_portal.outbox.services import email_queue
from safety_portal.school.models import PupilGuardian, SchoolProfile

# A parent is reminded at most this often, and at most this many times per pack.
PARENT_REMINDER_EVERY = datetime.timedelta(days=7)
PARENT_REMINDERS_MAX = 3
# Staff and governors with an agreement to sign are reminded once a week.
STAFF_REMINDER_EVERY = datetime.timedelta(days=7)
CLASS_SESSION_LENGTH = datetime.timedelta(minutes=60)


class AlreadySigned(Exception):
    """This signer has already signed this version."""


class VersionFrozen(Exception):
    """A published or retired version's text cannot change."""


class NothingToSign(Exception):
    """The audience has no published agreement yet."""


# --- Versions ---------------------------------------------------------------------------------

def agreements_ensure():
    """Every audience has its agreement; a new one starts as a draft of the starter text."""
    from agreements.starters import STARTERS

    existing = set(Agreement.objects.values_list("audience", flat=True))
    for audience in Audience:
        if audience.value in existing:
            continue
        with transaction.atomic():
            agreement, created = Agreement.objects.get_or_create(audience=audience.value)
            if created:
                title, body = STARTERS[audience.value]
                AgreementVersion.objects.create(agreement=agreement, number=1, title=title, body=body,
                                                change_summary=STARTER_SUMMARY)


STARTER_SUMMARY = "Starter text supplied with Safety Portal"


def version_draft_start(*, agreement, user, request=None):
    """A new draft, starting from the current text; the agreement keeps one draft at a time."""
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        existing = agreement.versions.filter(status=VersionStatus.DRAFT).first()
        if existing:
            return existing
        current = agreement.current_version
        number = (agreement.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        draft = AgreementVersion.objects.create(
            agreement=agreement, number=number, created_by=user,
            title=current.title if current else str(agreement),
            body=current.body if current else "",
        )
        audit_record(action="agreements.version.drafted", actor=user, obj=draft, request=request,
                     detail={"audience": agreement.audience, "number": number})
    return draft


def version_draft_save(*, version, title, body, change_summary, requires_resign, user, request=None):
    with transaction.atomic():
        version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_frozen:
            raise VersionFrozen
        version.title, version.body = title, body
        version.change_summary, version.requires_resign = change_summary, requires_resign
        version.save(update_fields=["title", "body", "change_summary", "requires_resign", "updated_at"])
        audit_record(action="agreements.version.edited", actor=user, obj=version, request=request,
                     detail={"number": version.number})
    return version


def version_draft_discard(*, version, user, request=None):
    with transaction.atomic():
        version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_frozen:
            raise VersionFrozen
        audit_record(action="agreements.version.discarded", actor=user, obj=version, request=request,
                     detail={"number": version.number})
        version.delete()


def version_publish(*, version, user, request=None, now=None):
    """Freeze the draft, make it the one people sign, and retire the version it replaces."""
    now = now or timezone.now()
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=version.agreement_id)
        version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_frozen:
            raise VersionFrozen
        previous = agreement.current_version
        if previous is not None:
            AgreementVersion.objects.filter(pk=previous.pk).update(status=VersionStatus.RETIRED, retired_at=now)
        version.status = VersionStatus.PUBLISHED
        version.content_hash = version.computed_hash()
        version.published_at, version.published_by = now, user
        version.save(update_fields=["status", "content_hash", "published_at", "published_by", "updated_at"])
        agreement.current_version = version
        if previous is None or version.requires_resign:
            agreement.counts_from_number = version.number
        agreement.save(update_fields=["current_version", "counts_from_number"])
        audit_record(action="agreements.version.published", actor=user, obj=version, request=request,
                     detail={"audience": agreement.audience, "number": version.number,
                             "hash": version.content_hash, "everyone_signs_again": version.requires_resign})
    return version


def named_signers_set(*, agreement, users, user, request=None):
    with transaction.atomic():
        agreement.named_signers.set(users)
        audit_record(action="agreements.named_signers.changed", actor=user, obj=agreement, request=request,
                     detail={"count": len(users)})


def after_signing_note_set(*, agreement, note, user, request=None):
    with transaction.atomic():
        agreement.after_signing_note = note
        agreement.save(update_fields=["after_signing_note"])
        audit_record(action="agreements.note.changed", actor=user, obj=agreement, request=request)


# --- Signing ----------------------------------------------------------------------------------

def _evidence(request):
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    return {"ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400]}


def _method(drawing):
    return SignatureMethod.DRAWN if drawing else SignatureMethod.TYPED


def _signature_create(*, version, **fields):
    """One signature, or AlreadySigned. The savepoint keeps the caller's transaction usable."""
    # Read afresh: the page may have been open while a newer version was published.
    if not AgreementVersion.objects.filter(pk=version.pk, status=VersionStatus.PUBLISHED).exists():
        raise NothingToSign
    fields.setdefault("signed_at", timezone.now())
    try:
        with transaction.atomic():
            return Signature.objects.create(version=version, content_hash=version.content_hash, **fields)
    except IntegrityError as error:
        if Signature.objects.filter(version=version, **_signer_key(fields)).exists():
            raise AlreadySigned from error
        raise


def _signer_key(fields):
    if fields.get("user"):
        return {"user": fields["user"]}
    if fields.get("visitor"):
        return {"visitor": fields["visitor"]}
    if fields.get("guardian"):
        return {"guardian": fields["guardian"], "pupil": fields["pupil"]}
    return {"pupil": fields["pupil"], "guardian__isnull": True}


def current_version_for(audience):
    agreement = Agreement.objects.select_related("current_version").filter(audience=audience).first()
    if agreement is None or agreement.current_version is None:
        raise NothingToSign
    return agreement.current_version


def signature_record_for_account(*, user, version, typed_name, drawing="", request=None, now=None):
    """A member of staff or a governor signs, signed in to the portal."""
    with transaction.atomic():
        signature = _signature_create(version=version, user=user, typed_name=typed_name, drawing=drawing,
                                      method=_method(drawing), signed_at=now or timezone.now(),
                                      **_evidence(request))
        audit_record(action="agreements.signature.recorded", actor=user, obj=signature, request=request,
                     detail={"audience": version.agreement.audience, "version": version.number,
                             "method": signature.method})
    return signature


def parent_pack_versions(pupil):
    """What a parent signs for this child: the parent agreement and the child's key-stage one."""
    return [current_version_for(Audience.PARENT), current_version_for(KEY_STAGE_AUDIENCE[pupil.key_stage])]


def signature_record_for_guardian(*, link, typed_name, discussed_with_child, drawing="", request=None, now=None):
    """A parent or carer signs from their personal link, on behalf of the link's child.

    Both agreements are signed together; if one was signed before (say the key-stage one has not
    changed since), only the other is added. Signing nothing new raises AlreadySigned.
    """
    with transaction.atomic():
        created = []
        for version in parent_pack_versions(link.pupil):
            try:
                created.append(_signature_create(
                    version=version, guardian=link.guardian, pupil=link.pupil, link=link,
                    typed_name=typed_name, drawing=drawing, method=_method(drawing),
                    discussed_with_child=discussed_with_child, signed_at=now or timezone.now(),
                    **_evidence(request)))
            except AlreadySigned:
                continue
        if not created:
            raise AlreadySigned
        audit_record_signatures(created, request=request)
        email_queue(to=link.guardian.email, template="agreement_receipt",
                    context={"signatures": created, "child_name": child_first_name(link.pupil),
                             "guardian": link.guardian})
    return created


def child_first_name(pupil):
    """What parents' pages and emails call a child: never the surname."""
    return pupil.preferred_name or pupil.first_name


def audit_record_signatures(signatures, *, request=None, actor=None):
    for signature in signatures:
        audit_record(action="agreements.signature.recorded", actor=actor, obj=signature, request=request,
                     detail={"audience": signature.version.agreement.audience,
                             "version": signature.version.number, "method": signature.method})


def signature_record_paper(*, pupil, guardian, signed_on, typed_name, discussed_with_child, scan=None, recorded_by,
                           request=None):
    """The office enters a paper form a parent or carer signed, for both agreements.

    `scan` is the storage name of the scan, saved once by the caller: both signatures share it.
    """
    signed_at = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12, 0)))
    with transaction.atomic():
        created = []
        for version in parent_pack_versions(pupil):
            try:
                created.append(_signature_create(
                    version=version, guardian=guardian, pupil=pupil, typed_name=typed_name,
                    method=SignatureMethod.PAPER, signed_at=signed_at, recorded_by=recorded_by,
                    paper_scan=scan or "", discussed_with_child=discussed_with_child,
                    # The office computer's address is not the parent's: recorded_by says who entered it.
                    ip_address=None, user_agent=""))
            except AlreadySigned:
                continue
        if not created:
            raise AlreadySigned
        audit_record_signatures(created, request=request, actor=recorded_by)
    return created


def signature_record_for_pupil(*, device_session, pupil, typed_name, drawing="", request=None, now=None):
    """A pupil signs their key stage's agreement in a class session."""
    version = current_version_for(KEY_STAGE_AUDIENCE[pupil.key_stage])
    with transaction.atomic():
        signature = _signature_create(version=version, pupil=pupil, device_session=device_session,
                                      typed_name=typed_name, drawing=drawing, method=_method(drawing),
                                      signed_at=now or timezone.now(), **_evidence(request))
        audit_record_signatures([signature], request=request, actor=device_session.started_by)
    return signature


def visitor_sign_in(*, kiosk, full_name, organisation, purpose, typed_name, drawing="", request=None, now=None):
    version = current_version_for(Audience.VISITOR)
    now = now or timezone.now()
    with transaction.atomic():
        visitor = Visitor.objects.create(full_name=full_name, organisation=organisation, purpose=purpose,
                                         kiosk=kiosk, arrived_at=now)
        signature = _signature_create(version=version, visitor=visitor, typed_name=typed_name, drawing=drawing,
                                      method=_method(drawing), signed_at=now, **_evidence(request))
        audit_record(action="agreements.visitor.signed_in", actor=None, obj=visitor, request=request,
                     detail={"signature": signature.pk, "version": version.number})
    return visitor, signature


# --- Personal links for parents --------------------------------------------------------------

def _new_token():
    # 32 bytes: 256 bits of randomness; only its SHA-256 is stored.
    return secrets.token_urlsafe(32)


def link_url(token):
    return f"{settings.SITE_URL.rstrip('/')}{reverse('parent_pack', args=[token])}"


def guardians_to_ask(pupil_ids):
    """Each (pupil, guardian) pair a pack goes to: guardians with parental responsibility and an email."""
    return (PupilGuardian.objects.filter(pupil_id__in=pupil_ids, parental_responsibility=True)
            .exclude(guardian__email="").select_related("pupil", "guardian")
            .order_by("guardian_id", "pupil__last_name", "pupil__first_name"))


def pack_send(*, title, pupils, user, request=None, now=None):
    """Create a pack with one link per guardian per child, and email each guardian their links.

    A guardian with several children in the pack gets one email listing a link for each.
    Returns the pack and the pupils it reached no one for (no guardian with parental
    responsibility and an email address), so the office can send paper.
    """
    now = now or timezone.now()
    pupils = list(pupils)
    # Refuse before anything is sent: a parent must never open a link with nothing to sign.
    current_version_for(Audience.PARENT)
    for audience in {KEY_STAGE_AUDIENCE[pupil.key_stage] for pupil in pupils}:
        current_version_for(audience)
    with transaction.atomic():
        pack = SigningPack.objects.create(title=title, created_by=user)
        pairs = list(guardians_to_ask([pupil.pk for pupil in pupils]))
        tokens = [_new_token() for _pair in pairs]
        # In one statement: a whole school's pack is thousands of links.
        links = SigningLink.objects.bulk_create([
            SigningLink(pack=pack, guardian=pair.guardian, pupil=pair.pupil, token_hash=SigningLink.hash_token(token),
                        expires_at=link_expiry_from(now), sent_at=now)
            for pair, token in zip(pairs, tokens, strict=True)])
        by_guardian = {}
        for link, token in zip(links, tokens, strict=True):
            by_guardian.setdefault(link.guardian, []).append((link, token))
        reached = {pair.pupil_id for pair in pairs}
        school = SchoolProfile.load()
        for guardian, guardian_links in by_guardian.items():
            links_email(guardian, guardian_links, template="agreement_pack", school=school)
        unreached = [pupil for pupil in pupils if pupil.pk not in reached]
        pack.unreached_pupils.set(unreached)
        audit_record(action="agreements.pack.sent", actor=user, obj=pack, request=request,
                     detail={"pupils": len(pupils), "links": sum(len(v) for v in by_guardian.values()),
                             "guardians": len(by_guardian), "unreached": len(unreached)})
    return pack, unreached


def links_email(guardian, links, *, template, school=None):
    """One email to a guardian with a link per child: `links` are (link, token) pairs."""
    email_queue(
        to=guardian.email, template=template, wipe_body_after_sending=True, school=school,
        context={"guardian": guardian,
                 "children": [{"name": child_first_name(link.pupil), "url": link_url(token),
                               "expires_at": link.expires_at} for link, token in links]})


def _rotate(link, now):
    """A fresh token for a link (the old one stops working) and a fresh expiry."""
    token = _new_token()
    link.token_hash = SigningLink.hash_token(token)
    link.expires_at = link_expiry_from(now)
    return token


def link_resend(*, link, user, request=None, now=None):
    """The office sends a link again by hand. The earlier email's link stops working."""
    now = now or timezone.now()
    with transaction.atomic():
        link = SigningLink.objects.select_for_update().select_related("guardian", "pupil").get(pk=link.pk)
        token = _rotate(link, now)
        link.sent_at, link.revoked_at, link.revoked_by = now, None, None
        link.save(update_fields=["token_hash", "expires_at", "sent_at", "revoked_at", "revoked_by"])
        links_email(link.guardian, [(link, token)], template="agreement_pack")
        audit_record(action="agreements.link.resent", actor=user, obj=link, request=request)
    return link


def link_revoke(*, link, user, request=None, now=None):
    with transaction.atomic():
        updated = SigningLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now or timezone.now(), revoked_by=user)
        if updated:
            audit_record(action="agreements.link.revoked", actor=user, obj=link, request=request)
    return bool(updated)


def link_opened(link, now=None):
    if link.first_opened_at is None:
        SigningLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(
            first_opened_at=now or timezone.now())


# --- Devices handed to pupils or visitors ------------------------------------------------------

def device_session_start(*, kind, user, reg_class="", year_group=None, request=None, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        session = DeviceSession.objects.create(
            kind=kind, started_by=user, started_at=now, reg_class=reg_class, year_group=year_group,
            expires_at=now + CLASS_SESSION_LENGTH if kind == DeviceSession.Kind.CLASS else None)
        audit_record(action=f"agreements.{kind}_session.started", actor=user, obj=session, request=request,
                     detail={"group": session.group_label} if kind == DeviceSession.Kind.CLASS else None)
    return session


def device_session_end(*, session, user, request=None, now=None):
    with transaction.atomic():
        updated = DeviceSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=now or timezone.now(), ended_by=user)
        if updated:
            audit_record(action=f"agreements.{session.kind}_session.ended", actor=user, obj=session,
                         request=request)
    return bool(updated)


# --- Reminders ---------------------------------------------------------------------------------

def staff_reminder_claim(*, user, today):
    """True when this person's reminder is due (none in the past 7 days) and this run claimed it.

    The row is keyed by person and day: of two runs at once, the unique key lets one through.
    """
    if StaffReminder.objects.filter(user=user, sent_on__gt=today - STAFF_REMINDER_EVERY).exists():
        return False
    try:
        with transaction.atomic():
            StaffReminder.objects.create(user=user, sent_on=today)
    except IntegrityError:
        return False
    return True


def parent_reminder_claim(*, link, now):
    """Claim the next reminder for a link, or None if it is not due (another run took it).

    The conditional update is the lock: of two runs at once, only one matches the row.
    Returns a fresh token to send; the earlier one stops working.
    """
    with transaction.atomic():
        claimed = SigningLink.objects.filter(
            pk=link.pk, reminders_sent=link.reminders_sent, reminders_sent__lt=PARENT_REMINDERS_MAX,
            sent_at__lte=now - PARENT_REMINDER_EVERY, revoked_at__isnull=True,
        ).update(reminders_sent=link.reminders_sent + 1, sent_at=now)
        if not claimed:
            return None
        link.refresh_from_db()
        token = _rotate(link, now)
        link.save(update_fields=["token_hash", "expires_at"])
        audit_record(action="agreements.link.reminded", obj=link, detail={"reminder": link.reminders_sent})
    return token
