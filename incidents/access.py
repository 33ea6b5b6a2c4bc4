"""Who may see which incident. Every incident view asks here; anyone else gets 404.

- The headteacher sees every incident.
- The DSL team sees every incident except restricted ones (allegations against staff),
  unless they are named on the case.
- Technical staff see filtering incidents only: once the DSL has triaged them (a reporter's
  choice of type is not trusted until then), and never one marked as a child-protection concern.
- The people named on a restricted case may open it while they hold the DSL or Headteacher role.
- Staff see only the concerns they reported, and only their status (reported_incident_for_user).
- Governors see no incident.
"""

from functools import wraps

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from incidents.models import FILTERING_TYPES, Incident, Sensitivity, Status
from safety_portal.school import roles


def can_work_incidents(user):
    """Case work (triage, chronology, referrals, closing): the DSL team and the headteacher."""
    return user.is_authenticated and user.has_role(roles.DSL, roles.HEADTEACHER)


def can_see_incident_list(user):
    return user.is_authenticated and user.has_role(roles.DSL, roles.HEADTEACHER, roles.TECHNICAL)


def incidents_for_user(user):
    """The incidents this person may open."""
    if not user.is_authenticated or not user.role_names:
        return Incident.objects.none()
    if user.has_role(roles.HEADTEACHER):
        return Incident.objects.all()
    visible = Q(pk__in=[])
    if user.has_role(roles.DSL):
        named = Exists(Incident.named_people.through.objects.filter(incident=OuterRef("pk"), user=user))
        visible |= Q(sensitivity__lt=Sensitivity.RESTRICTED) | Q(named)
    if user.has_role(roles.TECHNICAL):
        visible |= (Q(incident_type__in=FILTERING_TYPES) & ~Q(status=Status.NEW)
                    & ~Q(child_protection=True))
    return Incident.objects.filter(visible)


def incident_for_user(user, pk):
    return get_object_or_404(incidents_for_user(user), pk=pk)


def reported_incident_for_user(user, pk):
    """A concern this person reported, for its status page."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Incident, pk=pk, reported_by=user)


def closed_to_governors(view):
    """Every incident page answers "not found" to someone who is only a governor (DESIGN: governors never
    see case details), so the log's pages cannot even be told apart from addresses that do not exist."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role_names == {roles.GOVERNOR}:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
