from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from safety_portal.audit.services import audit_record
from safety_portal.school import extensions, roles
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


@login_required  # outsiders get 404 from pupil_for_user, so a pupil's id cannot be probed
def pupil_detail(request, pk):
    pupil = pupil_for_user(request.user, pk)
    links = pupil.guardian_links.select_related("guardian")
    context = {
        "pupil": pupil, "links": links,
        # SEND, EAL and looked-after are shown beside a name only to the DSL team.
        "show_flags": request.user.has_role(roles.DSL, roles.HEADTEACHER),
        "can_import": request.user.has_role(roles.ADMINISTRATOR),
        "sections": [],
    }
    # Sections the domain apps add (the online-safety history, for one).
    for provider in extensions.pupil_section_providers:
        section = provider(request.user, pupil)
        if section:
            template, section_context = section
            context["sections"].append(template)
            context.update(section_context)
    response = render(request, "school/pupil_detail.html", context)
    # A child's record and family contacts: every read is on the audit trail. Written
    # last, so the audit chain's lock is held only until the request commits.
    audit_record(action="school.pupil.viewed", obj=pupil, request=request)
    return response
