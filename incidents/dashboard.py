"""The incident log's panels on the home page, registered with the school's dashboard."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from incidents.access import incidents_for_user
from incidents.models import FILTERING_TYPES, Incident, Sensitivity, Status
from incidents.services import incident_path, overdue_steps
from safety_portal.school import roles
from safety_portal.school.dashboard import Panel, Row
from safety_portal.school.models import Term


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _current_and_previous_term():
    """This term and the one before (as Term.objects.current() and previous()), in two queries."""
    today = timezone.localdate()
    started = list(Term.objects.filter(start_date__lte=today).order_by("-start_date")[:2])
    upcoming = Term.objects.filter(start_date__gt=today).order_by("start_date").first()
    if not started:
        return None, None
    # Fill in next_term (a cached property) so reporting_end needs no further queries.
    started[0].__dict__["next_term"] = upcoming
    if len(started) > 1:
        started[1].__dict__["next_term"] = started[0]
    # Until the next term's dates are entered, "this term" is the latest one to have started.
    return started[0], (started[1] if len(started) > 1 else None)


def _incident_panels(user):
    """The DSL team's panels. Every query starts from incidents_for_user, so a restricted case
    shows only to the headteacher and the people named on it."""
    visible = incidents_for_user(user)
    urgent = Panel("urgent", _("Urgent concerns"),
                   _("Concerns reported with 'a child is at immediate risk' are pinned here "
                     "until someone in the DSL team acknowledges them."))
    for incident in (visible.filter(immediate_risk=True, acknowledged_at__isnull=True).exclude(status=Status.CLOSED)
                     .only("pk", "reference", "reported_at", "incident_type").order_by("reported_at", "pk")[:10]):
        # Enough to decide what to open first: the type and how long ago it came in.
        label = _("%(reference)s: %(type)s, %(age)s ago") % {
            "reference": incident.reference, "type": incident.get_incident_type_display(),
            "age": timesince(incident.reported_at, depth=1)}
        urgent.rows.append(Row(label, "", incident_path(incident.pk),
                               reverse("incidents:acknowledge", args=[incident.pk]), _("Acknowledge")))

    by_status = dict(visible.open().order_by().values_list("status").annotate(n=Count("pk")))
    open_panel = Panel("open_incidents", _("Open incidents"),
                       _("Incidents waiting for triage or still being worked will be listed here."))
    for status in (Status.NEW, Status.OPEN):
        if by_status.get(status):
            open_panel.rows.append(Row(status.label, by_status[status],
                                       reverse("incidents:list") + f"?status={status.value}"))

    steps = overdue_steps(visible)
    step_count = steps.count()
    steps_panel = Panel("open_steps", _("Procedure steps left open"),
                        _("Response steps still to do a week after a concern was reported will appear here."))
    if step_count:
        steps_panel.rows.append(Row(_("Overdue steps"), step_count))
        for step in (steps.select_related("incident").only("pk", "text", "incident__id", "incident__reference")
                     .order_by("incident__reported_at", "incident_id", "order")[:5]):
            steps_panel.rows.append(Row(step.incident.reference, Truncator(step.text).chars(40),
                                        incident_path(step.incident.pk)))

    terms = Panel("term_counts", _("Incidents this term"),
                  _("Once this term's dates are entered, incidents reported this term and last term will be "
                    "compared here."))
    current, previous = _current_and_previous_term()
    if current:
        periods = {"this": current}
        if previous:
            periods["last"] = previous
        counts = visible.order_by().aggregate(**{
            key: Count("pk", filter=Q(reported_at__gte=_day_start(term.reporting_start),
                                      reported_at__lt=_day_start(term.reporting_end + datetime.timedelta(days=1))))
            for key, term in periods.items()})
        terms.rows.append(Row(str(current), counts["this"]))
        if previous:
            terms.rows.append(Row(str(previous), counts["last"]))

    panels = [urgent, open_panel, steps_panel, terms]
    if user.has_role(roles.HEADTEACHER):
        restricted = Panel("restricted", _("Restricted cases"),
                           _("Allegations against staff, seen only by you and the people named "
                             "on each case, will appear here."))
        for incident in (visible.open().filter(sensitivity=Sensitivity.RESTRICTED)
                         .only("pk", "reference", "status").order_by("-reported_at", "-pk")[:10]):
            restricted.rows.append(Row(incident.reference, incident.get_status_display(),
                                       incident_path(incident.pk)))
        panels.append(restricted)
    return panels


def _filtering_panel(user):

    panel = Panel("filtering", _("Filtering and monitoring"),
                  _("Filtering breaches you and colleagues report will appear here."))
    recent = (incidents_for_user(user).filter(incident_type__in=FILTERING_TYPES)
              .only("pk", "reference", "reported_at").order_by("-reported_at", "-pk")[:5])
    for incident in recent:
        panel.rows.append(Row(incident.reference, date_format(timezone.localtime(incident.reported_at), "j M Y"),
                              incident_path(incident.pk)))
    return panel


def _my_concerns_panel(user):

    panel = Panel("my_concerns", _("Concerns you reported"),
                  _("Each concern you report will be listed here with its reference and status."))
    mine = (Incident.objects.filter(reported_by=user).only("pk", "reference", "status")
            .order_by("-reported_at", "-pk")[:5])
    for incident in mine:
        panel.rows.append(Row(incident.reference, incident.get_status_display(),
                              reverse("incidents:my_report", args=[incident.pk])))
    if panel.rows:
        panel.rows.append(Row(_("All concerns you reported"), "", reverse("incidents:my_reports")))
    panel.rows.append(Row(_("Report a concern"), "", reverse("incidents:report")))
    return panel


def incident_panels(user):
    """(position, panel) pairs for this person's home page."""
    panels = []
    if user.has_role(roles.DSL, roles.HEADTEACHER):
        panels += [(10, panel) for panel in _incident_panels(user)]
    if user.has_role(roles.TECHNICAL):
        panels.append((40, _filtering_panel(user)))
    if user.has_role(roles.STAFF, roles.TECHNICAL, roles.DSL, roles.HEADTEACHER,
                     roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR):
        panels.append((60, _my_concerns_panel(user)))
    return panels
