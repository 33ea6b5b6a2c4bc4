"""Nudes and indecent-image cases: the reminder, and a record of any viewing with its justification."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import ImageryView, IncidentType
from safety_portal.audit.models import AuditEvent
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def record(client, incident, **data):
    values = {"viewed_by": "", "viewed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "justification": ""}
    values.update(data)
    return client.post(reverse("incidents:imagery_view_add", args=[incident.pk]),
                       {f"imagery-{k}": v for k, v in values.items()})


@pytest.mark.parametrize("incident_type", [IncidentType.NUDES, IncidentType.INDECENT_IMAGES])
def test_page_reminds_not_to_view_copy_or_store(dsl_client, incident_type):
    html = dsl_client.get(reverse("incidents:detail", args=[IncidentFactory(incident_type=incident_type).pk]))
    html = html.content.decode()
    assert 'data-testid="imagery-warning"' in html and 'data-testid="attachment-form"' not in html


def test_no_reminder_on_other_types(dsl_client):
    html = dsl_client.get(reverse("incidents:detail", args=[IncidentFactory().pk])).content.decode()
    assert 'data-testid="imagery-warning"' not in html and 'data-testid="attachment-form"' in html


def test_viewing_defaults_to_the_current_user(dsl_user):
    from incidents.forms_case import ImageryViewForm
    assert ImageryViewForm(user=dsl_user).initial["viewed_by"] == dsl_user.pk


def test_a_viewing_needs_a_justification(dsl_client, dsl_user):
    incident = IncidentFactory(incident_type=IncidentType.NUDES)
    response = record(dsl_client, incident, viewed_by=dsl_user.pk)
    assert response.status_code == 200
    assert "Say why the imagery had to be viewed." in response.content.decode()
    assert not ImageryView.objects.exists()
    record(dsl_client, incident, viewed_by=dsl_user.pk, justification="Police asked us to confirm what was sent.")
    view = ImageryView.objects.get()
    assert (view.viewed_by, view.justification) == (dsl_user, "Police asked us to confirm what was sent.")
    assert AuditEvent.objects.filter(action="incidents.imagery.viewed_recorded").exists()


def test_viewings_are_not_recorded_on_other_types(dsl_client, dsl_user):
    response = record(dsl_client, IncidentFactory(), viewed_by=dsl_user.pk, justification="x")
    assert response.status_code == 404
