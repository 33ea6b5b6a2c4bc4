"""The record of who has signed each agreement: an overview, one page per audience, and its CSV export."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import compliance
from agreements.access import can_read_compliance, can_run_office
from agreements.forms_compliance import ComplianceFilterForm
from agreements.models import ACCOUNT_AUDIENCES, Agreement, Audience, SignatureMethod
from safety_portal.audit.services import audit_record
from safety_portal.csv_export import csv_download, csv_when
from safety_portal.school.models import YearGroup

PAGE_SIZE = 50


def _require_reader(user):
    # Outsiders get 404, not 403, like every page of the portal.
    if not can_read_compliance(user):
        raise Http404


@login_required
def compliance_overview(request):
    _require_reader(request.user)
    return render(request, "agreements/compliance_overview.html", {"summaries": compliance.audience_summaries()})


@login_required
def compliance_audience(request, audience):
    _require_reader(request.user)
    if audience not in Audience.values:
        raise Http404
    agreement = Agreement.objects.select_related("current_version").filter(audience=audience).first()
    summary = compliance.audience_summary(agreement, audience)
    context = {"summary": summary, "audience": summary.audience}
    if audience == Audience.VISITOR:
        return render(request, "agreements/compliance_visitors.html", context)
    if not summary.is_published:
        return render(request, "agreements/compliance_audience.html", context)

    people, signed = compliance.people(agreement)
    by_year = by_class = by_role = []
    if audience in compliance.PUPIL_LIST_AUDIENCES:
        by_year, by_class = compliance.class_tallies(people, signed)
    elif audience == Audience.STAFF:
        by_role = compliance.role_tallies(agreement, people)
    form = ComplianceFilterForm(request.GET, audience=audience, year_groups=[tally.key for tally in by_year],
                                classes=[tally.key for tally in by_class])
    chosen = compliance.ordered(agreement, form.filter(people, signed))
    if audience in ACCOUNT_AUDIENCES:
        chosen = chosen.prefetch_related("groups")
    if request.GET.get("format") == "csv":
        return _export(request, agreement, form, chosen)
    page = Paginator(chosen, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update({
        "form": form, "page_obj": page, "rows": compliance.record_rows(agreement, page.object_list),
        "by_year": by_year, "by_class": by_class, "by_role": by_role,
        "is_pupil_list": audience in compliance.PUPIL_LIST_AUDIENCES,
        "is_parent_list": audience == Audience.PARENT,
        # The office enters paper forms straight from the list of those not signed.
        "can_enter_paper": audience == Audience.PARENT and can_run_office(request.user),
    })
    return render(request, "agreements/compliance_audience.html", context)


def _status(row):
    return _("Signed") if row.is_signed else _("Not signed yet")


def _evidence(signature, method_label):
    if signature is None:
        return ["", "", ""]
    return [signature.version.number, csv_when(signature.signed_at), method_label[signature.method]]


def _export_table(agreement, rows):
    """The header and the cells of each row, for this audience."""
    audience = agreement.audience
    # Each label translated once, not once a row: get_FOO_display() is slow over thousands.
    year_label = {value: str(label) for value, label in YearGroup.choices}
    method_label = {value: str(label) for value, label in SignatureMethod.choices}
    evidence_header = [_("Version signed"), _("Signed"), _("How")]
    if audience in ACCOUNT_AUDIENCES:
        header = [_("Name"), _("Email"), _("Job title"), _("Roles"), _("Status"), *evidence_header]
        cells = [[row.person.get_full_name(), row.person.email, row.person.job_title,
                  ", ".join(str(label) for label in row.person.held_role_labels), _status(row),
                  *_evidence(row.signature, method_label)] for row in rows]
    elif audience == Audience.PARENT:
        header = [_("Surname"), _("First name"), _("Year group"), _("Class"), _("Status"), _("Signed by"),
                  *evidence_header, _("Links sent")]
        cells = [[row.person.last_name, row.person.preferred_name or row.person.first_name,
                  year_label[row.person.year_group], row.person.reg_class, _status(row),
                  "; ".join(str(signature.guardian) for signature in row.guardian_signatures),
                  *_evidence(row.signature, method_label),
                  "; ".join(f"{state.guardian}: {state.description}" for state in row.links)] for row in rows]
    else:
        header = [_("Surname"), _("First name"), _("Year group"), _("Class"), _("Status"), *evidence_header,
                  _("Signed for by a parent or carer")]
        cells = [[row.person.last_name, row.person.preferred_name or row.person.first_name,
                  year_label[row.person.year_group], row.person.reg_class, _status(row),
                  *_evidence(row.signature, method_label),
                  "; ".join(f"{signature.guardian} ({csv_when(signature.signed_at)})"
                            for signature in row.guardian_signatures)] for row in rows]
    return header, cells


def _export(request, agreement, form, chosen):
    if not form.is_valid():
        # A filter that could not be read must not silently widen the export to everyone.
        messages.error(request, _("Nothing was exported: correct the filters shown below, then download again."))
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('agreements:compliance_audience', args=[agreement.audience])}?{query.urlencode()}")
    rows = compliance.record_rows(agreement, list(chosen), ids=chosen.order_by().values("pk"))
    audit_record(action="agreements.compliance.exported", request=request, obj=agreement,
                 detail={"audience": agreement.audience, "rows": len(rows), "filters": form.summary()})
    header, cells = _export_table(agreement, rows)

    filename = f"agreement-{agreement.audience.replace('_', '-')}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_download(header=header, rows=cells, filename=filename)
