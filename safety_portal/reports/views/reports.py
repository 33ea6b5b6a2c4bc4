"""The termly governor reports, under /reports/.

- The DSL and the headteacher list every report, ask for one for any term, wait while it is prepared
  (the page polls status.json), preview the draft, download it and finalise it.
- Governors list the finalised reports (those replaced marked so), preview and download them.
- Everyone else, and a governor asking for a draft, gets 404 (safety_portal.reports.access).

Writes go through safety_portal.reports.services; every download is audited here.
"""

import hashlib
import io
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from safety_portal.audit.services import audit_record
from safety_portal.forms import submitted_data
from safety_portal.reports import access, services
from safety_portal.reports.forms import FinaliseForm, ReportRequestForm
from safety_portal.reports.models import Report, State

logger = logging.getLogger(__name__)


def _replacement(field):
    """A field of the finalised report that replaced this one (for "replaced because ...")."""
    return Subquery(Report.objects.finalised().filter(replaces=OuterRef("pk")).order_by("finalised_at")
                    .values(field)[:1])


@login_required
def report_list(request):
    if not access.can_read_reports(request.user):
        raise Http404
    reports = (access.reports_for(request.user)
               .select_related("term", "requested_by", "finalised_by")
               .annotate(replaced_because=_replacement("replace_reason")))
    return render(request, "reports/list.html", {
        "reports": list(reports), "can_make": access.can_make_reports(request.user),
    })


@login_required
def report_new(request):
    if not access.can_make_reports(request.user):
        raise Http404
    form = ReportRequestForm(submitted_data(request),
                             initial={"term": request.GET.get("term", "")})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_request(term=data["term_obj"], requested_by=request.user,
                                             replaces=data["replaces"], replace_reason=data["reason"],
                                             request=request)
        except services.ReportRefused as refused:
            if refused.report is not None:
                # A double click, or someone else asked first: wait for that one.
                messages.info(request, str(refused))
                return redirect("reports:detail", pk=refused.report.pk)
            form.add_error(None, str(refused))
        else:
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/new.html", {"form": form})


def _detail_page(request, report, finalise_form):
    context = {
        "report": report, "can_make": access.can_make_reports(request.user), "finalise_form": finalise_form,
        "stuck": services.report_is_stuck(report),
        "replaced_by": Report.objects.finalised().filter(replaces=report).order_by("finalised_at").first()
        if report.state == State.SUPERSEDED else None,
    }
    if report.state == State.DRAFT:
        current = Report.objects.filter(term=report.term_id, state=State.FINAL).first()
        context["current_final"] = current
        context["replaced_since"] = current is not None and current.pk != report.replaces_id
        context["too_early"] = not report.covers_whole_period()
        context["can_finalise"] = not context["replaced_since"] and not context["too_early"]
    return render(request, "reports/detail.html", context)


@login_required
def report_detail(request, pk):
    report = access.report_for_reader(request.user, pk)
    return _detail_page(request, report, FinaliseForm())


@login_required
def report_status(request, pk):
    """For the waiting page's script: {"state", "progress", "ready"}; `ready` once there is a report to
    show, `stuck` when its task was lost (the page then reloads to offer "Try again")."""
    report = access.report_for_maker(request.user, pk)
    response = JsonResponse({"state": report.state, "progress": report.progress, "ready": report.is_ready,
                             "stuck": services.report_is_stuck(report)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_preview(request, pk):
    """The report as it will print, inside the portal page."""
    from safety_portal.reports import document

    report = access.report_for_reader(request.user, pk)
    if not report.is_ready:
        return redirect("reports:detail", pk=report.pk)
    # The fragment is rendered by the document's own templates, which escape what they show.
    fragment = document.document_fragment(report.figures)  # rendered by a template: already safe markup
    return render(request, "reports/preview.html", {
        "report": report, "fragment": fragment, "can_make": access.can_make_reports(request.user),
    })


@login_required
def report_pdf(request, pk):
    report = access.report_for_reader(request.user, pk)
    if not report.is_ready or not report.pdf:
        raise Http404
    try:
        with report.pdf.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError, ValueError) as missing:
        logger.error("Governor report %s: its PDF cannot be read", report.pk)
        raise Http404 from missing
    if hashlib.sha256(content).hexdigest() != report.pdf_sha256:
        # Never hand out a report that is not the one finalised (or prepared): someone changed the file.
        logger.error("Governor report %s: its PDF does not match its checksum", report.pk)
        raise Http404
    response = FileResponse(io.BytesIO(content), as_attachment=True, content_type="application/pdf",
                            filename=report.download_name())
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    audit_record(action="reports.report.downloaded", obj=report, request=request,
                 detail={"term": str(report.term), "state": report.state})
    return response


@login_required
def report_finalise(request, pk):
    report = access.report_for_maker(request.user, pk)
    if request.method != "POST":
        # A sign-in after the session ran out, or a reload, comes back here by GET: go to the report.
        return redirect("reports:detail", report.pk)
    form = FinaliseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was finalised: please correct the error highlighted below."))
        return _detail_page(request, report, form)
    try:
        report = services.report_finalise(report=report, by=request.user, request=request)
    except services.ReportRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The report for %(term)s is finalised. Governors have been emailed a link to "
                                    "it.") % {"term": report.term})
    return redirect("reports:detail", pk=report.pk)
