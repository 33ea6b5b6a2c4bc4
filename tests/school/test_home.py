import pytest

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import PupilGuardianFactory, school_year, user_with_role

pytestmark = pytest.mark.django_db


def test_home_page_queries_do_not_grow_with_the_school(client, count_queries):
    everyone = user_with_role(*roles.ALL)
    client.force_login(everyone)
    school_year(2025)
    PupilGuardianFactory.create_batch(2)
    few, _response = count_queries(client, "/")
    school_year(2026)
    PupilGuardianFactory.create_batch(300)
    user_with_role(roles.STAFF)
    many, response = count_queries(client, "/")
    assert many == few
    panels = {panel for panel in ("urgent", "restricted", "setup", "aup_compliance", "filtering",
                                  "governor_reports", "my_concerns", "to_sign")
              if f'data-panel="{panel}"'.encode() in response.content}
    assert len(panels) == 8


def test_set_up_panel_counts_pupils_on_roll(admin_client):
    PupilGuardianFactory.create_batch(3)
    response = admin_client.get("/")
    rows = {str(row.label): row.value for row in next(p for p in response.context["panels"] if p.key == "setup").rows}
    assert rows["Pupils on roll"] == 3
    assert rows["Parents and carers"] == 3


def test_each_role_sees_only_its_own_panels(client):
    client.force_login(user_with_role(roles.GOVERNOR))
    content = client.get("/").content
    assert b'data-panel="governor_reports"' in content
    for other in (b"urgent", b"setup", b"my_concerns", b"filtering"):
        assert b'data-panel="' + other + b'"' not in content


def test_reading_a_pupil_record_is_audited(dsl_client, dsl_user):
    pupil = PupilGuardianFactory().pupil
    assert dsl_client.get(f"/school/pupils/{pupil.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="school.pupil.viewed")
    assert event.actor == dsl_user and event.object_id == str(pupil.pk)


def test_administrator_is_told_about_emails_that_could_not_be_sent(admin_client):
    from django.utils import timezone

    from safety_portal.outbox.models import OutboxEmail

    assert b"Emails that could not be sent" not in admin_client.get("/").content
    OutboxEmail.objects.create(to=["a@home.example"], subject="x", body_text="x", gave_up_at=timezone.now())
    assert b"Emails that could not be sent" in admin_client.get("/").content


def test_pupil_list_says_plainly_when_no_one_has_left(admin_client):
    PupilGuardianFactory()
    content = admin_client.get("/school/pupils/", {"status": "left"}).content.decode()
    assert "No pupils have been marked as left" in content
    assert "Try a shorter search" not in content
