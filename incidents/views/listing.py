"""The incident list and its CSV export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.access import can_see_incident_list, can_work_incidents, incidents_for_user
from incidents.listing import PAGE_SIZE, IncidentFilterForm, incident_rows, incidents_listed
from incidents.models import IncidentPupil
from safety_portal.audit.services import audit_record
from safety_portal.csv_export import csv_download, csv_when
from safety_portal.school.models import YearGroup


@login_required
def incident_list(request):
    # Outsiders get 404, not 403, like every page of the portal.
    if not can_see_incident_list(request.user):
        raise Http404
    form = IncidentFilterForm(request.GET)
    incidents = incidents_listed(form, incidents_for_user(request.user))
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incidents/list.html", {
        "form": form, "page_obj": page,
        "can_export": can_work_incidents(request.user),
        "can_log": can_work_incidents(request.user),
        "filtered": any(value for key, value in request.GET.items() if key not in ("page", "sort")),
    })


EXPORT_HEADER = [_("Reference"), _("Reported"), _("Happened"), _("Status"), _("Area"), _("Type"), _("Severity"),
                 _("Child protection"), _("Where"), _("Owner"), _("Pupils"), _("Year groups"), _("Closed")]


@login_required
def incident_export(request):
    # Exports leave the portal's access checks behind, so only those who work cases may take one.
    if not can_work_incidents(request.user):
        raise Http404
    form = IncidentFilterForm(request.GET)
    if not form.is_valid():
        # A filter that could not be read must not silently widen the export to everything.
        messages.error(request, _("Nothing was exported: correct the filters shown below, then download again."))
        return redirect(reverse("incidents:list") + "?" + request.GET.urlencode())
    chosen = form.filter(incidents_for_user(request.user))
    incidents = list(form.order(incident_rows(chosen)))
    # Pupils appear as a count and their year groups, never their names: a spreadsheet is easily
    # forwarded or left on a laptop, and the case page is where a named child's record is read.
    years = {}
    links = (IncidentPupil.objects.filter(incident__in=chosen.values("pk"))
             .values_list("incident_id", "pupil__year_group"))
    for incident_id, year_group in links:
        years.setdefault(incident_id, set()).add(year_group)
    audit_record(action="incidents.export", request=request,
                 detail={"filters": form.summary(), "rows": len(incidents)})

    rows = ((incident.reference, csv_when(incident.reported_at), csv_when(incident.occurred_at),
             incident.get_status_display(), incident.get_area_display(), incident.get_incident_type_display(),
             incident.get_severity_display(),
             {True: _("Yes"), False: _("No")}.get(incident.child_protection, _("Not decided")),
             incident.get_location_display(), incident.owner or "", incident.pupil_count,
             ", ".join(str(YearGroup(year).label) for year in sorted(years.get(incident.pk, ()))),
             csv_when(incident.closed_at))
            for incident in incidents)
    return csv_download(header=EXPORT_HEADER, rows=rows, filename=f"incidents-{timezone.localdate():%Y-%m-%d}.csv")
