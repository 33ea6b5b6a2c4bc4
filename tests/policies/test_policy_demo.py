"""The demo register and training log: policies current, due soon and overdue, a version waiting
for read receipts, people due training, all through the services, once."""

import datetime
import hashlib
from collections import Counter

import pytest
from django.core.files.storage import default_storage

from policies import services
from policies.demo import policies_demo_load
from policies.models import Policy, PolicyVersion, ReadReceipt, ReviewState, TrainingSession
from policies.training import Standing, due_filter, needs_induction, people_with_training, standing
from safety_portal.audit.models import AuditEvent
from safety_portal.school import extensions
from safety_portal.school.demo import DEMO_USERS, demo_load
from safety_portal.school.models import User
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, monkeypatch):
    # The demo school's people and pupils, then this app's loader only: the other apps' demo data
    # is theirs to test, and loading it too costs seconds a test on PostgreSQL.
    monkeypatch.setattr(extensions, "demo_loaders", [policies_demo_load])
    demo_load()
    assert policies_demo_load() == 0  # already loaded by the school's demo


@pytest.fixture
def full_demo(db):
    demo_load()  # the school, then every app's demo data, this one included
    assert policies_demo_load() == 0


def _user(email):
    return User.objects.get(email=email)


def _states(today=None):
    return Counter(policy.review_state for policy in Policy.objects.in_use().with_review_state(today))


def test_the_register_has_policies_current_due_soon_overdue_and_one_without_a_version(demo):
    assert _states() == {ReviewState.CURRENT: 5, ReviewState.DUE_SOON: 2, ReviewState.OVERDUE: 2,
                         ReviewState.NOT_RECORDED: 1}
    assert not Policy.objects.filter(owner__isnull=True).exists()
    assert set(Policy.objects.values_list("owner__email", flat=True)) == {
        "online.safety@demo.school", "dsl@demo.school", "head@demo.school"}
    assert Policy.objects.filter(on_website=True, current_version__isnull=False).count() >= 4


def test_versions_are_real_pdfs_recorded_through_the_service(demo):
    versions = list(PolicyVersion.objects.all())
    assert len(versions) == 11
    assert AuditEvent.objects.filter(action="policies.version.recorded").count() == len(versions)
    for version in versions:
        with default_storage.open(version.document.name) as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-") and b"%%EOF" in content[-64:]
        assert hashlib.sha256(content).hexdigest() == version.document_sha256
    online_safety = Policy.objects.get(title="Online safety")
    assert list(online_safety.versions.values_list("number", flat=True)) == ["2.0", "1.0"]
    assert online_safety.current_version.number == "2.0"


def test_the_teacher_is_asked_to_read_online_safety_and_most_staff_have(demo, client):
    teacher = _user("teacher@demo.school")
    [version] = services.versions_to_read(teacher)
    assert version.policy.title == "Online safety"
    asked = services.readers_asked(version)
    confirmed = set(ReadReceipt.objects.filter(version=version).values_list("user__email", flat=True))
    assert teacher.email not in confirmed
    assert "head@demo.school" in confirmed
    assert 0 < len(confirmed) < asked.count()
    assert AuditEvent.objects.filter(action="policies.read.confirmed").count() == len(confirmed)
    client.force_login(teacher)
    content = client.get("/").content.decode()
    assert 'data-panel="policies_to_read"' in content and "Online safety" in content
    assert not list(services.versions_to_read(_user("head@demo.school")))


def test_the_online_safety_lead_sees_reviews_due_on_the_home_page(demo, client):
    client.force_login(_user("online.safety@demo.school"))
    response = client.get("/")
    panel = next(panel for panel in response.context["panels"] if panel.key == "policy_reviews")
    rows = {str(row.label): row.value for row in panel.rows}
    assert rows["Overdue for review"] == 2 and rows["Due within 30 days"] == 2
    assert rows["Training: people due a refresher or never trained"] == 2


def test_training_has_sessions_of_each_kind_and_some_people_due(demo):
    assert TrainingSession.objects.count() == 4
    people = {person.email: person for person in people_with_training()}
    due = set(people_with_training().filter(due_filter()).values_list("email", flat=True))
    assert due == {"governor@demo.school", "it@demo.school"}  # trained 14 months ago, and never
    assert standing(people["it@demo.school"]) == Standing.NEVER
    assert standing(people["governor@demo.school"]) == Standing.DUE
    assert standing(people["dsl@demo.school"]) == Standing.TRAINED
    # The newcomers: the teacher had an induction, the network manager has not.
    assert not needs_induction(people["teacher@demo.school"])
    assert [email for email, person in people.items() if needs_induction(person)] == ["it@demo.school"]


def test_loading_twice_creates_nothing(full_demo):
    models = (Policy, PolicyVersion, ReadReceipt, TrainingSession, AuditEvent)
    counts = {model: model.objects.count() for model in models}
    assert policies_demo_load() == 0
    assert demo_load() == 0
    assert {model: model.objects.count() for model in models} == counts


def test_an_empty_register_gets_the_starter_policies_first(db, monkeypatch):
    monkeypatch.setattr(extensions, "demo_loaders", [policies_demo_load])
    Policy.objects.all().delete()
    demo_load()
    online_safety = Policy.objects.get(title="Online safety")
    assert Policy.objects.count() == 10
    assert online_safety.linked.count() == 9
    assert _states()[ReviewState.OVERDUE] == 2


def _demo_people():
    for email, first, last, title, role_names in DEMO_USERS:
        user_with_role(*role_names, email=email, first_name=first, last_name=last, job_title=title)


@pytest.mark.parametrize("today", [datetime.date(2028, 2, 29), datetime.date(2027, 1, 31),
                                   datetime.date(2026, 12, 31), datetime.date(2027, 3, 1)])
def test_the_states_hold_on_awkward_dates(db, today):
    _demo_people()
    assert policies_demo_load(today=today) > 0
    assert _states(today) == {ReviewState.CURRENT: 5, ReviewState.DUE_SOON: 2, ReviewState.OVERDUE: 2,
                              ReviewState.NOT_RECORDED: 1}


def test_without_the_demo_school_nothing_is_created(db):
    versions, sessions = PolicyVersion.objects.count(), TrainingSession.objects.count()
    assert policies_demo_load(today=datetime.date(2026, 11, 20)) == 0
    assert (PolicyVersion.objects.count(), TrainingSession.objects.count()) == (versions, sessions)
    assert not Policy.objects.filter(owner__isnull=False).exists()
