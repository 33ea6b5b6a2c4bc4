"""The demo incidents: every type in every status, following the model's rules, and loaded only once."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.demo import incidents_demo_load
from incidents.models import (
    TYPE_AREA,
    ChronologyEntry,
    EntryKind,
    Incident,
    IncidentType,
    ParentContact,
    ProcedureStep,
    ReferenceCounter,
    Referral,
    Sensitivity,
    Status,
    StepState,
    sensitivity_of,
)
from safety_portal.school.demo import demo_load
from safety_portal.school.models import Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo")
    return Incident.objects.all()


def test_demo_covers_every_type_and_every_status(demo):
    assert set(demo.values_list("incident_type", flat=True)) == set(IncidentType.values)
    assert set(demo.values_list("status", flat=True)) == set(Status.values)


def test_demo_incidents_follow_the_models_rules(demo):
    for incident in demo:
        assert incident.area == TYPE_AREA[incident.incident_type], incident
        assert incident.sensitivity == sensitivity_of(incident.incident_type), incident
        assert re.fullmatch(rf"OS-{incident.reported_at.year}-\d{{4}}", incident.reference), incident
        assert incident.occurred_at <= incident.reported_at <= timezone.now()
        incident.full_clean()
        if incident.status == Status.CLOSED:
            assert incident.outcome and incident.lessons_learnt and incident.closed_at
        if incident.status == Status.NEW:
            assert incident.owner is None and not incident.steps.exists()
        else:
            assert incident.owner and incident.severity and incident.steps.exists()
        assert incident.pupil_links.exists(), incident
        for entry in incident.chronology.all():
            assert incident.occurred_at <= entry.happened_at <= entry.recorded_at <= timezone.now(), entry
        assert list(incident.status_changes.values_list("to_status", flat=True))[-1] == incident.status


def test_reference_counters_are_past_the_demo_numbers(demo):
    for incident in demo:
        year, number = incident.reference.split("-")[1:]
        assert ReferenceCounter.objects.get(year=int(year)).last >= int(number)


def test_demo_has_the_cases_a_dsl_needs_to_try_the_portal(demo):
    urgent = [incident for incident in demo if incident.is_urgent]
    assert len(urgent) == 1 and urgent[0].status == Status.NEW
    assert demo.filter(immediate_risk=True, acknowledged_at__isnull=False).exists()
    restricted = demo.get(sensitivity=Sensitivity.RESTRICTED)
    assert restricted.named_people.filter(email="head@demo.school").exists()
    assert Referral.objects.filter(decision=Referral.Decision.REFERRED).exists()
    assert Referral.objects.filter(decision=Referral.Decision.NOT_REFERRED).exclude(rationale="").exists()
    assert ParentContact.objects.filter(informed=True).exists()
    assert ParentContact.objects.filter(informed=False).exclude(rationale="").exists()
    correction = ChronologyEntry.objects.get(kind=EntryKind.CORRECTION)
    assert correction.corrects.incident == correction.incident
    open_cases = demo.filter(status=Status.OPEN)
    assert any(case.steps.filter(state=StepState.DONE).exists() and case.steps.filter(state=StepState.OPEN).exists()
               for case in open_cases)
    assert ProcedureStep.objects.filter(state=StepState.NOT_APPLICABLE).exclude(reason="").exists()


def test_demo_incidents_fall_across_the_demo_terms(demo):
    terms = [term for term in Term.objects.all() if demo.filter(
        occurred_at__date__gte=term.start_date, occurred_at__date__lte=term.end_date).exists()]
    assert len(terms) >= 3


def test_loading_the_demo_incidents_twice_creates_nothing(demo):
    before = list(demo.order_by("pk").values())
    counters = list(ReferenceCounter.objects.values())
    assert incidents_demo_load() == 0
    assert demo_load() == 0
    assert list(Incident.objects.order_by("pk").values()) == before
    assert list(ReferenceCounter.objects.values()) == counters


def test_a_counter_already_past_the_demo_is_left_alone(db):
    year = timezone.localdate().year
    ReferenceCounter.objects.create(year=year, last=500)
    demo_load()
    assert ReferenceCounter.objects.get(year=year).last == 500


def test_without_the_demo_school_nothing_is_created(db):
    assert incidents_demo_load(today=datetime.date(2026, 11, 20)) == 0
    assert not Incident.objects.exists()
