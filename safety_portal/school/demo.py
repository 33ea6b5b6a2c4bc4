"""Demo data for `make run`: a fictional all-through school with a login per role.

Everything is keyed on a stable identifier (email, MIS id, term), and existing
rows are left as they are, so loading twice changes nothing.
"""

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from safety_portal.audit.services import audit_record
from safety_portal.school import extensions, roles
from safety_portal.school.models import (
    Guardian,
    LocalContact,
    Pupil,
    PupilGuardian,
    SchoolProfile,
    Term,
    User,
    YearGroup,
    academic_year_for,
)

DEMO_PASSWORD = "portal-demo-2026"

DEMO_USERS = [
    # email, first, last, job title, roles
    ("office@demo.school", "Priya", "Shah", "School business manager", [roles.ADMINISTRATOR, roles.STAFF]),
    ("dsl@demo.school", "Tom", "Ellis", "Assistant head, DSL", [roles.DSL, roles.STAFF]),
    ("deputy.dsl@demo.school", "Grace", "Okafor", "Pastoral lead, deputy DSL", [roles.DSL, roles.STAFF]),
    ("head@demo.school", "Helen", "Marsh", "Headteacher", [roles.HEADTEACHER, roles.STAFF]),
    ("online.safety@demo.school", "Sam", "Rahman", "Computing lead", [roles.ONLINE_SAFETY_LEAD, roles.STAFF]),
    ("teacher@demo.school", "Lucy", "Barnes", "Year 5 teacher", [roles.STAFF]),
    ("it@demo.school", "Marek", "Nowak", "Network manager", [roles.TECHNICAL]),
    ("governor@demo.school", "David", "Cole", "Safeguarding governor", [roles.GOVERNOR]),
]

MOTHERS = ["Sarah", "Emma", "Laura", "Rachel", "Amina", "Joanne", "Priya", "Claire", "Fatima", "Kate"]
FATHERS = ["James", "David", "Daniel", "Mohammed", "Paul", "Mark", "Tariq", "Chris", "Andrew", "Ben"]
FIRST_NAMES = [
    "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Muhammad", "Freya",
    "Theo", "Lily", "Oscar", "Sophia", "Harry", "Grace", "Jack", "Aisha", "Charlie", "Zara", "Alfie",
    "Evie", "George", "Maya", "Finley", "Ruby", "Jacob", "Hana", "Ethan", "Poppy", "Yusuf",
]
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Wood",
    "Jackson", "Clarke", "Hughes", "Ali", "Edwards", "Begum", "Turner", "Hill", "Moore", "Cooper",
]
PUPILS_PER_YEAR = 12
NO_EMAIL_FAMILY = PUPILS_PER_YEAR - 2  # an even number: class A


def _weekday_on_or_after(day):
    saturday_or_sunday = day.weekday() >= 5
    return day + datetime.timedelta(days=7 - day.weekday() if saturday_or_sunday else 0)


def _weekday_on_or_before(day):
    saturday_or_sunday = day.weekday() >= 5
    return day - datetime.timedelta(days=day.weekday() - 4 if saturday_or_sunday else 0)


def demo_term_dates(start_year):
    """Typical English term dates, moved off weekends."""
    y = start_year
    return [
        (name, _weekday_on_or_after(start), _weekday_on_or_before(end))
        for name, start, end in (
            ("autumn", datetime.date(y, 9, 3), datetime.date(y, 12, 19)),
            ("spring", datetime.date(y + 1, 1, 5), datetime.date(y + 1, 3, 27)),
            ("summer", datetime.date(y + 1, 4, 13), datetime.date(y + 1, 7, 22)),
        )
    ]


@transaction.atomic
def demo_load(today=None):
    """Create what is missing. Returns the number of rows created."""
    today = today or timezone.localdate()
    created = 0
    users = {}
    for email, first, last, title, role_names in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first,
                                            last_name=last, job_title=title)
            user.groups.set(Group.objects.filter(name__in=role_names))
            created += 1
        users[email] = user
    if not SchoolProfile.objects.filter(pk=1).exists():
        profile = SchoolProfile.objects.create(
            pk=1, name="Oakfield Community School", urn="100000",
            address="1 Orchard Lane\nOakfield\nOK1 2AB", phone="01234 567890",
            email="office@demo.school",
            headteacher=users["head@demo.school"], dsl=users["dsl@demo.school"],
            online_safety_lead=users["online.safety@demo.school"],
            safeguarding_governor=users["governor@demo.school"],
            filtering_lead=users["it@demo.school"],
        )
        profile.deputy_dsls.set([users["deputy.dsl@demo.school"]])
        created += 1
    contacts = {
        LocalContact.Kind.POLICE: ("Oakshire Police", "101", ""),
        LocalContact.Kind.LADO: ("Oakshire County Council LADO", "01234 000111", "lado@oakshire.example"),
        LocalContact.Kind.SOCIAL_CARE: ("Oakshire Children's Front Door", "01234 000222",
                                        "frontdoor@oakshire.example"),
        LocalContact.Kind.EDUCATION_SAFEGUARDING: ("Oakshire Education Safeguarding Team", "01234 000333",
                                                   "est@oakshire.example"),
    }
    for kind, (organisation, phone, email) in contacts.items():
        _, was_created = LocalContact.objects.get_or_create(
            kind=kind, defaults={"organisation": organisation, "phone": phone, "email": email})
        created += was_created

    this_year = academic_year_for(today)
    for start_year in (this_year - 1, this_year):
        for name, start, end in demo_term_dates(start_year):
            _, was_created = Term.objects.get_or_create(
                academic_year=start_year, name=name, defaults={"start_date": start, "end_date": end})
            created += was_created

    created += _demo_pupils(this_year)
    # The apps' demo data (incident cases, say) needs these people and pupils, so it comes last.
    for loader in extensions.demo_loaders:
        created += loader(today)
    if created:
        audit_record(action="demo.loaded", detail={"created": created})
    return created


def _demo_pupils(this_year):
    rng = random.Random(2026)  # the same school every time
    existing = set(Pupil.objects.values_list("mis_id", flat=True))
    created = 0
    for year_group in range(YearGroup.RECEPTION, YearGroup.Y11 + 1):
        for n in range(PUPILS_PER_YEAR):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            mis_id = f"DEMO{year_group + 1:02d}{n:03d}"
            two_parents = rng.random() < 0.6
            if mis_id in existing:
                continue
            label = "R" if year_group == 0 else str(year_group)
            pupil = Pupil.objects.create(
                mis_id=mis_id, first_name=first, last_name=last,
                # Born in the academic year (September to August) that matches the year group.
                date_of_birth=datetime.date(this_year - 5 - year_group, 9, 1) + datetime.timedelta(days=n * 29),
                year_group=year_group, reg_class=f"{label}{'AB'[n % 2]}",
                admission_date=datetime.date(this_year - max(year_group, 0), 9, 3),
                send=n % 7 == 0, eal=n % 5 == 0, looked_after=n == 3,
            )
            carers = [("Mother", "Mrs", MOTHERS)] + ([("Father", "Mr", FATHERS)] if two_parents else [])
            for index, (relationship, title, names) in enumerate(carers, start=1):
                guardian = Guardian.objects.create(
                    mis_id=f"{mis_id}-C{index}", title=title, first_name=rng.choice(names),
                    last_name=last,
                    # One family in each A class gave the school no email address: the office
                    # sends them paper.
                    email="" if n == NO_EMAIL_FAMILY else f"{mis_id.lower()}.c{index}@parents.example",
                    phone=f"07700 9{n:02d}{index:03d}"[:13],
                )
                PupilGuardian.objects.create(pupil=pupil, guardian=guardian, relationship=relationship,
                                             parental_responsibility=True, priority=index)
            created += 1
    return created
