"""The online-safety lead's pages: write, preview and publish each audience's agreement.

Compliance readers (the office, the DSL, the headteacher) may read every text and its history,
so they know which version is current; only the online-safety lead changes anything. Writes go
through agreements.services, which audits each one.

A page can be out of date by the time it is sent back (two tabs, or a colleague): every form
names the version it was opened for, and a version that has since been published or discarded
is never changed. The text that was typed is shown again instead of being lost.
"""

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from agreements import compliance, services
from agreements.access import COMPLIANCE_READERS, MANAGERS, can_manage_agreements
from agreements.forms_manage import AfterSigningNoteForm, DraftForm, NamedSignersForm
from agreements.markdown import markdown_to_safe_html
from agreements.models import Agreement, AgreementVersion, Audience, VersionStatus
from safety_portal.school.access import role_required

AUDIENCE_ORDER = list(Audience.values)


def _agreement(audience):
    # Only the list page, the way in to these pages, creates missing agreements: the others only read.
    return get_object_or_404(Agreement.objects.select_related("current_version__published_by"), audience=audience)


def _draft(agreement):
    return agreement.versions.filter(status=VersionStatus.DRAFT).first()


def _posted_version(agreement, request):
    """The version a form was opened for, whatever its status now; None if it no longer exists."""
    try:
        pk = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return agreement.versions.filter(pk=pk).first()


def _reviewed_fingerprint(version):
    """What the publishing page showed: the exact text and whether everyone signs again."""
    return f"{version.computed_hash()}:{int(version.requires_resign)}"


def _publish_problems(version):
    problems = []
    if not version.title.strip():
        problems.append(_("The draft has no title. Add one before you publish."))
    if not version.body.strip():
        problems.append(_("The draft has no text. Write the agreement before you publish."))
    return problems


def _counting_signatures(agreement):
    """Signatures that count as current now: the ones a 'sign again' version stops counting."""
    return compliance.counted_signatures(agreement).count()


# --- Reading ----------------------------------------------------------------------------------

@role_required(*COMPLIANCE_READERS)
def agreement_list(request):
    services.agreements_ensure()
    draft_number = AgreementVersion.objects.filter(
        agreement=OuterRef("pk"), status=VersionStatus.DRAFT).values("number")[:1]
    agreements = sorted(
        Agreement.objects.select_related("current_version").annotate(draft_number=Subquery(draft_number)),
        key=lambda agreement: AUDIENCE_ORDER.index(agreement.audience))
    return render(request, "agreements/manage_list.html", {
        "agreements": agreements, "can_manage": can_manage_agreements(request.user),
    })


def _render_agreement(request, agreement, *, signers_form=None, note_form=None):
    can_manage = can_manage_agreements(request.user)
    versions = list(agreement.versions.select_related("published_by"))
    context = {
        "agreement": agreement,
        "current": agreement.current_version,
        "versions": versions,
        "draft": next((version for version in versions if version.is_draft), None),
        "can_manage": can_manage,
    }
    if agreement.audience == Audience.SOCIAL_MEDIA:
        context["named_signers"] = list(agreement.named_signers.order_by("last_name", "first_name", "email"))
        if can_manage:
            context["signers_form"] = signers_form or NamedSignersForm(initial={"users": context["named_signers"]})
    if agreement.audience == Audience.VISITOR and can_manage:
        context["note_form"] = note_form or AfterSigningNoteForm(initial={"note": agreement.after_signing_note})
    if signers_form or note_form:
        messages.error(request, _("Nothing was saved: please correct the errors highlighted below."))
    return render(request, "agreements/manage_agreement.html", context)


@role_required(*COMPLIANCE_READERS)
def agreement_detail(request, audience):
    return _render_agreement(request, _agreement(audience))


@role_required(*COMPLIANCE_READERS)
def version_detail(request, audience, number):
    agreement = _agreement(audience)
    version = get_object_or_404(agreement.versions.select_related("published_by", "created_by"), number=int(number))
    return render(request, "agreements/manage_version.html", {
        "agreement": agreement, "version": version, "can_manage": can_manage_agreements(request.user),
        "is_current": version.pk == agreement.current_version_id,
    })


# --- Drafts -----------------------------------------------------------------------------------

@role_required(*MANAGERS)
def draft_start(request, audience):
    agreement = _agreement(audience)
    if request.method == "POST":
        services.version_draft_start(agreement=agreement, user=request.user, request=request)
        return redirect("agreements:draft_edit", agreement.audience)
    return redirect(agreement)


def _no_draft(request, agreement):
    messages.info(request, _("There is no draft of this agreement. Start a new draft to change its text."))
    return redirect(agreement)


def _render_draft(request, agreement, draft, form, *, preview=None, stale=False):
    return render(request, "agreements/manage_draft_edit.html", {
        "agreement": agreement, "draft": draft, "form": form, "preview": preview, "stale": stale,
    })


def _render_stale(request, agreement, version, form):
    """The draft was published or discarded elsewhere: nothing is saved, and what was typed stays on screen."""
    if version is None:
        messages.error(request, _("This draft was discarded, so nothing was saved. Your text is below: copy what "
                                  "you need, then start a new draft."))
    else:
        messages.error(request, _("Version %(number)s was published while you were editing, so nothing was saved: "
                                  "a published text never changes. Your text is below: copy what you need, then "
                                  "start a new draft.") % {"number": version.number})
    form.make_read_only()
    return _render_draft(request, agreement, None, form, stale=True)


@role_required(*MANAGERS)
def draft_edit(request, audience):
    agreement = _agreement(audience)
    if request.method != "POST":
        draft = _draft(agreement)
        if draft is None:
            return _no_draft(request, agreement)
        return _render_draft(request, agreement, draft, DraftForm.for_version(draft))

    version = _posted_version(agreement, request)
    form = DraftForm(request.POST)
    if version is None or version.is_frozen:
        return _render_stale(request, agreement, version, form)
    if "preview" in request.POST:
        # Nothing is saved: the preview is the typed text, rendered exactly as signers will see it.
        return _render_draft(request, agreement, version, form,
                             preview=markdown_to_safe_html(request.POST.get("body", "")))
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: please correct the errors highlighted below."))
        return _render_draft(request, agreement, version, form)
    try:
        services.version_draft_save(version=version, user=request.user, request=request, **form.cleaned_data)
    except services.VersionFrozen:
        version.refresh_from_db()
        return _render_stale(request, agreement, version, form)
    if "publish" in request.POST:
        return redirect("agreements:draft_publish", agreement.audience)
    messages.success(request, _("The draft is saved. Nobody sees it until you publish it."))
    return redirect("agreements:draft_edit", agreement.audience)


@role_required(*MANAGERS)
def draft_publish(request, audience):
    agreement = _agreement(audience)
    if request.method == "POST":
        return _publish(request, agreement)
    draft = _draft(agreement)
    if draft is None:
        return _no_draft(request, agreement)
    return render(request, "agreements/manage_draft_publish.html", {
        "agreement": agreement,
        "draft": draft,
        "problems": _publish_problems(draft),
        "first_version": agreement.current_version_id is None,
        "counting_signatures": _counting_signatures(agreement),
        "reviewed": _reviewed_fingerprint(draft),
    })


def _publish(request, agreement):
    version = _posted_version(agreement, request)
    if version is None:
        messages.error(request, _("This draft was discarded, so nothing was published."))
        return redirect(agreement)
    if version.is_frozen:
        messages.error(request, _("Version %(number)s is already published: nothing was changed.")
                       % {"number": version.number})
        return redirect(agreement)
    if request.POST.get("reviewed") != _reviewed_fingerprint(version):
        messages.error(request, _("The draft changed after you opened this page, so nothing was published. Check it "
                                  "again below."))
        return redirect("agreements:draft_publish", agreement.audience)
    if _publish_problems(version):
        messages.error(request, _("Nothing was published: the draft needs a title and some text."))
        return redirect("agreements:draft_publish", agreement.audience)
    try:
        services.version_publish(version=version, user=request.user, request=request)
    except services.VersionFrozen:
        messages.error(request, _("Version %(number)s is already published: nothing was changed.")
                       % {"number": version.number})
        return redirect(agreement)
    messages.success(request, _("Version %(number)s is published. It is the text people sign from now on.")
                     % {"number": version.number})
    return redirect(agreement)


@role_required(*MANAGERS)
def draft_discard(request, audience):
    agreement = _agreement(audience)
    if request.method == "POST":
        version = _posted_version(agreement, request)
        if version is None:
            messages.info(request, _("This draft had already been discarded."))
            return redirect(agreement)
        try:
            services.version_draft_discard(version=version, user=request.user, request=request)
        except services.VersionFrozen:
            messages.error(request, _("Version %(number)s has been published, so it cannot be discarded. To change "
                                      "it, start a new draft.") % {"number": version.number})
            return redirect(agreement)
        messages.success(request, _("The draft is discarded. Nothing people sign has changed."))
        return redirect(agreement)
    draft = _draft(agreement)
    if draft is None:
        return _no_draft(request, agreement)
    return render(request, "agreements/manage_draft_discard.html", {"agreement": agreement, "draft": draft})


# --- Who signs, and what visitors see ----------------------------------------------------------

@role_required(*MANAGERS)
def named_signers(request):
    agreement = _agreement(Audience.SOCIAL_MEDIA)
    if request.method != "POST":
        return redirect(agreement)
    form = NamedSignersForm(request.POST)
    if not form.is_valid():
        return _render_agreement(request, agreement, signers_form=form)
    users = list(form.cleaned_data["users"])
    services.named_signers_set(agreement=agreement, users=users, user=request.user, request=request)
    messages.success(request, _("Saved: %(count)s staff must sign this agreement.") % {"count": len(users)})
    return redirect(agreement)


@role_required(*MANAGERS)
def after_signing_note(request):
    agreement = _agreement(Audience.VISITOR)
    if request.method != "POST":
        return redirect(agreement)
    form = AfterSigningNoteForm(request.POST)
    if not form.is_valid():
        return _render_agreement(request, agreement, note_form=form)
    services.after_signing_note_set(agreement=agreement, note=form.cleaned_data["note"], user=request.user,
                                    request=request)
    messages.success(request, _("The note for visitors is saved.") if form.cleaned_data["note"]
                     else _("Visitors now see no note after signing."))
    return redirect(agreement)
