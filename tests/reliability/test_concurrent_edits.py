"""Two DSLs working on the same case: a change made from a page that is out of date is refused,
what was typed is kept, and nothing a colleague saved is overwritten (optimistic locking)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import casework
from incidents.models import EntryKind, Incident, IncidentType, ParentContact, Status, StepState
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

STALE = "Someone else changed this case while you were editing"


@pytest.fixture
def two_dsls(db):
    first, second = Client(), Client()
    first.force_login(user_with_role(roles.DSL, email="dsl.one@school.example"))
    second.force_login(user_with_role(roles.DSL, email="dsl.two@school.example"))
    return first, second


def _open(client, incident):
    """Load the case page as a DSL would, and the revision its forms carry."""
    page = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert page.status_code == 200
    return page


def _triage_data(page, **values):
    data = {"area": "conduct", "incident_type": "cyberbullying", "severity": "medium", "child_protection": "no",
            "owner": "", "revision": page.context["triage_form"]["revision"].value()}
    data.update(values)
    return {f"triage-{key}": value for key, value in data.items()}


def test_second_triage_from_an_out_of_date_page_is_refused_and_keeps_what_was_typed(two_dsls):
    first, second = two_dsls
    incident = IncidentFactory(incident_type=IncidentType.NOT_SURE, area="not_sure")
    first_page, second_page = _open(first, incident), _open(second, incident)
    url = reverse("incidents:triage", args=[incident.pk])

    assert first.post(url, _triage_data(first_page, severity="high", child_protection="yes")).status_code == 302
    refused = second.post(url, _triage_data(second_page, severity="low", incident_type="online_hate",
                                            area="content"))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert STALE in page and "Nothing was saved" in page
    form = refused.context["triage_form"]
    assert (form["severity"].value(), form["incident_type"].value(), form["area"].value()) == (
        "low", "online_hate", "content")
    incident.refresh_from_db()
    assert (incident.severity, incident.child_protection, incident.incident_type) == (
        "high", True, IncidentType.CYBERBULLYING), "the first DSL's triage stands"

    # Having seen the case as it is now, the second DSL sends the same form again: it is applied.
    resent = {key: form[key.removeprefix("triage-")].value() for key in _triage_data(second_page)}
    assert int(resent["triage-revision"]) == incident.revision
    resent["triage-child_protection"] = "yes"
    assert second.post(url, resent).status_code == 302
    incident.refresh_from_db()
    assert (incident.severity, incident.incident_type) == ("low", IncidentType.ONLINE_HATE)


def test_parents_record_from_an_out_of_date_page_does_not_replace_a_colleagues(two_dsls):
    first, second = two_dsls
    incident = IncidentFactory()
    first_page, second_page = _open(first, incident), _open(second, incident)
    url = reverse("incidents:parents_add", args=[incident.pk])

    def data(page, **values):
        fields = {"informed": "yes", "informed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                  "method": "phone", "informed_by": page.context["user"].pk, "rationale": "",
                  "revision": page.context["parents_form"]["revision"].value()}
        fields.update(values)
        return {f"parents-{key}": value for key, value in fields.items()}

    assert first.post(url, data(first_page)).status_code == 302
    refused = second.post(url, data(second_page, informed="no", rationale="Telling them would put her at risk."))
    assert refused.status_code == 200 and STALE in refused.content.decode()
    assert refused.context["parents_form"]["rationale"].value() == "Telling them would put her at risk."
    assert list(ParentContact.objects.values_list("informed", flat=True)) == [True]


def test_closing_from_an_out_of_date_page_is_refused(two_dsls):
    first, second = two_dsls
    incident = IncidentFactory(status=Status.OPEN)
    stale_page = _open(second, incident)
    # Meanwhile the first DSL adds to the chronology: the outcome was written without seeing it.
    first.post(reverse("incidents:chronology_add", args=[incident.pk]), {
        "chronology-kind": EntryKind.NOTE, "chronology-text": "Mum phoned: it has happened again.",
        "chronology-happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    refused = second.post(reverse("incidents:close", args=[incident.pk]), {
        "close-outcome": "Resolved.", "close-lessons_learnt": "None.",
        "close-revision": stale_page.context["close_form"]["revision"].value()})
    assert refused.status_code == 200 and STALE in refused.content.decode()
    assert refused.context["close_form"]["outcome"].value() == "Resolved."
    incident.refresh_from_db()
    assert incident.status == Status.OPEN and incident.outcome == ""


def test_a_step_decided_from_an_out_of_date_page_is_refused(two_dsls):
    first, second = two_dsls
    incident = IncidentFactory()
    casework.incident_triage(incident=incident, actor=user_with_role(roles.DSL), area="conduct",
                             incident_type=IncidentType.CYBERBULLYING, severity="low", child_protection=False,
                             owner=None)
    stale_page = _open(second, incident)
    step = incident.steps.first()
    url = reverse("incidents:step", args=[incident.pk, step.pk])
    fresh_revision = _open(first, incident).context["incident"].revision
    assert first.post(url, {"state": "done", "revision": fresh_revision}).status_code == 302
    refused = second.post(url, {"state": "not_applicable", "reason": "Not needed here",
                                "revision": stale_page.context["incident"].revision})
    assert refused.status_code == 200 and STALE in refused.content.decode()
    step.refresh_from_db()
    assert step.state == StepState.DONE and step.reason == ""


def test_additions_to_the_record_do_not_conflict(two_dsls):
    """Chronology entries and referrals are append-only: both DSLs' entries are kept."""
    first, second = two_dsls
    incident = IncidentFactory()
    _open(first, incident), _open(second, incident)
    url = reverse("incidents:chronology_add", args=[incident.pk])
    for client, text in ((first, "First note."), (second, "Second note.")):
        response = client.post(url, {"chronology-kind": EntryKind.NOTE, "chronology-text": text,
                                     "chronology-happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
        assert response.status_code == 302
    assert sorted(incident.chronology.values_list("text", flat=True)) == ["First note.", "Second note."]


# --- The service itself --------------------------------------------------------------------------


def _triage(incident, actor, revision, severity):
    return casework.incident_triage(incident=incident, actor=actor, area="conduct",
                                    incident_type=IncidentType.CYBERBULLYING, severity=severity,
                                    child_protection=False, owner=None, revision=revision)


def test_every_change_counts_as_a_revision_and_a_stale_one_is_refused():
    dsl = user_with_role(roles.DSL)
    incident = IncidentFactory()
    opened_at = incident.revision
    _triage(incident, dsl, opened_at, "high")
    after_triage = Incident.objects.get(pk=incident.pk).revision
    assert after_triage == opened_at + 1
    casework.chronology_add(incident=incident, actor=dsl, kind=EntryKind.NOTE, text="A note.",
                            happened_at=timezone.now() - datetime.timedelta(minutes=1))
    assert Incident.objects.get(pk=incident.pk).revision == after_triage + 1

    with pytest.raises(ValidationError) as refused:
        _triage(incident, dsl, opened_at, "low")
    assert refused.value.code == casework.STALE_CASE
    incident.refresh_from_db()
    assert incident.severity == "high"
    with pytest.raises(ValidationError):
        casework.incident_close(incident=incident, actor=dsl, outcome="Done.", lessons_learnt="None.",
                                revision=after_triage)
    _triage(incident, dsl, incident.revision, "low")  # from an up-to-date page it applies
    assert Incident.objects.get(pk=incident.pk).severity == "low"


@pytest.mark.django_db(transaction=True)
def test_two_dsls_submitting_at_the_same_moment_one_wins_one_is_refused():
    """Real concurrency on PostgreSQL: both read revision N; the row lock makes them take turns."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    dsls = [user_with_role(roles.DSL, email=f"dsl{n}@school.example") for n in (1, 2)]
    incident = IncidentFactory()
    revision = incident.revision
    barrier, outcomes = threading.Barrier(2), []

    def submit(actor, severity):
        try:
            barrier.wait()
            _triage(Incident.objects.get(pk=incident.pk), actor, revision, severity)
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(dsl, severity))
               for dsl, severity in zip(dsls, ["high", "low"], strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", casework.STALE_CASE]
    assert Incident.objects.get(pk=incident.pk).revision == revision + 1
