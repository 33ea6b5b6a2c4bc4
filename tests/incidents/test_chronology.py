"""The chronology is court-safe: entries are never changed; a correction is a new, linked entry."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import ChronologyEntry, EntryKind
from safety_portal.audit.models import AuditEvent
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def add(client, incident, **data):
    values = {"kind": "phone_call", "happened_at": "", "text": "Spoke to the form tutor."}
    values.update(data)
    return client.post(reverse("incidents:chronology_add", args=[incident.pk]),
                       {f"chronology-{k}": v for k, v in values.items()})


def test_entry_keeps_the_time_it_happened_and_its_author(dsl_client, dsl_user):
    incident = IncidentFactory()
    earlier = timezone.localtime() - datetime.timedelta(days=1)
    response = add(dsl_client, incident, happened_at=earlier.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(incident=incident)
    assert (entry.kind, entry.author, entry.text) == ("phone_call", dsl_user, "Spoke to the form tutor.")
    assert entry.happened_at == earlier.replace(second=0, microsecond=0)
    assert entry.recorded_at > entry.happened_at
    assert AuditEvent.objects.filter(action="incidents.chronology.added").exists()


def test_the_form_defaults_to_now():
    from incidents.forms_case import ChronologyForm
    initial = ChronologyForm().initial["happened_at"]
    assert abs(initial - timezone.now()) < datetime.timedelta(minutes=2)


def test_a_future_time_is_refused_and_the_text_kept(dsl_client):
    incident = IncidentFactory()
    later = timezone.localtime() + datetime.timedelta(days=2)
    response = add(dsl_client, incident, happened_at=later.strftime("%Y-%m-%dT%H:%M"), text="Meeting with mum")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is in the future" in html and "Meeting with mum" in html
    assert not ChronologyEntry.objects.exists()


def test_a_correction_keeps_the_original_entry(dsl_client, dsl_user):
    incident = IncidentFactory()
    add(dsl_client, incident, happened_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        text="Phone confiscated at 10:15.")
    original = ChronologyEntry.objects.get()
    response = dsl_client.post(reverse("incidents:chronology_correct", args=[incident.pk, original.pk]),
                               {"text": "It was 11:15, not 10:15."})
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.text == "Phone confiscated at 10:15."
    correction = ChronologyEntry.objects.get(corrects=original)
    assert (correction.kind, correction.text, correction.author) == (
        EntryKind.CORRECTION, "It was 11:15, not 10:15.", dsl_user)
    html = dsl_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Phone confiscated at 10:15." in html and "It was 11:15, not 10:15." in html
    assert f"Corrected by {dsl_user}" in html
    assert AuditEvent.objects.filter(action="incidents.chronology.corrected").exists()


def test_an_empty_correction_is_refused(dsl_client, dsl_user):
    incident = IncidentFactory()
    original = ChronologyEntry.objects.create(incident=incident, author=dsl_user, text="x",
                                              happened_at=timezone.now())
    response = dsl_client.post(reverse("incidents:chronology_correct", args=[incident.pk, original.pk]),
                               {"text": " "})
    assert response.status_code == 200
    assert "Write the correction." in response.content.decode()
    assert ChronologyEntry.objects.count() == 1


def test_corrections_cannot_be_added_as_ordinary_entries(dsl_client):
    incident = IncidentFactory()
    add(dsl_client, incident, kind="correction", happened_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    assert not ChronologyEntry.objects.exists()


def test_an_entry_of_another_case_cannot_be_corrected_here(dsl_client, dsl_user):
    entry = ChronologyEntry.objects.create(incident=IncidentFactory(), author=dsl_user, text="x",
                                           happened_at=timezone.now())
    other = IncidentFactory()
    response = dsl_client.post(reverse("incidents:chronology_correct", args=[other.pk, entry.pk]), {"text": "y"})
    assert response.status_code == 404
