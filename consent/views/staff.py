"""Staff pages for photo consent: the "do not photograph" list and its PDF, a pupil's consent page,
and the coverage figures with their CSV export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from consent import lists
from consent.access import can_edit_consent, can_read_coverage, can_read_list, pupil_consent_for_user
from consent.effective import latest_decisions, school_year_start
from consent.forms_staff import DoNotPhotographFilterForm, OfficeDecisionForm
from consent.pdf import dnp_filename, dnp_pdf
from consent.services import consent_record_by_office
from safety_portal.audit.services import audit_record
from safety_portal.csv_export import csv_download
from safety_portal.forms import submitted_data
from safety_portal.school.access import can_open_pupil
from safety_portal.school.models import SchoolProfile

PAGE_SIZE = 50


def _require(allowed):
    # Outsiders get 404, not 403, like every page of the portal.
    if not allowed:
        raise Http404


def _filters(request):
    years, classes = lists.year_and_class_choices()
    return DoNotPhotographFilterForm(request.GET, purposes=lists.active_purposes(), years=years, classes=classes)


def _rows(filters):
    return lists.do_not_photograph(filters.filter(lists.pupils_on_roll()), filters.chosen_purposes())


@login_required
def do_not_photograph(request):
    _require(can_read_list(request.user))
    filters = _filters(request)
    rows = _rows(filters)
    # A class or a year group is one page to print from the screen; the whole school is paged.
    page = Paginator(rows, PAGE_SIZE if filters.is_whole_school else max(len(rows), 1)).get_page(
        request.GET.get("page"))
    return render(request, "consent/staff_do_not_photograph.html", {
        "filters": filters, "form": filters, "page_obj": page, "rows": page.object_list, "count": len(rows),
        "any_purpose": filters.chosen_purpose is None, "has_purposes": bool(filters.purposes),
        "can_edit": can_edit_consent(request.user),
    })


@login_required
def do_not_photograph_pdf(request):
    _require(can_read_list(request.user))
    filters = _filters(request)
    if not filters.is_valid():
        # A filter that could not be read must not silently widen the printout to the whole school.
        messages.error(request, _("No PDF was made: correct the filters shown below, then download again."))
        return redirect(f"{reverse('consent:do_not_photograph')}?{request.GET.urlencode()}")
    rows = _rows(filters)
    made_at = timezone.now()
    pdf = dnp_pdf(rows=rows, filters=filters, school=SchoolProfile.load(), user=request.user, made_at=made_at)
    audit_record(action="consent.list.downloaded", request=request,
                 detail={"filters": filters.summary(), "rows": len(rows)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, dnp_filename(filters, made_at))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required  # outsiders get 404 from pupil_consent_for_user, so a pupil's id cannot be probed
def pupil_consent(request, pk):
    pupil = pupil_consent_for_user(request.user, pk)
    purposes = lists.active_purposes()
    data = submitted_data(request)
    form = OfficeDecisionForm(data, pupil=pupil, purposes=purposes)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        decision = consent_record_by_office(
            pupil=pupil, guardian=data["guardian"], purpose=data["purpose"], answer=data["answer"],
            method=data["method"], note=form.note_with_day(), user=request.user, request=request, now=form.decided_at())
        _tell_what_counts(request, decision)
        return redirect("consent:pupil", pk=pupil.pk)
    links = lists.pupil_guardian_links(pupil)
    history = (pupil.consent_decisions.select_related("purpose", "guardian", "recorded_by")
               .order_by("-decided_at", "-pk"))
    relationships = {link.guardian_id: link.relationship for link in links}
    response = render(request, "consent/staff_pupil.html", {
        "pupil": pupil, "form": form, "rows": lists.pupil_answers_by_guardian(pupil, purposes, links),
        "responsible": [link for link in links if link.parental_responsibility],
        "not_responsible": [link for link in links if not link.parental_responsibility],
        "history": [(decision, relationships.get(decision.guardian_id, ""), _still_counts(decision))
                    for decision in history],
        "can_open_pupil": can_open_pupil(request.user),
    })
    # The page names the family and their choices: every read is on the audit trail.
    audit_record(action="consent.pupil.viewed", obj=pupil, request=request)
    return response


def _still_counts(decision):
    """False for an answer from an earlier school year to a purpose asked again each year."""
    return not (decision.purpose.renew_each_year
                and decision.decided_at < school_year_start(timezone.localdate()))


def _tell_what_counts(request, decision):
    """Say so when a back-dated entry does not change what counts: the office may expect it to."""
    latest = (latest_decisions([decision.pupil_id], [decision.purpose])
              .filter(guardian=decision.guardian_id).values_list("pk", flat=True).first())
    answer = _("yes") if decision.answer else _("no")
    names = {"guardian": decision.guardian, "purpose": decision.purpose.name, "answer": answer}
    if latest == decision.pk:
        messages.success(request, _("Recorded: %(guardian)s said %(answer)s to %(purpose)s.") % names)
    elif latest is None:
        messages.warning(request, _("Recorded, but it does not count: %(purpose)s is asked again each school "
                                    "year and the date is before this school year began.") % names)
    else:
        messages.warning(request, _("Recorded, but it does not change what counts: %(guardian)s gave a later "
                                    "answer to %(purpose)s, which still stands.") % names)


@login_required
def coverage(request):
    _require(can_read_coverage(request.user))
    figures = lists.coverage(lists.active_purposes())
    if request.GET.get("format") == "csv":
        return _coverage_csv(request, figures)
    return render(request, "consent/staff_coverage.html", {
        # Staff go from a class's figures to its list; governors see the figures only.
        "coverage": figures, "can_read_list": can_read_list(request.user)})


def _coverage_csv(request, figures):
    header = [_("Year group"), _("Class"), _("Purpose"), _("Yes"), _("No"), _("Awaiting"), _("Pupils")]
    rows = []
    for year in figures.years:
        for line in year.lines:
            rows += [[year.label, line.reg_class or _("No class"), purpose.name, tally.yes, tally.no,
                      tally.awaiting, tally.total] for purpose, tally in zip(figures.purposes, line.tallies,
                                                                             strict=True)]
    rows += [[_("Whole school"), "", purpose.name, tally.yes, tally.no, tally.awaiting, tally.total]
             for purpose, tally in zip(figures.purposes, figures.totals, strict=True)]
    audit_record(action="consent.coverage.exported", request=request, detail={"rows": len(rows)})
    return csv_download(header=header, rows=rows,
                        filename=f"photo-consent-coverage-{timezone.localdate():%Y-%m-%d}.csv")
