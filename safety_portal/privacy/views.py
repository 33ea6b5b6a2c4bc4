"""Data protection, under /privacy/: the retention report and disposal, and subject access exports.

Only the DSL and the headteacher reach these pages (safety_portal.privacy.access); anyone else gets
404. Writes go through services.py; every export is audited here.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from safety_portal.audit.services import audit_record
from safety_portal.forms import submitted_data
from safety_portal.privacy import retention, services
from safety_portal.privacy.access import SUBJECT_ACCESS_RECORD, data_protection_required
from safety_portal.privacy.forms import DisposalForm, PupilSearchForm, RetentionSettingsForm
from safety_portal.privacy.models import Disposal, RecordKind, RetentionSettings
from safety_portal.privacy.pdf import subject_access_pdf as render_subject_access_pdf
from safety_portal.privacy.subject_access import subject_access_data
from safety_portal.school.models import Pupil

PAGE_SIZE = 50
SEARCH_LIMIT = 50


@data_protection_required
def retention_report(request):
    periods = RetentionSettings.load().periods()
    counts = retention.due_counts(periods, request.user)
    kind = request.GET.get("kind")
    if kind not in RecordKind.values:
        # The first kind with anything due, so the page opens on work to do.
        kind = next((k for k in RecordKind if counts[k]), RecordKind.CHILD_PROTECTION_INCIDENT)
    page = Paginator(retention.due_queryset(kind, periods, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [retention.describe(kind, record, periods) for record in page.object_list]
    undatable = retention.undatable_incidents(request.user)
    return render(request, "privacy/retention.html", {
        "kinds": [{"value": k.value, "label": k.label, "count": counts[k], "rule": retention.rule_text(k, periods)}
                  for k in RecordKind],
        "kind": kind, "kind_label": RecordKind(kind).label, "page_obj": page, "rows": rows,
        "undatable_count": undatable.count(), "undatable": undatable[:20],
        "disposals": Disposal.objects.select_related("disposed_by")[:20],
    })


@data_protection_required
def retention_periods(request):
    current = RetentionSettings.load()
    form = RetentionSettingsForm(submitted_data(request), instance=current)
    if request.method == "POST" and form.is_valid():
        services.retention_settings_save(form=form, user=request.user, request=request)
        messages.success(request, _("The retention periods have been saved."))
        return redirect("privacy:retention")
    return render(request, "privacy/retention_periods.html", {"form": form, "current": current})


def _report_url(data):
    """The retention report, on the kind and page the dispose button was pressed from."""
    params = {}
    if data.get("kind") in RecordKind.values:
        params["kind"] = data["kind"]
    if str(data.get("page", "")).isdigit():
        params["page"] = data["page"]
    url = reverse("privacy:retention")
    return f"{url}?{urlencode(params)}" if params else url


@data_protection_required
def dispose_confirm(request):
    """GET lists the chosen records and asks for a reason; POST disposes of them."""
    data = request.POST if request.method == "POST" else request.GET
    chosen = services.parse_choices(data.getlist("record"))
    if not chosen:
        # Nothing ticked: back to the same list, to tick some.
        messages.error(request, _("Tick the records you want to dispose of."))
        return redirect(_report_url(data))
    periods = RetentionSettings.load().periods()
    records = services.due_records(chosen, user=request.user, periods=periods)
    form = DisposalForm(submitted_data(request))
    if not records:
        messages.error(request, _("None of the records you ticked is past its retention period any more."))
        return redirect(_report_url(data))
    if request.method == "POST" and form.is_valid():
        try:
            disposals = services.dispose_records(chosen=chosen, reason=form.cleaned_data["reason"],
                                                 user=request.user, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ngettext(
                "%(count)d record was disposed of and entered in the destruction log.",
                "%(count)d records were disposed of and entered in the destruction log.",
                len(disposals)) % {"count": len(disposals)})
            return redirect("privacy:retention")
    not_due = sum(len(ids) for ids in chosen.values()) - len(records)
    return render(request, "privacy/dispose_confirm.html", {
        "records": records, "form": form, "not_due": not_due,
        "rules": {r.kind: retention.rule_text(r.kind, periods) for r in records},
    })


@data_protection_required
def subject_access(request):
    form = PupilSearchForm(request.GET or None)
    pupils = []
    if form.is_valid() and form.cleaned_data["q"].strip():
        # Leavers too: a former pupil (or their family) may ask years later.
        pupils = list(Pupil.objects.search(form.cleaned_data["q"]).order_by("last_name", "first_name", "pk")
                      [:SEARCH_LIMIT + 1])
    return render(request, "privacy/subject_access.html", {
        "form": form, "pupils": pupils[:SEARCH_LIMIT], "more": len(pupils) > SEARCH_LIMIT,
    })


def _export(request, pk, fmt):
    pupil = get_object_or_404(Pupil, pk=pk)
    made_at = timezone.now()
    data = subject_access_data(pupil, user=request.user, now=made_at)
    if fmt == "json":
        body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()
        content_type = "application/json"
    else:
        body = render_subject_access_pdf(data)
        content_type = "application/pdf"
    # Its own record type, so only the safeguarding roles see that a request was made; no counts,
    # which would tell a DSL reading the headteacher's export that restricted cases exist.
    audit_record(action="privacy.subject_access_exported", object_type=SUBJECT_ACCESS_RECORD,
                 object_id=str(pupil.pk), request=request, detail={"format": fmt})
    name = slugify(pupil.mis_id)[:40] or str(pupil.pk)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"subject-access-{name}-{timezone.localtime(made_at):%Y-%m-%d}.{fmt}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@data_protection_required
def subject_access_json(request, pk):
    return _export(request, pk, "json")


@data_protection_required
def subject_access_pdf(request, pk):
    return _export(request, pk, "pdf")
