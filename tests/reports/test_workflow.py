"""The report's life: requested, prepared in the background, finalised, superseded with a reason.

The figures and the PDF are replaced by fakes here (their own tests check them): the fake figures
count the incidents in the database, and the fake PDF carries them, so a later generation after
more incidents gives a different file while the finalised one stays byte for byte as it was.
"""

import copy
import datetime
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.html import format_html

from incidents.models import Incident
from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from safety_portal.reports import document, services
from safety_portal.reports import figures as report_figures
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.factories import TermFactory, UserFactory, school_year, user_with_role
from tests.incidents.factories import IncidentFactory
from tests.reports.sample import SAMPLE_FIGURES

pytestmark = pytest.mark.django_db


# --- Fakes for the figures and the document, shared by the other workflow test modules -------------


def fake_figures(term, *, today=None):
    figures = copy.deepcopy(SAMPLE_FIGURES)
    figures["term"] = {"id": term.pk, "label": str(term), "start": term.start_date.isoformat(),
                       "end": term.end_date.isoformat()}
    figures["incidents"]["recorded"] = {"value": Incident.objects.count(),
                                        "display": str(Incident.objects.count())}
    return figures


def fake_pdf(figures):
    return b"%PDF-1.4\n% fake governor report\n" + json.dumps(figures, sort_keys=True).encode() + b"\n%%EOF\n"


def fake_fragment(figures):
    # Safe markup, as the real fragment is (a rendered template).
    return format_html('<section class="fake-report"><h2>Incidents</h2><p>Recorded: {}</p></section>',
                       figures["incidents"]["recorded"]["display"])


def use_fake_rendering(monkeypatch, *, figures=fake_figures, pdf=fake_pdf, fragment=fake_fragment):
    """Workflow tests need a report's life, not its contents: the figures and the document are tested on their own."""
    monkeypatch.setattr(report_figures, "term_figures", figures)
    monkeypatch.setattr(document, "document_pdf", pdf)
    monkeypatch.setattr(document, "document_fragment", fragment)


def stored_bytes(report):
    with default_storage.open(report.pdf.name, "rb") as handle:
        return handle.read()


def prepared(term, by, capture, **kwargs):
    """Request a report and run its (eager) task as the commit would."""
    with capture(execute=True):
        report = services.report_request(term=term, requested_by=by, **kwargs)
    return Report.objects.select_related("term").get(pk=report.pk)


def finalised(term, by, capture, **kwargs):
    return services.report_finalise(report=prepared(term, by, capture, **kwargs), by=by)


@pytest.fixture(autouse=True)
def fake_rendering(monkeypatch):
    use_fake_rendering(monkeypatch)


@pytest.fixture
def terms():
    return school_year(2025)


# --- Requesting and generating ---------------------------------------------------------------


def test_a_request_becomes_a_draft_with_the_checksum_of_its_stored_file(
        terms, dsl_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request(term=terms[0], requested_by=dsl_user)
    assert report.state == State.GENERATING and len(callbacks) == 1  # queued only once it commits
    for callback in callbacks:
        callback()
    report.refresh_from_db()
    assert report.state == State.DRAFT and report.progress == 100 and report.generated_at is not None
    assert report.pdf.name.startswith("reports/") and report.pdf.name.endswith(".pdf")
    content = stored_bytes(report)
    assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == report.pdf_sha256
    assert report.figures["term"]["label"] == "Autumn 2025/26"
    actions = list(AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk))
                   .order_by("sequence").values_list("action", flat=True))
    assert actions == ["reports.report.requested", "reports.report.generated"]
    assert not OutboxEmail.objects.exists()  # asked for by a person, who is watching the page


def test_two_drafts_never_share_a_file_name(terms, dsl_user, django_capture_on_commit_callbacks):
    first = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    second = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    assert first.pdf.name != second.pdf.name and stored_bytes(first) == stored_bytes(second)


def test_a_second_request_while_one_is_being_prepared_is_refused(terms, dsl_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = services.report_request(term=terms[0], requested_by=dsl_user)
    with pytest.raises(services.ReportRefused) as refused:
        services.report_request(term=terms[0], requested_by=dsl_user)
    assert refused.value.report == first and "already being prepared" in str(refused.value)
    assert Report.objects.count() == 1
    # Another term is not held up by it.
    with django_capture_on_commit_callbacks(execute=False):
        services.report_request(term=terms[1], requested_by=dsl_user)
    assert Report.objects.count() == 2


def test_a_report_whose_task_was_lost_no_longer_blocks_a_new_request(
        terms, dsl_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        lost = services.report_request(term=terms[0], requested_by=dsl_user)
    Report.objects.filter(pk=lost.pk).update(requested_at=lost.requested_at - services.GENERATING_GIVES_UP_AFTER * 2)
    lost.refresh_from_db()
    assert services.report_is_stuck(lost)
    fresh = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    lost.refresh_from_db()
    assert lost.state == State.FAILED and "took too long" in lost.error
    assert fresh.state == State.DRAFT


def test_generating_again_leaves_a_prepared_report_alone(terms, dsl_user, django_capture_on_commit_callbacks,
                                                         monkeypatch):
    report = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    calls = []
    use_fake_rendering(monkeypatch, figures=lambda term, **kwargs: calls.append(term) or fake_figures(term))
    assert services.report_generate(report.pk) is None
    again = Report.objects.get(pk=report.pk)
    assert calls == [] and again.pdf.name == report.pdf.name and again.pdf_sha256 == report.pdf_sha256
    assert again.generated_at == report.generated_at
    assert services.report_generate(999999) is None


def test_a_failure_leaves_the_report_failed_with_a_reason_in_words(
        terms, dsl_user, django_capture_on_commit_callbacks, monkeypatch):
    def broken(term, **kwargs):
        raise RuntimeError("Traceback: Amelia Smith, OS-2026-0001 at line 42")

    use_fake_rendering(monkeypatch, figures=broken)
    report = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    assert report.state == State.FAILED and not report.pdf and not report.pdf_sha256
    assert report.error.startswith("The figures could not be worked out.")
    assert "Try again" in report.error
    for leak in ("Traceback", "Amelia", "OS-2026", "RuntimeError", "line 42"):
        assert leak not in report.error
    assert AuditEvent.objects.filter(action="reports.report.failed", object_id=str(report.pk)).exists()


def test_a_document_that_is_not_a_pdf_fails_and_keeps_no_file(
        terms, dsl_user, django_capture_on_commit_callbacks, monkeypatch, media_root):
    use_fake_rendering(monkeypatch, pdf=lambda figures: b"<html>not a pdf</html>")
    report = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    assert report.state == State.FAILED and report.error.startswith("The PDF could not be drawn.")
    assert not list(media_root.rglob("*.pdf"))


def test_an_unreachable_worker_fails_the_report_instead_of_leaving_it_waiting(
        terms, dsl_user, django_capture_on_commit_callbacks, monkeypatch):
    from safety_portal.reports import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.report_generate, "delay", broker_down)
    report = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    assert report.state == State.FAILED and "background worker could not be reached" in report.error


# --- Finalising and superseding ---------------------------------------------------------------


def test_a_finalised_file_is_unchanged_byte_for_byte_after_more_data_and_other_reports(
        terms, dsl_user, django_capture_on_commit_callbacks):
    IncidentFactory.create_batch(3)
    report = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    assert report.state == State.FINAL and report.finalised_by == dsl_user and report.finalised_at is not None
    before, sha = stored_bytes(report), report.pdf_sha256
    assert hashlib.sha256(before).hexdigest() == sha

    IncidentFactory.create_batch(4)
    other = prepared(terms[1], dsl_user, django_capture_on_commit_callbacks)
    assert b'"display": "7"' in stored_bytes(other)  # the new report counts the new incidents
    services.report_generate(report.pk)  # a stray retry of the finalised one's task does nothing

    report.refresh_from_db()
    assert report.state == State.FINAL and report.pdf_sha256 == sha
    assert stored_bytes(report) == before and b'"display": "3"' in before
    assert report.figures["incidents"]["recorded"]["value"] == 3


def test_regenerating_over_a_finalised_report_needs_it_named_and_a_reason(
        terms, dsl_user, django_capture_on_commit_callbacks):
    final = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    for kwargs in ({}, {"replaces": final}, {"replaces": final, "replace_reason": "   "}):
        with pytest.raises(services.ReportRefused):
            services.report_request(term=terms[0], requested_by=dsl_user, **kwargs)
    assert list(Report.objects.all()) == [final]
    # A term with no finalised report has nothing to replace.
    with pytest.raises(services.ReportRefused):
        services.report_request(term=terms[1], requested_by=dsl_user, replaces=final, replace_reason="Why not")


def test_superseding_with_a_reason_keeps_the_old_report_and_emails_governors_a_link(
        terms, dsl_user, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://portal.school.example"
    governors = [user_with_role(roles.GOVERNOR, email=f"governor{n}@school.example") for n in range(2)]
    user_with_role(roles.GOVERNOR, email="gone@school.example", is_active=False)
    old = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    old_bytes = stored_bytes(old)
    OutboxEmail.objects.all().delete()

    new = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks, replaces=old,
                   replace_reason="Two incidents were recorded late")
    assert new.replaces == old and new.replace_reason == "Two incidents were recorded late"
    assert Report.objects.get(pk=old.pk).state == State.FINAL  # until the new one is finalised
    new = services.report_finalise(report=new, by=dsl_user)

    old.refresh_from_db()
    assert old.state == State.SUPERSEDED and old.superseded_at is not None and stored_bytes(old) == old_bytes
    assert new.state == State.FINAL
    assert list(Report.objects.filter(term=terms[0], state=State.FINAL)) == [new]
    emails = list(OutboxEmail.objects.filter(template="report_finalised"))
    assert sorted(address for email in emails for address in email.to) == sorted(g.email for g in governors)
    for email in emails:
        assert len(email.to) == 1  # governors' addresses are not shown to one another
        assert "Autumn 2025/26" in email.subject
        for body in (email.body_text, email.body_html):
            assert "https://portal.school.example/reports/" in body
            assert "%PDF" not in body
            for figure in ("Cyberbullying", "Filtering breach", "fewer than 3", "Two incidents were recorded late"):
                assert figure not in body
    actions = set(AuditEvent.objects.filter(object_type="reports.report").values_list("action", flat=True))
    assert {"reports.report.superseded", "reports.report.finalised"} <= actions


def test_a_draft_made_before_another_was_finalised_cannot_be_finalised(
        terms, dsl_user, django_capture_on_commit_callbacks):
    first = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    second = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    services.report_finalise(report=second, by=dsl_user)
    with pytest.raises(services.ReportRefused, match="already has a finalised report"):
        services.report_finalise(report=first, by=dsl_user)
    assert Report.objects.get(pk=first.pk).state == State.DRAFT


def test_only_a_draft_can_be_finalised(terms, dsl_user, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=False):
        generating = services.report_request(term=terms[0], requested_by=dsl_user)
    with pytest.raises(services.ReportRefused):
        services.report_finalise(report=generating, by=dsl_user)
    final = finalised(terms[1], dsl_user, django_capture_on_commit_callbacks)
    with pytest.raises(services.ReportRefused):
        services.report_finalise(report=final, by=dsl_user)


def test_a_draft_whose_file_changed_is_not_finalised(terms, dsl_user, django_capture_on_commit_callbacks):
    draft = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    default_storage.delete(draft.pdf.name)
    default_storage.save(draft.pdf.name, ContentFile(b"%PDF-1.4 something else"))
    with pytest.raises(services.ReportRefused, match="has changed"):
        services.report_finalise(report=draft, by=dsl_user)
    assert Report.objects.get(pk=draft.pk).state == State.DRAFT
    assert not OutboxEmail.objects.exists()


# --- Telling the DSL team about the term-end draft ------------------------------------------------


def test_a_term_end_draft_is_emailed_to_everyone_who_can_open_it_once_each(terms, django_capture_on_commit_callbacks,
                                                                          settings):
    settings.SITE_URL = "https://portal.school.example"
    dsl = user_with_role(roles.DSL, email="dsl@school.example")
    deputy = user_with_role(roles.STAFF, email="Deputy@School.example")
    other_dsl = user_with_role(roles.DSL, email="second.dsl@school.example")
    user_with_role(roles.DSL, email="left@school.example", is_active=False)
    UserFactory(email="", roles=[roles.DSL])
    user_with_role(roles.HEADTEACHER, email="head@school.example")
    school = SchoolProfile.objects.create(pk=1, name="Oakfield", dsl=dsl)
    school.deputy_dsls.set([deputy, other_dsl])

    report = prepared(terms[0], None, django_capture_on_commit_callbacks)
    email = OutboxEmail.objects.get(template="report_draft_ready")
    # The DSLs and the headteacher; not a deputy named on the profile without the DSL role (the link is 404 to them).
    assert sorted(email.to) == sorted([dsl.email, other_dsl.email, "head@school.example"])
    assert deputy.email not in email.to
    assert f"https://portal.school.example/reports/{report.pk}/" in email.body_text
    assert "Autumn 2025/26" in email.subject and "Cyberbullying" not in email.body_text


def test_a_draft_prepared_before_its_reporting_period_ended_cannot_be_finalised(
        dsl_user, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    term = TermFactory(academic_year=today.year, name="autumn", start_date=today - datetime.timedelta(days=30),
                       end_date=today + datetime.timedelta(days=30))
    draft = prepared(term, dsl_user, django_capture_on_commit_callbacks)
    assert draft.state == State.DRAFT
    with pytest.raises(services.ReportRefused, match="before the term's reporting period ended"):
        services.report_finalise(report=draft, by=dsl_user)
    assert Report.objects.get(pk=draft.pk).state == State.DRAFT
