"""Write operations on governor reports: request, generate (the task's body), finalise, and the
term-end drafts. Each writes its audit events in the same transaction as the change.

The figures and the PDF are made by `figures.term_figures` and `document.document_pdf`, looked up on
their modules when used (tests replace them; WeasyPrint loads only in the worker).

Emails carry the term and a link, never figures and never the PDF itself.
"""

import datetime
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safety_portal.audit.services import audit_record
from safety_portal.outbox.services import email_queue
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile, Term, User

logger = logging.getLogger(__name__)

# The term-end task prepares a draft this long after a term's last day, for terms ended this recently.
TERM_END_DELAY = datetime.timedelta(days=7)
TERM_END_WINDOW = datetime.timedelta(days=60)
# A report still "being prepared" after this long was lost (a worker died): a new request may replace it.
GENERATING_GIVES_UP_AFTER = datetime.timedelta(minutes=15)


class ReportRefused(Exception):
    """A request or finalising that the rules do not allow; str() says why, in words for the DSL.

    `report`: the report already being prepared, when that is the reason.
    """

    def __init__(self, message, report=None):
        super().__init__(message)
        self.report = report


def _site_link(path):
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def report_is_stuck(report, now=None):
    """Being prepared for so long that the task must have been lost."""
    now = now or timezone.now()
    return report.state == State.GENERATING and report.requested_at < now - GENERATING_GIVES_UP_AFTER


def _give_up_stuck(term, now):
    """Mark as failed this term's reports whose task was lost, so they no longer block a new request."""
    stuck = list(Report.objects.filter(term=term, state=State.GENERATING,
                                       requested_at__lt=now - GENERATING_GIVES_UP_AFTER))
    for report in stuck:
        Report.objects.filter(pk=report.pk, state=State.GENERATING).update(
            state=State.FAILED, error=_("Preparing the report took too long and was stopped."))
        audit_record(action="reports.report.failed", obj=report, detail={"term": str(term), "stage": "timeout"})


def report_request(*, term, requested_by, replaces=None, replace_reason="", request=None):
    """Queue a new report for `term`; it is generated in the background after this commits.

    A term with a finalised report gets a new one only as its replacement, with a reason. A term
    whose report is being prepared gets no second one (a double click queues one report).
    `requested_by` is None when the term-end task asks.
    """
    replace_reason = (replace_reason or "").strip()
    now = timezone.now()
    with transaction.atomic():
        # The term's row is the lock: two requests for one term are decided one after the other.
        term = Term.objects.select_for_update().get(pk=term.pk)
        _give_up_stuck(term, now)
        preparing = Report.objects.filter(term=term, state=State.GENERATING).first()
        if preparing is not None:
            raise ReportRefused(_("A report for %(term)s is already being prepared.") % {"term": term},
                                report=preparing)
        final = Report.objects.filter(term=term, state=State.FINAL).first()
        if final is not None:
            if replaces is None or replaces.pk != final.pk:
                raise ReportRefused(_("%(term)s already has a finalised report. A new report can only replace "
                                      "it, with a reason.") % {"term": term})
            if not replace_reason:
                raise ReportRefused(_("Say why the finalised report for %(term)s should be replaced.")
                                    % {"term": term})
        elif replaces is not None:
            raise ReportRefused(_("The report to replace is no longer the finalised report for %(term)s.")
                                % {"term": term})
        report = Report.objects.create(term=term, state=State.GENERATING, requested_by=requested_by,
                                       replaces=final, replace_reason=replace_reason if final else "")
        detail = {"term": str(term)}
        if final is not None:
            detail["replaces"] = final.pk
        if requested_by is None:
            detail["via"] = "term-end task"
        audit_record(action="reports.report.requested", actor=requested_by, obj=report, request=request,
                     detail=detail)
        transaction.on_commit(lambda: _queue_generation(report.pk))
    return report


def _queue_generation(report_id):
    from safety_portal.reports.tasks import report_generate as report_generate_task

    try:
        report_generate_task.delay(report_id)
    except Exception:  # the broker is down: say so on the waiting page rather than wait for ever
        logger.exception("Could not queue governor report %s", report_id)
        with transaction.atomic():
            failed = Report.objects.filter(pk=report_id, state=State.GENERATING).update(
                state=State.FAILED, error=_("The background worker could not be reached. Try again in a few "
                                            "minutes."))
            if failed:
                audit_record(action="reports.report.failed", object_type="reports.report", object_id=report_id,
                             detail={"stage": "queue"})


# --- Generation (the task's body) ------------------------------------------------------------


STAGE_ERRORS = {
    "figures": gettext_lazy("The figures could not be worked out."),
    "document": gettext_lazy("The PDF could not be drawn."),
    "storage": gettext_lazy("The PDF could not be saved."),
}


def _set_progress(report_id, percent):
    Report.objects.filter(pk=report_id, state=State.GENERATING).update(progress=percent)


def report_generate(report_id):
    """Work out the figures, draw the PDF, keep both: the report becomes a draft. Returns the report.

    A report not being prepared (finished, failed, or already done by a retried task) is left alone.
    Whatever goes wrong leaves the report "could not be prepared", with a reason in words; the
    details go to the log.
    """
    report = Report.objects.select_related("term").filter(pk=report_id, state=State.GENERATING).first()
    if report is None:
        return None
    stage, name = "figures", ""
    try:
        from safety_portal.reports import document, figures

        _set_progress(report.pk, 10)
        data = figures.term_figures(report.term)
        _set_progress(report.pk, 60)
        stage = "document"
        pdf = document.document_pdf(data)
        if not isinstance(pdf, bytes | bytearray) or not bytes(pdf).startswith(b"%PDF-"):
            raise ValueError("the document is not a PDF")
        pdf = bytes(pdf)
        _set_progress(report.pk, 90)
        stage = "storage"
        # A random name: the file cannot be guessed or fetched without passing the access check.
        name = default_storage.save(f"reports/{timezone.now():%Y}/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
        sha256 = hashlib.sha256(pdf).hexdigest()
        with transaction.atomic():
            done = Report.objects.filter(pk=report.pk, state=State.GENERATING).update(
                state=State.DRAFT, figures=data, pdf=name, pdf_sha256=sha256, progress=100, error="",
                generated_at=timezone.now())
            if not done:
                # Another run of the task finished first (or the report was given up): keep its result.
                transaction.on_commit(lambda: default_storage.delete(name))
                return Report.objects.get(pk=report.pk)
            audit_record(action="reports.report.generated", obj=report,
                         detail={"term": str(report.term), "sha256": sha256})
            if report.requested_by_id is None:
                _tell_dsl_team(report)
    except Exception:
        logger.exception("Governor report %s could not be prepared at the %s stage", report.pk, stage)
        if name:
            try:
                default_storage.delete(name)
            except Exception:
                logger.exception("Could not remove %s", name)
        reason = f"{STAGE_ERRORS[stage]} " + _("Try again; if it fails again, ask your IT support to check the "
                                               "server log.")
        with transaction.atomic():
            failed = Report.objects.filter(pk=report.pk, state=State.GENERATING).update(
                state=State.FAILED, error=reason[:300])
            if failed:
                audit_record(action="reports.report.failed", obj=report,
                             detail={"term": str(report.term), "stage": stage})
    return Report.objects.get(pk=report.pk)


def dsl_team_addresses():
    """Everyone who can open the draft: active accounts with the DSL or Headteacher role, each address once.
    (A deputy named on the school profile without the DSL role could not open the link.)"""
    emails = (User.objects.filter(is_active=True, groups__name__in=[roles.DSL, roles.HEADTEACHER])
              .exclude(email="").values_list("email", flat=True))
    return sorted({email.lower(): email for email in emails}.values())


def _tell_dsl_team(report):
    addresses = dsl_team_addresses()
    if addresses:
        email_queue(to=addresses, template="report_draft_ready", context={
            "term": str(report.term),
            "link": _site_link(reverse("reports:detail", args=[report.pk])),
        })


# --- Finalising ---------------------------------------------------------------------------


def _file_sha256(report):
    digest = hashlib.sha256()
    with report.pdf.open("rb") as handle:
        for chunk in iter(lambda: handle.read(64 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def governor_addresses():
    return sorted(set(User.objects.filter(is_active=True, groups__name=roles.GOVERNOR).exclude(email="")
                      .values_list("email", flat=True)))


def report_finalise(*, report, by, request=None):
    """The draft becomes the term's report for governors, replacing the one it was made to replace.

    Governors are emailed a link to the reports page (never the PDF itself).
    """
    with transaction.atomic():
        Term.objects.select_for_update().get(pk=report.term_id)
        report = Report.objects.select_for_update().select_related("term").get(pk=report.pk)
        if report.state != State.DRAFT:
            raise ReportRefused(_("Only a draft can be finalised; this report is: %(state)s.")
                                % {"state": report.get_state_display()})
        period_end = report.term.reporting_end
        if not report.covers_whole_period():
            # Incidents still to come in the period (the holiday counts with the term) would be in no report.
            raise ReportRefused(_("This draft was prepared before the term's reporting period ended on %(date)s, "
                                  "so it may be missing incidents. Prepare the report again after that date to "
                                  "finalise it.") % {"date": formats.date_format(period_end, "j F Y")})
        current = Report.objects.filter(term=report.term, state=State.FINAL).first()
        if current is not None and report.replaces_id != current.pk:
            raise ReportRefused(_("%(term)s already has a finalised report, finalised after this draft was "
                                  "requested. Prepare a new report to replace it.") % {"term": report.term})
        try:
            unchanged = _file_sha256(report) == report.pdf_sha256
        except (FileNotFoundError, OSError, ValueError):
            unchanged = False
        if not unchanged:
            raise ReportRefused(_("The draft's PDF is missing or has changed since it was prepared. Prepare "
                                  "the report again."))
        now = timezone.now()
        if current is not None:
            Report.objects.filter(pk=current.pk).update(state=State.SUPERSEDED, superseded_at=now)
            audit_record(action="reports.report.superseded", actor=by, obj=current, request=request,
                         detail={"term": str(report.term), "by_report": report.pk})
        Report.objects.filter(pk=report.pk).update(state=State.FINAL, finalised_by=by, finalised_at=now)
        detail = {"term": str(report.term), "sha256": report.pdf_sha256}
        if current is not None:
            detail["replaces"] = current.pk
        audit_record(action="reports.report.finalised", actor=by, obj=report, request=request, detail=detail)
        addresses = governor_addresses()
        school = SchoolProfile.load() if addresses else None
        for address in addresses:
            # One email each: governors' addresses are not shown to one another.
            email_queue(to=address, template="report_finalised", school=school, context={
                "term": str(report.term), "replaces": current is not None,
                "link": _site_link(reverse("reports:list")),
            })
    return Report.objects.select_related("term").get(pk=report.pk)


# --- The term-end drafts -----------------------------------------------------------------------


def _needs_term_end_draft(term):
    """No report for the term that could go to governors yet: none finalised, being prepared, or a
    draft prepared after its period ended. A draft looked at during the term does not count."""
    reports = list(Report.objects.filter(term=term).exclude(state__in=[State.FAILED, State.SUPERSEDED])
                   .select_related("term"))
    return not any(report.state in (State.FINAL, State.GENERATING) or report.covers_whole_period()
                   for report in reports)


def term_end_drafts(today=None):
    """Request a draft for each term that ended a week ago or more (within the last 60 days) whose
    reporting period is over (the holiday after a term counts with it) and that has no report yet.
    Returns how many were requested; running it again, or twice at once, requests none more."""
    today = today or timezone.localdate()
    due = (Term.objects.filter(end_date__lte=today - TERM_END_DELAY, end_date__gte=today - TERM_END_WINDOW)
           .order_by("start_date"))
    requested = 0
    for term in due:
        if term.reporting_end >= today:
            continue  # the holiday is still being counted: a draft now would miss its incidents
        if not _needs_term_end_draft(term):
            continue
        with transaction.atomic():
            # Checked again under the term's lock: a run racing this one requests each report once.
            Term.objects.select_for_update().get(pk=term.pk)
            if not _needs_term_end_draft(term):
                continue
            report_request(term=term, requested_by=None)
            requested += 1
    return requested
