"""MIS import pages: upload a CSV, check the preview, then import it or throw it away."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from safety_portal.school import roles
from safety_portal.school.access import role_required
from safety_portal.school.mis_import import (
    IMPORTERS,
    MAX_UPLOAD_BYTES,
    MisFileError,
    MisImportRefused,
    decode_csv_bytes,
    describe_counts,
    mis_import_commit,
    mis_import_discard,
    mis_import_preview,
    mis_import_upload,
)
from safety_portal.school.models import MisImport

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".tsv")
RECENT_IMPORTS = 10


class MisUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=MisImport.Kind.choices,
                             initial=MisImport.Kind.PUPILS)
    full_roll = forms.BooleanField(
        label=_("This is the full school roll"), required=False,
        help_text=_("Pupils only. Tick this when the file lists every pupil currently on roll: anyone not in it "
                    "is marked as having left today. Nobody is ever deleted. Leave it unticked for a part of the "
                    "school, such as one year group or new starters."))
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Up to 5 MB. From Excel, choose File > Save As and “CSV UTF-8 (Comma delimited)”."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.txt"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s. The largest file you can upload is %(max)s: export one kind of record "
                  "at a time (pupils, parents and carers, or staff)."),
                params={"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_BYTES)})
        if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(
                _("“%(name)s” is not a CSV file. Export the report from your MIS as CSV (a file ending .csv) and "
                  "upload that."), params={"name": upload.name})
        try:
            self.cleaned_data["content"] = decode_csv_bytes(upload.read())
        except MisFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("full_roll") and cleaned.get("kind") != MisImport.Kind.PUPILS:
            self.add_error("full_roll", _("Only a pupils file can be the full roll. Untick this box, or choose "
                                          "“Pupils” above."))
        return cleaned


@role_required(roles.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def upload(request):
    if request.method == "POST":
        form = MisUploadForm(request.POST, request.FILES)
        if form.is_valid():
            mis_import = mis_import_upload(
                kind=form.cleaned_data["kind"], full_roll=form.cleaned_data["full_roll"],
                file_name=form.cleaned_data["file"].name, content=form.cleaned_data["content"],
                actor=request.user, request=request)
            return redirect("mis_import:preview", pk=mis_import.pk)
        messages.error(request, gettext("The file was not uploaded. Check the message below and choose the file "
                                        "again."))
    else:
        form = MisUploadForm()
    recent = MisImport.objects.select_related("created_by")[:RECENT_IMPORTS]
    return render(request, "school/import_upload.html", {
        "form": form,
        "recent": [(item, describe_counts(item.kind, item.summary)) for item in recent],
        "column_docs": _column_docs(),
    })


@role_required(roles.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def preview(request, pk):
    mis_import = get_object_or_404(MisImport.objects.select_related("created_by"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "commit":
                plan = mis_import_commit(mis_import=mis_import, actor=request.user, request=request)
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

    plan = mis_import_preview(mis_import=mis_import) if mis_import.status == MisImport.Status.PREVIEW else None
    return render(request, "school/import_preview.html", {
        "mis_import": mis_import,
        "plan": plan,
        "counts_line": describe_counts(mis_import.kind, plan.counts if plan else mis_import.summary),
        "counts": plan.counts if plan else mis_import.summary,
        "is_guardians": mis_import.kind == MisImport.Kind.GUARDIANS,
        "is_pupils": mis_import.kind == MisImport.Kind.PUPILS,
    })


def _column_docs():
    return [(kind, label, IMPORTERS[kind].columns) for kind, label in MisImport.Kind.choices]
