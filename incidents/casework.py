"""Working a case to closure: triage, checklist, chronology, referrals, parents, imagery, files, close.

Every function is keyword-only, runs in one transaction, writes its audit event with the
change and marks the incident as active. The views ask incidents.access who may call them.
Audit details hold ids and choices only, never what was written about a child.
"""

import codecs
import datetime
import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents import procedures
from incidents.models import (
    IMAGERY_TYPES,
    Agency,
    Attachment,
    ChronologyEntry,
    EntryKind,
    ImageryView,
    Incident,
    ParentContact,
    ProcedureStep,
    Referral,
    Sensitivity,
    Status,
    StatusChange,
    StepState,
    sensitivity_of,
)
from safety_portal.audit.services import audit_record
from safety_portal.school import roles

FUTURE_SLACK = datetime.timedelta(minutes=5)  # clocks on phones drift a little
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


# The code of the error raised when a form was opened before someone else changed the case.
STALE_CASE = "stale_case"


def _touch(incident, now=None):
    """Note activity on a case whose row is locked: every change counts as a new revision."""
    incident.last_activity_at = now or timezone.now()
    Incident.objects.filter(pk=incident.pk).update(last_activity_at=incident.last_activity_at,
                                                   revision=F("revision") + 1)
    incident.revision += 1


def _require_current(incident, revision):
    """Refuse a change made from a page opened before the case last changed (optimistic locking).

    `incident` is the locked row. revision is None for callers without a page (demo, scripts).
    """
    if revision is not None and revision != incident.revision:
        raise ValidationError(_("Someone else changed this case while you were editing, so nothing you "
                                "entered has been saved. Check the case as it is now and apply your change "
                                "again: what you entered is still in the form."), code=STALE_CASE)


def _require_open(incident):
    if incident.is_closed:
        raise ValidationError(_("This case is closed. Reopen it to make changes."))


def _locked(incident):
    """The incident's row, locked for this transaction, so two people cannot change its status at once."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _audit(action, *, incident, actor, request, **detail):
    audit_record(action=action, actor=actor, obj=incident, request=request, detail=detail or None)


# --- Viewing ---------------------------------------------------------------------------------------


def incident_viewed(*, incident, actor, request=None):
    _audit("incidents.incident.viewed", incident=incident, actor=actor, request=request)


# --- Triage ----------------------------------------------------------------------------------------


def _sync_steps(incident):
    """Copy the type's procedure onto the case; keep every decided step; drop undecided ones no longer asked for."""
    wanted = procedures.steps_for(incident.incident_type)
    wanted_keys = [key for key, _text in wanted]
    existing = {step.key: step for step in incident.steps.all()}
    stale = [step.pk for key, step in existing.items() if key not in wanted_keys and step.state == StepState.OPEN]
    ProcedureStep.objects.filter(pk__in=stale).delete()
    added = []
    for index, (key, text) in enumerate(wanted, start=1):
        if key in existing:
            if existing[key].order != index:
                ProcedureStep.objects.filter(pk=existing[key].pk).update(order=index)
        else:
            added.append(ProcedureStep(incident=incident, order=index, key=key, text=str(text)))
    ProcedureStep.objects.bulk_create(added)
    # Decided steps from an earlier type stay, after the current procedure.
    kept = [step for key, step in existing.items() if key not in wanted_keys and step.state != StepState.OPEN]
    for offset, step in enumerate(sorted(kept, key=lambda s: s.order), start=len(wanted) + 1):
        ProcedureStep.objects.filter(pk=step.pk).update(order=offset)
    return [key for key in wanted_keys if key not in existing]


def triage_errors(*, incident, actor, incident_type, owner, named_people):
    """Rules that depend on who is triaging, as {field: message}."""
    errors = {}
    restricted = sensitivity_of(incident_type) == Sensitivity.RESTRICTED
    is_head = actor.has_role(roles.HEADTEACHER)
    if incident.sensitivity == Sensitivity.RESTRICTED and not restricted and not is_head:
        # Lifting the restriction would show an allegation to every DSL, perhaps the person accused.
        errors["incident_type"] = _("Only the headteacher can move a restricted case to another type.")
    if incident_type in IMAGERY_TYPES and incident.incident_type not in IMAGERY_TYPES \
            and incident.attachments.exists():
        errors["incident_type"] = _("This case has attached files, and no files may be kept on a nudes or "
                                    "indecent-image case. Ask the headteacher how to deal with the files first.")
    if named_people is not None and not is_head:
        errors["named_people"] = _("Only the headteacher decides who is named on a case.")
    named = set(named_people if named_people is not None else incident.named_people.all())
    if restricted and owner is not None and not owner.has_role(roles.HEADTEACHER) and owner not in named:
        errors["owner"] = _("A restricted case can be owned only by the headteacher or someone named on it.")
    return errors


def incident_triage(*, incident, actor, area, incident_type, severity, child_protection, owner,
                    named_people=None, revision=None, request=None):
    """Confirm or change the type and the judgements on a case; a new case becomes open.

    named_people is None when the actor may not change them (only the headteacher may).
    Returns True if the actor can still open the case afterwards: a DSL who moves a case
    to a restricted type hands it to the headteacher unless they are named on it.
    """
    errors = triage_errors(incident=incident, actor=actor, incident_type=incident_type, owner=owner,
                           named_people=named_people)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident)
        _require_open(incident)
        _require_current(incident, revision)
        before = {"type": incident.incident_type, "sensitivity": incident.sensitivity}
        changed = []
        new_values = {"area": area, "incident_type": incident_type, "severity": severity,
                      "child_protection": child_protection, "owner_id": owner.pk if owner else None,
                      "sensitivity": int(sensitivity_of(incident_type))}
        previous = {}
        for field, value in new_values.items():
            if getattr(incident, field) != value:
                previous[field.removesuffix("_id")] = [getattr(incident, field), value]
                setattr(incident, field, value)
                changed.append(field.removesuffix("_id"))
        detail = {"fields": changed, "changes": previous}
        if incident.immediate_risk and incident.acknowledged_at is None:
            # Triaging an urgent concern is seeing it: it need not stay pinned as well.
            incident.acknowledged_at, incident.acknowledged_by = now, actor
            detail["acknowledged"] = True
        if incident.status == Status.NEW:
            StatusChange.objects.create(incident=incident, from_status=Status.NEW, to_status=Status.OPEN,
                                        changed_by=actor, changed_at=now, reason=_("Triaged"))
            incident.status = Status.OPEN
            detail["status"] = Status.OPEN
        incident.last_activity_at = now
        incident.revision += 1
        incident.save()
        if named_people is not None:
            current = set(incident.named_people.all())
            if current != set(named_people):
                incident.named_people.set(named_people)
                detail["named"] = sorted(user.pk for user in named_people)
        added = _sync_steps(incident)
        if added:
            detail["steps_added"] = added
        if before["type"] != incident.incident_type:
            detail["before"] = before["type"]
            detail["after"] = incident.incident_type
        _audit("incidents.incident.triaged", incident=incident, actor=actor, request=request, **detail)
    if actor.has_role(roles.HEADTEACHER) or incident.sensitivity < Sensitivity.RESTRICTED:
        return True
    return incident.named_people.filter(pk=actor.pk).exists()


# --- Procedure steps -------------------------------------------------------------------------------


def step_decide(*, step, actor, state, reason="", revision=None, request=None):
    reason = (reason or "").strip()
    if state == StepState.NOT_APPLICABLE and not reason:
        raise ValidationError({"reason": _("Say why this step does not apply.")})
    if state not in StepState.values:
        raise ValidationError({"state": _("Choose done, not applicable or to do.")})
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(step.incident)
        _require_open(incident)
        _require_current(incident, revision)
        # Read again under the case's lock: a colleague may have decided it since the page was opened.
        step = ProcedureStep.objects.get(pk=step.pk)
        if step.state != StepState.OPEN:
            # The record keeps what was decided, by whom and why; explain a change in the chronology.
            raise ValidationError({"state": _("This step has been decided and stays on the record. If the "
                                              "decision has changed, add a chronology entry to say so.")})
        step.state = state
        step.decided_by, step.decided_at = actor, now
        step.reason = reason if state == StepState.NOT_APPLICABLE else ""
        step.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        _touch(incident, now)
        _audit("incidents.step.updated", incident=incident, actor=actor, request=request, step=step.key, state=state)
    return step


# --- Chronology ------------------------------------------------------------------------------------


def _check_not_future(when, field):
    if when > timezone.now() + FUTURE_SLACK:
        raise ValidationError({field: _("This is in the future: when did it happen?")})


def chronology_add(*, incident, actor, kind, happened_at, text, request=None):
    if kind == EntryKind.CORRECTION:
        raise ValidationError({"kind": _("To correct an entry, use “Correct” beside it.")})
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what happened.")})
    _check_not_future(happened_at, "happened_at")
    with transaction.atomic():
        incident = _locked(incident)
        _require_open(incident)
        entry = ChronologyEntry.objects.create(incident=incident, kind=kind, happened_at=happened_at,
                                               author=actor, text=text.strip())
        _touch(incident, entry.recorded_at)
        _audit("incidents.chronology.added", incident=incident, actor=actor, request=request,
               entry=entry.pk, kind=kind)
    return entry


def chronology_correct(*, entry, actor, text, request=None):
    """A new entry pointing at the one it corrects. The original is never changed."""
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the correction.")})
    with transaction.atomic():
        incident = _locked(entry.incident)
        _require_open(incident)
        # Same "happened at" as the original, so the correction sits right after it.
        correction = ChronologyEntry.objects.create(incident=incident, kind=EntryKind.CORRECTION,
                                                    happened_at=entry.happened_at, author=actor,
                                                    text=text.strip(), corrects=entry)
        _touch(incident, correction.recorded_at)
        _audit("incidents.chronology.corrected", incident=incident, actor=actor, request=request,
               entry=correction.pk, corrects=entry.pk)
    return correction


# --- Referrals, parents, imagery -------------------------------------------------------------------


def referral_errors(*, decision, agency, agency_other, rationale, made_on):
    errors = {}
    if decision in (Referral.Decision.REFERRED, Referral.Decision.ADVICE) and not agency:
        errors["agency"] = _("Choose the agency.")
    if agency == Agency.OTHER and not (agency_other or "").strip():
        errors["agency_other"] = _("Name the agency.")
    if decision == Referral.Decision.NOT_REFERRED and not (rationale or "").strip():
        errors["rationale"] = _("Give the reason for deciding not to refer.")
    if made_on and made_on > timezone.localdate():
        errors["made_on"] = _("This date is in the future.")
    return errors


def referral_record(*, incident, actor, decision, made_on, agency="", agency_other="", external_reference="",
                    outcome="", rationale="", request=None):
    errors = referral_errors(decision=decision, agency=agency, agency_other=agency_other, rationale=rationale,
                             made_on=made_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = _locked(incident)
        _require_open(incident)
        referral = Referral.objects.create(
            incident=incident, decision=decision, agency=agency or "",
            agency_other=(agency_other or "").strip() if agency == Agency.OTHER else "",
            made_on=made_on, external_reference=(external_reference or "").strip(), outcome=(outcome or "").strip(),
            rationale=(rationale or "").strip(), recorded_by=actor)
        _touch(incident, referral.recorded_at)
        _audit("incidents.referral.recorded", incident=incident, actor=actor, request=request,
               referral=referral.pk, decision=decision, agency=agency or "")
    return referral


def parents_record(*, incident, actor, informed, informed_by, informed_at=None, method="", rationale="",
                   revision=None, request=None):
    errors = {}
    if informed:
        if informed_at is None:
            errors["informed_at"] = _("Say when they were told.")
        elif informed_at > timezone.now() + FUTURE_SLACK:
            errors["informed_at"] = _("This is in the future: when were they told?")
        if not method:
            errors["method"] = _("Say how they were told.")
    elif not (rationale or "").strip():
        errors["rationale"] = _("Give the reason for not telling the parents or carers.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = _locked(incident)
        _require_open(incident)
        # The latest record is the case's answer to "were the parents told?": do not replace it unseen.
        _require_current(incident, revision)
        contact = ParentContact.objects.create(
            incident=incident, informed=informed, informed_at=informed_at if informed else None,
            method=method if informed else "", informed_by=informed_by,
            rationale="" if informed else rationale.strip())
        _touch(incident, contact.recorded_at)
        _audit("incidents.parents.recorded", incident=incident, actor=actor, request=request,
               record=contact.pk, informed=informed)
    return contact


def imagery_view_record(*, incident, actor, viewed_by, viewed_at, justification, request=None):
    if incident.incident_type not in IMAGERY_TYPES:
        raise ValidationError(_("Imagery viewing is recorded only on nudes and indecent-image cases."))
    errors = {}
    if not (justification or "").strip():
        errors["justification"] = _("Say why the imagery had to be viewed.")
    if viewed_at > timezone.now() + FUTURE_SLACK:
        errors["viewed_at"] = _("This is in the future: when was it viewed?")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = _locked(incident)
        _require_open(incident)
        record = ImageryView.objects.create(incident=incident, viewed_by=viewed_by, viewed_at=viewed_at,
                                            justification=justification.strip())
        _touch(incident, record.recorded_at)
        _audit("incidents.imagery.viewed_recorded", incident=incident, actor=actor, request=request,
               record=record.pk, viewed_by=viewed_by.pk)
    return record


# --- Attachments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extension: str


PDF = FileKind("PDF", "application/pdf", ".pdf")
PNG = FileKind("PNG", "image/png", ".png")
JPEG = FileKind("JPEG", "image/jpeg", ".jpg")
TEXT = FileKind("text", "text/plain; charset=utf-8", ".txt")
DOCX = FileKind("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}


def looks_like_image(head):
    """True for PNG, JPEG, GIF, WebP and HEIC/HEIF/AVIF content, whatever the file is called."""
    return (head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
            or (head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS))


# Markup anywhere near the start (after a comment, say) makes a "text" file a web page or an SVG.
MARKUP_TAGS = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe", b"<object")


def _is_text(upload):
    """UTF-8 without control characters, and not a web page or SVG (plain text is notes, not markup)."""
    upload.seek(0)
    start = upload.read(4096).lower()
    if any(tag in start for tag in MARKUP_TAGS):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            text = decoder.decode(chunk)
            if any(ord(char) < 32 and char not in "\t\n\r\f" for char in text):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _is_docx(upload):
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def sniff_upload(upload):
    """What the file really is, from its content: PDF, PNG, JPEG, plain text or Word (.docx).

    Raises ValidationError for anything else. The name the file arrived with counts for nothing.
    """
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is %(size)s MB; the largest allowed is 10 MB.")
                               % {"size": f"{upload.size / (1024 * 1024):.1f}"}})
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"PK\x03\x04") and _is_docx(upload):
        kind = DOCX
    elif _is_text(upload):
        kind = TEXT
    upload.seek(0)
    if kind is None:
        raise ValidationError({"file": _("This kind of file cannot be attached. Attach a PDF, PNG or JPEG image, "
                                         "plain text or Word (.docx) document.")})
    return kind


def attachment_add(*, incident, actor, upload, request=None):
    """Store an evidence file under MEDIA_ROOT (never served directly) with its checksum."""
    if incident.incident_type in IMAGERY_TYPES:
        upload.seek(0)
        if looks_like_image(upload.read(16)):
            message = _("This file is an image. Images must never be uploaded to a nudes or indecent-image case, "
                        "whatever the file is called: do not copy or store the imagery.")
        else:
            message = _("Files cannot be attached to a nudes or indecent-image case, so that no imagery is ever "
                        "stored here. Record what happened in the chronology instead.")
        raise ValidationError({"file": message})
    kind = sniff_upload(upload)  # raises ValidationError for anything not allowed
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # A random stored name: the uploader's name is kept for display only.
    original = os.path.basename(upload.name or "")[:255]
    upload.name = f"{uuid.uuid4().hex}{kind.extension}"
    with transaction.atomic():
        incident = _locked(incident)
        _require_open(incident)
        attachment = Attachment.objects.create(
            incident=incident, file=upload, original_name=original or upload.name, content_type=kind.content_type,
            size=upload.size, sha256=digest.hexdigest(), uploaded_by=actor)
        _touch(incident, attachment.uploaded_at)
        _audit("incidents.attachment.uploaded", incident=incident, actor=actor, request=request,
               attachment=attachment.pk, sha256=attachment.sha256, size=attachment.size)
    return attachment


def attachment_downloaded(*, attachment, actor, request=None):
    _audit("incidents.attachment.downloaded", incident=attachment.incident, actor=actor, request=request,
           attachment=attachment.pk)


# --- Closing and reopening -------------------------------------------------------------------------


def incident_close(*, incident, actor, outcome, lessons_learnt, revision=None, request=None):
    errors = {}
    if not (outcome or "").strip():
        errors["outcome"] = _("Summarise the outcome before closing the case.")
    if not (lessons_learnt or "").strip():
        errors["lessons_learnt"] = _("Record the lessons learnt before closing the case (write “none” and why, "
                                     "if there were none).")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident)
        if incident.is_closed:
            raise ValidationError(_("This case is already closed."))
        _require_current(incident, revision)
        undecided = incident.steps.filter(state=StepState.OPEN).count()
        if undecided:
            # Every step of the procedure is on the record as done, or not applicable with a reason.
            raise ValidationError(ngettext(
                "One procedure step is still to do: mark it done, or not applicable with a reason, first.",
                "%(count)d procedure steps are still to do: mark each done, or not applicable with a reason, first.",
                undecided) % {"count": undecided})
        StatusChange.objects.create(incident=incident, from_status=incident.status, to_status=Status.CLOSED,
                                    changed_by=actor, changed_at=now, outcome=outcome.strip(),
                                    lessons_learnt=lessons_learnt.strip())
        incident.status, incident.closed_at, incident.last_activity_at = Status.CLOSED, now, now
        incident.outcome, incident.lessons_learnt = outcome.strip(), lessons_learnt.strip()
        incident.revision += 1
        incident.save(update_fields=["status", "closed_at", "last_activity_at", "outcome", "lessons_learnt",
                                     "revision"])
        _audit("incidents.incident.closed", incident=incident, actor=actor, request=request)
    return incident


def incident_reopen(*, incident, actor, reason, revision=None, request=None):
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for reopening the case.")})
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident)
        if not incident.is_closed:
            raise ValidationError(_("This case is not closed."))
        _require_current(incident, revision)
        StatusChange.objects.create(incident=incident, from_status=Status.CLOSED, to_status=Status.OPEN,
                                    changed_by=actor, changed_at=now, reason=reason.strip())
        # The outcome and lessons stay on the record until the case is closed again.
        incident.status, incident.closed_at, incident.last_activity_at = Status.OPEN, None, now
        incident.revision += 1
        incident.save(update_fields=["status", "closed_at", "last_activity_at", "revision"])
        _audit("incidents.incident.reopened", incident=incident, actor=actor, request=request)
    return incident

