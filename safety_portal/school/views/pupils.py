from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from incidents.access import can_work_incidents, incidents_for_user
from safety_portal.audit.services import audit_record
from safety_portal.school import roles
from safety_portal.school.access import can_open_pupil, pupil_for_user, role_required
from safety_portal.school.forms import PupilFilterForm
from safety_portal.school.models import Pupil

PAGE_SIZE = 50


@role_required(*roles.PUPIL_RECORDS)
def pupil_list(request):
    form = PupilFilterForm(request.GET)
    can_open = can_open_pupil(request.user)
    pupils = Pupil.objects.all()
    if can_open:
        # Family details are for those who may open the record: even a count can say "in care".
        pupils = pupils.annotate(guardian_count=Count("guardian_links"))
    pupils = form.filter(pupils)
    pupils = pupils.order_by("last_name", "first_name", "pk")
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "school/pupil_list.html", {
        "form": form, "page_obj": page, "can_open": can_open,
        "can_import": request.user.has_role(roles.ADMINISTRATOR),
    })


def incident_history(user, pupil):
    """(this pupil's incidents the user may open, with the pupil's role in each; whether to show the section).

    Only incidents the user may open are listed. The section is always there for those who work
    cases; for anyone else only when they may open one (someone named on a restricted case),
    so an empty panel never suggests that a child has no history.
    """
    history = list(pupil.incident_links.filter(incident__in=incidents_for_user(user))
                   .select_related("incident").order_by("-incident__occurred_at", "-incident__pk"))
    return history, bool(history) or can_work_incidents(user)


@login_required  # outsiders get 404 from pupil_for_user, so a pupil's id cannot be probed
def pupil_detail(request, pk):
    pupil = pupil_for_user(request.user, pk)
    links = pupil.guardian_links.select_related("guardian")
    history, show_history = incident_history(request.user, pupil)
    response = render(request, "school/pupil_detail.html", {
        "pupil": pupil, "links": links,
        # SEND, EAL and looked-after are shown beside a name only to the DSL team.
        "show_flags": request.user.has_role(roles.DSL, roles.HEADTEACHER),
        "can_import": request.user.has_role(roles.ADMINISTRATOR),
        "incident_history": history, "show_incident_history": show_history,
    })
    # A child's record and family contacts: every read is on the audit trail. Written
    # last, so the audit chain's lock is held only until the request commits.
    audit_record(action="school.pupil.viewed", obj=pupil, request=request)
    return response
