"""The daily task prepares a draft a week after each term ends, once per term, and tells the DSL team."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from safety_portal.outbox.models import OutboxEmail
from safety_portal.reports import services, tasks
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from tests.factories import TermFactory, user_with_role
from tests.reports.test_workflow import use_fake_rendering

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 15)


@pytest.fixture(autouse=True)
def fake_rendering(monkeypatch):
    use_fake_rendering(monkeypatch)


def _term(year, name, start, end):
    return TermFactory(academic_year=year, name=name, start_date=start, end_date=end)


def _days_ago(days, today=TODAY):
    return today - datetime.timedelta(days=days)


def test_a_draft_for_each_term_ended_a_week_ago_once_however_often_it_runs(django_capture_on_commit_callbacks):
    user_with_role(roles.DSL, email="dsl@school.example")
    long_ago = _term(2024, "summer", datetime.date(2025, 4, 14), _days_ago(70))  # before the 60-day window
    ended = _term(2025, "autumn", datetime.date(2025, 9, 3), _days_ago(7))
    still_on = _term(2025, "spring", _days_ago(2), _days_ago(-80))  # autumn's holiday ended 3 days ago

    with django_capture_on_commit_callbacks(execute=True):
        assert services.term_end_drafts(today=TODAY) == 1
    report = Report.objects.get()
    assert report.term == ended and report.state == State.DRAFT and report.requested_by is None
    assert OutboxEmail.objects.get(template="report_draft_ready").to == ["dsl@school.example"]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.term_end_drafts(today=TODAY) == 0
        assert services.term_end_drafts(today=TODAY + datetime.timedelta(days=1)) == 0
    assert Report.objects.count() == 1 and OutboxEmail.objects.count() == 1
    assert not Report.objects.filter(term__in=[long_ago, still_on]).exists()


def test_no_draft_while_the_holiday_after_the_term_is_still_counted_with_it(django_capture_on_commit_callbacks):
    # Autumn ended 10 days ago, but spring starts in 5 days: the holiday's incidents belong to autumn.
    autumn = _term(2025, "autumn", datetime.date(2025, 9, 3), _days_ago(10))
    _term(2025, "spring", _days_ago(-5), _days_ago(-80))
    assert services.term_end_drafts(today=TODAY) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.term_end_drafts(today=TODAY + datetime.timedelta(days=5)) == 1  # spring's first day
    assert Report.objects.get().term == autumn


def test_no_draft_for_a_term_that_ended_three_days_ago():
    _term(2025, "autumn", datetime.date(2025, 9, 3), _days_ago(3))
    assert services.term_end_drafts(today=TODAY) == 0
    assert not Report.objects.exists()


def test_no_draft_for_a_term_that_already_has_a_usable_report(django_capture_on_commit_callbacks, dsl_user):
    term = _term(2025, "autumn", datetime.date(2025, 9, 3), _days_ago(10))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(term=term, requested_by=dsl_user)  # prepared after the period ended
        assert services.term_end_drafts(today=TODAY) == 0
    assert Report.objects.count() == 1


def test_a_draft_looked_at_during_the_term_does_not_stop_the_term_end_draft(django_capture_on_commit_callbacks,
                                                                            dsl_user):
    term = _term(2025, "autumn", datetime.date(2025, 9, 3), _days_ago(10))
    with django_capture_on_commit_callbacks(execute=True):
        early = services.report_request(term=term, requested_by=dsl_user)
    # Prepared while the term was still running: it cannot be finalised.
    Report.objects.filter(pk=early.pk).update(generated_at=timezone.make_aware(
        datetime.datetime.combine(_days_ago(20), datetime.time(12))))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.term_end_drafts(today=TODAY) == 1
    assert Report.objects.filter(term=term, state=State.DRAFT).count() == 2


def test_the_periodic_task_uses_today(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    term = _term(today.year - 1, "autumn", today - datetime.timedelta(days=100), today - datetime.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.term_end_reports.apply().get() == 1
    assert Report.objects.get().term == term


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_request_one_draft_per_term():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises all writers, so two "
                    "runs can never race there")
    terms = [_term(2025, "autumn", datetime.date(2025, 9, 3), _days_ago(8)),
             _term(2024, "summer", datetime.date(2025, 4, 14), _days_ago(30))]
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = services.term_end_drafts(today=TODAY)
        except Exception as error:  # noqa: BLE001 - handed back to the test to assert on
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(isinstance(result, Exception) for result in results), results
    assert sum(results) == 2
    assert sorted(Report.objects.values_list("term_id", flat=True)) == sorted(term.pk for term in terms)
