"""Governors read finalised reports and nothing else; everyone else gets 404 here."""

import pytest

from safety_portal.audit.models import AuditEvent
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from tests.factories import school_year, user_with_role
from tests.incidents.factories import IncidentFactory
from tests.reports.test_workflow import finalised, prepared, use_fake_rendering

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_rendering(monkeypatch):
    use_fake_rendering(monkeypatch)


@pytest.fixture
def reports(dsl_user, django_capture_on_commit_callbacks):
    """A superseded and a final report for autumn, a draft for spring, one being prepared for summer."""
    autumn, spring, summer = school_year(2025)
    old = finalised(autumn, dsl_user, django_capture_on_commit_callbacks)
    final = finalised(autumn, dsl_user, django_capture_on_commit_callbacks, replaces=old,
                      replace_reason="Two referrals were recorded late")
    draft = prepared(spring, dsl_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        waiting = Report.objects.create(term=summer, state=State.GENERATING, requested_by=dsl_user)
    return {"superseded": Report.objects.get(pk=old.pk), "final": final, "draft": draft, "waiting": waiting}


@pytest.fixture
def governor_client(client, governor_user):
    client.force_login(governor_user)
    return client


def _pages(pk):
    return [f"/reports/{pk}/", f"/reports/{pk}/preview/", f"/reports/{pk}/pdf/", f"/reports/{pk}/status.json"]


def test_a_governor_gets_404_on_drafts_and_reports_being_prepared(governor_client, reports):
    for report in (reports["draft"], reports["waiting"]):
        for url in _pages(report.pk):
            assert governor_client.get(url).status_code == 404, url
        assert governor_client.post(f"/reports/{report.pk}/finalise/", {"checked": "on"}).status_code == 404
    assert Report.objects.get(pk=reports["draft"].pk).state == State.DRAFT
    assert not AuditEvent.objects.filter(action="reports.report.downloaded").exists()


def test_a_governor_cannot_ask_for_a_report_or_read_its_progress(governor_client, reports):
    assert governor_client.get("/reports/new/").status_code == 404
    assert governor_client.post("/reports/new/", {"term": reports["draft"].term_id}).status_code == 404
    assert governor_client.get(f"/reports/{reports['final'].pk}/status.json").status_code == 404
    assert Report.objects.count() == 4


def test_a_governor_gets_404_on_every_incident_of_their_own(governor_client):
    incident = IncidentFactory()
    for url in (f"/incidents/{incident.pk}/", f"/incidents/{incident.pk}/acknowledge/",
                f"/incidents/mine/{incident.pk}/", f"/incidents/report/{incident.pk}/done/"):
        assert governor_client.get(url).status_code == 404, url
    for url in (f"/incidents/{incident.pk}/triage/", f"/incidents/{incident.pk}/close/"):
        assert governor_client.get(url, follow=True).status_code == 404, url  # sent back to the case: 404


def test_for_a_governor_the_incident_pages_do_not_exist(governor_client):
    incident = IncidentFactory()
    for url in ("/incidents/", "/incidents/export.csv", "/incidents/new/", "/incidents/report/"):
        response = governor_client.get(url)
        assert response.status_code == 404, url
        assert incident.reference not in response.content.decode()


def test_a_governor_lists_finalised_reports_with_the_replaced_one_marked(governor_client, reports):
    content = governor_client.get("/reports/").content.decode()
    for key in ("final", "superseded"):
        assert f'data-report="{reports[key].pk}"' in content
        assert f'href="/reports/{reports[key].pk}/pdf/"' in content
    for key in ("draft", "waiting"):
        assert f'data-report="{reports[key].pk}"' not in content
    assert "Spring 2025/26" not in content and "Summer 2025/26" not in content
    assert "Replaced on" in content and "because: Two referrals were recorded late" in content
    assert 'href="/reports/new/"' not in content


def test_a_governor_downloads_a_finalised_report_and_the_download_is_audited(
        governor_client, governor_user, reports):
    for key in ("final", "superseded"):
        response = governor_client.get(f"/reports/{reports[key].pk}/pdf/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    events = AuditEvent.objects.filter(action="reports.report.downloaded").order_by("sequence")
    assert [(event.actor, event.object_id) for event in events] == [
        (governor_user, str(reports["final"].pk)), (governor_user, str(reports["superseded"].pk))]


def test_a_governor_reads_a_finalised_report_in_the_portal(governor_client, reports):
    detail = governor_client.get(f"/reports/{reports['final'].pk}/").content.decode()
    assert reports["final"].pdf_sha256 in detail and f'href="/reports/{reports["final"].pk}/pdf/"' in detail
    assert 'data-testid="finalise"' not in detail and "/finalise/" not in detail and "/reports/new/" not in detail
    preview = governor_client.get(f"/reports/{reports['final'].pk}/preview/").content.decode()
    assert '<section class="fake-report">' in preview and "draft-banner" not in preview


def test_a_governor_with_no_finalised_report_is_told_so(governor_client, dsl_user, django_capture_on_commit_callbacks):
    prepared(school_year(2025)[0], dsl_user, django_capture_on_commit_callbacks)
    content = governor_client.get("/reports/").content.decode()
    assert 'data-testid="empty"' in content and "No report has been finalised yet" in content


@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL, roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR])
def test_everyone_else_gets_404_everywhere_here(client, reports, role):
    client.force_login(user_with_role(role))
    assert client.get("/reports/").status_code == 404
    assert client.get("/reports/new/").status_code == 404
    assert client.post("/reports/new/", {"term": reports["draft"].term_id}).status_code == 404
    for report in reports.values():
        for url in _pages(report.pk):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/reports/{report.pk}/finalise/", {"checked": "on"}).status_code == 404
    assert Report.objects.count() == 4 and Report.objects.get(pk=reports["draft"].pk).state == State.DRAFT
    assert not AuditEvent.objects.filter(action="reports.report.downloaded").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, reports):
    for url in ("/reports/", f"/reports/{reports['final'].pk}/pdf/", f"/reports/{reports['draft'].pk}/status.json"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_a_finalised_report_whose_file_was_changed_is_not_handed_out(governor_client, reports):
    final = reports["final"]
    with final.pdf.open("wb") as handle:
        handle.write(b"%PDF-1.4 a different document\n%%EOF\n")
    assert governor_client.get(f"/reports/{final.pk}/pdf/").status_code == 404
