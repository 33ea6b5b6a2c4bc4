"""The case page: everything about one incident, and the DSL's actions on it.

Reading asks incident_for_user (outsiders get 404); every change also needs
can_work_incidents. The work itself is in incidents.casework. A form with errors
re-renders the whole page with what was typed, so nothing is lost.
"""

import os
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from incidents import casework
from incidents.access import can_work_incidents, incident_for_user
from incidents.forms_case import (
    AttachmentForm,
    ChronologyForm,
    CloseForm,
    CorrectionForm,
    ImageryViewForm,
    ParentsForm,
    ReferralForm,
    ReopenForm,
    StepForm,
    TriageForm,
)
from incidents.models import Incident, Sensitivity, StepState
from safety_portal.school import roles
from safety_portal.school.access import can_open_pupil

# The extensions a download may carry for each stored content type.
DOWNLOAD_EXTENSIONS = {
    casework.PDF.content_type: (".pdf",),
    casework.PNG.content_type: (".png",),
    casework.JPEG.content_type: (".jpg", ".jpeg"),
    casework.TEXT.content_type: (".txt",),
    casework.DOCX.content_type: (".docx",),
}


def post_or_back_to_case(view):
    """Case-work addresses take a POST. Opened any other way (the address stays in the browser's
    bar after a refused form), they show the case instead of an empty error page."""

    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        if request.method != "POST":
            return redirect("incidents:detail", pk)
        return view(request, pk, *args, **kwargs)

    return wrapped


def _case_url(incident, anchor=""):
    return reverse("incidents:detail", args=[incident.pk]) + (f"#{anchor}" if anchor else "")


def _workable_incident(request, pk):
    """The incident, if this person may change it: 404 for outsiders and for readers such as technical staff."""
    incident = incident_for_user(request.user, pk)
    if not can_work_incidents(request.user):
        raise Http404
    return incident


def _chronology(incident):
    """Entries in time order; each knows the corrections made to it and the entry it corrects."""
    entries = list(incident.chronology.select_related("author"))
    by_pk = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.corrected_by = []
    for entry in entries:
        if entry.corrects_id:
            entry.corrected_entry = by_pk.get(entry.corrects_id)
            if entry.corrected_entry:
                entry.corrected_entry.corrected_by.append(entry)
    return entries


def _render_case(request, incident, *, bound=None, step_errors=None, correction_errors=None):
    user = request.user
    can_work = can_work_incidents(user)
    bound = bound or {}
    context = {
        "incident": incident,
        "can_work": can_work,
        "can_open_pupils": can_open_pupil(user),
        "pupil_links": list(incident.pupil_links.select_related("pupil")
                            .order_by("pupil__last_name", "pupil__first_name", "pk")),
        "status_changes": list(incident.status_changes.select_related("changed_by")),
        "steps": list(incident.steps.select_related("decided_by")),
        "chronology": _chronology(incident),
        "referrals": list(incident.referrals.select_related("recorded_by")),
        "parent_contacts": list(incident.parent_contacts.select_related("informed_by")),
        "imagery_views": list(incident.imagery_views.select_related("viewed_by")) if incident.imagery_rules_apply
        else [],
        "attachments": list(incident.attachments.select_related("uploaded_by")),
        "named_people": list(incident.named_people.all()),
        "is_restricted": incident.sensitivity == Sensitivity.RESTRICTED,
        "step_errors": step_errors or {},
        "correction_errors": correction_errors or {},
        "StepState": StepState,
        # Who read or changed this case, for those who may read the trail.
        "audit_trail_url": (reverse("audit:events") + f"?record_type=incidents.incident&record_id={incident.pk}"
                            if user.has_role(*roles.AUDIT_READERS) else ""),
    }
    if can_work:
        context.update({
            "triage_form": bound.get("triage") or TriageForm(incident=incident, user=user),
            "chronology_form": bound.get("chronology") or ChronologyForm(),
            "referral_form": bound.get("referral") or ReferralForm(),
            "parents_form": bound.get("parents") or ParentsForm(user=user, incident=incident),
            "imagery_form": bound.get("imagery") or ImageryViewForm(user=user),
            "attachment_form": bound.get("attachment") or AttachmentForm(),
            "close_form": bound.get("close") or CloseForm(incident=incident),
            "reopen_form": bound.get("reopen") or ReopenForm(incident=incident),
        })
    if bound or step_errors or correction_errors:
        # Errors about the case as a whole (such as "it is closed") may belong to a form that is not shown.
        general = [error for form in bound.values() for error in form.non_field_errors()]
        messages.error(request, " ".join([_("Nothing was saved:"), *general]) if general
                       else _("Nothing was saved: please correct the errors highlighted below."))
    response = render(request, "incidents/detail.html", context)
    # Every read of a case is on the audit trail; written last so the chain's lock is held briefly.
    casework.incident_viewed(incident=incident, actor=user, request=request)
    return response


def _attempt(form, action, incident=None):
    """Run a casework action, copying any rule it refuses back onto the form. True if it ran.

    Refused because a colleague changed the case meanwhile: the form keeps what was typed and
    now carries the case's current revision, so sending it again (after checking) applies it."""
    try:
        action()
    except ValidationError as error:
        form.add_error(None, error)
        if getattr(error, "code", None) == casework.STALE_CASE:
            form.revision_refresh(Incident.objects.only("revision").get(pk=incident.pk))
        return False
    return True


@login_required  # outsiders get 404 from the access helper, so a case cannot be probed
def detail(request, pk):
    incident = incident_for_user(request.user, pk)
    return _render_case(request, incident)


@post_or_back_to_case
@login_required
def triage(request, pk):
    incident = _workable_incident(request, pk)
    form = TriageForm(request.POST, incident=incident, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        result = {}

        def run():
            result["visible"] = casework.incident_triage(
                incident=incident, actor=request.user, area=data["area"], incident_type=data["incident_type"],
                severity=data["severity"], child_protection=data["child_protection"], owner=data["owner"],
                named_people=list(data["named_people"]) if form.may_name else None, revision=data["revision"],
                request=request)

        if _attempt(form, run, incident):
            if not result["visible"]:
                messages.success(request, _("%(reference)s is now a restricted case: only the headteacher and the "
                                            "people they name on it can open it.") % {"reference": incident})
                return redirect("home")
            messages.success(request, _("Triage saved."))
            return redirect(_case_url(incident, "procedure"))
    return _render_case(request, incident, bound={"triage": form})


@post_or_back_to_case
@login_required
def step(request, pk, step_pk):
    incident = _workable_incident(request, pk)
    procedure_step = get_object_or_404(incident.steps, pk=step_pk)
    form = StepForm(request.POST, incident=incident)
    if form.is_valid():
        try:
            casework.step_decide(step=procedure_step, actor=request.user, state=form.cleaned_data["state"],
                                 reason=form.cleaned_data["reason"], revision=form.cleaned_data["revision"],
                                 request=request)
        except ValidationError as error:
            message = " ".join(error.messages)
        else:
            return redirect(_case_url(incident, f"step-{procedure_step.pk}"))
    else:
        message = _("Choose done, not applicable or to do.")
    return _render_case(request, incident, step_errors={procedure_step.pk: {
        "message": message, "reason": request.POST.get("reason", "")}})


def _record(request, incident, form, save, *, done, anchor, key):
    """One more record on the case: save it through `save` and go back to its section, or show
    the case again with the form's errors and what was typed."""
    if form.is_valid() and _attempt(form, lambda: save(incident=incident, actor=request.user, request=request,
                                                       **form.cleaned_data), incident):
        messages.success(request, done)
        return redirect(_case_url(incident, anchor))
    return _render_case(request, incident, bound={key: form})


@post_or_back_to_case
@login_required
def chronology_add(request, pk):
    incident = _workable_incident(request, pk)
    return _record(request, incident, ChronologyForm(request.POST), casework.chronology_add,
                   done=_("Added to the chronology."), anchor="chronology", key="chronology")


@post_or_back_to_case
@login_required
def chronology_correct(request, pk, entry_pk):
    incident = _workable_incident(request, pk)
    entry = get_object_or_404(incident.chronology, pk=entry_pk)
    form = CorrectionForm(request.POST)
    if form.is_valid() and _attempt(form, lambda: casework.chronology_correct(
            entry=entry, actor=request.user, text=form.cleaned_data["text"], request=request)):
        messages.success(request, _("Correction added. The original entry is kept and marked as corrected."))
        return redirect(_case_url(incident, f"entry-{entry.pk}"))
    errors = [message for messages_ in form.errors.values() for message in messages_]
    return _render_case(request, incident, correction_errors={entry.pk: {
        "message": " ".join(errors), "text": request.POST.get("text", "")}})


@post_or_back_to_case
@login_required
def referral_add(request, pk):
    incident = _workable_incident(request, pk)
    return _record(request, incident, ReferralForm(request.POST), casework.referral_record,
                   done=_("Referral decision recorded."), anchor="referrals", key="referral")


@post_or_back_to_case
@login_required
def parents_add(request, pk):
    incident = _workable_incident(request, pk)
    return _record(request, incident, ParentsForm(request.POST, user=request.user, incident=incident),
                   casework.parents_record,
                   done=_("Recorded whether the parents or carers were told."), anchor="parents", key="parents")


@post_or_back_to_case
@login_required
def imagery_view_add(request, pk):
    incident = _workable_incident(request, pk)
    if not incident.imagery_rules_apply:
        raise Http404
    return _record(request, incident, ImageryViewForm(request.POST, user=request.user),
                   casework.imagery_view_record, done=_("The viewing of imagery has been recorded."),
                   anchor="imagery", key="imagery")


@post_or_back_to_case
@login_required
def attachment_add(request, pk):
    incident = _workable_incident(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid() and _attempt(form, lambda: casework.attachment_add(
            incident=incident, actor=request.user, upload=form.cleaned_data["file"], request=request)):
        messages.success(request, _("File attached."))
        return redirect(_case_url(incident, "attachments"))
    return _render_case(request, incident, bound={"attachment": form})


@login_required
def attachment(request, pk, attachment_pk):
    incident = incident_for_user(request.user, pk)
    if not can_work_incidents(request.user) or incident.imagery_rules_apply:
        # Evidence files are for the DSL team, and none is ever served from a nudes or indecent-image case.
        raise Http404
    stored = get_object_or_404(incident.attachments, pk=attachment_pk)
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    name = stored.original_name or os.path.basename(stored.file.name)
    extensions = DOWNLOAD_EXTENSIONS.get(stored.content_type, ())
    if extensions and not name.lower().endswith(extensions):
        name += extensions[0]  # never let a renamed file open as something else on the user's computer
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=stored.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    casework.attachment_downloaded(attachment=stored, actor=request.user, request=request)
    return response


@post_or_back_to_case
@login_required
def close(request, pk):
    incident = _workable_incident(request, pk)
    form = CloseForm(request.POST, incident=incident)
    if form.is_valid() and _attempt(form, lambda: casework.incident_close(
            incident=incident, actor=request.user, request=request, **form.cleaned_data), incident):
        messages.success(request, _("The case is closed."))
        return redirect(_case_url(incident))
    return _render_case(request, incident, bound={"close": form})


@post_or_back_to_case
@login_required
def reopen(request, pk):
    incident = _workable_incident(request, pk)
    form = ReopenForm(request.POST, incident=incident)
    if form.is_valid() and _attempt(form, lambda: casework.incident_reopen(
            incident=incident, actor=request.user, request=request, reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"]), incident):
        messages.success(request, _("The case is open again."))
        return redirect(_case_url(incident))
    return _render_case(request, incident, bound={"reopen": form})

