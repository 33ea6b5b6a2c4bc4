"""Write operations on photo consent. Each runs in one transaction with its audit events.

Decisions are only ever added. A withdrawal is a "no" added now, and counts at once: every list
works the answer out from the history each time it is shown.
"""

from django.db import transaction
from django.utils import timezone

from agreements.models import SigningLink
from agreements.services import child_first_name
from consent.effective import latest_decisions
from consent.models import ConsentDecision, ConsentPurpose, ConsentSettings, DecisionMethod, LeaverImageReview
from consent.starters import STARTER_PURPOSES
from safety_portal.audit.services import audit_record, client_ip
from safety_portal.outbox.services import email_queue
from safety_portal.school.models import Pupil, User


def purposes_ensure():
    """The starter purposes, for a new school: each can be edited or switched off."""
    for position, (name, description, renew) in enumerate(STARTER_PURPOSES):
        ConsentPurpose.objects.get_or_create(
            name=name, defaults={"description": description, "renew_each_year": renew, "position": position})


def _evidence(request):
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    return {"ip_address": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400]}


def guardian_current_answers(*, pupil, guardian, purposes):
    """{purpose id: True/False} for this guardian's answers that still count."""
    return {purpose_id: answer for purpose_id, answer in
            latest_decisions([pupil.pk], purposes).filter(guardian=guardian).values_list("purpose_id", "answer")}


def consent_record_from_link(*, link, answers, request=None, now=None):
    """A parent's choices from their personal link: {purpose: True/False}.

    Only answers that differ from this guardian's current ones are added, so saving the page
    again changes nothing. Each change is audited and one receipt email lists them.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Two saves at once (a double tap) take turns, so the second sees the first's answers.
        SigningLink.objects.select_for_update().filter(pk=link.pk).first()
        current = guardian_current_answers(pupil=link.pupil, guardian=link.guardian, purposes=list(answers))
        created = [
            ConsentDecision.objects.create(
                pupil=link.pupil, purpose=purpose, guardian=link.guardian, answer=answer,
                method=DecisionMethod.ONLINE, decided_at=now, **_evidence(request))
            for purpose, answer in answers.items() if current.get(purpose.pk) is not answer]
        for decision in created:
            audit_record(action="consent.decision.recorded", obj=decision, request=request,
                         detail={"purpose": decision.purpose_id, "answer": decision.answer, "method": "online"})
        if created and link.guardian.email:
            email_queue(to=link.guardian.email, template="consent_receipt",
                        context={"decisions": created, "child_name": child_first_name(link.pupil)})
    return created


def consent_record_by_office(*, pupil, guardian, purpose, answer, method, note, user, request=None, now=None):
    """The office enters a decision a parent gave on paper or in person."""
    with transaction.atomic():
        decision = ConsentDecision.objects.create(
            pupil=pupil, purpose=purpose, guardian=guardian, answer=answer, method=method, note=note,
            decided_at=now or timezone.now(), recorded_by=user, ip_address=None, user_agent="")
        audit_record(action="consent.decision.recorded", actor=user, obj=decision, request=request,
                     detail={"purpose": purpose.pk, "answer": answer, "method": method})
    return decision


def consent_settings_update(*, every_guardian_must_agree, user, request=None):
    with transaction.atomic():
        settings, _created = ConsentSettings.objects.update_or_create(
            pk=1, defaults={"every_guardian_must_agree": every_guardian_must_agree})
        audit_record(action="consent.settings.changed", actor=user, obj=settings, request=request,
                     detail={"every_guardian_must_agree": every_guardian_must_agree})
    return settings


def purpose_save(*, purpose, user, request=None):
    """Add or change a purpose (a ModelForm's unsaved instance)."""
    created = purpose.pk is None
    with transaction.atomic():
        purpose.save()
        audit_record(action="consent.purpose.created" if created else "consent.purpose.changed", actor=user,
                     obj=purpose, request=request, detail={"active": purpose.active})
    return purpose


def leavers_list_for_review(*, today=None):
    """Put every pupil who has left on the images-to-review list (once). Returns the new rows."""
    today = today or timezone.localdate()
    leavers = (Pupil.objects.filter(leaving_date__isnull=False, leaving_date__lte=today)
               .exclude(image_review__isnull=False))
    with transaction.atomic():
        rows = LeaverImageReview.objects.bulk_create([LeaverImageReview(pupil=pupil) for pupil in leavers])
    return rows


def leaver_review_done(*, review, user, request=None):
    with transaction.atomic():
        updated = LeaverImageReview.objects.filter(pk=review.pk, reviewed_at__isnull=True).update(
            reviewed_at=timezone.now(), reviewed_by=user)
        if updated:
            audit_record(action="consent.leaver_images.reviewed", actor=user, obj=review.pupil, request=request)
    return bool(updated)


def office_recipients():
    from safety_portal.school import roles

    return list(User.objects.filter(is_active=True, groups__name=roles.ADMINISTRATOR).distinct()
                .values_list("email", flat=True))
