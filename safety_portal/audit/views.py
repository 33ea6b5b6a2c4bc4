from django.core.paginator import Paginator
from django.shortcuts import render

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.access import role_required


@role_required(*roles.AUDIT_READERS)
def event_list(request):
    events = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    who = request.GET.get("who", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    if who:
        events = events.filter(actor_label__icontains=who)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page_obj": page, "action": action, "who": who})
