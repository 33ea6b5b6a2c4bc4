"""Lockout after repeated failed sign-ins: per account and per address, unlocked by an administrator."""

import pytest
from django.test import Client

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.signin.helpers import authenticator_for, current_code, sign_in_with_password

pytestmark = pytest.mark.django_db


def fail(client, user, times, address="127.0.0.1"):
    for _attempt in range(times):
        response = sign_in_with_password(client, user, password="wrong-password", REMOTE_ADDR=address)
    return response


def test_five_wrong_passwords_lock_the_account_with_a_clear_page(client, staff_user):
    assert fail(client, staff_user, 4).status_code == 200
    locked = fail(client, staff_user, 1)
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Signing in is paused" in html and "administrator" in html and "15 minutes" in html
    # The right password from another network is refused too: the account is locked.
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert client.get("/incidents/mine/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.locked_out", object_id=str(staff_user.pk)).exists()


def test_the_account_is_counted_whatever_the_capitals(client, staff_user):
    for address in ("Teacher@School.example", " TEACHER@school.example", "teacher@school.example",
                    "teacher@SCHOOL.EXAMPLE", "Teacher@school.Example"):
        client.post("/accounts/login/", {"username": address, "password": "nope"},
                    REMOTE_ADDR=f"10.0.0.{len(address)}")
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="10.2.2.2").status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_every_account(client, staff_user):
    others = [user_with_role(roles.STAFF) for _n in range(5)]
    for person in others:
        fail(client, person, 1, address="203.0.113.7")
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="203.0.113.7").status_code == 429
    # The same account from another address is fine: no single account had five failures.
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_a_completed_sign_in_clears_the_accounts_failures(client, staff_user):
    fail(client, staff_user, 4, address="10.0.0.1")
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="10.0.0.2").status_code == 302
    client.post("/accounts/logout/")
    assert fail(client, staff_user, 4, address="10.0.0.3").status_code == 200
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="10.0.0.4").status_code == 302


def test_the_password_alone_does_not_clear_failed_codes(client, dsl_user):
    """Otherwise someone with the password could guess codes for ever, four at a time."""
    authenticator_for(dsl_user)
    for _round in range(2):
        sign_in_with_password(client, dsl_user, REMOTE_ADDR=f"10.0.1.{_round}")
        for _attempt in range(2):
            client.post("/accounts/two-factor/code/", {"code": "000000"}, REMOTE_ADDR=f"10.0.1.{_round}")
        client.post("/accounts/logout/")
    sign_in_with_password(client, dsl_user, REMOTE_ADDR="10.0.1.9")
    assert client.post("/accounts/two-factor/code/", {"code": "000000"}, REMOTE_ADDR="10.0.1.9").status_code == 429


def test_an_administrator_sees_and_unlocks_a_locked_account(client, admin_user, staff_user):
    fail(client, staff_user, 5, address="10.5.5.5")
    admin = Client()
    device = authenticator_for(admin_user)
    sign_in_with_password(admin, admin_user, REMOTE_ADDR="10.6.6.6")
    admin.post("/accounts/two-factor/code/", {"code": current_code(device)}, REMOTE_ADDR="10.6.6.6")

    page = admin.get("/accounts/security/").content.decode()
    assert "teacher@school.example" in page and "10.5.5.5" in page
    confirm = admin.get("/accounts/security/unlock/", {"account": staff_user.email})
    assert confirm.status_code == 200 and b"Yes, unlock" in confirm.content
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="10.7.7.7").status_code == 429  # GET changed nothing

    assert admin.post("/accounts/security/unlock/", {"account": staff_user.email}).status_code == 302
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="10.7.7.7").status_code == 302
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert (event.actor, event.object_id) == (admin_user, str(staff_user.pk))


def test_an_administrator_unlocks_an_address(admin_client):
    client = Client()
    people = [user_with_role(roles.STAFF) for _n in range(5)]
    for person in people:
        fail(client, person, 1, address="192.0.2.44")
    assert "192.0.2.44" in admin_client.get("/accounts/security/").content.decode()
    admin_client.post("/accounts/security/unlock/", {"address": "192.0.2.44"})
    assert sign_in_with_password(client, people[0], REMOTE_ADDR="192.0.2.44").status_code == 302
    assert AuditEvent.objects.get(action="auth.unlocked").detail == {"address": "192.0.2.44"}


def test_unlock_with_nonsense_is_not_found_not_an_error(admin_client):
    assert admin_client.get("/accounts/security/unlock/", {"address": "<script>"}).status_code == 404
    assert admin_client.get("/accounts/security/unlock/", {"account": "nobody@x.example"}).status_code == 404
    assert admin_client.post("/accounts/security/unlock/", {"address": "\x00"}).status_code == 404
