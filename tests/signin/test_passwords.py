"""Password rules, short-lived single-use reset links, and signing out everywhere on a change."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-secret-2026"


def reset_path(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/password/reset/{uid}/{default_token_generator.make_token(user)}/"


def open_reset_link(client, path):
    """Follow the emailed link as Django does: the token moves into the session, then the form."""
    response = client.get(path)
    if response.status_code == 302:
        response = client.get(response.url)
    return response


def test_passwords_shorter_than_twelve_characters_are_refused(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/accounts/password/change/", {
        "old_password": DEFAULT_PASSWORD, "new_password1": "Kx9-vq2-Lm7", "new_password2": "Kx9-vq2-Lm7"})
    assert response.status_code == 200
    assert "at least 12 characters" in " ".join(response.context["form"].errors["new_password2"])
    staff_user.refresh_from_db()
    assert staff_user.check_password(DEFAULT_PASSWORD)


def test_a_reset_link_works_once_only(client, staff_user):
    path = reset_path(staff_user)
    form_page = open_reset_link(client, path)
    assert form_page.context["validlink"]
    done = client.post(form_page.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    again = open_reset_link(Client(), path)
    assert not again.context["validlink"]
    assert b"has expired or has already been used" in again.content


def test_a_reset_link_expires_after_an_hour(monkeypatch, staff_user):
    path = reset_path(staff_user)
    made = datetime.datetime.now()
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: made + datetime.timedelta(minutes=59))
    assert open_reset_link(Client(), path).context["validlink"]
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: made + datetime.timedelta(minutes=61))
    assert not open_reset_link(Client(), path).context["validlink"]


def test_changing_the_password_signs_out_every_other_session_but_this_one(staff_user):
    laptop, phone = Client(), Client()
    laptop.force_login(staff_user)
    phone.force_login(staff_user)
    assert phone.get("/incidents/mine/").status_code == 200
    response = laptop.post("/accounts/password/change/", {
        "old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert laptop.get("/incidents/mine/").status_code == 200
    signed_out = phone.get("/incidents/mine/")
    assert signed_out.status_code == 302 and signed_out.url.startswith("/accounts/login/")


def test_a_password_reset_signs_out_every_session(staff_user):
    phone = Client()
    phone.force_login(staff_user)
    stranger = Client()
    form_page = open_reset_link(stranger, reset_path(staff_user))
    stranger.post(form_page.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert phone.get("/incidents/mine/").status_code == 302


def test_the_reset_pages_say_the_link_lasts_an_hour(client, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/accounts/password/reset/", {"email": staff_user.email}, follow=True)
    assert re.search(r"expires after an hour", page.content.decode())
