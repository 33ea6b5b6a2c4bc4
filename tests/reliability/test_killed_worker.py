"""A worker killed in the middle of a reminder run, and the task delivered again (acks_late):
nobody is reminded twice and nobody is missed.

The run is made to die part-way by letting its email step work N times and then raise, as a
killed worker's open transaction is rolled back. Each test then runs the task again, as the
redelivered message would, and counts reminders and outbox rows per recipient or item.
"""

import collections
import datetime

import pytest
from django.utils import timezone

from agreements.models import Audience
from consent.models import LeaverImageReview
from consent.tasks import leavers_digest
from incidents.models import Incident, IncidentType, Status
from incidents.tasks import incidents_overdue_digest
from policies.models import ReviewReminder
from policies.tasks import review_reminders
from safety_portal.outbox.models import OutboxEmail
from safety_portal.reports.models import Report
from safety_portal.school import roles
from tests.agreements.factories import make_link, publish
from tests.factories import PupilFactory, TermFactory, user_with_role
from tests.incidents.factories import IncidentFactory
from tests.policies.factories import make_policy

pytestmark = pytest.mark.django_db


class WorkerKilled(Exception):
    """Stands for the worker dying: its uncommitted transaction is rolled back."""


def dies_after(calls, real):
    """A stand-in for `real` that works `calls` times and then kills the run."""
    made = []

    def step(*args, **kwargs):
        if len(made) >= calls:
            raise WorkerKilled
        made.append(args or kwargs)
        return real(*args, **kwargs)

    return step


def _killed_then_redelivered(monkeypatch, target, calls, task):
    import importlib

    module_name, name = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    monkeypatch.setattr(module, name, dies_after(calls, getattr(module, name)))
    with pytest.raises(WorkerKilled):
        task.apply(throw=True)
    monkeypatch.undo()
    task.apply(throw=True)  # the same message, delivered again to another worker
    task.apply(throw=True)  # and the next scheduled run


def _per_recipient(template):
    counts = collections.Counter()
    for email in OutboxEmail.objects.filter(template=template):
        for address in email.to:
            counts[address] += 1
    return counts


def test_policy_review_reminders(monkeypatch):
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD, roles.STAFF, email="osl@school.example")
    today = timezone.localdate()
    policies = [make_policy(f"Policy {n}", owner=user_with_role(roles.STAFF, email=f"owner{n}@school.example"),
                            next_review_on=today) for n in range(4)]
    _killed_then_redelivered(monkeypatch, "policies.reminders.email_queue", 2, review_reminders)
    emails = OutboxEmail.objects.filter(template="policy_review_reminder")
    assert emails.count() == 4
    assert sorted(address for email in emails for address in email.to if address != lead.email) == [
        f"owner{n}@school.example" for n in range(4)]
    assert _per_recipient("policy_review_reminder")[lead.email] == 4  # one for each policy
    assert sorted(ReviewReminder.objects.values_list("policy_id", flat=True)) == sorted(p.pk for p in policies)


def test_agreement_reminders_to_parents_and_staff(monkeypatch):
    from agreements.tasks import agreement_reminders

    for audience in (Audience.PARENT, Audience.PUPIL_KS2, Audience.STAFF):
        publish(audience)
    links = [make_link(year_group=5)[0] for _ in range(4)]
    week_ago = timezone.now() - datetime.timedelta(days=8)
    from agreements.models import SigningLink
    SigningLink.objects.filter(pk__in=[link.pk for link in links]).update(sent_at=week_ago)
    staff = [user_with_role(roles.STAFF, email=f"teacher{n}@school.example") for n in range(3)]

    # Killed after two parents' emails; the staff part had not started.
    _killed_then_redelivered(monkeypatch, "agreements.services.email_queue", 2, agreement_reminders)
    parents = _per_recipient("agreement_reminder")
    assert parents == {link.guardian.email: 1 for link in links}
    for link in links:
        link.refresh_from_db()
        assert link.reminders_sent == 1

    assert _per_recipient("agreement_staff_reminder") == {user.email: 1 for user in staff}

    # New staff join; this time the run is killed after the first member of staff's email.
    newcomers = [user_with_role(roles.STAFF, email=f"newcomer{n}@school.example") for n in range(3)]
    _killed_then_redelivered(monkeypatch, "agreements.reminders.email_queue", 1, agreement_reminders)
    assert _per_recipient("agreement_staff_reminder") == {user.email: 1 for user in staff + newcomers}
    assert _per_recipient("agreement_reminder") == parents  # nothing more to the parents


def test_incidents_overdue_digest(monkeypatch):
    head = user_with_role(roles.HEADTEACHER, email="head@school.example")
    dsl = user_with_role(roles.DSL, email="dsl@school.example")
    long_ago = timezone.now() - datetime.timedelta(days=30)
    overdue = [IncidentFactory(status=Status.OPEN) for _ in range(3)]
    restricted = IncidentFactory(status=Status.OPEN, incident_type=IncidentType.STAFF_MISUSE)
    Incident.objects.update(last_activity_at=long_ago)
    # Two emails (the headteacher's with the restricted case, the DSLs'): killed after the first.
    _killed_then_redelivered(monkeypatch, "incidents.services.email_queue", 1, incidents_overdue_digest)
    assert _per_recipient("incident_digest") == {head.email: 1, dsl.email: 1}
    dsl_digest = OutboxEmail.objects.get(template="incident_digest", to=[dsl.email])
    assert all(incident.reference in dsl_digest.body_text for incident in overdue)
    assert restricted.reference not in dsl_digest.body_text


def test_consent_leavers_digest(monkeypatch):
    office = user_with_role(roles.ADMINISTRATOR, email="office@school.example")
    leavers = [PupilFactory(leaving_date=timezone.localdate() - datetime.timedelta(days=3)) for _ in range(3)]
    _killed_then_redelivered(monkeypatch, "consent.digest.email_queue", 0, leavers_digest)
    assert _per_recipient("consent_leavers_digest") == {office.email: 1}
    [digest] = OutboxEmail.objects.filter(template="consent_leavers_digest")
    assert all(pupil.display_name in digest.body_text for pupil in leavers)
    assert not LeaverImageReview.objects.filter(notified_at__isnull=True).exists()


def test_term_end_reports(monkeypatch, django_capture_on_commit_callbacks):
    from safety_portal.reports.tasks import term_end_reports
    from tests.reports.test_workflow import use_fake_rendering

    use_fake_rendering(monkeypatch)
    dsl = user_with_role(roles.DSL, email="dsl@school.example")
    today = timezone.localdate()
    # Two terms ended a week or more ago, each followed at once by the next (no holiday still counting).
    first = TermFactory(academic_year=2025, name="autumn", start_date=today - datetime.timedelta(days=50),
                        end_date=today - datetime.timedelta(days=30))
    second = TermFactory(academic_year=2025, name="spring", start_date=today - datetime.timedelta(days=29),
                         end_date=today - datetime.timedelta(days=8))
    TermFactory(academic_year=2025, name="summer", start_date=today - datetime.timedelta(days=7),
                end_date=today + datetime.timedelta(days=60))
    import safety_portal.reports.services as report_services

    monkeypatch.setattr(report_services, "report_request",
                        dies_after(1, report_services.report_request))
    # Each requested draft is rendered once its request commits, and then the DSLs are told.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkerKilled):
        term_end_reports.apply(throw=True)
    monkeypatch.undo()
    use_fake_rendering(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        term_end_reports.apply(throw=True)
        term_end_reports.apply(throw=True)
    assert sorted(Report.objects.values_list("term_id", flat=True)) == sorted([first.pk, second.pk])
    assert _per_recipient("report_draft_ready") == {dsl.email: 2}
