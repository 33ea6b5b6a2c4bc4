"""Every read of a safeguarding record, export and download writes an audit event naming what was
read. Each row: the page, the action expected, and the record it should name (or none, for lists).
The apps' own tests cover their other audited pages (signatures, certificates, scans, visitor and
compliance exports, policy documents, training CSV, report PDFs)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents import casework
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(db):
    dsl = user_with_role(roles.DSL, roles.ADMINISTRATOR, email="dsl.office@school.example")
    incident = IncidentFactory()
    attachment = casework.attachment_add(incident=incident, actor=dsl,
                                         upload=SimpleUploadedFile("note.txt", b"Notes from the meeting.\n"))
    return {"dsl": dsl, "incident": incident, "attachment": attachment, "pupil": PupilFactory()}


def _cases(records):
    incident, attachment, pupil = records["incident"], records["attachment"], records["pupil"]
    return [
        (reverse("incidents:detail", args=[incident.pk]), "incidents.incident.viewed",
         ("incidents.incident", str(incident.pk))),
        (reverse("incidents:attachment", args=[incident.pk, attachment.pk]), "incidents.attachment.downloaded",
         ("incidents.incident", str(incident.pk))),
        (reverse("incidents:export"), "incidents.export", None),
        (reverse("school:pupil", args=[pupil.pk]), "school.pupil.viewed", ("school.pupil", str(pupil.pk))),
        (reverse("consent:do_not_photograph_pdf"), "consent.list.downloaded", None),
    ]


def test_each_read_export_and_download_is_on_the_audit_trail(client, records):
    client.force_login(records["dsl"])
    for url, action, record in _cases(records):
        before = AuditEvent.objects.count()
        response = client.get(url)
        assert response.status_code == 200, url
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        new = AuditEvent.objects.filter(sequence__gt=before, action=action, actor=records["dsl"])
        assert new.exists(), f"{url} wrote no {action} event"
        if record:
            assert (new.first().object_type, new.first().object_id) == record, url
