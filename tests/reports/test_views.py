"""The report pages for the DSL and the headteacher: list, prepare, wait, preview, download, finalise."""

import datetime
import hashlib
import json

import pytest
from django.utils import timezone

from safety_portal.audit.models import AuditEvent
from safety_portal.reports import services
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from tests.factories import TermFactory, school_year, user_with_role
from tests.reports.test_workflow import finalised, prepared, stored_bytes, use_fake_rendering

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_rendering(monkeypatch):
    use_fake_rendering(monkeypatch)


@pytest.fixture
def terms():
    return school_year(2025)


def _waiting(term, user, capture):
    with capture(execute=False):
        return services.report_request(term=term, requested_by=user)


# --- The list and asking for a report ----------------------------------------------------------


def test_the_list_says_so_when_there_is_no_report(dsl_client):
    content = dsl_client.get("/reports/").content.decode()
    assert 'data-testid="empty"' in content and 'href="/reports/new/"' in content


def test_the_dsl_sees_every_report_with_who_asked_and_who_finalised(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    final = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    draft = prepared(terms[1], None, django_capture_on_commit_callbacks)
    waiting = _waiting(terms[2], dsl_user, django_capture_on_commit_callbacks)
    content = dsl_client.get("/reports/").content.decode()
    for report, state in ((final, "final"), (draft, "draft"), (waiting, "generating")):
        assert f'data-report="{report.pk}" data-state="{state}"' in content
    assert str(dsl_user) in content and "automatically, after the term ended" in content
    assert content.index("Summer 2025/26") < content.index("Spring 2025/26") < content.index("Autumn 2025/26")


def test_the_list_costs_the_same_queries_however_many_reports(
        dsl_client, dsl_user, count_queries, django_capture_on_commit_callbacks):
    first_year = school_year(2024)
    finalised(first_year[0], dsl_user, django_capture_on_commit_callbacks)
    few, _response = count_queries(dsl_client, "/reports/")
    for term in first_year[1:] + school_year(2025):
        finalised(term, dsl_user, django_capture_on_commit_callbacks)
    replaced = Report.objects.filter(state=State.FINAL).first()
    services.report_finalise(report=prepared(replaced.term, user_with_role(roles.HEADTEACHER),
                                             django_capture_on_commit_callbacks, replaces=replaced,
                                             replace_reason="Late records"), by=dsl_user)
    many, response = count_queries(dsl_client, "/reports/")
    assert many == few
    assert "Late records" in response.content.decode()


def test_the_form_offers_terms_newest_first_and_says_which_have_a_finalised_report(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    content = dsl_client.get("/reports/new/").content.decode()
    assert content.index("Summer 2025/26") < content.index("Spring 2025/26") < content.index("Autumn 2025/26")
    assert "Autumn 2025/26 (finalised on" in content


def test_asking_for_a_report_prepares_it_and_opens_its_page(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = dsl_client.post("/reports/new/", {"term": terms[0].pk})
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/{report.pk}/"
    assert report.state == State.DRAFT and report.requested_by == dsl_user and report.replaces is None


def test_a_double_click_opens_the_report_already_being_prepared(
        dsl_client, terms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = dsl_client.post("/reports/new/", {"term": terms[0].pk})
        second = dsl_client.post("/reports/new/", {"term": terms[0].pk}, follow=True)
    report = Report.objects.get()
    assert first.url == second.redirect_chain[-1][0] == f"/reports/{report.pk}/"
    assert "already being prepared" in second.content.decode()


def test_replacing_a_finalised_report_needs_a_reason_and_keeps_what_was_typed(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    final = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    response = dsl_client.post("/reports/new/", {"term": terms[0].pk, "reason": "  "})
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()
    assert "already has a finalised report" in response.content.decode()
    assert f'<option value="{terms[0].pk}" selected>' in response.content.decode()
    assert Report.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = dsl_client.post("/reports/new/", {"term": terms[0].pk, "reason": "A referral was recorded late"})
    new = Report.objects.exclude(pk=final.pk).get()
    assert response.url == f"/reports/{new.pk}/"
    assert new.replaces == final and new.replace_reason == "A referral was recorded late"


@pytest.mark.parametrize("term", ["", "abc", "99999999999999999999999", "-1", "1.5", "\x00"])
def test_a_bad_term_is_an_error_not_a_crash(dsl_client, term):
    TermFactory()
    response = dsl_client.post("/reports/new/", {"term": term, "reason": "kept"})
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()
    assert not Report.objects.exists()


# --- Waiting, failing, the draft ------------------------------------------------------------------


def test_the_waiting_page_polls_and_refreshes_without_javascript(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    report = _waiting(terms[0], dsl_user, django_capture_on_commit_callbacks)
    Report.objects.filter(pk=report.pk).update(progress=60)
    content = dsl_client.get(f"/reports/{report.pk}/").content.decode()
    assert "Preparing the report… this can take a minute" in content
    assert '<script src="/static/reports/progress.js" defer></script>' in content
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in content
    assert f'data-status-url="/reports/{report.pk}/status.json"' in content
    assert 'aria-valuenow="60"' in content and "portal-width-60" in content  # a class: the CSP allows no style=""


def test_status_says_where_the_report_has_got_to(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    report = _waiting(terms[0], dsl_user, django_capture_on_commit_callbacks)
    response = dsl_client.get(f"/reports/{report.pk}/status.json")
    assert response["Content-Type"] == "application/json" and "no-store" in response["Cache-Control"]
    assert json.loads(response.content) == {"state": "generating", "progress": 0, "ready": False, "stuck": False}
    services.report_generate(report.pk)
    assert json.loads(dsl_client.get(f"/reports/{report.pk}/status.json").content) == {
        "state": "draft", "progress": 100, "ready": True, "stuck": False}


def test_a_ready_report_has_no_polling(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    draft = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    content = dsl_client.get(f"/reports/{draft.pk}/").content.decode()
    assert "progress.js" not in content and "http-equiv" not in content


def test_a_failed_report_says_why_and_offers_to_try_again(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks, monkeypatch):
    def broken(term, **kwargs):
        raise ValueError("boom")

    use_fake_rendering(monkeypatch, figures=broken)
    report = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    content = dsl_client.get(f"/reports/{report.pk}/").content.decode()
    assert "The figures could not be worked out." in content and "boom" not in content
    assert 'action="/reports/new/"' in content and f'name="term" value="{terms[0].pk}"' in content

    use_fake_rendering(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        response = dsl_client.post("/reports/new/", {"term": terms[0].pk, "reason": ""})
    again = Report.objects.exclude(pk=report.pk).get()
    assert response.url == f"/reports/{again.pk}/" and again.state == State.DRAFT


def test_a_draft_offers_preview_download_and_finalise(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    draft = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    content = dsl_client.get(f"/reports/{draft.pk}/").content.decode()
    assert f'href="/reports/{draft.pk}/preview/"' in content and f'href="/reports/{draft.pk}/pdf/"' in content
    assert f'action="/reports/{draft.pk}/finalise/"' in content and "I have checked these figures" in content


def test_the_preview_shows_the_document_inside_the_portal(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    draft = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    content = dsl_client.get(f"/reports/{draft.pk}/preview/").content.decode()
    assert '<section class="fake-report">' in content and 'data-testid="draft-banner"' in content
    assert 'data-testid="main-menu"' in content  # inside the portal's own page
    waiting = _waiting(terms[1], dsl_user, django_capture_on_commit_callbacks)
    assert dsl_client.get(f"/reports/{waiting.pk}/preview/").url == f"/reports/{waiting.pk}/"


def test_finalising_needs_the_box_ticked(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    draft = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    response = dsl_client.post(f"/reports/{draft.pk}/finalise/", {})
    assert response.status_code == 200 and "Tick the box" in response.content.decode()
    assert Report.objects.get(pk=draft.pk).state == State.DRAFT

    response = dsl_client.post(f"/reports/{draft.pk}/finalise/", {"checked": "on"}, follow=True)
    report = Report.objects.get(pk=draft.pk)
    assert report.state == State.FINAL and report.finalised_by == dsl_user
    content = response.content.decode()
    assert "is finalised" in content and report.pdf_sha256 in content and 'data-testid="finalised"' in content


def test_finalising_twice_says_so(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    final = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    response = dsl_client.post(f"/reports/{final.pk}/finalise/", {"checked": "on"}, follow=True)
    assert "Only a draft can be finalised" in response.content.decode()


def test_finalise_by_get_changes_nothing_and_goes_to_the_report(dsl_client, dsl_user, terms,
                                                                 django_capture_on_commit_callbacks):
    # Signing in again after the session ran out comes back to this address by GET.
    draft = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    response = dsl_client.get(f"/reports/{draft.pk}/finalise/")
    assert response.status_code == 302 and response["Location"] == f"/reports/{draft.pk}/"
    assert Report.objects.get(pk=draft.pk).state == State.DRAFT


def test_a_superseded_report_says_when_and_why(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    old = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    new = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks, replaces=old,
                    replace_reason="Figures corrected")
    content = dsl_client.get(f"/reports/{old.pk}/").content.decode()
    assert "This report was replaced on" in content and "Figures corrected" in content
    assert f'href="/reports/{new.pk}/"' in content


# --- Downloads ---------------------------------------------------------------------------------


def test_every_download_is_an_audited_attachment_that_is_never_cached(
        dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    final = finalised(terms[0], dsl_user, django_capture_on_commit_callbacks)
    for _attempt in range(2):
        response = dsl_client.get(f"/reports/{final.pk}/pdf/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="online-safety-report-2025-autumn.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        assert body == stored_bytes(final) and hashlib.sha256(body).hexdigest() == final.pdf_sha256
    events = AuditEvent.objects.filter(action="reports.report.downloaded", object_id=str(final.pk))
    assert events.count() == 2 and {event.actor for event in events} == {dsl_user}


def test_a_draft_downloads_under_a_draft_name(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    draft = prepared(terms[0], dsl_user, django_capture_on_commit_callbacks)
    response = dsl_client.get(f"/reports/{draft.pk}/pdf/")
    assert 'filename="online-safety-report-2025-autumn-draft.pdf"' in response["Content-Disposition"]


def test_a_report_without_a_file_is_not_found(dsl_client, dsl_user, terms, django_capture_on_commit_callbacks):
    waiting = _waiting(terms[0], dsl_user, django_capture_on_commit_callbacks)
    assert dsl_client.get(f"/reports/{waiting.pk}/pdf/").status_code == 404
    draft = prepared(terms[1], dsl_user, django_capture_on_commit_callbacks)
    draft.pdf.storage.delete(draft.pdf.name)
    assert dsl_client.get(f"/reports/{draft.pk}/pdf/").status_code == 404
    assert not AuditEvent.objects.filter(action="reports.report.downloaded").exists()


def test_the_headteacher_works_reports_too(client, terms, django_capture_on_commit_callbacks):
    head = user_with_role(roles.HEADTEACHER)
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/new/", {"term": terms[0].pk})
    report = Report.objects.get()
    client.post(f"/reports/{report.pk}/finalise/", {"checked": "on"})
    assert Report.objects.get().state == State.FINAL and Report.objects.get().finalised_by == head


def test_only_terms_that_have_begun_can_be_reported_on(dsl_client):
    today = timezone.localdate()
    begun = TermFactory(academic_year=today.year - 1, name="summer", start_date=today - datetime.timedelta(days=60),
                        end_date=today - datetime.timedelta(days=20))
    to_come = TermFactory(academic_year=today.year, name="autumn", start_date=today + datetime.timedelta(days=10),
                          end_date=today + datetime.timedelta(days=90))
    content = dsl_client.get("/reports/new/").content.decode()
    assert f'value="{begun.pk}"' in content and f'value="{to_come.pk}"' not in content
    response = dsl_client.post("/reports/new/", {"term": str(to_come.pk)})
    assert response.status_code == 200 and not Report.objects.exists()
