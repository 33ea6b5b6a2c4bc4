import pytest
from django.core.management import CommandError, call_command

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import User

pytestmark = pytest.mark.django_db


def test_create_admin_makes_an_administrator_who_can_sign_in(client, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "a-long-admin-password")
    call_command("create_admin", "--email", "Head.Office@School.example", "--first-name", "Ana")
    user = User.objects.get(email="head.office@school.example")
    assert user.has_role(roles.ADMINISTRATOR)
    assert user.check_password("a-long-admin-password")
    assert AuditEvent.objects.filter(action="school.user.created", object_id=str(user.pk)).exists()
    assert client.login(request=None, username="head.office@school.example", password="a-long-admin-password")


def test_create_admin_refuses_a_weak_password_and_writes_nothing(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_admin", "--email", "office@school.example")
    assert not User.objects.exists()


def test_create_admin_refuses_an_existing_address(admin_user):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_admin", "--email", admin_user.email.upper(), "--no-password")


def test_create_admin_refuses_a_bad_address():
    with pytest.raises(CommandError, match="not an email address"):
        call_command("create_admin", "--email", "not-an-address", "--no-password")
