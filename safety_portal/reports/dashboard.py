"""Governor reports on the home page, registered with the school's dashboard.

- The DSL and the headteacher see the drafts waiting to be finalised, a report being prepared or
  that could not be, the latest finalised report and a link to prepare one.
- Governors see the latest finalised reports, each a download link.

Each panel costs the same two queries however many reports and terms there are.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety_portal.reports import access
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from safety_portal.school.dashboard import Panel, Row
from safety_portal.school.forms import short_date

MAKERS_POSITION, GOVERNORS_POSITION = 12, 50
SHOWN = 3


def _date(moment):
    return short_date(timezone.localdate(moment))


def _makers_panel():
    panel = Panel("reports", _("Governor reports"),
                  _("Termly reports for governors will be listed here. A draft is prepared a week after each term "
                    "ends."))
    pending = list(Report.objects.filter(state__in=[State.DRAFT, State.GENERATING, State.FAILED])
                   .select_related("term").order_by("-requested_at", "-pk")[:SHOWN + 1])
    labels = {State.DRAFT: _("draft: check and finalise"), State.GENERATING: _("being prepared"),
              State.FAILED: _("could not be prepared")}
    for report in pending[:SHOWN]:
        panel.rows.append(Row(str(report.term), labels[report.state], reverse("reports:detail", args=[report.pk])))
    if len(pending) > SHOWN:
        panel.rows.append(Row(_("More reports in progress"), "", reverse("reports:list")))
    latest = Report.objects.filter(state=State.FINAL).select_related("term").order_by("-term__start_date").first()
    if latest is not None:
        panel.rows.append(Row(_("Latest finalised: %(term)s") % {"term": latest.term}, _date(latest.finalised_at),
                              reverse("reports:detail", args=[latest.pk])))
    if panel.rows:
        panel.rows.append(Row(_("Prepare a report"), "", reverse("reports:new")))
    return panel


def _governors_panel():
    panel = Panel("governor_reports", _("Termly reports"),
                  _("Finalised termly online-safety reports will be ready to download here."))
    finals = list(Report.objects.filter(state=State.FINAL).select_related("term")
                  .order_by("-term__start_date")[:SHOWN])
    for report in finals:
        panel.rows.append(Row(_("%(term)s (PDF)") % {"term": report.term},
                              _("finalised %(date)s") % {"date": _date(report.finalised_at)},
                              reverse("reports:pdf", args=[report.pk])))
    if finals:
        panel.rows.append(Row(_("All termly reports"), "", reverse("reports:list")))
    return panel


def report_panels(user):
    """(position, panel) pairs for this person's home page."""
    panels = []
    if access.can_make_reports(user):
        panels.append((MAKERS_POSITION, _makers_panel()))
    if user.has_role(roles.GOVERNOR):
        panels.append((GOVERNORS_POSITION, _governors_panel()))
    return panels
