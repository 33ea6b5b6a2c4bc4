"""The report's figures cost a fixed number of queries: a term of 20 incidents in a log of 500 costs
the same as a term of 300 in a log of 10,000, and the large one takes well under five seconds.

The data is written with bulk_create, past the services, so that 10,000 incidents with their pupils,
parent contacts and referrals take seconds rather than minutes.
"""

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services as agreement_services
from agreements.models import Agreement, Audience
from consent.models import ConsentDecision, ConsentPurpose
from policies.models import TrainingKind
from safety_portal.reports.figures import term_figures
from safety_portal.school import roles
from safety_portal.school.models import Term
from tests.agreements.factories import publish
from tests.factories import school_year, user_with_role
from tests.reports.factories import bulk_incidents, bulk_pupils, local, policy_with_version, training

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 12)
# The most queries the figures may take: each part's aggregates, whatever the size of the school.
BUDGET = 40


def _records_besides_incidents():
    """Agreements, policies and training: every part of the report has something to count."""
    dsl = user_with_role(roles.DSL)
    staff = [user_with_role(roles.STAFF) for _n in range(5)]
    governors = [user_with_role(roles.GOVERNOR) for _n in range(3)]
    for audience in (Audience.STAFF, Audience.GOVERNOR, Audience.PARENT, Audience.PUPIL_KS2, Audience.VISITOR):
        publish(audience, user=dsl)
    version = Agreement.objects.get(audience=Audience.STAFF).current_version
    for user in staff[:3]:
        agreement_services.signature_record_for_account(user=user, version=version, typed_name="Signed")
    for n, year in enumerate((2023, 2024, 2025, 2026)):
        policy_with_version(f"Scale test {n}", approved_on=datetime.date(year, 10, 1), recorded_by=dsl)
    training(datetime.date(2024, 10, 1), TrainingKind.ANNUAL, [dsl, *staff[:2], governors[0]], recorded_by=dsl)
    training(datetime.date(2026, 10, 1), TrainingKind.ANNUAL, [dsl, *staff[2:]], recorded_by=dsl)
    return dsl


def _consent(pupils, guardians):
    """Answers for two purposes from one parent of most children: yes, no, or a yes later withdrawn."""
    purposes = list(ConsentPurpose.objects.filter(active=True)[:2])
    decisions = []
    for index, pupil in enumerate(pupils):
        guardian = guardians[2 * index]
        for purpose in purposes:
            if index % 5 == 0:
                continue
            when = local(2026, 9, 10)
            decisions.append(ConsentDecision(pupil=pupil, guardian=guardian, purpose=purpose, answer=index % 4 != 1,
                                             method="online", decided_at=when))
            if index % 7 == 0:
                decisions.append(ConsentDecision(pupil=pupil, guardian=guardian, purpose=purpose, answer=False,
                                                 method="online", decided_at=local(2026, 10, 1)))
    ConsentDecision.objects.bulk_create(decisions, batch_size=2000)


def _measure(term):
    term = Term.objects.get(pk=term.pk)
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        figures = term_figures(term, today=TODAY)
        elapsed = time.monotonic() - started
    return len(queries), elapsed, figures


def test_figures_cost_the_same_queries_for_300_incidents_among_10000_as_for_20_among_500():
    for year in range(2022, 2027):
        school_year(year)
    small_term = Term.objects.get(academic_year=2024, name="autumn")  # 3/9/24 to 5/1/25
    large_term = Term.objects.get(academic_year=2026, name="autumn")  # 3/9/26 to 5/1/27
    dsl = _records_besides_incidents()

    pupils, guardians = bulk_pupils(150, batch=1)
    _consent(pupils, guardians)
    made = bulk_incidents(20, since=local(2024, 9, 3, 0, 0), until=local(2025, 1, 6, 0, 0), reporter=dsl,
                          pupils=pupils, batch=1)
    made += bulk_incidents(240, since=local(2022, 9, 3), until=local(2024, 9, 2), reporter=dsl, pupils=pupils,
                           batch=2)
    made += bulk_incidents(240, since=local(2025, 1, 6), until=local(2026, 8, 31), reporter=dsl, pupils=pupils,
                           batch=3)
    assert made == 500
    few, _elapsed, small = _measure(small_term)
    assert small["incidents"]["recorded"]["value"] == 20
    assert all(small[part]["has_data"] for part in
               ("incidents", "referrals", "filtering", "agreements", "consent", "policies", "training"))

    more_pupils, more_guardians = bulk_pupils(1350, batch=2)
    _consent(more_pupils, more_guardians)
    pupils += more_pupils
    made += bulk_incidents(300, since=local(2026, 9, 3, 0, 0), until=local(2027, 1, 6, 0, 0), reporter=dsl,
                           pupils=pupils, batch=4)
    made += bulk_incidents(7000, since=local(2019, 1, 1), until=local(2026, 9, 2), reporter=dsl, pupils=pupils,
                           batch=5)
    made += bulk_incidents(2200, since=local(2027, 1, 6), until=local(2027, 8, 31), reporter=dsl, pupils=pupils,
                           batch=6)
    assert made == 10_000
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them after a load of this size.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    many, elapsed, large = _measure(large_term)
    assert large["incidents"]["recorded"]["value"] == 300
    assert large["consent"]["purposes"][0]["of"] == 1500
    print(f"\nterm_figures, {connection.vendor}: {few} queries for 20 of 500 incidents, {many} for 300 of 10,000 "
          f"({elapsed:.2f} s)")
    assert many == few
    assert few <= BUDGET
    assert elapsed < 5
