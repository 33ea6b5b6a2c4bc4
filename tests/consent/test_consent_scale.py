"""The "do not photograph" list, its PDF and the coverage figures run a fixed number of queries,
whether the school has 150 pupils or 1,500 (with 3,000 parents and about 40,000 decisions).

The data is written with bulk_create, past the services, so that it takes seconds, not minutes.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentDecision, ConsentPurpose, DecisionMethod
from safety_portal.school import roles
from safety_portal.school.models import Guardian, Pupil, PupilGuardian
from tests.consent.factories import purposes
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SMALL, LARGE = 150, 1500


def _nobody_answered(n):
    return n % 8 == 0


def _second_parent_refuses_one(n):
    return n % 5 == 0


def _has_left(n):
    return n % 50 == 1


def _not_all_yes(n):
    return not _has_left(n) and (_nobody_answered(n) or _second_parent_refuses_one(n))


def _school(start, stop, active):
    """Pupils start..stop-1 across every year group, three classes a year, two parents each. Every
    family answers every purpose, then answers again (the second parent of every fifth child saying no
    to one purpose), and a third of first parents confirm once more; every eighth family never answers."""
    now = timezone.now()
    rounds = [now - datetime.timedelta(days=days) for days in (30, 10, 1)]
    today = timezone.localdate()
    pupils = Pupil.objects.bulk_create([
        Pupil(mis_id=f"S{n:05d}", first_name=f"Child{n}", last_name=f"Family{n % 97}",
              year_group=n % 15 - 1, reg_class=f"{n % 15 - 1}{'ABC'[n // 15 % 3]}",
              leaving_date=today - datetime.timedelta(days=3) if _has_left(n) else None)
        for n in range(start, stop)])
    guardians = Guardian.objects.bulk_create([
        Guardian(mis_id=f"G{n:05d}-{index}", first_name="Parent", last_name=f"Family{n % 97}")
        for n in range(start, stop) for index in (1, 2)])
    families = list(zip(range(start, stop), pupils, zip(guardians[::2], guardians[1::2], strict=True), strict=True))
    PupilGuardian.objects.bulk_create([
        PupilGuardian(pupil=pupil, guardian=guardian, parental_responsibility=True, relationship="Parent")
        for _n, pupil, pair in families for guardian in pair])
    decisions = []
    for n, pupil, (first, second) in families:
        if _nobody_answered(n):
            continue
        for position, each in enumerate(active):
            for guardian in (first, second):
                decisions.append(_decision(pupil, guardian, each, True, rounds[0]))
                refuses = guardian is second and _second_parent_refuses_one(n) and position == n % len(active)
                decisions.append(_decision(pupil, guardian, each, not refuses, rounds[1]))
            if n % 3 == 0:
                decisions.append(_decision(pupil, first, each, True, rounds[2]))
    ConsentDecision.objects.bulk_create(decisions, batch_size=5000)
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them after a load: this test counts queries, not plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _decision(pupil, guardian, purpose, answer, when):
    return ConsentDecision(pupil=pupil, guardian=guardian, purpose=purpose, answer=answer,
                           method=DecisionMethod.ONLINE, decided_at=when)


def _pages(website):
    """(URL name, parameters, most queries): the PDF and the CSV also write their audit event."""
    return [
        ("consent:do_not_photograph", {}, 16),
        ("consent:do_not_photograph", {"page": 2}, 16),
        ("consent:do_not_photograph", {"group": "class:5B", "purpose": website.pk}, 16),
        ("consent:do_not_photograph", {"group": "year:7"}, 16),
        ("consent:do_not_photograph_pdf", {"group": "class:5B"}, 19),
        ("consent:coverage", {}, 14),
        ("consent:coverage", {"format": "csv"}, 16),
    ]


def _measure(client, count_queries, pages):
    counts, responses = [], []
    for name, params, _most in pages:
        queries, response = count_queries(client, reverse(name), **params)
        if params.get("format") == "csv":
            response.rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        counts.append(queries)
        responses.append(response)
    return counts, responses


def test_list_pdf_and_coverage_run_the_same_queries_for_150_and_1500_pupils(
        client, count_queries, django_assert_max_num_queries):
    active = purposes()
    website = ConsentPurpose.objects.get(name="School website")
    client.force_login(user_with_role(roles.ADMINISTRATOR))
    pages = _pages(website)
    _school(0, SMALL, active)
    few, _responses = _measure(client, count_queries, pages)

    _school(SMALL, LARGE, active)
    many, responses = _measure(client, count_queries, pages)
    assert Pupil.objects.count() == LARGE and Guardian.objects.count() == 2 * LARGE
    assert ConsentDecision.objects.count() > 39000

    assert many == few
    # What the pages show grew with the school, so they were not measured empty.
    whole_school = responses[0]
    assert whole_school.context["count"] == sum(_not_all_yes(n) for n in range(LARGE))
    assert len(whole_school.context["rows"]) == 50
    expected_5b = {f"Child{n}" for n in range(LARGE)
                   if n % 15 - 1 == 5 and n // 15 % 3 == 1 and not _has_left(n)
                   and (_nobody_answered(n) or (_second_parent_refuses_one(n) and n % len(active) == 0))}
    assert {row.pupil.first_name for row in responses[2].context["rows"]} == expected_5b
    coverage = responses[5].context["coverage"]
    assert coverage.pupils == sum(not _has_left(n) for n in range(LARGE))
    assert sum(tally.awaiting for tally in coverage.totals) == len(active) * sum(
        _nobody_answered(n) and not _has_left(n) for n in range(LARGE))
    assert len(responses[6].rows) == 1 + 45 * len(active) + len(active)
    # And a small number: session, user, roles, the prompt, the menu and the page's own queries.
    for name, params, most in pages:
        with django_assert_max_num_queries(most):
            client.get(reverse(name), params)
