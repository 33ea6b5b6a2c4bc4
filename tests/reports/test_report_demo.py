"""The demo's governor reports: `make run` shows a finalised report with its stored PDF, a draft, and
three-term trends with something in every term, made through the report services, once."""

import datetime
import hashlib
import re

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from incidents.demo import incidents_demo_load
from incidents.models import TYPE_AREA, Incident, ReferenceCounter, Referral, Status, sensitivity_of
from safety_portal.audit.models import AuditEvent
from safety_portal.reports import document
from safety_portal.reports.demo import MARK, reports_demo_load
from safety_portal.reports.models import Report, State
from safety_portal.school import extensions
from safety_portal.school.demo import demo_load
from safety_portal.school.models import Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, monkeypatch):
    # The demo school, its detailed cases and this loader only: the other apps' demo data is theirs
    # to test, and loading it too costs seconds a test on PostgreSQL.
    monkeypatch.setattr(extensions, "demo_loaders", [incidents_demo_load, reports_demo_load])
    demo_load()


@pytest.fixture
def full_demo(db):
    demo_load()  # the school, then every app's demo data, this one last


def fake_pdf(figures):
    return b"%PDF-1.4\n% demo report for " + figures["term"]["label"].encode() + b"\n%%EOF\n"


def expected_terms(today):
    """(finalised, draft): the most recent term whose reporting period (term and holiday) ended before
    `today`, and the term after it if it has started, or else the one before it."""
    terms = list(Term.objects.order_by("start_date"))
    final = [term for term in terms if term.reporting_end < today][-1]
    at = terms.index(final)
    after = terms[at + 1] if at + 1 < len(terms) and terms[at + 1].start_date <= today else None
    return final, after or terms[at - 1]


def stored_files(folder="reports"):
    folders, files = default_storage.listdir(folder)
    return sorted([f"{folder}/{name}" for name in files]
                  + [path for name in folders for path in stored_files(f"{folder}/{name}")])


def stored_bytes(report):
    with default_storage.open(report.pdf.name, "rb") as handle:
        return handle.read()


def trend_totals(report):
    """The incidents printed in each term's column of the report's trend: a column suppressed (or a
    cell of 1 or 2, stored without its value) adds nothing."""
    trend = report.figures["incidents"]["trend"]
    return [sum(series["values"][index] or 0 for series in trend["series"]) for index in range(len(trend["terms"]))]


def test_the_demo_has_a_finalised_report_with_its_stored_pdf_and_a_draft(demo):
    final_term, draft_term = expected_terms(timezone.localdate())
    final = Report.objects.get(state=State.FINAL)
    assert final.term == final_term
    content = stored_bytes(final)
    assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == final.pdf_sha256
    assert final.finalised_by.email == "head@demo.school" and final.requested_by.email == "dsl@demo.school"
    assert final.figures["term"]["label"] == str(final_term)
    draft = Report.objects.get(state=State.DRAFT)
    assert draft.term == draft_term
    assert hashlib.sha256(stored_bytes(draft)).hexdigest() == draft.pdf_sha256
    assert Report.objects.count() == 2
    # Made through the services: requested, generated and finalised on the audit trail.
    actions = set(AuditEvent.objects.filter(action__startswith="reports.").values_list("action", flat=True))
    assert actions == {"reports.report.requested", "reports.report.generated", "reports.report.finalised"}


def test_the_trends_have_incidents_in_each_of_three_terms_and_the_area_tables_print(demo):
    for report in Report.objects.all():
        incidents = report.figures["incidents"]
        assert len(incidents["trend"]["terms"]) == 3
        assert all(total >= 3 for total in trend_totals(report)), (report, trend_totals(report))
        # Several areas with a count of 3 or more in each term, so the chart has bars and not only words.
        for index in range(3):
            assert sum(1 for series in incidents["trend"]["series"] if (series["values"][index] or 0) >= 3) >= 2
        # The demo tops up the areas so that the table by area is printed, not suppressed as a whole.
        assert not incidents["by_area"]["suppressed"], report
    final = Report.objects.get(state=State.FINAL).figures["incidents"]
    assert final["recorded"]["value"] >= 8 and final["previous"]["value"] >= 8
    assert final["closed"]["value"] and final["median_days_to_close"] is not None


def test_the_demo_cases_follow_the_log_s_rules_and_vary(demo):
    cases = Incident.objects.filter(description__startswith=MARK)
    assert cases.count() >= 3 * 8
    cut_off = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    for case in cases:
        assert case.area == TYPE_AREA[case.incident_type], case
        assert case.sensitivity == sensitivity_of(case.incident_type), case
        assert re.fullmatch(rf"OS-{timezone.localtime(case.reported_at).year}-\d{{4}}", case.reference), case
        year, number = case.reference.split("-")[1:]
        assert ReferenceCounter.objects.get(year=int(year)).last >= int(number)
        assert case.occurred_at <= case.reported_at < cut_off
        case.full_clean()
        assert case.owner and case.severity and case.steps.exists() and case.pupil_links.exists()
        assert list(case.status_changes.values_list("to_status", flat=True))[-1] == case.status
        if case.status == Status.CLOSED:
            assert case.outcome and case.lessons_learnt and case.reported_at < case.closed_at < cut_off
            assert not case.steps.filter(state="open").exists()
        assert not case.is_urgent  # urgent demo cases are acknowledged: one pinned case is the incident demo's
    for field in ("area", "incident_type", "location", "device_owner", "pupils__year_group"):
        assert cases.values(field).distinct().count() >= 3, field
    assert cases.filter(status=Status.OPEN).exists()
    assert Referral.objects.filter(incident__in=cases, decision=Referral.Decision.REFERRED).exists()
    assert Referral.objects.filter(incident__in=cases, decision=Referral.Decision.NOT_REFERRED).exclude(
        rationale="").exists()
    assert cases.filter(parent_contacts__informed=True).exists()


def test_loading_twice_creates_nothing(full_demo):
    models = (Incident, Report, ReferenceCounter, AuditEvent)
    counts = {model: model.objects.count() for model in models}
    files = stored_files()
    assert set(files) == set(Report.objects.values_list("pdf", flat=True))
    assert Report.objects.filter(state=State.FINAL).count() == 1
    assert Report.objects.filter(state=State.DRAFT).count() == 1
    assert reports_demo_load() == 0
    assert demo_load() == 0
    assert {model: model.objects.count() for model in models} == counts
    assert stored_files() == files


@pytest.mark.parametrize(("today", "final", "draft"), [
    # Before the autumn term starts the summer holiday still counts with the summer term: the spring's
    # report is finalised, and the draft is the summer's.
    (datetime.date(2025, 9, 1), ("spring", 2024), ("summer", 2024)),
    # In the Christmas holiday: the autumn term has ended, but its reporting period has not.
    (datetime.date(2025, 12, 27), ("summer", 2024), ("autumn", 2025)),
    # On the first day of a term: its draft, with no cases in it yet.
    (datetime.date(2026, 1, 5), ("autumn", 2025), ("spring", 2025)),
    # Mid-term.
    (datetime.date(2026, 2, 11), ("autumn", 2025), ("spring", 2025)),
])
def test_the_reports_and_cases_fall_in_the_right_terms_whatever_the_day(db, monkeypatch, today, final, draft):
    # The real figures, a stand-in PDF: the document has its own tests.
    monkeypatch.setattr(document, "document_pdf", fake_pdf)
    monkeypatch.setattr(extensions, "demo_loaders", [reports_demo_load])
    demo_load(today=today)
    reports = {report.state: report.term for report in Report.objects.all()}
    assert (reports[State.FINAL].name, reports[State.FINAL].academic_year) == final
    assert (reports[State.DRAFT].name, reports[State.DRAFT].academic_year) == draft
    cut_off = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    assert not Incident.objects.filter(reported_at__gte=cut_off).exists()
    assert not Incident.objects.filter(closed_at__gte=cut_off).exists()
    report = Report.objects.get(state=State.FINAL)
    assert all(total >= 3 for total in trend_totals(report))
    assert reports_demo_load(today=today) == 0


def test_without_the_demo_school_nothing_is_created(db):
    assert reports_demo_load(today=datetime.date(2026, 11, 20)) == 0
    assert not Incident.objects.exists() and not Report.objects.exists()
