from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from incidents.access import incidents_for_user
from safety_portal.audit.forms import AuditFilterForm
from safety_portal.audit.labels import action_label, detail_summary, object_reference
from safety_portal.audit.models import AuditEvent
from safety_portal.audit.visibility import events_visible_to
from safety_portal.school import roles
from safety_portal.school.access import role_required

INCIDENT = "incidents.incident"


def _incident_references(events, user):
    """{id: reference} for the page's incidents this reader may open, in one query.

    People know a case by its reference (OS-2026-0008), not by its number; the reference is looked
    up among the cases this reader may open only, so it never names a case they cannot see.
    """
    ids = {event.object_id for event in events if event.object_type == INCIDENT and event.object_id.isdigit()}
    if not ids:
        return {}
    return {str(pk): reference for pk, reference in
            incidents_for_user(user).filter(pk__in=[int(pk) for pk in ids]).values_list("pk", "reference")}


@role_required(*roles.AUDIT_READERS)
def event_list(request):
    form = AuditFilterForm(request.GET, user=request.user)
    events = events_visible_to(AuditEvent.objects.all(), request.user)
    page = Paginator(form.filter(events), 50).get_page(request.GET.get("page"))
    references = _incident_references(page, request.user)
    for event in page:
        event.label = action_label(event.action)
        event.record_label, event.record_url = object_reference(event.object_type, event.object_id, request.user)
        if event.object_type == INCIDENT and event.object_id in references:
            event.record_label = _("Incident %(reference)s") % {"reference": references[event.object_id]}
        event.detail_lines = detail_summary(event.detail)
    return render(request, "audit/event_list.html", {"page_obj": page, "form": form})
