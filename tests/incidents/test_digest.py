import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from incidents.models import DigestMention, IncidentType, ProcedureStep, Status, StepState
from incidents.tasks import incidents_overdue_digest
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return {"dsl": user_with_role(roles.DSL, email="dsl@school.example"),
            "head": user_with_role(roles.HEADTEACHER, email="head@school.example")}


def _ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_digest_names_stale_incidents_and_open_steps_once_a_day(team, django_capture_on_commit_callbacks):
    stale = IncidentFactory(status=Status.OPEN, last_activity_at=_ago(15), reported_at=_ago(20))
    with_steps = IncidentFactory(status=Status.OPEN, reported_at=_ago(8))
    ProcedureStep.objects.create(incident=with_steps, order=1, key="notify", text="Tell the DSL")
    fresh = IncidentFactory(status=Status.OPEN)
    closed = IncidentFactory(status=Status.CLOSED, last_activity_at=_ago(40))
    done_steps = IncidentFactory(status=Status.OPEN, reported_at=_ago(8))
    ProcedureStep.objects.create(incident=done_steps, order=1, key="notify", text="x", state=StepState.DONE)

    with django_capture_on_commit_callbacks(execute=True):
        assert incidents_overdue_digest() == 1
    message = mail.outbox[-1]
    assert sorted(message.to) == ["dsl@school.example", "head@school.example"]
    assert stale.reference in message.body and with_steps.reference in message.body
    for absent in (fresh, closed, done_steps):
        assert absent.reference not in message.body
    assert f"{settings.SITE_URL}/incidents/{stale.pk}/" in message.body or f"/incidents/{stale.pk}/" in message.body
    assert stale.description not in message.body

    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents_overdue_digest() == 0
    assert len(mail.outbox) == sent
    assert DigestMention.objects.count() == 2


def test_restricted_cases_go_in_the_headteachers_digest_only(team, django_capture_on_commit_callbacks):
    allegation = IncidentFactory(status=Status.OPEN, incident_type=IncidentType.STAFF_MISUSE,
                                 last_activity_at=_ago(30))
    ordinary = IncidentFactory(status=Status.OPEN, last_activity_at=_ago(30))
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents_overdue_digest() == 2
    by_recipient = {tuple(m.to): m.body for m in mail.outbox}
    assert allegation.reference in by_recipient[("head@school.example",)]
    assert allegation.reference not in by_recipient[("dsl@school.example",)]
    assert ordinary.reference in by_recipient[("dsl@school.example",)]


def test_digest_is_scheduled_daily():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "incidents.tasks.incidents_overdue_digest")
    assert entry["schedule"] == 24 * 3600
