"""Fill an empty, migrated database with a large secondary school's five years of records.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_portal DEBUG=true \
        .venv/bin/python -m bench.generate --scale 1.0

At --scale 1.0: 1,500 pupils, 3,000 guardians, 120 staff, 10,000 incidents (with chronology,
status changes and referrals), 20,000 signatures, 40,000 consent decisions and 40 policies with
their versions; --scale 0.1 gives a tenth of each (staff and policies stay: a school does not
shrink its staff with its roll as fast, and the bench compares data size, not set-up).

Rows go in with bulk_create: the services would write an audit event per row and take hours.
Append-only tables (signatures, decisions, policy versions) are only ever inserted into, so the
database triggers are never crossed. The last finished term holds 300 incidents at scale 1.0: the
termly report is measured on it.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import sys
import time

BENCH_PASSWORD = "bench-portal-password-1"
REPORT_TERM_INCIDENTS = 300
YEARS = 5
# Scaled with the roll; staff and policies are fixed (see the docstring).
FULL = {"pupils": 1500, "guardians": 3000, "incidents": 10_000, "signatures": 20_000, "decisions": 40_000}
STAFF, GOVERNORS, POLICIES = 120, 12, 40

FIRST = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Leo", "Freya", "Arthur", "Lily", "Muhammad",
         "Grace", "Harry", "Sophia", "Jack", "Ivy", "Oscar", "Ella", "Charlie", "Aisha", "Tomasz", "Priya", "Kofi"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
        "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Lewis", "Nowak",
        "Okafor", "Clarke", "Jackson"]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_portal.settings")
    import django

    django.setup()


def scaled(key, scale):
    return max(1, round(FULL[key] * scale))


def name(rng):
    return rng.choice(FIRST), rng.choice(LAST)


def terms_create(today):
    """Fifteen terms: the current school year and the four before it."""
    from safety_portal.school.models import Term, academic_year_for

    this_year = academic_year_for(today)
    rows = []
    for year in range(this_year - YEARS + 1, this_year + 1):
        rows += [Term(academic_year=year, name=Term.Name.AUTUMN, start_date=datetime.date(year, 9, 3),
                      end_date=datetime.date(year, 12, 19)),
                 Term(academic_year=year, name=Term.Name.SPRING, start_date=datetime.date(year + 1, 1, 6),
                      end_date=datetime.date(year + 1, 3, 28)),
                 Term(academic_year=year, name=Term.Name.SUMMER, start_date=datetime.date(year + 1, 4, 14),
                      end_date=datetime.date(year + 1, 7, 22))]
    Term.objects.bulk_create(rows)
    return list(Term.objects.order_by("start_date"))


def people_create(rng, scale):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safety_portal.school import roles
    from safety_portal.school.models import Guardian, Pupil, PupilGuardian, SchoolProfile, User

    password = make_password(BENCH_PASSWORD)  # hashed once: PBKDF2 per row would take minutes
    # The named roles first, then teachers; governors on top of the 120 staff.
    plan = ([("admin", roles.ADMINISTRATOR), ("dsl", roles.DSL), ("deputy1", roles.DSL), ("deputy2", roles.DSL),
             ("head", roles.HEADTEACHER), ("lead", roles.ONLINE_SAFETY_LEAD), ("it1", roles.TECHNICAL),
             ("it2", roles.TECHNICAL)]
            + [(f"teacher{n}", roles.STAFF) for n in range(1, STAFF - 8 + 1)]
            + [(f"governor{n}", roles.GOVERNOR) for n in range(1, GOVERNORS + 1)])
    users = []
    for key, _role in plan:
        first, last = name(rng)
        users.append(User(email=f"{key}@bench.school", first_name=first, last_name=last, password=password,
                          job_title="Teacher" if key.startswith("teacher") else ""))
    User.objects.bulk_create(users)
    users = {user.email: user for user in User.objects.all()}
    groups = {group.name: group for group in Group.objects.all()}
    Through = User.groups.through
    Through.objects.bulk_create([Through(user_id=users[f"{key}@bench.school"].pk, group_id=groups[role].pk)
                                 for key, role in plan])
    # The roles that must use two-factor sign-in get a confirmed device, so the bench signs in as they do.
    TOTPDevice.objects.bulk_create([TOTPDevice(user=users[f"{key}@bench.school"], name="bench", confirmed=True)
                                    for key in ("admin", "dsl", "deputy1", "deputy2", "head")])
    SchoolProfile.objects.update_or_create(pk=1, defaults={
        "name": "Bench Park Academy", "dsl": users["dsl@bench.school"], "headteacher": users["head@bench.school"],
        "online_safety_lead": users["lead@bench.school"]})

    pupils = []
    for n in range(scaled("pupils", scale)):
        first, last = name(rng)
        year_group = 7 + n % 7
        pupils.append(Pupil(mis_id=f"P{n:06d}", first_name=first, last_name=last, year_group=year_group,
                            reg_class=f"{year_group}{'ABCDEFGH'[n // 7 % 8]}",
                            date_of_birth=datetime.date(2020 - year_group - 5, 1 + n % 12, 1 + n % 28),
                            send=n % 9 == 0, eal=n % 6 == 0, looked_after=n % 50 == 0))
    Pupil.objects.bulk_create(pupils, batch_size=2000)
    guardians = []
    for n in range(scaled("guardians", scale)):
        first, last = name(rng)
        guardians.append(Guardian(mis_id=f"G{n:06d}", title=rng.choice(["Mr", "Mrs", "Ms", "Dr"]), first_name=first,
                                  last_name=last, email=f"guardian{n}@families.example"))
    Guardian.objects.bulk_create(guardians, batch_size=2000)
    pupils = list(Pupil.objects.order_by("pk"))
    guardians = list(Guardian.objects.order_by("pk"))
    # Two guardians per pupil, both with parental responsibility.
    links = [PupilGuardian(pupil=pupil, guardian=guardians[(2 * index + offset) % len(guardians)],
                           relationship="Mother" if offset == 0 else "Father", parental_responsibility=True,
                           priority=offset + 1)
             for index, pupil in enumerate(pupils) for offset in (0, 1)]
    PupilGuardian.objects.bulk_create(links, batch_size=4000, ignore_conflicts=True)
    staff = [user for user in User.objects.filter(groups__name__in=[r for r in roles.ALL if r != roles.GOVERNOR])
             .distinct()]
    return users, staff, pupils, guardians


def incidents_create(rng, scale, terms, users, staff, pupils, now):
    from incidents.models import (
        TYPE_AREA,
        ChronologyEntry,
        EntryKind,
        Incident,
        IncidentPupil,
        IncidentType,
        Location,
        ParentContact,
        ReferenceCounter,
        Referral,
        Severity,
        Status,
        StatusChange,
        sensitivity_of,
    )

    total = scaled("incidents", scale)
    report_term = report_term_for(terms, now.date())
    in_report_term = min(total, max(1, round(REPORT_TERM_INCIDENTS * scale)))
    start = datetime.datetime.combine(terms[0].start_date, datetime.time(9), tzinfo=datetime.UTC)
    span = (now - start).total_seconds()
    term_start = datetime.datetime.combine(report_term.start_date, datetime.time(9), tzinfo=datetime.UTC)
    term_end = datetime.datetime.combine(report_term.reporting_end, datetime.time(15), tzinfo=datetime.UTC)
    # A day's margin either side: the report counts by local date, the times here are UTC.
    margin = datetime.timedelta(days=1)
    times = []
    while len(times) < total - in_report_term:
        moment = start + datetime.timedelta(seconds=rng.random() * span)
        if not term_start - margin <= moment <= term_end + margin:
            times.append(moment)
    times += [term_start + (term_end - term_start) * rng.random() for _ in range(in_report_term)]
    times.sort()
    dsl_team = [users[f"{key}@bench.school"] for key in ("dsl", "deputy1", "deputy2")]
    types = list(IncidentType)
    counters, incidents = {}, []
    for reported_at in times:
        counters[reported_at.year] = counters.get(reported_at.year, 0) + 1
        kind = rng.choice(types)
        age_days = (now - reported_at).days
        status = Status.CLOSED if age_days > 30 or rng.random() < 0.5 else rng.choice([Status.NEW, Status.OPEN])
        incidents.append(Incident(
            reference=f"OS-{reported_at.year}-{counters[reported_at.year]:04d}", status=status,
            area=TYPE_AREA[kind], incident_type=kind, sensitivity=sensitivity_of(kind),
            severity="" if status == Status.NEW else rng.choice(list(Severity)),
            child_protection=None if status == Status.NEW else rng.random() < 0.2,
            immediate_risk=rng.random() < 0.02, reported_by=rng.choice(staff), reported_at=reported_at,
            occurred_at=reported_at - datetime.timedelta(hours=rng.randint(0, 72)),
            location=rng.choice(list(Location)),
            description="A pupil reported messages in a group chat. " * rng.randint(1, 6),
            url="https://blocked.example/page" if kind == IncidentType.FILTERING_BREACH else "",
            owner=None if status == Status.NEW else rng.choice(dsl_team),
            acknowledged_at=reported_at + datetime.timedelta(minutes=20),
            acknowledged_by=rng.choice(dsl_team),
            outcome="Resolved with the families; support in place." if status == Status.CLOSED else "",
            closed_at=reported_at + datetime.timedelta(days=rng.randint(1, 25)) if status == Status.CLOSED else None,
            last_activity_at=min(now, reported_at + datetime.timedelta(days=rng.randint(0, 25)))))
    Incident.objects.bulk_create(incidents, batch_size=2000)
    for year, last in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    incidents = list(Incident.objects.order_by("pk").only("pk", "status", "reported_at", "owner_id"))

    links, changes, entries, referrals, contacts = [], [], [], [], []
    for incident in incidents:
        chosen = rng.sample(pupils, rng.choice([1, 1, 1, 2, 3]))
        links += [IncidentPupil(incident_id=incident.pk, pupil=pupil,
                                role="affected" if index == 0 else rng.choice(["instigator", "witness"]))
                  for index, pupil in enumerate(chosen)]
        author = dsl_team[incident.pk % 3]
        at = incident.reported_at
        if incident.status != Status.NEW:
            changes.append(StatusChange(incident_id=incident.pk, from_status=Status.NEW, to_status=Status.OPEN,
                                        changed_by=author, changed_at=at + datetime.timedelta(hours=1)))
        if incident.status == Status.CLOSED:
            changes.append(StatusChange(incident_id=incident.pk, from_status=Status.OPEN, to_status=Status.CLOSED,
                                        changed_by=author, changed_at=at + datetime.timedelta(days=5),
                                        outcome="Resolved with the families."))
        for step in range(rng.randint(1, 5)):
            moment = at + datetime.timedelta(hours=2 + 20 * step)
            entries.append(ChronologyEntry(incident_id=incident.pk, kind=rng.choice(list(EntryKind)[:7]),
                                           happened_at=moment, recorded_at=moment, author=author,
                                           text="Spoke with the pupil and their form tutor; notes kept."))
        if rng.random() < 0.35:
            decision = rng.choice(list(Referral.Decision))
            referrals.append(Referral(
                incident_id=incident.pk, decision=decision,
                agency="" if decision == Referral.Decision.NOT_REFERRED else rng.choice(["social_care", "ceop",
                                                                                          "police_101", "lado"]),
                made_on=(at + datetime.timedelta(days=1)).date(), recorded_by=author, recorded_at=at,
                rationale="Threshold not met; support in school." if decision == "not_referred" else ""))
        if rng.random() < 0.5:
            contacts.append(ParentContact(incident_id=incident.pk, informed=True, method="phone",
                                          informed_at=at + datetime.timedelta(hours=3), informed_by=author,
                                          recorded_at=at + datetime.timedelta(hours=3)))
    for model, rows in ((IncidentPupil, links), (StatusChange, changes), (ChronologyEntry, entries),
                        (Referral, referrals), (ParentContact, contacts)):
        model.objects.bulk_create(rows, batch_size=4000)
    return len(incidents), len(entries), len(referrals)


def report_term_for(terms, today):
    """The last term whose reporting period is over: the termly report is measured on it."""
    finished = [term for term in terms if term.reporting_end < today]
    return finished[-1]


def agreements_create(rng, scale, users, staff, pupils, now):
    from agreements import services
    from agreements.models import Agreement, AgreementVersion, Audience, Signature, pupil_audience

    lead = users["lead@bench.school"]
    services.agreements_ensure()
    # Five versions of each agreement, one a year; the last is the one people sign now.
    for agreement in Agreement.objects.all():
        draft = AgreementVersion.objects.get(agreement=agreement, status="draft")
        services.version_publish(version=draft, user=lead)
        for _number in range(2, YEARS + 1):
            draft = services.version_draft_start(agreement=agreement, user=lead)
            services.version_publish(version=draft, user=lead)
    versions = {}
    for version in AgreementVersion.objects.select_related("agreement"):
        versions.setdefault(version.agreement.audience, []).append(version)
    for audience in versions:
        versions[audience].sort(key=lambda version: version.number)

    wanted = scaled("signatures", scale)
    guardian_links = list(_pupil_guardians(pupils))
    rows = []

    def signed(version, days_ago, **signer):
        rows.append(Signature(version=version, content_hash=version.content_hash, typed_name="Bench Signer",
                              method="typed", signed_at=now - datetime.timedelta(days=days_ago),
                              discussed_with_child="guardian" in signer, **signer))

    # Oldest versions first, so the newest are left unsigned by some: compliance has gaps to show.
    for index in range(YEARS):
        days_ago = 365 * (YEARS - index) - 200
        for person in staff:
            signed(versions[Audience.STAFF][index], days_ago, user=person)
        for pupil in pupils:
            signed(versions[pupil_audience(pupil)][index], days_ago, pupil=pupil)
        for pupil, guardian in guardian_links:
            signed(versions[Audience.PARENT][index], days_ago, guardian=guardian, pupil=pupil)
    rows = rows[:wanted] if len(rows) >= wanted else rows
    Signature.objects.bulk_create(rows, batch_size=4000)
    return len(rows)


def _pupil_guardians(pupils):
    from safety_portal.school.models import PupilGuardian

    by_pupil = {pupil.pk: pupil for pupil in pupils}
    for link in PupilGuardian.objects.select_related("guardian").order_by("pk"):
        yield by_pupil[link.pupil_id], link.guardian


def consent_create(rng, scale, users, pupils, now):
    from consent.models import ConsentDecision, ConsentPurpose

    purposes = list(ConsentPurpose.objects.filter(active=True))
    wanted = scaled("decisions", scale)
    office = users["admin@bench.school"]
    rows = []
    pairs = list(_pupil_guardians(pupils))
    round_number = 0
    while len(rows) < wanted:
        # A round a year: each guardian answers each purpose; one in twelve says no.
        days_ago = 365 * (YEARS - 1 - round_number % YEARS) + 30
        for pupil, guardian in pairs:
            for purpose in purposes:
                rows.append(ConsentDecision(pupil=pupil, purpose=purpose, guardian=guardian,
                                            answer=rng.random() > 1 / 12, method="online",
                                            decided_at=now - datetime.timedelta(days=days_ago, minutes=len(rows)),
                                            recorded_by=None if rng.random() < 0.9 else office))
                if len(rows) >= wanted:
                    break
            if len(rows) >= wanted:
                break
        round_number += 1
    ConsentDecision.objects.bulk_create(rows, batch_size=4000)
    return len(rows)


def policies_create(rng, users, staff, now):
    from django.conf import settings

    from policies.models import Category, Policy, PolicyVersion

    lead = users["lead@bench.school"]
    existing = Policy.objects.count()
    Policy.objects.bulk_create([
        Policy(title=f"Bench policy {n}", category=rng.choice(list(Category)), owner=rng.choice(staff),
               review_cycle_months=rng.choice([12, 24, 36]), on_website=n % 3 == 0)
        for n in range(1, POLICIES - existing + 1)])
    document = "policies/bench-policy.pdf"
    path = os.path.join(settings.MEDIA_ROOT, document)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    content = b"%PDF-1.4\n% bench placeholder\n"
    with open(path, "wb") as handle:
        handle.write(content)
    sha = hashlib.sha256(content).hexdigest()
    versions = []
    for policy in Policy.objects.all():
        for number in range(1, rng.randint(3, 6)):
            approved = (now - datetime.timedelta(days=365 * (YEARS - number) + 40)).date()
            versions.append(PolicyVersion(policy=policy, number=f"{number}.0", change_summary="Annual review.",
                                          approved_on=approved, approved_by="Full governing body",
                                          document=document, document_name="policy.pdf",
                                          document_sha256=sha, recorded_by=lead))
    PolicyVersion.objects.bulk_create(versions)
    for policy in Policy.objects.all():
        latest = PolicyVersion.objects.filter(policy=policy).order_by("-approved_on").first()
        Policy.objects.filter(pk=policy.pk).update(
            current_version=latest, owner=policy.owner or lead,
            next_review_on=latest.approved_on + datetime.timedelta(days=30 * policy.review_cycle_months))
    return Policy.objects.count(), len(versions)


def generate(scale, seed=9):
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from safety_portal.school.models import Pupil

    if Pupil.objects.exists():
        sys.exit("This database already holds pupils: give the generator an empty, migrated database.")
    rng = random.Random(seed)
    now = timezone.now()
    started = time.monotonic()
    with transaction.atomic():
        terms = terms_create(now.date())
        users, staff, pupils, guardians = people_create(rng, scale)
        incidents, entries, referrals = incidents_create(rng, scale, terms, users, staff, pupils, now)
        signatures = agreements_create(rng, scale, users, staff, pupils, now)
        decisions = consent_create(rng, scale, users, pupils, now)
        policies, policy_versions = policies_create(rng, users, staff, now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have after five years
    summary = {"pupils": len(pupils), "guardians": len(guardians), "staff": len(staff), "incidents": incidents,
               "chronology entries": entries, "referrals": referrals, "signatures": signatures,
               "consent decisions": decisions, "policies": policies, "policy versions": policy_versions,
               "seconds": round(time.monotonic() - started, 1)}
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--json", action="store_true", help="print the counts as JSON (for bench/run.py)")
    args = parser.parse_args(argv)
    summary = generate(args.scale)
    if args.json:
        print(json.dumps(summary))
    else:
        print(", ".join(f"{key}: {value}" for key, value in summary.items()))


if __name__ == "__main__":
    main()
