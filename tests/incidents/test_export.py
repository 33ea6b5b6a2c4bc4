"""The CSV export: who may take one, what it holds, that it is audited and safe to open in a spreadsheet."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentPupil, IncidentType, Location, Severity, Status
from safety_portal.audit.models import AuditEvent
from safety_portal.csv_export import csv_safe
from safety_portal.school import roles
from safety_portal.school.models import Pupil, YearGroup
from tests.factories import PupilFactory, user_with_role
from tests.incidents.factories import IncidentFactory, IncidentPupilFactory

URL = reverse("incidents:export")
pytestmark = pytest.mark.django_db


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def _login(client, *role_names):
    user = user_with_role(*role_names)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role, refused", [(roles.TECHNICAL, 404), (roles.STAFF, 404), (roles.GOVERNOR, 404),
                                           (roles.ADMINISTRATOR, 404), (roles.ONLINE_SAFETY_LEAD, 404)])
def test_only_the_dsl_team_and_headteacher_may_export(client, role, refused):
    _login(client, role)
    IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://x.example/")
    assert client.get(URL).status_code == refused  # for a governor the incident log does not exist
    assert not AuditEvent.objects.filter(action="incidents.export").exists()


def test_export_has_one_row_per_incident_with_year_groups_but_no_names(dsl_client, dsl_user):
    incident = IncidentFactory(
        reference="OS-2026-0007", status=Status.CLOSED, severity=Severity.HIGH, child_protection=True,
        location=Location.ONLINE_OUTSIDE, owner=dsl_user,
        occurred_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 15)),
        reported_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 10, 0)),
        closed_at=timezone.make_aware(datetime.datetime(2026, 3, 20, 16, 0)),
        description="Unkind messages about Zebedee in a group chat.")
    IncidentPupilFactory(incident=incident, pupil=PupilFactory(first_name="Zebedee", year_group=YearGroup.Y8))
    IncidentPupilFactory(incident=incident, pupil=PupilFactory(first_name="Florence", year_group=YearGroup.Y7))
    IncidentPupilFactory(incident=incident, pupil=PupilFactory(first_name="Dougal", year_group=YearGroup.Y8))
    response = dsl_client.get(URL)
    rows = _rows(response)
    assert rows == [{
        "Reference": "OS-2026-0007", "Reported": "2026-03-04 10:00", "Happened": "2026-03-04 09:15",
        "Status": "Closed", "Area": "Conduct", "Type": "Cyberbullying", "Severity": "High",
        "Child protection": "Yes", "Where": "Online, outside school", "Owner": str(dsl_user), "Pupils": "3",
        "Year groups": "Year 7, Year 8", "Closed": "2026-03-20 16:00",
    }]
    assert 'attachment; filename="incidents-' in response["Content-Disposition"]


def test_export_uses_the_lists_filters(dsl_client):
    IncidentFactory(status=Status.OPEN)
    closed = IncidentFactory(status=Status.CLOSED)
    assert [row["Reference"] for row in _rows(dsl_client.get(URL, {"status": "closed"}))] == [closed.reference]


def test_dsl_export_leaves_out_restricted_cases_unless_named(dsl_client, dsl_user):
    general = IncidentFactory()
    IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    named = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    named.named_people.add(dsl_user)
    assert {row["Reference"] for row in _rows(dsl_client.get(URL))} == {general.reference, named.reference}


def test_headteacher_export_includes_restricted_cases(client):
    _login(client, roles.HEADTEACHER)
    restricted = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    assert [row["Reference"] for row in _rows(client.get(URL))] == [restricted.reference]


def test_export_is_audited_with_the_filters_and_row_count_but_not_a_typed_name(dsl_client, dsl_user):
    incident = IncidentFactory(status=Status.OPEN)
    IncidentPupilFactory(incident=incident, pupil=PupilFactory(first_name="Zebedee", last_name="Quill"))
    IncidentFactory(status=Status.OPEN)
    _rows(dsl_client.get(URL, {"status": "open", "q": "Quill"}))
    event = AuditEvent.objects.get(action="incidents.export")
    assert event.actor == dsl_user
    assert event.detail["rows"] == 1
    assert event.detail["filters"]["status"] == "open"
    assert "Quill" not in str(event.detail)
    _rows(dsl_client.get(URL, {"q": "os-2026-0001", "date_from": "01/01/2026"}))
    latest = AuditEvent.objects.filter(action="incidents.export").latest("sequence")
    assert latest.detail["filters"] == {"q": "OS-2026-0001", "date_from": "2026-01-01"}


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
    ("+44 1234", "'+44 1234"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"),
    ("Ms Smith", "Ms Smith"), ("", ""), (None, ""), (3, "3"),
])
def test_cells_that_a_spreadsheet_would_run_are_made_text(value, expected):
    assert csv_safe(value) == expected


def test_an_owner_named_like_a_formula_is_exported_as_text(dsl_client):
    owner = user_with_role(roles.DSL, first_name="=cmd|' /C calc'!A0", last_name="")
    IncidentFactory(owner=owner)
    assert _rows(dsl_client.get(URL))[0]["Owner"].startswith("'=")


def _bulk(count, reporter, batch):
    pupils = Pupil.objects.bulk_create([Pupil(mis_id=f"X{batch}-{n}", first_name="P", last_name=str(n),
                                              year_group=n % 12) for n in range(30)])
    if pupils[0].pk is None:  # databases that do not return ids from bulk_create
        pupils = list(Pupil.objects.filter(mis_id__startswith=f"X{batch}-"))
    now = timezone.now()
    Incident.objects.bulk_create([
        Incident(reference=f"OS-{2000 + batch}-{n:05d}", reported_by=reporter, occurred_at=now, reported_at=now,
                 location=Location.IN_SCHOOL, description="Bulk", owner=reporter)
        for n in range(count)], batch_size=1000)
    IncidentPupil.objects.bulk_create([
        IncidentPupil(incident=incident, pupil=pupils[index % 30])
        for index, incident in enumerate(Incident.objects.filter(reference__startswith=f"OS-{2000 + batch}-"))
    ], batch_size=1000)


def test_export_queries_do_not_grow_with_the_number_of_incidents(dsl_client, dsl_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows = _rows(dsl_client.get(URL))
        return len(captured), len(rows)

    _bulk(5, dsl_user, batch=1)
    few, shown = queries()
    assert shown == 5
    _bulk(2_000, dsl_user, batch=2)
    many, shown = queries()
    assert shown == 2_005
    assert many == few


def test_an_export_with_unreadable_filters_exports_nothing(dsl_client):
    from safety_portal.audit.models import AuditEvent
    from tests.incidents.factories import IncidentFactory

    IncidentFactory()
    response = dsl_client.get("/incidents/export.csv", {"date_from": "31/02/2026"})
    assert response.status_code == 302 and response.url.startswith("/incidents/?")
    assert not AuditEvent.objects.filter(action="incidents.export").exists()
