"""Demo governor reports for the demo school (safety_portal.school.demo), so `make run` shows a
finalised report, a draft, and trends with something in them.

The incident log's own demo has about fifteen detailed cases over a year: too few for a termly
count or a three-term trend to mean anything. So this loader first adds simple, anonymous-looking
cases ("Demo: ...") to the most recent ended term, the two terms before it and the current term:
a dozen or so a term, across the 4C areas, types, places, devices and year groups of the demo
pupils, most closed, a few referred, most with parents told. Then it prepares the report of the
most recent ended term through the report services and finalises it, and prepares a draft for
the current term (or, before the next term starts, for the term before).

The cases are written with the models, as incidents.demo writes its own: the services stamp every
step with the present moment, and a demo case has to have happened weeks or months ago. They
follow the log's rules all the same (area and sensitivity from the type, the type's procedure as
steps, each status change kept, an outcome and lessons on closing, references OS-YYYY-NNNN past
the year's last one, with the counter moved past them).

Each term is filled once: a term that already has demo cases is left alone, as is a term that
already has a report, so loading again creates nothing. This loader must run after the other
apps' (the reports read their data): settings.INSTALLED_APPS lists reports last for that.
"""

import datetime
import itertools
import logging
import random
import re
from collections import Counter

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incidents.models import (
    TYPE_AREA,
    Agency,
    Area,
    DeviceOwner,
    Incident,
    IncidentPupil,
    IncidentType,
    Location,
    ParentContact,
    ProcedureStep,
    PupilRole,
    ReferenceCounter,
    Referral,
    Severity,
    Status,
    StatusChange,
    StepState,
    sensitivity_of,
)
from incidents.procedures import steps_for
from safety_portal.reports import services
from safety_portal.reports.models import Report, State
from safety_portal.reports.suppression import THRESHOLD, gives_away
from safety_portal.school.models import Pupil, SchoolProfile, Term, User

logger = logging.getLogger(__name__)

T = IncidentType
DSL, DEPUTY, HEAD = "dsl@demo.school", "deputy.dsl@demo.school", "head@demo.school"
TEACHER, IT, LEAD = "teacher@demo.school", "it@demo.school", "online.safety@demo.school"
DEMO_PEOPLE = [DSL, DEPUTY, HEAD, TEACHER, IT, LEAD]

# Every description starts so: it marks the cases this loader made (and tells a reader they are filler).
MARK = "Demo: "
TERMS_BEFORE = 2  # the finalised report's trend: its term and the two before it

IN, OFF, ONLINE = Location.IN_SCHOOL, Location.OFF_SITE, Location.ONLINE_OUTSIDE
SCHOOL, PERSONAL, UNKNOWN = DeviceOwner.SCHOOL, DeviceOwner.PERSONAL, DeviceOwner.UNKNOWN

# type: (descriptions, places, devices ("" = not asked), year groups, severity)
KINDS = {
    T.CYBERBULLYING: (
        ["pupil reported an unkind group-chat message.",
         "pupil said classmates left them out of an online game and called them names in its chat.",
         "a parent reported hurtful comments about their child under a video they had posted.",
         "pupil said an edited photo of them was being passed round a class chat."],
        [ONLINE, ONLINE, ONLINE, OFF, IN], [PERSONAL, PERSONAL, UNKNOWN], [5, 6, 7, 8, 9, 10], Severity.MEDIUM),
    T.FILTERING_BREACH: (
        ["monitoring flagged a games site reached through a proxy.",
         "monitoring flagged a video site that should be blocked, on a class tablet.",
         "a search for homework led to a site the filter should have blocked."],
        [IN], [SCHOOL], [3, 4, 5, 6, 7, 8, 9], Severity.LOW),
    T.INAPPROPRIATE_CONTENT: (
        ["pupil saw an upsetting video suggested after one set for a lesson.",
         "pupil came across frightening images while searching for a project.",
         "pupil was shown an unsuitable clip on a friend's phone at break."],
        [IN, IN, ONLINE], [SCHOOL, SCHOOL, PERSONAL, ""], [1, 2, 3, 4, 5], Severity.LOW),
    T.ONLINE_HATE: (
        ["an offensive comment about a group of people was posted under a pupil's video.",
         "pupil shared a meme mocking a religion in a year-group chat."],
        [ONLINE], [PERSONAL], [8, 9, 10, 11], Severity.MEDIUM),
    T.SCAMS_GAMBLING: (
        ["pupil spent money on in-game purchases without permission.",
         "pupil was sent a prize-draw message asking for bank details."],
        [ONLINE], [PERSONAL, UNKNOWN], [6, 7, 10, 11], Severity.LOW),
    T.DATA_BREACH: (
        ["pupil signed in to a classmate's account with a password they had seen.",
         "a class list with pupils' logins was left on a shared screen."],
        [IN], [SCHOOL], [4, 5, 6, 7], Severity.LOW),
    T.SEXUAL_HARASSMENT: (
        ["pupil received unwanted comments about their appearance in direct messages.",
         "pupil kept getting sexual comments in a game's chat after asking for them to stop."],
        [ONLINE], [PERSONAL], [9, 10, 11], Severity.MEDIUM),
    T.GROOMING: (
        ["an adult the pupil does not know asked them to move to a private chat app.",
         "a stranger in an online game asked a pupil which school they go to and where they live.",
         "pupil was added to a group chat by an adult they did not know, who then messaged them alone."],
        [ONLINE], [PERSONAL, UNKNOWN], [6, 7, 8], Severity.HIGH),
}
# How often each type comes up in a term: bullying and filtering most, contact from adults rarely.
MIX = ([T.CYBERBULLYING] * 4 + [T.FILTERING_BREACH] * 3 + [T.INAPPROPRIATE_CONTENT] * 2
       + [T.ONLINE_HATE, T.SCAMS_GAMBLING, T.DATA_BREACH, T.SEXUAL_HARASSMENT, T.GROOMING])
# The types of each area, as often as they come up: to top up an area with too few cases.
AREA_TYPES = {area: [kind for kind in MIX if TYPE_AREA[kind] == area] for area in Area if area != Area.NOT_SURE}

NOT_REFERRED = {
    T.CYBERBULLYING: "Unkind messages between classmates, with no threats and no wider concerns: the "
                     "anti-bullying procedure is the right response.",
    T.INAPPROPRIATE_CONTENT: "Legal but unsuitable content, seen briefly and reported straight away.",
    T.DATA_BREACH: "No personal data left the class; the data protection officer judged it not reportable.",
    T.SCAMS_GAMBLING: "No crime against the pupil; the family is dealing with the provider.",
    T.SEXUAL_HARASSMENT: "Handled in school with both families; no sign of coercion or of images shared.",
}
# type: [(agency, outcome)] when the case is referred.
REFERRED = {
    T.FILTERING_BREACH: [(Agency.FILTERING_PROVIDER, "Address and similar sites blocked.")],
    T.ONLINE_HATE: [(Agency.PLATFORM, "Comment removed by the platform.")],
    T.GROOMING: [(Agency.CEOP, ""), (Agency.POLICE_101, "Police are looking into the account.")],
    T.SEXUAL_HARASSMENT: [(Agency.SOCIAL_CARE, "No further action by social care; school to support.")],
}
OUTCOME = "Demo: resolved in school; the pupils were spoken to and the family kept informed."
LESSONS = "Demo: none: the procedure worked as intended."
NOT_TOLD = "Demo: the pupil asked to tell their parents themselves first; to be checked in a week."


def _moment(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def demo_terms(today):
    """(terms to fill with demo cases, the term to finalise, the term for the draft), as they stand on `today`.

    The finalised report is the most recent term whose reporting period (the term and the holiday after
    it) is over; the draft is the term after it if it has started, or else the term before it. The
    cases go into the finalised report's three-term trend and into the draft's term."""
    started = list(Term.objects.filter(start_date__lte=today).order_by("start_date"))
    # Ended with its holiday: a report is finalised only once its whole reporting period is over.
    ended = [term for term in started if term.reporting_end < today]
    if not ended:
        return started[-1:], None, (started[-1] if started else None)
    final = ended[-1]
    at = started.index(final)
    later = started[at + 1:at + 2]
    draft = later[0] if later else (started[at - 1] if at else None)
    return started[max(at - TERMS_BEFORE, 0):at + 1] + later, final, draft


@transaction.atomic
def reports_demo_load(today=None):
    """Create the demo cases and reports that are missing. Returns the number of rows created."""
    today = today or timezone.localdate()
    users = {user.email: user for user in User.objects.filter(email__in=DEMO_PEOPLE)}
    pupils = {pupil.mis_id: pupil for pupil in Pupil.objects.filter(mis_id__startswith="DEMO")}
    if len(users) < len(DEMO_PEOPLE) or not pupils or not SchoolProfile.objects.filter(pk=1).exists():
        return 0  # the demo school is not there: nothing to report on
    filled, final, draft = demo_terms(today)
    created = 0
    for term in filled:
        created += _fill_term(term, today, users, pupils)
    if final is not None:
        created += _report(final, users, finalise=True)
    if draft is not None:
        created += _report(draft, users, finalise=False)
    return created


# --- Cases -------------------------------------------------------------------------------------


def _fill_term(term, today, users, pupils):
    """A dozen or so demo cases on the term's school days before `today`, unless it has them already."""
    last_day = min(term.end_date, today - datetime.timedelta(days=1))
    days = [term.start_date + datetime.timedelta(days=n) for n in range((last_day - term.start_date).days + 1)]
    days = [day for day in days if day.weekday() < 5]
    mine = Q(description__startswith=MARK, reported_at__gte=_moment(term.start_date, 0),
             reported_at__lt=_moment(term.end_date + datetime.timedelta(days=1), 0))
    if not days or Incident.objects.filter(mine).exists():
        return 0
    rng = random.Random(f"{term.academic_year}-{term.name}")  # the same cases for a term, whatever the day
    # A term so far gets its share of a whole term's cases.
    whole_term = 9 + rng.randrange(7)
    count = max(1, round(whole_term * min(len(days) / 60, 1)))
    kinds = rng.sample(MIX, k=min(count, len(MIX))) + rng.choices(MIX, k=max(count - len(MIX), 0))
    kinds += _top_up(term, kinds, rng)
    count = len(kinds)
    # Before midnight at the start of `today`: nothing the loader writes is in the future.
    cut_off = _moment(today, 0)
    plans = []
    for index, incident_type in enumerate(kinds):
        day = days[min(int((index + rng.random()) * len(days) / count), len(days) - 1)]
        reported = _moment(day, 9 + rng.randrange(6), rng.randrange(60))
        plans.append((reported, incident_type))
    plans.sort(key=lambda plan: plan[0])
    references = _references([reported for reported, _type in plans])
    rows = 0
    for (reported, incident_type), reference in zip(plans, references, strict=True):
        rows += _case(incident_type, reference, reported, cut_off, rng, users, pupils)
    return rows


def _top_up(term, kinds, rng):
    """More cases for the 4C areas with 1 or 2 in the term (counting what the log has already), so that
    the table by area, and the term's column of the trend, print rather than being suppressed as a
    whole (one small cell next to a printed total could be worked out). The fewest cases that do it:
    an area topped up to 3, or given 1 or 2 so that two small cells hide each other. The other tables
    keep their small numbers, so the demo still shows "fewer than 3" and suppression."""
    period = Q(reported_at__gte=_moment(term.reporting_start, 0),
               reported_at__lt=_moment(term.reporting_end + datetime.timedelta(days=1), 0))
    totals = Counter(Incident.objects.filter(period).values_list("area", flat=True))
    totals.update(TYPE_AREA[incident_type] for incident_type in kinds)
    areas = list(AREA_TYPES)
    choices = [[totals[area]] if totals[area] >= THRESHOLD else range(totals[area], THRESHOLD + 1)
               for area in areas]
    # "Not sure" stays as it is: it is how a new concern waits for triage, not something to add.
    fixed = [totals[area] for area in totals if area not in AREA_TYPES]
    best = min(itertools.product(*choices),
               key=lambda targets: (gives_away([*targets, *fixed]), sum(targets)))
    return [rng.choice(AREA_TYPES[area]) for area, target in zip(areas, best, strict=True)
            for _n in range(target - totals[area])]


def _references(moments):
    """OS-YYYY-NNNN after the year's last reference in the log, for each moment in order; the year's
    counter is moved past them, so that a concern reported later never takes one (as incidents.demo
    does)."""
    pattern = re.compile(r"^OS-(\d{4})-(\d+)$")
    last, references = {}, []
    for moment in moments:
        year = timezone.localtime(moment).year
        if year not in last:
            used = Incident.objects.filter(reference__startswith=f"OS-{year}-").values_list("reference", flat=True)
            last[year] = max((int(match.group(2)) for reference in used if (match := pattern.match(reference))),
                             default=0)
        last[year] += 1
        references.append(f"OS-{year}-{last[year]:04d}")
    for year, number in last.items():
        counter, _created = ReferenceCounter.objects.get_or_create(year=year)
        if counter.last < number:
            counter.last = number
            counter.save(update_fields=["last"])
    return references


def _case(incident_type, reference, reported, cut_off, rng, users, pupils):
    """One triaged case, closed within three weeks if that is before `cut_off`. Returns rows created."""
    descriptions, places, devices, years, severity = KINDS[incident_type]
    location, device_owner = rng.choice(places), rng.choice(devices)
    urgent = incident_type == T.GROOMING and rng.random() < 0.5
    owner = users[rng.choice([DSL, DEPUTY])]
    reporter = users[IT if incident_type == T.FILTERING_BREACH else rng.choice([TEACHER, TEACHER, LEAD, DEPUTY])]
    # Online outside school: it happened the evening before; at school: shortly before it was reported.
    occurred = (reported - datetime.timedelta(hours=14 + rng.randrange(4)) if location == ONLINE
                else reported - datetime.timedelta(minutes=10 + rng.randrange(50)))
    triaged = reported + datetime.timedelta(minutes=20 + rng.randrange(40))
    closed = triaged + datetime.timedelta(days=1 + rng.randrange(20), hours=rng.randrange(5))
    if closed >= cut_off:
        closed = None
    incident = Incident.objects.create(
        reference=reference, status=Status.CLOSED if closed else Status.OPEN, incident_type=incident_type,
        area=TYPE_AREA[incident_type], sensitivity=sensitivity_of(incident_type), severity=severity,
        child_protection=incident_type == T.GROOMING, immediate_risk=urgent,
        # An urgent case is acknowledged when it is triaged.
        acknowledged_at=triaged if urgent else None, acknowledged_by=owner if urgent else None,
        reported_by=reporter, reported_at=reported, occurred_at=occurred, location=location,
        description=MARK + rng.choice(descriptions), device_owner=device_owner,
        url="https://blocked.example/demo" if incident_type == T.FILTERING_BREACH else "",
        owner=owner, outcome=OUTCOME if closed else "", lessons_learnt=LESSONS if closed else "",
        closed_at=closed, last_activity_at=closed or triaged)
    year = rng.choice(years)
    involved = rng.sample(range(12), k=1 + (rng.random() < 0.35))
    links = [IncidentPupil(incident=incident, pupil=pupils[mis_id],
                           role=PupilRole.AFFECTED if n == 0 else PupilRole.INSTIGATOR)
             for n, pupil_number in enumerate(involved)
             if (mis_id := f"DEMO{year + 1:02d}{pupil_number:03d}") in pupils]
    if not links:  # a demo roll without that year group: any demo pupil will do
        links = [IncidentPupil(incident=incident, pupil=next(iter(pupils.values())))]
    IncidentPupil.objects.bulk_create(links)
    changes = [StatusChange(incident=incident, from_status="", to_status=Status.NEW, changed_by=reporter,
                            changed_at=reported),
               StatusChange(incident=incident, from_status=Status.NEW, to_status=Status.OPEN, changed_by=owner,
                            changed_at=triaged)]
    if closed:
        changes.append(StatusChange(incident=incident, from_status=Status.OPEN, to_status=Status.CLOSED,
                                    changed_by=owner, changed_at=closed, outcome=OUTCOME, lessons_learnt=LESSONS))
    StatusChange.objects.bulk_create(changes)
    steps = _steps(incident, owner, triaged, closed, cut_off, rng)
    referrals = _referrals(incident, owner, reported, rng)
    contacts = _parents(incident, owner, reported, rng)
    return 1 + len(links) + len(changes) + steps + referrals + contacts


def _steps(incident, owner, triaged, closed, cut_off, rng):
    """The type's procedure: every step done on a closed case, the first few on an open one."""
    procedure = steps_for(incident.incident_type)
    done = len(procedure) if closed else 1 + rng.randrange(3)
    end = closed or min(triaged + datetime.timedelta(days=2), cut_off - datetime.timedelta(minutes=1))
    rows = []
    for order, (key, text) in enumerate(procedure, start=1):
        step = ProcedureStep(incident=incident, order=order, key=key, text=str(text))
        if order <= done:
            step.state, step.decided_by = StepState.DONE, owner
            step.decided_at = triaged + (end - triaged) * order / (len(procedure) + 1)
        rows.append(step)
    ProcedureStep.objects.bulk_create(rows)
    decided = [step.decided_at for step in rows if step.decided_at]
    if not closed and decided:
        incident.last_activity_at = max(decided)
        incident.save(update_fields=["last_activity_at"])
    return len(rows)


def _referrals(incident, owner, reported, rng):
    """Referred where the type calls for it (and now and then for harassment), or a decision not to refer."""
    incident_type = incident.incident_type
    made_on, recorded = timezone.localdate(reported), reported + datetime.timedelta(hours=2)
    if incident_type in REFERRED and (incident_type != T.SEXUAL_HARASSMENT or rng.random() < 0.5):
        rows = [Referral(incident=incident, decision=Referral.Decision.REFERRED, agency=agency, made_on=made_on,
                         outcome=outcome, recorded_by=owner, recorded_at=recorded)
                for agency, outcome in REFERRED[incident_type]]
    elif incident_type in NOT_REFERRED and rng.random() < 0.6:
        rows = [Referral(incident=incident, decision=Referral.Decision.NOT_REFERRED, made_on=made_on,
                         rationale=NOT_REFERRED[incident_type], recorded_by=owner, recorded_at=recorded)]
    else:
        rows = []
    Referral.objects.bulk_create(rows)
    return len(rows)


def _parents(incident, owner, reported, rng):
    """Parents told on most cases, not yet on a few (with the reason), nothing recorded on the rest."""
    draw = rng.random()
    told = reported + datetime.timedelta(hours=3)
    if draw < 0.75:
        contact = ParentContact(incident=incident, informed=True, informed_at=told, informed_by=owner,
                                method=rng.choice(ParentContact.Method.values), recorded_at=told)
    elif draw < 0.85:
        contact = ParentContact(incident=incident, informed=False, informed_by=owner, rationale=NOT_TOLD,
                                recorded_at=told)
    else:
        return 0
    contact.save()
    return 1


# --- Reports -----------------------------------------------------------------------------------


def _report(term, users, *, finalise):
    """The term's report through the report services, unless it has one (or one being prepared).

    The service queues the generation for after the commit, and the demo runs in one transaction:
    so the loader prepares it itself, at once, so that it can finalise it. The task queued for after
    the commit then finds the report prepared and leaves it alone."""
    if Report.objects.filter(term=term).exclude(state=State.FAILED).exists():
        return 0
    report = services.report_request(term=term, requested_by=users[DSL])
    report = services.report_generate(report.pk)
    if report.state != State.DRAFT:
        logger.warning("The demo report for %s could not be prepared: %s", term, report.error)
        return 1
    if finalise:
        services.report_finalise(report=report, by=users[HEAD])
    return 1
