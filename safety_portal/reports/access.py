"""Who may see the termly governor reports. Views ask here.

- The DSL and the headteacher generate drafts, preview them, finalise and supersede.
- Governors see finalised reports only (and those superseded, marked so), and download them.
- Everyone else, and a governor asking for a draft, gets 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from safety_portal.reports.models import Report
from safety_portal.school import roles

MAKERS = frozenset({roles.DSL, roles.HEADTEACHER})
READERS = MAKERS | {roles.GOVERNOR}


def can_make_reports(user):
    return user.is_authenticated and user.has_role(*MAKERS)


def can_read_reports(user):
    return user.is_authenticated and user.has_role(*READERS)


def reports_for(user):
    """The reports this person may list: every one for the DSL and headteacher, finalised ones for governors."""
    if can_make_reports(user):
        return Report.objects.all()
    if can_read_reports(user):
        return Report.objects.finalised()
    return Report.objects.none()


def report_for_reader(user, pk):
    return get_object_or_404(reports_for(user).select_related("term"), pk=pk)


def report_for_maker(user, pk):
    if not can_make_reports(user):
        raise Http404
    return get_object_or_404(Report.objects.select_related("term"), pk=pk)
