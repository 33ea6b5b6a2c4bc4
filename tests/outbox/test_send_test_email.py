import pytest
from django.core import mail
from django.core.management import call_command

from tests.outbox.backends import FailingBackend

pytestmark = pytest.mark.django_db


def test_send_test_email_reports_success(capsys):
    call_command("send_test_email", "it@school.example")
    assert "sent" in capsys.readouterr().out
    assert mail.outbox[0].to == ["it@school.example"]


def test_send_test_email_shows_the_mail_servers_error_at_once(settings, capsys):
    settings.EMAIL_BACKEND = "tests.outbox.backends.FailingBackend"
    FailingBackend.failures_left = 1
    call_command("send_test_email", "it@school.example")
    out = capsys.readouterr().out
    assert "SMTP server unreachable" in out and "queued" in out
