from django.core.paginator import Paginator
from django.shortcuts import render

from safety_portal.audit.forms import AuditFilterForm
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.access import role_required


@role_required(*roles.AUDIT_READERS)
def event_list(request):
    form = AuditFilterForm(request.GET)
    page = Paginator(form.filter(AuditEvent.objects.all()), 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page_obj": page, "form": form})
