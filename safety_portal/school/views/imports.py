"""MIS import pages: upload a CSV, check the preview, then import it or throw it away."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from safety_portal.school import roles
from safety_portal.school.access import mis_import_for_user, role_required
from safety_portal.school.forms import MisUploadForm
from safety_portal.school.mis_import import (
    IMPORTERS,
    MisImportRefused,
    describe_counts,
    mis_import_commit,
    mis_import_discard,
    mis_import_preview,
    mis_import_state,
    mis_import_upload,
)
from safety_portal.school.models import MisImport

RECENT_IMPORTS = 10


@role_required(roles.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def upload(request):
    if request.method == "POST":
        form = MisUploadForm(request.POST, request.FILES)
        if form.is_valid():
            mis_import = mis_import_upload(
                kind=form.cleaned_data["kind"], full_roll=form.cleaned_data["full_roll"],
                full_contacts=form.cleaned_data["full_contacts"], file_name=form.cleaned_data["file"].name,
                content=form.cleaned_data["content"], actor=request.user, request=request)
            return redirect("mis_import:preview", pk=mis_import.pk)
        messages.error(request, gettext("The file was not uploaded. Check the message below and choose the file "
                                        "again."))
    else:
        form = MisUploadForm()
    recent = MisImport.objects.select_related("created_by").defer("content")[:RECENT_IMPORTS]
    return render(request, "school/import_upload.html", {
        "form": form,
        "recent": [(item, describe_counts(item.kind, item.summary), mis_import_state(item)) for item in recent],
        "column_docs": _column_docs(),
    })


@login_required  # outsiders get 404 from the access helper, so an id cannot be probed
@require_http_methods(["GET", "POST"])
def preview(request, pk):
    mis_import = mis_import_for_user(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "commit":
                # The preview's extra tick box for a change so large it is probably the wrong file.
                plan = mis_import_commit(mis_import=mis_import, actor=request.user, request=request,
                                         confirm_large_changes=bool(request.POST.get("confirm_large_changes")))
                messages.success(request, gettext("Import complete: %(counts)s.")
                                 % {"counts": describe_counts(mis_import.kind, plan.counts)})
            elif action == "discard":
                mis_import_discard(mis_import=mis_import, actor=request.user, request=request)
                messages.info(request, gettext("The file was discarded. Nothing was imported."))
                return redirect("mis_import:upload")
            else:
                messages.error(request, gettext("Choose Import or Discard."))
        except MisImportRefused as refused:
            messages.error(request, refused.message)
        return redirect("mis_import:preview", pk=mis_import.pk)

    # Only a file awaiting confirmation still has its content; afterwards the page shows the stored summary.
    plan = mis_import_preview(mis_import=mis_import) if mis_import.status == MisImport.Status.PREVIEW else None
    state, state_label = mis_import_state(mis_import, plan)
    return render(request, "school/import_preview.html", {
        "mis_import": mis_import,
        "plan": plan,
        "state": state,
        "state_label": state_label,
        "counts_line": describe_counts(mis_import.kind, plan.counts if plan else mis_import.summary),
        "counts": plan.counts if plan else mis_import.summary,
        "is_guardians": mis_import.kind == MisImport.Kind.GUARDIANS,
        "is_pupils": mis_import.kind == MisImport.Kind.PUPILS,
        "is_staff": mis_import.kind == MisImport.Kind.STAFF,
    })


def _column_docs():
    return [(kind, label, IMPORTERS[kind].columns) for kind, label in MisImport.Kind.choices]
