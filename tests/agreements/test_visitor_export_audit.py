"""Exporting the visitor log is audited without keeping a visitor's name in the trail."""

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Audience, DeviceSession
from safety_portal.audit.models import AuditEvent
from tests.agreements.factories import publish

pytestmark = pytest.mark.django_db


def test_a_name_searched_for_is_not_written_to_the_audit_trail(admin_client, admin_user):
    publish(Audience.VISITOR)
    kiosk = services.device_session_start(kind=DeviceSession.Kind.KIOSK, user=admin_user)
    services.visitor_sign_in(kiosk=kiosk, full_name="Paula Grant", organisation="Surveyors Ltd",
                             purpose="Roof survey", typed_name="Paula Grant")
    response = admin_client.get(reverse("agreements:visitors_export"), {"q": "Paula Grant"})
    assert "Paula Grant" in b"".join(response.streaming_content).decode()
    event = AuditEvent.objects.get(action="agreements.visitors.exported")
    assert "Paula" not in str(event.detail)
    assert event.detail["rows"] == 1
