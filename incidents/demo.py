"""Demo incidents for the demo school (safety_portal.school.demo): every type, in every status.

The records are written directly with the models, following their rules (area from TYPE_AREA,
sensitivity from sensitivity_of, references OS-YYYY-NNNN). Each incident is keyed on its
reference and left alone if it exists, so loading twice changes nothing. Afterwards the year's
ReferenceCounter is moved past the demo numbers, so a real report never takes one of them.

Procedure steps are the type's own (incidents.procedures). Dates count back from `today`
(at most a year), so they fall across the demo's two academic years.
The wording is the portal's own: sober, factual, and without graphic detail.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from incidents.models import (
    TYPE_AREA,
    Agency,
    ChronologyEntry,
    DeviceOwner,
    EntryKind,
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
from safety_portal.school.models import Pupil, User

T = IncidentType
DSL, DEPUTY, HEAD = "dsl@demo.school", "deputy.dsl@demo.school", "head@demo.school"
TEACHER, IT, LEAD = "teacher@demo.school", "it@demo.school", "online.safety@demo.school"

# Each demo case. Pupils are (MIS id from the demo roll, role). Times are (days after it happened, hour).
DEMO_INCIDENTS = [
    {
        "days_ago": 330, "type": T.FILTERING_BREACH, "status": Status.CLOSED, "severity": Severity.LOW,
        "child_protection": False, "location": Location.IN_SCHOOL, "reporter": IT, "owner": DEPUTY,
        "pupils": [("DEMO10004", PupilRole.AFFECTED)],
        "url": "https://unblocked-games.example/proxy",
        "device": (DeviceOwner.SCHOOL, "Library PC 4"),
        "description": "Monitoring flagged that a pupil reached a proxy site that gets round the school "
                       "filter, during a library lesson. The pupil used it to play games.",
        "immediate_action": "Closed the browser, noted the address and told the class teacher.",
        "chronology": [(0, 14, EntryKind.NOTE, "Spoke to the pupil, who said a friend had shown them the address. "
                                               "Reminded them of the acceptable use agreement.")],
        "referrals": [{"decision": "referred", "agency": Agency.FILTERING_PROVIDER, "days": 0,
                       "external_reference": "SW-118204", "outcome": "Address and similar proxy sites blocked."}],
        "parents": [{"informed": True, "method": ParentContact.Method.PHONE, "days": 1}],
        "not_applicable": {"illegal_content": "The site offers games through a proxy; nothing on it was illegal."},
        "outcome": "The site is blocked. The pupil lost library computer time for a week.",
        "lessons": "Proxy sites change often: the technician now checks the monitoring report daily.",
    },
    {
        "days_ago": 300, "type": T.CYBERBULLYING, "status": Status.CLOSED, "severity": Severity.MEDIUM,
        "child_protection": False, "location": Location.ONLINE_OUTSIDE, "reporter": TEACHER, "owner": DSL,
        "pupils": [("DEMO08001", PupilRole.AFFECTED), ("DEMO08004", PupilRole.INSTIGATOR),
                   ("DEMO08007", PupilRole.INSTIGATOR), ("DEMO08010", PupilRole.WITNESS)],
        "device": (DeviceOwner.PERSONAL, "Mobile phones"),
        "description": "A pupil told their teacher that two classmates had been posting unkind comments "
                       "about them in a class group chat over the weekend, and had removed them from the group.",
        "immediate_action": "Listened to the pupil and reassured them. Told the DSL the same morning.",
        "chronology": [
            (0, 11, EntryKind.MEETING, "Met the pupil with their form tutor. The messages were shown on the pupil's "
                                       "phone; the pupil's parent took screenshots."),
            (1, 9, EntryKind.MEETING, "Met the two pupils separately. Both accepted that they had posted the "
                                      "comments."),
            (1, 15, EntryKind.SANCTION, "Both pupils given a lunchtime detention and a session with the pastoral "
                                        "lead on kindness online."),
            (8, 10, EntryKind.SUPPORT, "Check-in with the affected pupil: things are better and the group chat has "
                                       "been closed."),
        ],
        "correction": (1, 16, "Correction: the detentions were on two lunchtimes, not one."),
        "referrals": [{"decision": "not_referred", "days": 1,
                       "rationale": "Unkind messages between classmates, with no threats, no sexual content and no "
                                    "wider concerns about the children. The school's anti-bullying procedure is "
                                    "the right response."}],
        "parents": [{"informed": True, "method": ParentContact.Method.MEETING, "days": 1},
                    {"informed": True, "method": ParentContact.Method.PHONE, "days": 1}],
        "outcome": "Apologies given; no further messages after two weeks of checks.",
        "lessons": "The class group chat was set up by pupils without an adult: Year 7 parents' evening will "
                   "cover group chats.",
    },
    {
        "days_ago": 270, "type": T.NUDES, "status": Status.CLOSED, "severity": Severity.HIGH,
        "child_protection": True, "location": Location.ONLINE_OUTSIDE, "reporter": LEAD, "owner": DSL,
        "immediate_risk": True,
        "pupils": [("DEMO11002", PupilRole.AFFECTED), ("DEMO11005", PupilRole.INSTIGATOR)],
        "device": (DeviceOwner.PERSONAL, "Mobile phone"),
        "description": "A pupil told a member of staff that a semi-nude image they had shared with "
                       "another pupil had been passed on to others. The pupil was distressed. No member of staff "
                       "has seen the image.",
        "immediate_action": "Stayed with the pupil and took them to the DSL. Did not ask to see the image.",
        "chronology": [
            (0, 10, EntryKind.DEVICE_SECURED, "The other pupil's phone was handed in, switched off and locked in "
                                              "the safe. It was not searched."),
            (0, 12, EntryKind.ADVICE, "Phoned children's social care for advice."),
            (2, 14, EntryKind.SUPPORT, "The pupil was shown how to use Report Remove and has a weekly check-in "
                                       "with the pastoral lead."),
        ],
        "referrals": [{"decision": "referred", "agency": Agency.SOCIAL_CARE, "days": 0,
                       "external_reference": "FD-22931", "outcome": "No further action by social care; school to "
                                                                    "support both pupils."},
                      {"decision": "advice", "agency": Agency.POLICE_101, "days": 0,
                       "external_reference": "CAD-0412", "outcome": "Advice to handle in school; the phone "
                                                                    "returned to the parents."}],
        "parents": [{"informed": True, "method": ParentContact.Method.PHONE, "days": 0}],
        "outcome": "Image removed through Report Remove. Both pupils supported; no further sharing found.",
        "lessons": "Staff followed the guidance not to view imagery. Year 10 relationships lessons brought forward.",
    },
    {
        "days_ago": 240, "type": T.INAPPROPRIATE_CONTENT, "status": Status.CLOSED, "severity": Severity.LOW,
        "child_protection": False, "location": Location.IN_SCHOOL, "reporter": TEACHER, "owner": DEPUTY,
        "pupils": [("DEMO05003", PupilRole.AFFECTED), ("DEMO05006", PupilRole.WITNESS)],
        "device": (DeviceOwner.SCHOOL, "Class iPad 7"),
        "description": "During a research task, a pupil clicked a video suggested after the one set and saw "
                       "frightening horror film clips. The pupil turned the tablet over and told the teacher.",
        "immediate_action": "Closed the video, praised the pupil for telling, and noted the address.",
        "chronology": [(0, 15, EntryKind.NOTE, "Technician confirmed that suggested videos are now switched off on "
                                               "the class iPads.")],
        "referrals": [{"decision": "not_referred", "days": 0,
                       "rationale": "Age-inappropriate but legal content, seen briefly by accident and reported "
                                    "straight away."}],
        "parents": [{"informed": True, "method": ParentContact.Method.PHONE, "days": 0}],
        "not_applicable": {"illegal_content": "The clips were unsuitable for the age group but not illegal."},
        "outcome": "Pupil reassured; parents told. Suggested videos switched off.",
        "lessons": "Set videos to be played from the class page rather than the video site.",
    },
    {
        "days_ago": 210, "type": T.SCAMS_GAMBLING, "status": Status.CLOSED, "severity": Severity.MEDIUM,
        "child_protection": False, "location": Location.ONLINE_OUTSIDE, "reporter": TEACHER, "owner": DEPUTY,
        "pupils": [("DEMO12008", PupilRole.AFFECTED)],
        "device": (DeviceOwner.PERSONAL, "Games console"),
        "description": "A pupil said they had spent about £200 of a parent's money on loot boxes in an "
                       "online game and was worried about telling them.",
        "immediate_action": "Listened, and agreed with the pupil that the pastoral lead would help them tell home.",
        "chronology": [(1, 16, EntryKind.MEETING, "Meeting with the pupil and parent; spending limits set up on "
                                                  "the console together.")],
        "referrals": [],
        "parents": [{"informed": True, "method": ParentContact.Method.MEETING, "days": 1}],
        "outcome": "Parent has set spending limits; refund requested from the platform.",
        "lessons": "Gambling-like features in games added to the Year 11 PSHE unit.",
    },
    {
        "days_ago": 180, "type": T.ONLINE_HATE, "status": Status.CLOSED, "severity": Severity.MEDIUM,
        "child_protection": False, "location": Location.ONLINE_OUTSIDE, "reporter": TEACHER, "owner": DSL,
        "pupils": [("DEMO09006", PupilRole.INSTIGATOR), ("DEMO09009", PupilRole.AFFECTED)],
        "device": (DeviceOwner.PERSONAL, "Mobile phone"),
        "description": "A pupil posted a racist comment under another pupil's video on a social media site. "
                       "Several pupils saw it before it was deleted.",
        "immediate_action": "A screenshot was given to the form tutor by a pupil who saw it.",
        "chronology": [(0, 13, EntryKind.MEETING, "Met the pupil who posted it: they accepted it was racist and "
                                                  "said sorry."),
                       (3, 10, EntryKind.SANCTION, "Internal exclusion for one day, and restorative meeting.")],
        "referrals": [{"decision": "referred", "agency": Agency.PLATFORM, "days": 0,
                       "outcome": "Comment removed by the platform."}],
        "parents": [{"informed": True, "method": ParentContact.Method.PHONE, "days": 0},
                    {"informed": True, "method": ParentContact.Method.PHONE, "days": 0}],
        "outcome": "Restorative meeting held; recorded as a racist incident for the governors' report.",
        "lessons": "Pupils who reported it were thanked; assembly on reporting hate online.",
    },
    {
        "days_ago": 150, "type": T.DATA_BREACH, "status": Status.CLOSED, "severity": Severity.LOW,
        "child_protection": False, "location": Location.IN_SCHOOL, "reporter": LEAD, "owner": DEPUTY,
        "pupils": [("DEMO07002", PupilRole.INSTIGATOR), ("DEMO07011", PupilRole.AFFECTED)],
        "device": (DeviceOwner.SCHOOL, "Classroom laptop"),
        "description": "A pupil signed in to another pupil's learning platform account with a password they "
                       "had seen, and changed the other pupil's profile picture.",
        "immediate_action": "Reset the affected pupil's password.",
        "chronology": [(0, 14, EntryKind.NOTE, "Spoke to both pupils; the picture has been put back.")],
        "referrals": [{"decision": "not_referred", "days": 0,
                       "rationale": "A misuse of a password between classmates, with no personal data taken or "
                                    "shared outside the class."}],
        "parents": [{"informed": True, "method": ParentContact.Method.LETTER, "days": 2}],
        "not_applicable": {"ico_72_hours": "No personal data left the class and the risk to the pupils was low, so "
                                           "the data protection officer judged it not reportable to the ICO."},
        "outcome": "Passwords reset for the class; both pupils reminded of the agreement they signed.",
        "lessons": "Class now uses picture passwords that are not shared on the board.",
    },
    {
        "days_ago": 120, "type": T.STAFF_MISUSE, "status": Status.OPEN, "severity": Severity.HIGH,
        "child_protection": True, "location": Location.ONLINE_OUTSIDE, "reporter": HEAD, "owner": HEAD,
        "named": [HEAD],
        "pupils": [("DEMO11009", PupilRole.AFFECTED)],
        "device": (DeviceOwner.PERSONAL, ""),
        "description": "A parent told the headteacher that a member of staff had sent their child a follow request "
                       "and private messages on a personal social media account.",
        "immediate_action": "Thanked the parent and asked them to keep the messages. Spoke to the LADO.",
        "chronology": [(0, 16, EntryKind.ADVICE, "LADO consulted; their advice is recorded in the referral."),
                       (6, 9, EntryKind.MEETING, "Meeting with HR; actions agreed with the LADO.")],
        "referrals": [{"decision": "referred", "agency": Agency.LADO, "days": 0, "external_reference": "LADO-7781",
                       "outcome": ""}],
        "done": 3,
        "parents": [{"informed": False, "days": 0,
                     "rationale": "The concern came from the parent, who is kept informed by the headteacher; the "
                                  "LADO asked that no other parents be told while enquiries are made."}],
    },
    {
        "days_ago": 90, "type": T.GROOMING, "status": Status.OPEN, "severity": Severity.CRITICAL,
        "child_protection": True, "location": Location.ONLINE_OUTSIDE, "reporter": TEACHER, "owner": DSL,
        "immediate_risk": True,
        "pupils": [("DEMO09003", PupilRole.AFFECTED)],
        "device": (DeviceOwner.PERSONAL, "Tablet"),
        "description": "A pupil told a teacher that an adult they met on a gaming platform had asked them "
                       "to move to a private messaging app and to keep their chats secret.",
        "immediate_action": "Told the DSL straight away. Asked the pupil not to delete anything.",
        "chronology": [(0, 11, EntryKind.PHONE_CALL, "Reported to CEOP online; police informed on 101."),
                       (0, 15, EntryKind.PHONE_CALL, "Spoke to the pupil's parent, who has the tablet."),
                       (7, 10, EntryKind.SUPPORT, "Weekly check-ins with the pastoral lead agreed.")],
        "referrals": [{"decision": "referred", "agency": Agency.CEOP, "days": 0, "external_reference": "CEOP-55120",
                       "outcome": ""},
                      {"decision": "referred", "agency": Agency.POLICE_101, "days": 0,
                       "external_reference": "OAK-2291", "outcome": "Police are investigating the account."}],
        "parents": [{"informed": True, "method": ParentContact.Method.PHONE, "days": 0}],
        "done": 4,
    },
    {
        "days_ago": 75, "type": T.RADICALISATION, "status": Status.CLOSED, "severity": Severity.HIGH,
        "child_protection": False, "location": Location.ONLINE_OUTSIDE, "reporter": TEACHER, "owner": DSL,
        "pupils": [("DEMO12004", PupilRole.INSTIGATOR)],
        "device": (DeviceOwner.PERSONAL, "Mobile phone"),
        "description": "A pupil shared videos from an extremist group in a year-group chat and defended "
                       "them when other pupils objected.",
        "immediate_action": "Told the DSL the same day.",
        "chronology": [(1, 10, EntryKind.MEETING, "Met the pupil and their parent."),
                       (5, 14, EntryKind.ADVICE, "Discussed with the Prevent team.")],
        "referrals": [{"decision": "advice", "agency": Agency.PREVENT, "days": 5,
                       "outcome": "Prevent advised school-based support; no Channel referral."}],
        "parents": [{"informed": True, "method": ParentContact.Method.MEETING, "days": 1}],
        "outcome": "Mentoring with the pastoral lead for half a term; the pupil has not shared such material again.",
        "lessons": "Critical thinking about online sources added to Year 11 tutor time.",
    },
    {
        "days_ago": 40, "type": T.SEXUAL_HARASSMENT, "status": Status.OPEN, "severity": Severity.MEDIUM,
        "child_protection": False, "location": Location.ONLINE_OUTSIDE, "reporter": TEACHER, "owner": DEPUTY,
        "pupils": [("DEMO11007", PupilRole.AFFECTED), ("DEMO11010", PupilRole.INSTIGATOR)],
        "device": (DeviceOwner.PERSONAL, "Mobile phone"),
        "description": "A pupil reported repeated sexual comments about their appearance from another pupil "
                       "in direct messages, after they had asked for them to stop.",
        "immediate_action": "Reassured the pupil that they had done the right thing in telling.",
        "chronology": [(1, 12, EntryKind.MEETING, "Met the pupil who sent the messages; sanction and education "
                                                  "session agreed.")],
        "referrals": [],
        "parents": [{"informed": True, "method": ParentContact.Method.PHONE, "days": 1}],
        "done": 2,
    },
    {
        "days_ago": 25, "type": T.INDECENT_IMAGES, "status": Status.OPEN, "severity": Severity.CRITICAL,
        "child_protection": True, "location": Location.ONLINE_OUTSIDE, "reporter": LEAD, "owner": DSL,
        "pupils": [("DEMO12011", PupilRole.WITNESS)],
        "device": (DeviceOwner.PERSONAL, "Mobile phone"),
        "description": "A pupil told staff that an indecent image of a child, not a pupil of the school, "
                       "had been posted in a large online group. No member of staff has seen it.",
        "immediate_action": "Asked the pupil not to show or forward it. Told the DSL at once.",
        "chronology": [(0, 12, EntryKind.PHONE_CALL, "Reported to the police; the pupil's phone is with the "
                                                     "parent, switched off, as the police advised.")],
        "referrals": [{"decision": "referred", "agency": Agency.POLICE_101, "days": 0, "external_reference":
                       "OAK-3307", "outcome": ""},
                      {"decision": "referred", "agency": Agency.IWF, "days": 0, "outcome": "Report made online."}],
        "parents": [{"informed": True, "method": ParentContact.Method.PHONE, "days": 0}],
        "done": 3,
    },
    {
        "days_ago": 14, "type": T.CYBERBULLYING, "status": Status.OPEN, "severity": Severity.LOW,
        "child_protection": False, "location": Location.ONLINE_OUTSIDE, "reporter": TEACHER, "owner": DEPUTY,
        "pupils": [("DEMO06005", PupilRole.AFFECTED), ("DEMO06008", PupilRole.INSTIGATOR)],
        "device": (DeviceOwner.PERSONAL, "Tablet"),
        "description": "A pupil's parent emailed to say their child had been left out of an online game "
                       "by classmates and called names in the game's chat.",
        "immediate_action": "Acknowledged the email and passed it to the DSL.",
        "chronology": [(1, 13, EntryKind.MEETING, "Spoke to both pupils with the class teacher.")],
        "referrals": [],
        "parents": [],
        "done": 1,
    },
    {
        "days_ago": 3, "type": T.FILTERING_BREACH, "status": Status.NEW, "location": Location.IN_SCHOOL,
        "reporter": IT, "pupils": [("DEMO04001", PupilRole.AFFECTED)],
        "url": "https://free-movies.example/watch",
        "device": (DeviceOwner.SCHOOL, "Class iPad 3"),
        "description": "The monitoring report shows a pupil reached a film streaming site that should be "
                       "blocked.",
        "immediate_action": "Added the address to the local block list.",
    },
    {
        "days_ago": 2, "type": T.NOT_SURE, "status": Status.NEW, "location": Location.ONLINE_OUTSIDE,
        "reporter": TEACHER, "pupils": [("DEMO07005", PupilRole.AFFECTED)],
        "description": "A pupil said an older teenager they do not know well keeps messaging them and asking "
                       "where they live. It is not clear which app this is on.",
        "immediate_action": "Told the pupil not to reply and that I would pass this on.",
    },
    {
        "days_ago": 1, "type": T.NUDES, "status": Status.NEW, "location": Location.ONLINE_OUTSIDE,
        "reporter": TEACHER, "immediate_risk": True,
        "pupils": [("DEMO10008", PupilRole.AFFECTED)],
        "device": (DeviceOwner.PERSONAL, "Mobile phone"),
        "description": "A pupil said someone is threatening to share a picture of them unless they send "
                       "money. The pupil is very upset and frightened to go home.",
        "immediate_action": "The pupil is with the school nurse. I have not looked at the phone.",
    },
]


def _moment(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _weekday_on_or_before(day):
    return day - datetime.timedelta(days=max(day.weekday() - 4, 0))


@transaction.atomic
def incidents_demo_load(today=None):
    """Create the demo incidents that are missing. Returns the number of rows created."""
    today = today or timezone.localdate()
    users = {user.email: user for user in User.objects.filter(email__in=[DSL, DEPUTY, HEAD, TEACHER, IT, LEAD])}
    if len(users) < 6:
        return 0  # the demo school's people are not there: nothing to attach cases to
    pupils = {pupil.mis_id: pupil for pupil in Pupil.objects.filter(mis_id__startswith="DEMO")}
    planned = []
    for index, spec in enumerate(DEMO_INCIDENTS):
        day = _weekday_on_or_before(today - datetime.timedelta(days=spec["days_ago"]))
        occurred = _moment(day, 8) + datetime.timedelta(minutes=7 * index)  # early, before the day's case work
        planned.append((occurred + datetime.timedelta(minutes=25), occurred, spec))
    planned.sort(key=lambda item: item[0])
    numbers, last_used = {}, {}
    for reported, _occurred, spec in planned:
        year = reported.year
        last_used[year] = last_used.get(year, 0) + 1
        numbers[id(spec)] = f"OS-{year}-{last_used[year]:04d}"
    existing = set(Incident.objects.filter(reference__in=numbers.values()).values_list("reference", flat=True))
    created = 0
    for reported, occurred, spec in planned:
        reference = numbers[id(spec)]
        if reference not in existing:
            created += _create(spec, reference, occurred, reported, users, pupils)
    for year, last in last_used.items():
        counter, was_created = ReferenceCounter.objects.get_or_create(year=year, defaults={"last": last})
        if not was_created and counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])
        created += was_created
    return created


def _create(spec, reference, occurred, reported, users, pupils):
    incident_type, status = spec["type"], spec["status"]
    triaged = status != Status.NEW
    day = occurred.date()
    dsl = users[spec.get("owner") or DSL]
    triaged_at = reported + datetime.timedelta(minutes=30)
    device_owner, device = spec.get("device", ("", ""))
    incident = Incident.objects.create(
        reference=reference, status=status, incident_type=incident_type,
        area=TYPE_AREA[incident_type],
        sensitivity=sensitivity_of(incident_type), severity=spec.get("severity", ""),
        child_protection=spec.get("child_protection") if triaged else None,
        immediate_risk=spec.get("immediate_risk", False),
        # Urgent cases are acknowledged at triage; a new one is still waiting (and pinned).
        acknowledged_at=triaged_at if spec.get("immediate_risk") and triaged else None,
        acknowledged_by=dsl if spec.get("immediate_risk") and triaged else None,
        reported_by=users[spec["reporter"]], reported_at=reported, occurred_at=occurred,
        location=spec["location"], description=spec["description"], device_owner=device_owner,
        device_description=device, url=spec.get("url", ""), immediate_action=spec.get("immediate_action", ""),
        owner=dsl if triaged else None, last_activity_at=reported,
    )
    rows = 1
    if spec.get("named"):
        incident.named_people.set([users[email] for email in spec["named"]])
    links = [IncidentPupil(incident=incident, pupil=pupils[mis_id], role=role)
             for mis_id, role in spec.get("pupils", []) if mis_id in pupils]
    IncidentPupil.objects.bulk_create(links)
    rows += len(links)
    changes = [StatusChange(incident=incident, from_status="", to_status=Status.NEW,
                            changed_by=users[spec["reporter"]], changed_at=reported)]
    last = reported
    if triaged:
        changes.append(StatusChange(incident=incident, from_status=Status.NEW, to_status=Status.OPEN,
                                    changed_by=dsl, changed_at=triaged_at))
        last = triaged_at
        rows += _case_work(incident, spec, day, dsl, triaged_at)
        last = max([last, *incident.chronology.values_list("recorded_at", flat=True)])
    if status == Status.CLOSED:
        closed_at = _moment(day + datetime.timedelta(days=21), 15)
        changes.append(StatusChange(incident=incident, from_status=Status.OPEN, to_status=Status.CLOSED,
                                    changed_by=dsl, changed_at=closed_at))
        incident.outcome, incident.lessons_learnt, incident.closed_at = spec["outcome"], spec["lessons"], closed_at
        last = closed_at
    StatusChange.objects.bulk_create(changes)
    rows += len(changes)
    incident.last_activity_at = last
    incident.save(update_fields=["outcome", "lessons_learnt", "closed_at", "last_activity_at"])
    return rows


def _case_work(incident, spec, day, dsl, triaged_at):
    """Steps, chronology, referrals and parent contacts of a triaged case."""
    closed = spec["status"] == Status.CLOSED
    steps = steps_for(spec["type"])
    done = len(steps) if closed else spec.get("done", 0)
    rows = []
    for order, (key, text) in enumerate(steps, start=1):
        step = ProcedureStep(incident=incident, order=order, key=key, text=str(text))
        if order <= done:
            step.decided_by, step.decided_at = dsl, triaged_at + datetime.timedelta(hours=order)
            step.state = StepState.DONE
            if key in spec.get("not_applicable", {}):
                step.state, step.reason = StepState.NOT_APPLICABLE, spec["not_applicable"][key]
        rows.append(step)
    ProcedureStep.objects.bulk_create(rows)
    entries = []
    for days, hour, kind, text in spec.get("chronology", []):
        happened = _moment(day + datetime.timedelta(days=days), hour)
        entries.append(ChronologyEntry.objects.create(
            incident=incident, kind=kind, happened_at=happened,
            recorded_at=happened + datetime.timedelta(minutes=30), author=dsl, text=text))
    if spec.get("correction"):
        days, hour, text = spec["correction"]
        happened = _moment(day + datetime.timedelta(days=days), hour)
        corrected = next(entry for entry in entries if entry.kind == EntryKind.SANCTION)
        entries.append(ChronologyEntry.objects.create(
            incident=incident, kind=EntryKind.CORRECTION, happened_at=corrected.happened_at,
            recorded_at=happened, author=dsl, text=text, corrects=corrected))
    referrals = [
        Referral(incident=incident, decision=item["decision"], agency=item.get("agency", ""),
                 made_on=day + datetime.timedelta(days=item["days"]),
                 external_reference=item.get("external_reference", ""), outcome=item.get("outcome", ""),
                 rationale=item.get("rationale", ""), recorded_by=dsl,
                 recorded_at=_moment(day + datetime.timedelta(days=item["days"]), 17))
        for item in spec.get("referrals", [])
    ]
    Referral.objects.bulk_create(referrals)
    contacts = [
        ParentContact(incident=incident, informed=item["informed"],
                      informed_at=(_moment(day + datetime.timedelta(days=item["days"]), 16)
                                   if item["informed"] else None),
                      method=item.get("method", ""), informed_by=dsl, rationale=item.get("rationale", ""),
                      recorded_at=_moment(day + datetime.timedelta(days=item["days"]), 17))
        for item in spec.get("parents", [])
    ]
    ParentContact.objects.bulk_create(contacts)
    return len(rows) + len(entries) + len(referrals) + len(contacts)
