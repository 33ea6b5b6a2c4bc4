"""Subject access: everything about one pupil, as JSON and PDF, audited, within the incidents access rule."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agreements.models import DeviceSession
from incidents.models import Attachment, ChronologyEntry, IncidentType, ParentContact, Referral
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role
from tests.incidents.factories import IncidentFactory, IncidentPupilFactory
from tests.privacy.factories import consent_decision, pupil_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil():
    return PupilFactory(first_name="Zebedee", last_name="Quartermaine", mis_id="K801234567012")


def incident_about(pupil, *, author, incident_type=IncidentType.CYBERBULLYING, other=None):
    incident = IncidentFactory(incident_type=incident_type, description=f"Account {incident_type}")
    IncidentPupilFactory(incident=incident, pupil=pupil)
    if other:
        IncidentPupilFactory(incident=incident, pupil=other)
    now = timezone.now()
    ChronologyEntry.objects.create(incident=incident, happened_at=now, author=author, text="Spoke to the pupil")
    Referral.objects.create(incident=incident, decision="advice", agency="social_care", made_on=now.date(),
                            recorded_by=author, rationale="Advice asked")
    ParentContact.objects.create(incident=incident, informed=True, informed_at=now, method="phone", informed_by=author)
    Attachment.objects.create(incident=incident, file=SimpleUploadedFile("screenshot.png", b"png"),
                              original_name="screenshot.png", content_type="image/png", size=3, sha256="0" * 64,
                              uploaded_by=author)
    return incident


def export(client, pupil, fmt="json"):
    response = client.get(reverse(f"privacy:subject_access_{fmt}", args=[pupil.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    return response


def test_json_holds_everything_about_the_pupil_and_is_audited(dsl_client, dsl_user, pupil):
    other = PupilFactory(first_name="Otherchild", last_name="Notnamed")
    incident = incident_about(pupil, author=dsl_user, other=other)
    decision = consent_decision(pupil, answer=False)
    own = pupil_signature(pupil)
    pupil_signature(pupil, version=own.version, guardian=decision.guardian)  # a parent's, on their behalf
    response = export(dsl_client, pupil)
    data = json.loads(response.content)
    assert data["pupil"]["upn_or_mis_id"] == "K801234567012"
    [exported] = data["incidents"]
    assert exported["reference"] == incident.reference
    assert exported["chronology"][0]["text"] == "Spoke to the pupil"
    assert exported["referrals"][0]["rationale"] == "Advice asked"
    assert exported["parent_contacts"][0]["informed"] is True
    assert exported["attachments"] == [{"name": "screenshot.png", "type": "image/png", "size": 3,
                                        "uploaded_at": exported["attachments"][0]["uploaded_at"]}]
    assert exported["other_pupils_named"] == 1
    assert "Otherchild" not in response.content.decode()
    assert data["consent_history"][0]["answer"] == "no"
    assert data["consent_history"][0]["purpose"] == decision.purpose.name
    assert len(data["signatures"]) == 2
    assert {s["signer"] for s in data["signatures"]} == {"pupil", "guardian"}
    assert data["complete"] is False
    event = AuditEvent.objects.get(action="privacy.subject_access_exported")
    assert (event.object_type, event.object_id) == ("privacy.subject_access", str(pupil.pk))
    # No counts: they would tell a DSL reading the trail that restricted cases exist.
    assert event.detail == {"format": "json"}


def test_only_the_safeguarding_roles_see_that_a_subject_access_request_was_made(dsl_client, pupil, client):
    export(dsl_client, pupil)
    office = user_with_role(roles.ADMINISTRATOR)
    client.force_login(office)
    page = client.get(reverse("audit:events"))
    assert page.status_code == 200
    assert f"Subject access request for pupil #{pupil.pk}" not in page.content.decode()
    head = user_with_role(roles.HEADTEACHER)
    client.force_login(head)
    assert f"Subject access request for pupil #{pupil.pk}" in client.get(reverse("audit:events")).content.decode()


def test_a_class_session_signature_names_its_session(dsl_client, dsl_user, pupil):
    from agreements.models import Audience, Signature
    from tests.agreements.factories import publish

    version = publish(Audience.PUPIL_KS2)
    session = DeviceSession.objects.create(kind="class", started_by=dsl_user, reg_class="5B")
    Signature.objects.create(version=version, content_hash=version.content_hash, pupil=pupil, typed_name="Z",
                             method="typed", signed_at=timezone.now(), device_session=session)
    [signature] = json.loads(export(dsl_client, pupil).content)["signatures"]
    assert signature["class_session"]["group"] == "5B"


def test_allegations_against_staff_follow_the_access_rule(client, dsl_client, dsl_user, pupil):
    allegation = incident_about(pupil, author=dsl_user, incident_type=IncidentType.STAFF_MISUSE)
    data = json.loads(export(dsl_client, pupil).content)
    assert data["incidents"] == [] and data["complete"] is False
    head = user_with_role(roles.HEADTEACHER)
    client.force_login(head)
    data = json.loads(export(client, pupil).content)
    assert [i["reference"] for i in data["incidents"]] == [allegation.reference]
    assert data["complete"] is True


def test_pdf_export_is_readable_and_audited(dsl_client, dsl_user, pupil):
    incident = incident_about(pupil, author=dsl_user)
    response = export(dsl_client, pupil, "pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Quartermaine" in text and incident.reference in text and "screenshot.png" in text
    assert "Ask the headteacher" in text
    assert AuditEvent.objects.get(action="privacy.subject_access_exported").detail["format"] == "pdf"


def test_query_count_does_not_grow_with_the_incidents(dsl_client, dsl_user, pupil, django_assert_max_num_queries):
    url = reverse("privacy:subject_access_json", args=[pupil.pk])
    for _n in range(2):
        incident_about(pupil, author=dsl_user)
    with CaptureQueriesContext(connection) as few:
        dsl_client.get(url)
    for _n in range(12):
        incident_about(pupil, author=dsl_user, other=PupilFactory())
    with django_assert_max_num_queries(len(few)):
        response = dsl_client.get(url)
    assert len(json.loads(response.content)["incidents"]) == 14


def test_search_finds_pupils_who_have_left_too(dsl_client, pupil):
    pupil.leaving_date = timezone.localdate()
    pupil.save()
    response = dsl_client.get(reverse("privacy:subject_access"), {"q": "Quarterm"})
    assert f'data-pupil="{pupil.pk}"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.subject_access_exported").exists()


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.STAFF, roles.GOVERNOR, roles.ONLINE_SAFETY_LEAD])
def test_others_cannot_export(client, role, pupil):
    client.force_login(user_with_role(role))
    for fmt in ("json", "pdf"):
        assert client.get(reverse(f"privacy:subject_access_{fmt}", args=[pupil.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="privacy.subject_access_exported").exists()


def _every_field_filled(pupil, author):
    import datetime

    from incidents.models import ImageryView, ProcedureStep, StatusChange

    incident = incident_about(pupil, author=author)
    moment = timezone.make_aware(datetime.datetime(2026, 11, 5, 21, 4, 45, 36135), datetime.UTC)
    Incident = type(incident)
    Incident.objects.filter(pk=incident.pk).update(
        severity="high", area="contact", child_protection=True, owner=author, device_owner="personal",
        device_description="Older sibling's tablet", url="https://chat.example/room/42?ref=abc",
        other_people="A visitor from the youth club", immediate_action="Phone taken to the office",
        outcome="Apology made; account reported", lessons_learnt="Update the Year 6 lesson on group chats",
        closed_at=moment, occurred_at=moment, reported_at=moment, status="closed")
    StatusChange.objects.create(incident=incident, from_status="open", to_status="closed", changed_by=author,
                                changed_at=moment, reason="All actions done", outcome="Resolved at school")
    ProcedureStep.objects.create(incident=incident, order=1, key="police", text="Consider telling the police",
                                 state="not_applicable", decided_by=author, decided_at=moment,
                                 reason="No crime disclosed")
    Referral.objects.filter(incident=incident).update(external_reference="MASH-2026-77812",
                                                      outcome="No further action", agency_other="Early Help hub")
    ImageryView.objects.create(incident=incident, viewed_by=author, viewed_at=moment,
                               justification="To see whether it was indecent")
    return incident


def _as_printed(key, value):
    """How the PDF writes one value of the JSON: dates and times in words, in the school's time zone."""
    import datetime

    from django.utils.formats import date_format

    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return str(value)
    if key == "date":
        return date_format(datetime.date.fromisoformat(value), "j F Y")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if "T" not in value:
        return value
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def test_the_pdf_holds_every_field_of_the_json_with_dates_in_words(dsl_client, dsl_user, pupil):
    import re

    dsl_user.first_name, dsl_user.last_name = "Delphine", "Saxby-Lowe"
    dsl_user.save()
    _every_field_filled(pupil, dsl_user)
    data = json.loads(export(dsl_client, pupil).content)
    response = export(dsl_client, pupil, "pdf")
    raw = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", "", raw).lower()
    [incident] = data["incidents"]
    assert incident["closed_at"].startswith("2026-11-05T21:04:45")  # the JSON keeps ISO dates

    missing = []

    def walk(key, value, where):
        if value in (None, "", [], {}):
            return
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                walk(inner_key, inner, f"{where}.{inner_key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(key, item, f"{where}[{index}]")
        elif re.sub(r"\s+", "", _as_printed(key, value)).lower() not in text:
            missing.append((where, value, _as_printed(key, value)))

    walk("incident", incident, "incident")
    assert not missing, missing
    # Spot checks: the fields the walk-through found missing, and the date style.
    for shown in ("High", "Contact", "MASH-2026-77812", "Update the Year 6 lesson on group chats",
                  "When decided", "5 November 2026, 21:04"):
        assert shown.replace(" ", "").lower() in text, shown
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", raw)  # no raw ISO dates
    # The columns leave room for a name: it is not broken one word per line.
    assert "Delphine Saxby-Lowe" in raw


def test_pdf_dates_are_in_the_schools_time_zone(dsl_user, pupil):
    import datetime

    from safety_portal.privacy.pdf import subject_access_html
    from safety_portal.privacy.subject_access import subject_access_data

    summer = timezone.make_aware(datetime.datetime(2026, 7, 1, 20, 30), datetime.UTC)
    html = subject_access_html(subject_access_data(pupil, user=dsl_user, now=summer))
    assert "Produced 1 July 2026, 21:30 by" in html  # British Summer Time: an hour ahead of UTC
