"""Nothing lost when the broker is down: the change succeeds, its email waits in the outbox, and
once the broker is back every email goes exactly once."""

import collections
import datetime
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements.models import Audience
from incidents.models import Incident, IncidentType
from incidents.services import incident_report
from safety_portal.celery import app
from safety_portal.outbox.models import OutboxEmail
from safety_portal.outbox.tasks import outbox_send, outbox_sweep
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import make_link, publish
from tests.agreements.test_parent_link import _sign
from tests.factories import user_with_role

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused
# How long a user may wait for a page when the broker is down; the settings make it well under a second.
PATIENCE_SECONDS = 5


def _reset_broker_connections():
    # Dropped, not closed: kombu's shared pools keep the other broker's pool for later tests.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Tasks really go to a broker (not in-process), and that broker refuses every connection."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = CLOSED_PORT_BROKER, False
    _reset_broker_connections()

    def back_up():
        # "The broker is back": tasks run in-process again, as the worker would run them.
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_broker_connections()

    try:
        yield back_up
    finally:
        back_up()


@pytest.fixture
def people(db):
    cache.clear()  # the parent link's rate limit
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary", email="office@oakfield.example")
    for audience in (Audience.PARENT, Audience.PUPIL_KS2):
        publish(audience)
    return {"dsl": user_with_role(roles.DSL, email="dsl@school.example"),
            "head": user_with_role(roles.HEADTEACHER, email="head@school.example"),
            "teacher": user_with_role(roles.STAFF, email="teacher@school.example")}


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def _concern():
    return {"description": "A pupil was shown a violent video on a phone at break.",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "location": "in_school",
            "device_owner": "", "area": "not_sure", "incident_type": "not_sure", "save": "1"}


def _sent():
    return collections.Counter((tuple(message.to), message.subject) for message in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_parent_signs_and_a_concern_is_reported_and_every_email_goes_once_later(
        client, people, broker_down):
    link, token = make_link(year_group=4)
    signed, signing_took = _timed(lambda: _sign(client, token))
    assert signed.status_code == 302 and signed["Location"] == reverse("parent_pack_done", args=[token])
    assert signing_took < PATIENCE_SECONDS, f"signing waited {signing_took:.1f} s for a broker that is down"

    client.force_login(people["teacher"])
    reported, reporting_took = _timed(lambda: client.post("/incidents/report/", _concern()))
    assert reported.status_code == 302, "the concern was not accepted"
    assert reporting_took < PATIENCE_SECONDS, f"reporting waited {reporting_took:.1f} s for a broker that is down"
    incident = Incident.objects.get()

    # Both changes committed; their emails wait, none has gone.
    waiting = OutboxEmail.objects.unsent()
    expected = {(tuple(email.to), email.subject) for email in waiting}
    assert {email.template for email in waiting} == {"agreement_receipt", "incident_reported"}
    assert (tuple([link.guardian.email]), waiting.get(template="agreement_receipt").subject) in expected
    assert sorted(waiting.get(template="incident_reported").to) == ["dsl@school.example", "head@school.example"]
    assert incident.reference in waiting.get(template="incident_reported").subject
    assert mail.outbox == []

    broker_down()  # the broker is back
    assert outbox_sweep() == len(expected)
    assert _sent() == collections.Counter(expected), "each expected email exactly once"
    assert not OutboxEmail.objects.unsent().exists()

    # The sweep runs every minute; the next run, and a redelivered send, send nothing more.
    assert outbox_sweep() == 0
    for email in OutboxEmail.objects.all():
        outbox_send(email.pk)
    assert _sent() == collections.Counter(expected)


@pytest.mark.django_db(transaction=True)
def test_a_change_and_its_email_commit_or_roll_back_together(people, broker_down):
    data = {"description": "Messages in a group chat calling a pupil names.",
            "occurred_at": timezone.now() - datetime.timedelta(hours=1), "location": "in_school",
            "incident_type": IncidentType.CYBERBULLYING}
    with pytest.raises(RuntimeError), transaction.atomic():
        incident_report(reporter=people["teacher"], data=data, pupils=[])
        assert OutboxEmail.objects.exists()  # queued inside the transaction...
        raise RuntimeError("something after the email fails")
    # ...and gone with the change it belonged to.
    assert not Incident.objects.exists()
    assert not OutboxEmail.objects.exists()

    incident_report(reporter=people["teacher"], data=data, pupils=[])
    assert Incident.objects.count() == 1
    assert OutboxEmail.objects.filter(template="incident_reported", sent_at__isnull=True).count() == 1
