"""Report test data: incidents and the records around them, made straight into the database.

`local(...)` gives an aware date-time in the school's time zone, so a test can put an incident at
00:00 on a term's first day exactly as the school sees it. The bulk helpers write thousands of rows
in a few statements, for the tests of cost.
"""

import datetime
import itertools

from django.utils import timezone

from incidents.models import (
    TYPE_AREA,
    Area,
    DeviceOwner,
    Incident,
    IncidentPupil,
    IncidentType,
    Location,
    ParentContact,
    Referral,
    Status,
    sensitivity_of,
)
from policies.models import Policy, PolicyVersion, TrainingAttendance, TrainingSession
from safety_portal.school.models import Guardian, Pupil, PupilGuardian

_references = itertools.count(1)


def local(year, month, day, hour=12, minute=0):
    """An aware date-time on the school's clock (Europe/London unless settings say otherwise)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def make_incident(reported_at, *, reporter, area=Area.CONDUCT, incident_type=IncidentType.CYBERBULLYING,
                  location=Location.IN_SCHOOL, device_owner="", immediate_risk=False, closed_at=None, pupils=(),
                  description="A pupil was sent unkind messages in a group chat.", reference=None):
    """An incident as the log holds it after triage (and closing, when `closed_at` is given)."""
    incident = Incident.objects.create(
        reference=reference or f"OS-R-{next(_references):05d}", reported_by=reporter, reported_at=reported_at,
        occurred_at=reported_at, area=area, incident_type=incident_type, sensitivity=sensitivity_of(incident_type),
        location=location, device_owner=device_owner, immediate_risk=immediate_risk, description=description,
        url="https://blocked.example/page" if incident_type == IncidentType.FILTERING_BREACH else "",
        status=Status.CLOSED if closed_at else Status.OPEN, closed_at=closed_at, owner=reporter,
        last_activity_at=closed_at or reported_at)
    for pupil in pupils:
        IncidentPupil.objects.create(incident=incident, pupil=pupil)
    return incident


def refer(incident, decision, made_on, *, recorded_by, agency="", agency_other=""):
    return Referral.objects.create(incident=incident, decision=decision, agency=agency, agency_other=agency_other,
                                   made_on=made_on, recorded_by=recorded_by,
                                   rationale="" if decision == Referral.Decision.REFERRED else "Handled in school.")


def tell_parents(incident, informed, *, by):
    return ParentContact.objects.create(
        incident=incident, informed=informed, informed_by=by,
        informed_at=incident.reported_at if informed else None, method="phone" if informed else "",
        rationale="" if informed else "Not yet: waiting for advice.")


def policy_with_version(title, *, approved_on, cycle=12, status="active", recorded_by, more_versions=()):
    """A policy whose current version was approved on `approved_on` (earlier approvals in `more_versions`),
    with its next review date as the register's services would set it."""
    policy = Policy.objects.create(title=title, review_cycle_months=cycle, status=status)
    current = None
    for number, day in enumerate(sorted([*more_versions, approved_on]), start=1):
        current = PolicyVersion.objects.create(
            policy=policy, number=str(number), change_summary="Reviewed.", approved_on=day,
            approved_by="Full governing body", document=f"policies/{title}.pdf", document_name=f"{title}.pdf",
            document_sha256="0" * 64, recorded_by=recorded_by)
    policy.current_version = current
    policy.next_review_on = policy.review_date_from_rules()
    policy.save(update_fields=["current_version", "next_review_on"])
    return policy


def training(held_on, kind, attendees, *, recorded_by):
    session = TrainingSession.objects.create(held_on=held_on, title=f"{kind} training", kind=kind,
                                             recorded_by=recorded_by)
    TrainingAttendance.objects.bulk_create([TrainingAttendance(session=session, user=user) for user in attendees])
    return session


# --- In bulk -----------------------------------------------------------------------------------

AREAS = list(Area)
# Allegations against staff are restricted cases, which the report does not count.
TYPES = [choice for choice in IncidentType if choice != IncidentType.STAFF_MISUSE]
LOCATIONS = list(Location)
DEVICES = [*DeviceOwner, ""]
AGENCIES = ["social_care", "police_101", "ceop", "other", "lado"]


def bulk_pupils(count, *, batch):
    """Pupils across Reception to Year 11, two guardians each with parental responsibility."""
    Pupil.objects.bulk_create([
        Pupil(mis_id=f"RB{batch}-{n:06d}", first_name="Pupil", last_name=f"Number{n}", year_group=n % 12,
              reg_class=f"{n % 12}{'AB'[n % 2]}") for n in range(count)], batch_size=1000)
    pupils = list(Pupil.objects.filter(mis_id__startswith=f"RB{batch}-").order_by("pk"))
    Guardian.objects.bulk_create([
        Guardian(mis_id=f"RG{batch}-{n:06d}-{k}", first_name="Parent", last_name=f"Number{n}")
        for n in range(count) for k in (1, 2)], batch_size=1000)
    guardians = list(Guardian.objects.filter(mis_id__startswith=f"RG{batch}-").order_by("pk"))
    PupilGuardian.objects.bulk_create([
        PupilGuardian(pupil=pupil, guardian=guardian, parental_responsibility=True, relationship="Parent")
        for pupil, pair in zip(pupils, zip(guardians[::2], guardians[1::2], strict=True), strict=True)
        for guardian in pair], batch_size=2000)
    return pupils, guardians


def bulk_incidents(count, *, since, until, reporter, pupils, batch):
    """`count` incidents reported evenly between the aware date-times `since` and `until`, each with one
    to three pupils, about half closed after a few days, most with a parent contact and a third with a
    referral decision. A few statements whatever `count` is."""
    step = (until - since) / count
    incidents = []
    for n in range(count):
        reported = since + step * n
        closed = reported + datetime.timedelta(days=1 + n % 9, hours=n % 5) if n % 2 else None
        kind = TYPES[n % len(TYPES)]
        incidents.append(Incident(
            reference=f"OS-RB{batch}-{n:06d}", reported_by=reporter, owner=reporter, reported_at=reported,
            occurred_at=reported, area=TYPE_AREA[kind], incident_type=kind, sensitivity=sensitivity_of(kind),
            location=LOCATIONS[n % len(LOCATIONS)], device_owner=DEVICES[n % len(DEVICES)],
            immediate_risk=n % 23 == 0, description="Bulk", status=Status.CLOSED if closed else Status.OPEN,
            closed_at=closed, last_activity_at=closed or reported))
    Incident.objects.bulk_create(incidents, batch_size=1000)
    ids = list(Incident.objects.filter(reference__startswith=f"OS-RB{batch}-").order_by("pk")
               .values_list("pk", "reported_at"))
    IncidentPupil.objects.bulk_create([
        IncidentPupil(incident_id=pk, pupil=pupils[(index * 7 + k) % len(pupils)])
        for index, (pk, _reported) in enumerate(ids) for k in range(1 + index % 3)], batch_size=2000)
    ParentContact.objects.bulk_create([
        ParentContact(incident_id=pk, informed=index % 4 != 0, informed_by=reporter)
        for index, (pk, _reported) in enumerate(ids) if index % 5], batch_size=2000)
    Referral.objects.bulk_create([
        Referral(incident_id=pk, decision="referred" if index % 2 else "not_referred",
                 agency=AGENCIES[index % len(AGENCIES)] if index % 2 else "",
                 made_on=timezone.localdate(reported) + datetime.timedelta(days=index % 4), recorded_by=reporter)
        for index, (pk, reported) in enumerate(ids) if index % 3 == 0], batch_size=2000)
    return len(ids)
