"""Staff hand a school device to a class (a signing session) or to reception (the visitor kiosk),
and the office reads the visitor log."""


from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agreements import services
from agreements.access import SESSION_STARTERS, can_read_compliance, can_run_office, device_session_for_user
from agreements.forms_device import ClassSessionStartForm, VisitorFilterForm
from agreements.middleware import device_session_enter
from agreements.models import Audience, DeviceSession, Signature, Visitor
from safety_portal.audit.services import audit_record
from safety_portal.csv_export import csv_download, csv_when
from safety_portal.forms import submitted_data
from safety_portal.school.access import role_required

RECENT_SESSIONS = 10
VISITORS_PAGE_SIZE = 50


def _hand_over(request, device_session):
    # The device must not stay signed in as the member of staff who handed it over.
    logout(request)
    device_session_enter(request, device_session)


def _with_signature_counts(sessions):
    sessions = list(sessions)
    counts = dict(Signature.objects.filter(device_session__in=[session.pk for session in sessions])
                  .values("device_session").annotate(count=Count("pk")).values_list("device_session", "count"))
    for session in sessions:
        session.signature_count = counts.get(session.pk, 0)
    return sessions


@role_required(*SESSION_STARTERS)
def class_sessions(request):
    form = ClassSessionStartForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        device_session = services.device_session_start(
            kind=DeviceSession.Kind.CLASS, user=request.user, request=request, **form.session_group())
        _hand_over(request, device_session)
        return redirect("device:pupil_names")
    own = DeviceSession.objects.filter(started_by=request.user, kind=DeviceSession.Kind.CLASS)
    is_office = can_run_office(request.user)
    kiosks = DeviceSession.objects.filter(kind=DeviceSession.Kind.KIOSK, ended_at__isnull=True).select_related(
        "started_by") if is_office else []
    return render(request, "agreements/sessions_list.html", {
        "form": form,
        "sessions": _with_signature_counts(own[:RECENT_SESSIONS]),
        "kiosks": list(kiosks),
        "is_office": is_office,
        "can_read_visitors": can_read_compliance(request.user),
        "minutes": int(services.CLASS_SESSION_LENGTH.total_seconds() // 60),
    })


@require_POST
@login_required
def session_end(request, pk):
    # Its own teacher, from another device; any office member for a kiosk. Others get 404.
    device_session = device_session_for_user(request.user, pk)
    if services.device_session_end(session=device_session, user=request.user, request=request):
        messages.success(request, _("Session ended. The device it ran on is now signed out."))
    else:
        messages.info(request, _("That session had already ended."))
    return redirect("agreements:sessions")


@login_required
def kiosk_start(request):
    if not can_run_office(request.user):
        raise Http404
    try:
        services.current_version_for(Audience.VISITOR)
        ready = True
    except services.NothingToSign:
        ready = False
    if request.method == "POST":
        if ready:
            device_session = services.device_session_start(kind=DeviceSession.Kind.KIOSK, user=request.user,
                                                           request=request)
            _hand_over(request, device_session)
            return redirect("device:kiosk_start")
        messages.error(request, _("The kiosk was not started: the visitor agreement has no published version."))
    return render(request, "agreements/sessions_kiosk_start.html", {"ready": ready})


# --- The visitor log ---------------------------------------------------------------------------

def _visitors_read(user):
    if not (can_run_office(user) or can_read_compliance(user)):
        raise Http404


def visitors_listed(form):
    """The visits matching the filters, newest first, each with the version it signed: one query."""
    signed = Signature.objects.filter(visitor=OuterRef("pk")).order_by("pk")
    visitors = Visitor.objects.annotate(
        version_number=Subquery(signed.values("version__number")[:1]),
    )
    return form.filter(visitors).order_by("-arrived_at", "-pk")


@login_required
def visitor_list(request):
    _visitors_read(request.user)
    form = VisitorFilterForm(request.GET)
    page = Paginator(visitors_listed(form), VISITORS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agreements/sessions_visitors.html", {
        "form": form, "page_obj": page,
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
    })


EXPORT_HEADER = [gettext_lazy("Arrived"), gettext_lazy("Name"), gettext_lazy("Organisation"),
                 gettext_lazy("Reason for visit"), gettext_lazy("Agreement version")]


@login_required
def visitor_export(request):
    _visitors_read(request.user)
    form = VisitorFilterForm(request.GET)
    if not form.is_valid():
        # A filter that could not be read must not silently widen the export to everything.
        messages.error(request, _("Nothing was exported: correct the filters shown below, then download again."))
        return redirect(reverse("agreements:visitors") + "?" + request.GET.urlencode())
    visitors = list(visitors_listed(form))
    audit_record(action="agreements.visitors.exported", request=request,
                 detail={"filters": form.summary(), "rows": len(visitors)})

    rows = ((csv_when(visitor.arrived_at), visitor.full_name, visitor.organisation, visitor.purpose,
             f"{visitor.version_number}" if visitor.version_number else "")
            for visitor in visitors)
    return csv_download(header=EXPORT_HEADER, rows=rows, filename=f"visitors-{timezone.localdate():%Y-%m-%d}.csv")
