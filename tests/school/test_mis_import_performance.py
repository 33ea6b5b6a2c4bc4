"""A whole school's files import in seconds, with a number of queries that does not grow per row.

Run with `-s` to see the measured times.
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safety_portal.audit.models import AuditEvent
from safety_portal.school.mis_import import mis_import_commit, mis_import_upload
from safety_portal.school.models import Guardian, Pupil, PupilGuardian

SCHOOL_PUPILS = 1_500
SECONDS_ALLOWED = 20


def pupils_csv(count, reg_suffix=""):
    lines = ["UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg Group,Admission Date,"
             "SEN Status,EAL,Looked After"]
    for i in range(count):
        year = i % 7  # Reception to Year 6
        lines.append(f"P{i:012d},Surname{i},Forename{i},,{1 + i % 28}/{1 + i % 12}/{2019 - year},"
                     f"{'R' if year == 0 else f'Year {year}'},{year}{'ABC'[i % 3]}{reg_suffix},01/09/{2024 - year},"
                     f"{'KNN'[i % 3]},{'Yes' if i % 5 == 0 else 'No'},{'Y' if i % 97 == 0 else 'N'}")
    return "\n".join(lines) + "\n"


def guardians_csv(pupil_count, contacts=2):
    """Two contacts per pupil; every tenth pupil is a younger sibling sharing the previous pupil's contacts."""
    lines = ["UPN,Contact ID,Title,Contact Forename,Contact Surname,Relationship,Contact Email,Contact Phone,"
             "Parental Responsibility,Priority"]
    for i in range(pupil_count):
        family = i - 1 if i % 10 == 1 and i > 0 else i
        for n, (title, relationship) in enumerate([("Mrs", "Mother"), ("Mr", "Father")][:contacts], start=1):
            lines.append(f"P{i:012d},C{family}-{n},{title},Parent{family}{n},Surname{family},{relationship},"
                         f"parent{family}.{n}@home.example,07700 9{family:05d},Yes,{n}")
    return "\n".join(lines) + "\n"


def timed_commit(kind, content, actor, full_roll=False, full_contacts=False):
    mis_import = mis_import_upload(kind=kind, content=content, file_name=f"{kind}.csv", full_roll=full_roll,
                                   full_contacts=full_contacts, actor=actor)
    started = time.perf_counter()
    plan = mis_import_commit(mis_import=mis_import, actor=actor)
    return plan, time.perf_counter() - started


def test_a_whole_school_imports_in_seconds(admin_user):
    plan, pupils_seconds = timed_commit("pupils", pupils_csv(SCHOOL_PUPILS), admin_user)
    assert plan.counts["new"] == SCHOOL_PUPILS
    assert Pupil.objects.count() == SCHOOL_PUPILS

    plan, guardians_seconds = timed_commit("guardians", guardians_csv(SCHOOL_PUPILS), admin_user)
    assert plan.counts["links_new"] == 2 * SCHOOL_PUPILS
    assert PupilGuardian.objects.count() == 3_000
    assert Guardian.objects.count() == plan.counts["new"] == 2_700

    # Next term: everyone moves class and 100 pupils have left (a full roll without them).
    plan, update_seconds = timed_commit("pupils", pupils_csv(SCHOOL_PUPILS - 100, reg_suffix="X"), admin_user,
                                        full_roll=True)
    assert (plan.counts["updated"], plan.counts["left"]) == (SCHOOL_PUPILS - 100, 100)
    assert Pupil.objects.on_roll().count() == SCHOOL_PUPILS - 100

    plan, reimport_seconds = timed_commit("guardians", guardians_csv(SCHOOL_PUPILS), admin_user)
    assert (plan.counts["new"], plan.counts["updated"], plan.counts["links_new"]) == (0, 0, 0)

    print(f"\nMIS import timings on {connection.vendor}: "
          f"{SCHOOL_PUPILS} new pupils {pupils_seconds:.2f}s; "
          f"3000 guardian links (2700 new contacts) {guardians_seconds:.2f}s; "
          f"{SCHOOL_PUPILS - 100} pupils updated + 100 leavers {update_seconds:.2f}s; "
          f"unchanged guardians re-import {reimport_seconds:.2f}s")
    for seconds in (pupils_seconds, guardians_seconds, update_seconds, reimport_seconds):
        assert seconds < SECONDS_ALLOWED
    assert AuditEvent.objects.filter(action="school.guardian_link.created").count() == 3_000


def count_commit_queries(kind, content, actor, full_roll=False):
    mis_import = mis_import_upload(kind=kind, content=content, file_name="f.csv", full_roll=full_roll, actor=actor)
    with CaptureQueriesContext(connection) as queries:
        mis_import_commit(mis_import=mis_import, actor=actor)
    return len(queries)


def test_queries_grow_with_batches_not_with_rows(admin_user):
    small = count_commit_queries("pupils", pupils_csv(20), admin_user)
    Pupil.objects.all().delete()
    large = count_commit_queries("pupils", pupils_csv(600), admin_user)

    print(f"\nQueries to commit new pupils: 20 rows {small}, 600 rows {large}")
    # Thirty times the rows: only a handful of extra batched INSERTs, never a query per row.
    assert large - small <= 20


def test_realistic_volume_commits_in_a_bounded_number_of_queries(admin_user, django_assert_max_num_queries):
    count = 600
    pupils = mis_import_upload(kind="pupils", content=pupils_csv(count), file_name="p.csv", actor=admin_user)
    with django_assert_max_num_queries(40):
        mis_import_commit(mis_import=pupils, actor=admin_user)

    guardians = mis_import_upload(kind="guardians", content=guardians_csv(count), file_name="g.csv",
                                  actor=admin_user)
    with django_assert_max_num_queries(80):
        mis_import_commit(mis_import=guardians, actor=admin_user)

    changed = mis_import_upload(kind="pupils", content=pupils_csv(count - 50, reg_suffix="Y"), file_name="p2.csv",
                                full_roll=True, actor=admin_user)
    with django_assert_max_num_queries(60):
        plan = mis_import_commit(mis_import=changed, actor=admin_user)
    assert (plan.counts["updated"], plan.counts["left"]) == (count - 50, 50)


def test_a_full_contacts_file_removes_a_whole_schools_stale_links_in_bounded_queries(admin_user,
                                                                                      django_assert_max_num_queries):
    count = 600
    timed_commit("pupils", pupils_csv(count), admin_user)
    timed_commit("guardians", guardians_csv(count), admin_user)
    mis_import = mis_import_upload(kind="guardians", content=guardians_csv(count, contacts=1), file_name="g.csv",
                                   full_contacts=True, actor=admin_user)

    with django_assert_max_num_queries(40):  # half the links go: a large change, confirmed
        plan = mis_import_commit(mis_import=mis_import, actor=admin_user, confirm_large_changes=True)

    assert plan.counts["links_removed"] == count
    assert PupilGuardian.objects.count() == count
    assert AuditEvent.objects.filter(action="school.guardian_link.removed").count() == count
