"""Governor reports on the home page: downloads for governors, drafts to finalise for the DSL."""

import pytest

from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from tests.factories import school_year, user_with_role
from tests.reports.test_workflow import finalised, prepared, use_fake_rendering

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_rendering(monkeypatch):
    use_fake_rendering(monkeypatch)


def _panel(client, user, key):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return next((panel for panel in response.context["panels"] if panel.key == key), None)


def _rows(panel):
    return {str(row.label): (str(row.value), row.url) for row in panel.rows}


def test_a_governor_sees_where_reports_will_be_until_one_is_finalised(
        client, governor_user, dsl_user, django_capture_on_commit_callbacks):
    prepared(school_year(2025)[0], dsl_user, django_capture_on_commit_callbacks)
    panel = _panel(client, governor_user, "governor_reports")
    assert panel.rows == [] and "ready to download here" in str(panel.empty_text)


def test_a_governor_downloads_the_latest_finalised_reports_from_home(
        client, governor_user, dsl_user, django_capture_on_commit_callbacks):
    terms = school_year(2024) + school_year(2025)
    reports = [finalised(term, dsl_user, django_capture_on_commit_callbacks) for term in terms[:4]]
    replaced = reports[3]
    newer = finalised(replaced.term, dsl_user, django_capture_on_commit_callbacks, replaces=replaced,
                      replace_reason="Corrected")
    prepared(terms[4], dsl_user, django_capture_on_commit_callbacks)  # a draft: never shown to governors
    rows = _rows(_panel(client, governor_user, "governor_reports"))
    assert list(rows) == ["Autumn 2025/26 (PDF)", "Summer 2024/25 (PDF)", "Spring 2024/25 (PDF)",
                          "All termly reports"]
    assert rows["Autumn 2025/26 (PDF)"][1] == f"/reports/{newer.pk}/pdf/"
    assert rows["Autumn 2025/26 (PDF)"][0].startswith("finalised ")
    assert rows["All termly reports"][1] == "/reports/"


def test_the_dsl_sees_drafts_to_finalise_and_the_latest_finalised(
        client, dsl_user, django_capture_on_commit_callbacks):
    autumn, spring, summer = school_year(2025)
    final = finalised(autumn, dsl_user, django_capture_on_commit_callbacks)
    draft = prepared(spring, None, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        waiting = Report.objects.create(term=summer, state=State.GENERATING, requested_by=dsl_user)
    rows = _rows(_panel(client, dsl_user, "reports"))
    assert rows["Spring 2025/26"] == ("draft: check and finalise", f"/reports/{draft.pk}/")
    assert rows["Summer 2025/26"] == ("being prepared", f"/reports/{waiting.pk}/")
    assert rows["Latest finalised: Autumn 2025/26"][1] == f"/reports/{final.pk}/"
    assert rows["Prepare a report"] == ("", "/reports/new/")


def test_the_dsl_panel_says_what_it_is_for_when_there_is_no_report(client, dsl_user):
    panel = _panel(client, dsl_user, "reports")
    assert panel.rows == [] and "a week after each term" in str(panel.empty_text)


def test_others_have_no_report_panel(client):
    for role in (roles.STAFF, roles.TECHNICAL, roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR):
        user = user_with_role(role)
        assert _panel(client, user, "reports") is None and _panel(client, user, "governor_reports") is None


def test_the_home_page_costs_the_same_queries_however_many_reports(
        client, count_queries, django_capture_on_commit_callbacks):
    everyone = user_with_role(*roles.ALL)
    client.force_login(everyone)
    terms = school_year(2023) + school_year(2024) + school_year(2025)
    finalised(terms[0], everyone, django_capture_on_commit_callbacks)
    few, _response = count_queries(client, "/")
    for term in terms[1:6]:
        finalised(term, everyone, django_capture_on_commit_callbacks)
    for term in terms[6:]:
        prepared(term, everyone, django_capture_on_commit_callbacks)
    many, response = count_queries(client, "/")
    assert many == few
    content = response.content.decode()
    assert 'data-panel="governor_reports"' in content and 'data-panel="reports"' in content
