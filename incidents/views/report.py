"""Reporting a concern (any member of staff), logging one (the DSL team), the reporter's own
list, the type-ahead pupil search and acknowledging an urgent concern."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from incidents.access import can_work_incidents, incident_for_user, reported_incident_for_user
from incidents.forms import MAX_PUPILS, REPORTERS, LogForm, ReportForm, can_report, pupil_search
from incidents.models import Incident, PupilRole
from incidents.services import incident_acknowledge, incident_path, incident_report
from safety_portal.forms import LARGEST_ID
from safety_portal.school import roles
from safety_portal.school.access import role_required
from safety_portal.school.models import Pupil

PAGE_SIZE = 50


def _chosen_pupils(data):
    """The pupils ticked on the form, with their roles, to show again after a search or a refusal."""
    # Only ids a database column can hold: a bigger number is an OverflowError in the query (a 500).
    ids = [value for value in data.getlist("pupils")
           if value.isascii() and value.isdecimal() and len(value) < 20 and int(value) <= LARGEST_ID][:MAX_PUPILS]
    if not ids:
        return []
    pupils = Pupil.objects.on_roll().filter(pk__in=ids).order_by("last_name", "first_name")
    return [{"pupil": pupil, "role": _role(data, pupil.pk), "checked": True} for pupil in pupils]


def _role(data, pk):
    value = data.get(f"pupil_role_{pk}", PupilRole.AFFECTED)
    return value if value in PupilRole.values else PupilRole.AFFECTED


def _form_page(request, form_class, *, full):
    results, searched = [], False
    if request.method == "POST":
        form = form_class(request.POST)
        chosen = _chosen_pupils(request.POST)
        if "find_pupils" in request.POST:
            # The search without JavaScript: show the form again with the matches, nothing saved.
            searched = True
            query = request.POST.get("pupil_query", "").replace("\x00", "").strip()[:100]
            ticked = {row["pupil"].pk for row in chosen}
            if len(query) >= 2:
                results = [{"pupil": pupil, "role": PupilRole.AFFECTED, "checked": False}
                           for pupil in pupil_search(query) if pupil.pk not in ticked]
            form = form_class(initial=_initial_from(request.POST, form_class))
        elif form.is_valid():
            incident = incident_report(reporter=request.user, data=form.incident_data(),
                                       pupils=form.pupil_roles(), request=request)
            if full:
                # The DSL logging a call goes straight to the case, ready to work it.
                messages.success(request, _("%(reference)s has been logged.") % {"reference": incident.reference})
                return redirect("incidents:detail", incident.pk)
            return redirect("incidents:report_done", incident.pk)
    else:
        form, chosen = form_class(), []
    return render(request, "incidents/report_form.html", {
        "form": form, "full": full, "chosen": chosen, "results": results, "searched": searched,
        "pupil_roles": PupilRole.choices,
        "pupil_query": request.POST.get("pupil_query", "") if searched else "",
    })


def _initial_from(data, form_class):
    """What was typed, as initial values: a search is not a save, so no errors are shown yet."""
    initial = {}
    for name in form_class.base_fields:
        if name in ("pupils", "pupil_query"):
            continue
        if name in data:
            initial[name] = data.get(name)
    initial.setdefault("immediate_risk", False)
    return initial


@role_required(*REPORTERS)
def report(request):
    return _form_page(request, ReportForm, full=False)


@role_required(roles.DSL, roles.HEADTEACHER)
def log(request):
    return _form_page(request, LogForm, full=True)


@login_required
def report_done(request, pk):
    incident = reported_incident_for_user(request.user, pk)
    return render(request, "incidents/report_done.html", {
        "incident": incident,
        "case_url": incident_path(incident.pk) if can_work_incidents(request.user) else "",
    })


@login_required
def my_reports(request):
    incidents = (Incident.objects.filter(reported_by=request.user)
                 .only("pk", "reference", "reported_at", "status").order_by("-reported_at", "-pk"))
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incidents/my_reports.html", {"page_obj": page,
                                                         "can_report": can_report(request.user)})


@login_required
def my_report(request, pk):
    incident = reported_incident_for_user(request.user, pk)
    return render(request, "incidents/my_report.html", {"incident": incident})


@require_GET
@role_required(*REPORTERS)
def pupil_search_json(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    pupils = pupil_search(query) if len(query) >= 2 else []
    return JsonResponse({"results": [
        {"id": pupil.pk, "name": pupil.display_name, "class": pupil.reg_class} for pupil in pupils]})


@login_required
def acknowledge(request, pk):
    if not can_work_incidents(request.user):
        raise Http404
    incident = incident_for_user(request.user, pk)
    if request.method == "POST":
        if incident.is_urgent:
            incident_acknowledge(incident=incident, user=request.user, request=request)
            messages.success(request, _("%(reference)s is acknowledged and no longer pinned as urgent.")
                             % {"reference": incident.reference})
        return redirect("home")
    return render(request, "incidents/report_acknowledge.html", {
        "incident": incident, "case_url": incident_path(incident.pk)})
