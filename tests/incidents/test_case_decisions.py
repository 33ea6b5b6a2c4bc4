"""Referrals and decisions not to refer; whether parents were told, or why not."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import ParentContact, Referral
from safety_portal.audit.models import AuditEvent
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def refer(client, incident, **data):
    values = {"decision": "referred", "agency": "ceop", "agency_other": "", "made_on": timezone.localdate(),
              "external_reference": "", "outcome": "", "rationale": ""}
    values.update(data)
    return client.post(reverse("incidents:referral_add", args=[incident.pk]),
                       {f"referral-{k}": v for k, v in values.items()})


def test_a_referral_records_agency_date_reference_and_outcome(dsl_client, dsl_user):
    incident = IncidentFactory()
    response = refer(dsl_client, incident, agency="police_101", external_reference="KP-123", outcome="Advice given")
    assert response.status_code == 302
    referral = Referral.objects.get(incident=incident)
    assert (referral.agency, referral.external_reference, referral.outcome, referral.recorded_by) == (
        "police_101", "KP-123", "Advice given", dsl_user)
    assert AuditEvent.objects.filter(action="incidents.referral.recorded").exists()
    assert "KP-123" in dsl_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()


def test_a_decision_not_to_refer_needs_a_rationale(dsl_client):
    incident = IncidentFactory()
    response = refer(dsl_client, incident, decision="not_referred", agency="", outcome="kept this")
    assert response.status_code == 200
    assert "Give the reason for deciding not to refer." in response.content.decode()
    assert response.context["referral_form"]["outcome"].value() == "kept this"
    assert not Referral.objects.exists()
    refer(dsl_client, incident, decision="not_referred", agency="", rationale="Low-level; handled in school.")
    assert Referral.objects.get().rationale == "Low-level; handled in school."


def test_other_agency_must_be_named(dsl_client):
    incident = IncidentFactory()
    response = refer(dsl_client, incident, agency="other")
    assert "Name the agency." in response.content.decode()
    refer(dsl_client, incident, agency="other", agency_other="NSPCC helpline")
    assert Referral.objects.get().agency_other == "NSPCC helpline"


def inform(client, incident, **data):
    values = {"informed": "yes", "informed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
              "method": "phone", "informed_by": "", "rationale": ""}
    values.update(data)
    return client.post(reverse("incidents:parents_add", args=[incident.pk]),
                       {f"parents-{k}": v for k, v in values.items()})


def test_parents_informed_when_how_and_by_whom(dsl_client, dsl_user):
    incident = IncidentFactory()
    assert inform(dsl_client, incident, informed_by=dsl_user.pk).status_code == 302
    contact = ParentContact.objects.get()
    assert (contact.informed, contact.method, contact.informed_by) == (True, "phone", dsl_user)
    assert AuditEvent.objects.filter(action="incidents.parents.recorded").exists()


def test_not_informing_parents_needs_a_rationale(dsl_client, dsl_user):
    incident = IncidentFactory()
    response = inform(dsl_client, incident, informed="no", informed_by=dsl_user.pk)
    assert response.status_code == 200
    assert "Give the reason for not telling the parents or carers." in response.content.decode()
    assert not ParentContact.objects.exists()
    inform(dsl_client, incident, informed="no", informed_by=dsl_user.pk,
           rationale="Telling them puts the child at risk.")
    contact = ParentContact.objects.get()
    assert (contact.informed, contact.informed_at, contact.method) == (False, None, "")
