"""Write operations on incidents that touch several models; each writes its audit events
in the same transaction.

Notification emails carry the reference, type, reporter and a link: never pupils' names or
what happened.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from incidents.models import (
    RESTRICTED_TYPES,
    TYPE_AREA,
    Area,
    DigestMention,
    Incident,
    IncidentPupil,
    IncidentType,
    ProcedureStep,
    ReferenceCounter,
    Sensitivity,
    Status,
    StatusChange,
    StepState,
    sensitivity_of,
)
from safety_portal.audit.services import audit_record
from safety_portal.outbox.services import email_queue
from safety_portal.school import roles
from safety_portal.school.models import User

STALE_AFTER = datetime.timedelta(days=14)
# A procedure step still open this long after the concern was reported is overdue.
STEP_OVERDUE_AFTER = datetime.timedelta(days=7)


def incident_path(pk):
    """The case page's path (built by the case work; until it exists, its agreed path)."""
    try:
        return reverse("incidents:detail", args=[pk])
    except NoReverseMatch:
        return f"/incidents/{pk}/"


def incident_link(pk):
    return f"{settings.SITE_URL.rstrip('/')}{incident_path(pk)}"


def reference_allocate(year):
    """The next `OS-<year>-<NNNN>`; the year's counter row is locked until the caller commits."""
    with transaction.atomic():
        counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
        if counter is None:
            # get_or_create: two first reports of a year may race to create the row.
            ReferenceCounter.objects.get_or_create(year=year)
            counter = ReferenceCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"OS-{year}-{counter.last:04d}"


def dsl_team(incident_type=None):
    """Active accounts told about new concerns: for a restricted type, the headteacher only."""
    wanted = [roles.HEADTEACHER] if incident_type in RESTRICTED_TYPES else [roles.DSL, roles.HEADTEACHER]
    return (User.objects.filter(is_active=True, groups__name__in=wanted)
            .distinct().order_by("email"))


def incident_report(*, reporter, data, pupils, request=None):
    """Record a new concern and tell the DSL team.

    `data`: the incident's fields (a form's cleaned_data); `pupils`: (pupil, role) pairs.
    """
    data = dict(data)
    now = timezone.now()
    incident_type = data.get("incident_type") or IncidentType.NOT_SURE
    data["incident_type"] = incident_type
    if data.get("area") in (None, "", Area.NOT_SURE) and incident_type != IncidentType.NOT_SURE:
        data["area"] = TYPE_AREA[incident_type]
    data.setdefault("reported_at", now)
    with transaction.atomic():
        incident = Incident(
            **data,
            reported_by=reporter,
            reference=reference_allocate(timezone.localtime(data["reported_at"]).year),
            sensitivity=sensitivity_of(incident_type),
            status=Status.NEW,
            last_activity_at=now,
        )
        incident.save()
        StatusChange.objects.create(incident=incident, from_status="", to_status=Status.NEW,
                                    changed_by=reporter, changed_at=now)
        IncidentPupil.objects.bulk_create(
            [IncidentPupil(incident=incident, pupil=pupil, role=role) for pupil, role in pupils])
        audit_record(action="incidents.incident.reported", actor=reporter, obj=incident, request=request,
                     detail={"pupils": len(pupils), "immediate_risk": incident.immediate_risk})
        recipients = list(dsl_team(incident_type).values_list("email", flat=True))
        if recipients:
            email_queue(to=recipients, template="incident_reported", context={
                "reference": incident.reference,
                "type_label": incident.get_incident_type_display(),
                "reporter": str(reporter),
                "urgent": incident.immediate_risk,
                "link": incident_link(incident.pk),
            })
    return incident


def incident_acknowledge(*, incident, user, request=None):
    """Someone in the DSL team has seen an immediate-risk concern: unpin it."""
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.acknowledged_at is not None or locked.is_closed:
            # A closed case is changed only by reopening it.
            return locked
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = user
        locked.last_activity_at = locked.acknowledged_at
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "last_activity_at"])
        audit_record(action="incidents.incident.acknowledged", actor=user, obj=locked, request=request)
    return locked


# --- The daily overdue digest ---------------------------------------------------------------


def overdue_incidents(now=None):
    """Open incidents with no activity for 14 days, or with procedure steps left open for a week.

    Annotated with `open_steps` (how many steps are left open).
    """
    now = now or timezone.now()
    open_steps = Count("steps", filter=Q(steps__state=StepState.OPEN))
    return (Incident.objects.open()
            .annotate(open_steps=open_steps)
            .filter(Q(last_activity_at__lt=now - STALE_AFTER)
                    | Q(open_steps__gt=0, reported_at__lt=now - STEP_OVERDUE_AFTER))
            .order_by("last_activity_at", "pk"))


def overdue_steps(incidents, now=None):
    """Open steps on open incidents (from `incidents`) reported more than a week ago."""
    now = now or timezone.now()
    return ProcedureStep.objects.filter(
        state=StepState.OPEN, incident__in=incidents.open().filter(reported_at__lt=now - STEP_OVERDUE_AFTER))


def incident_overdue_digest(now=None):
    """Email the DSL team the overdue incidents not already in today's digest. Returns how many were sent.

    Each incident is named at most once a day (DigestMention), so a second run sends nothing new.
    Restricted cases go to the headteacher only.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    stale_before = now - STALE_AFTER
    candidates = list(overdue_incidents(now).exclude(
        pk__in=DigestMention.objects.filter(day=today).values("incident_id")))
    mentioned = []
    with transaction.atomic():
        for incident in candidates:
            # get_or_create: a run racing this one names each incident once between them.
            _mention, created = DigestMention.objects.get_or_create(incident=incident, day=today)
            if created:
                mentioned.append(incident)
        if not mentioned:
            return 0
        rows = [{"reference": incident.reference, "link": incident_link(incident.pk),
                 "stale": incident.last_activity_at < stale_before, "open_steps": incident.open_steps,
                 "restricted": incident.sensitivity == Sensitivity.RESTRICTED}
                for incident in mentioned]
        heads = set(dsl_team(IncidentType.STAFF_MISUSE).values_list("email", flat=True))
        others = set(dsl_team().values_list("email", flat=True)) - heads
        if any(row["restricted"] for row in rows):
            batches = ((heads, rows), (others, [row for row in rows if not row["restricted"]]))
        else:
            batches = ((heads | others, rows),)
        sent = 0
        for recipients, visible in batches:
            if recipients and visible:
                email_queue(to=sorted(recipients), template="incident_digest",
                            context={"rows": visible, "day": today})
                sent += 1
    return sent
