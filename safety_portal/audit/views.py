from django.core.paginator import Paginator
from django.shortcuts import render

from safety_portal.audit.forms import AuditFilterForm
from safety_portal.audit.labels import action_label, detail_summary, object_reference
from safety_portal.audit.models import AuditEvent
from safety_portal.audit.visibility import events_visible_to
from safety_portal.school import roles
from safety_portal.school.access import role_required


@role_required(*roles.AUDIT_READERS)
def event_list(request):
    form = AuditFilterForm(request.GET, user=request.user)
    events = events_visible_to(AuditEvent.objects.all(), request.user)
    page = Paginator(form.filter(events), 50).get_page(request.GET.get("page"))
    for event in page:
        event.label = action_label(event.action)
        event.record_label, event.record_url = object_reference(event.object_type, event.object_id, request.user)
        event.detail_lines = detail_summary(event.detail)
    return render(request, "audit/event_list.html", {"page_obj": page, "form": form})
