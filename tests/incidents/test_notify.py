import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from incidents.models import IncidentType
from incidents.services import incident_path, incident_report
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _report(reporter, pupils=(), **overrides):
    data = {"description": "Secret details of what happened in the toilets.",
            "occurred_at": timezone.now() - datetime.timedelta(minutes=30), "location": "in_school",
            "incident_type": IncidentType.NUDES}
    data.update(overrides)
    return incident_report(reporter=reporter, data=data, pupils=[(p, "affected") for p in pupils])


@pytest.fixture
def team(db):
    return {"dsl": user_with_role(roles.DSL, email="dsl@school.example"),
            "head": user_with_role(roles.HEADTEACHER, email="head@school.example"),
            "gone": user_with_role(roles.DSL, email="old-dsl@school.example", is_active=False),
            "teacher": user_with_role(roles.STAFF, email="teacher@school.example")}


def test_dsl_team_is_emailed_the_reference_type_reporter_and_link_only(team, django_capture_on_commit_callbacks):
    pupil = PupilFactory(first_name="Ophelia", last_name="Winterbourne")
    with django_capture_on_commit_callbacks(execute=True):
        incident = _report(team["teacher"], pupils=[pupil])
    message = mail.outbox[-1]
    assert sorted(message.to) == ["dsl@school.example", "head@school.example"]
    html = message.alternatives[0][0]
    for body in (message.body, html, message.subject):
        assert "Ophelia" not in body and "Winterbourne" not in body
        assert "toilets" not in body
    assert incident.reference in message.subject and incident.reference in message.body
    assert "Sharing nudes or semi-nudes" in message.body
    assert str(team["teacher"]) in message.body
    assert f"{settings.SITE_URL.rstrip('/')}{incident_path(incident.pk)}" in message.body
    assert "URGENT" not in message.subject


def test_immediate_risk_is_urgent_in_the_subject(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _report(team["teacher"], immediate_risk=True)
    assert mail.outbox[-1].subject.startswith("URGENT")


def test_restricted_type_is_emailed_to_the_headteacher_only(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _report(team["teacher"], incident_type=IncidentType.STAFF_MISUSE)
    assert mail.outbox[-1].to == ["head@school.example"]


def test_acknowledging_clears_the_urgent_pin(client, team):
    urgent = IncidentFactory(immediate_risk=True)
    client.force_login(team["dsl"])
    assert urgent.reference.encode() in client.get("/").content
    assert client.get(f"/incidents/{urgent.pk}/acknowledge/").status_code == 200
    response = client.post(f"/incidents/{urgent.pk}/acknowledge/")
    assert response.status_code == 302
    urgent.refresh_from_db()
    assert urgent.acknowledged_by == team["dsl"] and not urgent.is_urgent
    home = client.get("/")
    urgent_panel = next(p for p in home.context["panels"] if p.key == "urgent")
    assert urgent_panel.rows == []
    assert AuditEvent.objects.filter(action="incidents.incident.acknowledged", object_id=str(urgent.pk)).exists()


def test_acknowledge_is_for_the_dsl_team_with_access_only(client, team):
    restricted = IncidentFactory(immediate_risk=True, incident_type=IncidentType.STAFF_MISUSE)
    client.force_login(team["teacher"])
    assert client.post(f"/incidents/{restricted.pk}/acknowledge/").status_code == 404
    client.force_login(team["dsl"])
    assert client.post(f"/incidents/{restricted.pk}/acknowledge/").status_code == 404
    restricted.refresh_from_db()
    assert restricted.is_urgent
