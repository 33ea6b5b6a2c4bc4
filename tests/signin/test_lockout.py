"""Lockout after repeated failed sign-ins: per account and per address, unlocked by an administrator."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

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


def fail_unknown(client, count, address, prefix="nobody"):
    """`count` failed sign-ins from `address`, each with another address that has no account."""
    for number in range(count):
        response = client.post("/accounts/login/", {"username": f"{prefix}{number}@school.example",
                                                    "password": "wrong-password"}, REMOTE_ADDR=address)
    return response


def test_fifty_failures_from_one_address_lock_that_address_for_every_account(client, staff_user):
    fail_unknown(client, 48, "203.0.113.7")
    fail(client, user_with_role(roles.STAFF), 1, address="203.0.113.7")  # accounts count too
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="203.0.113.7").status_code == 302
    client.post("/accounts/logout/")
    assert fail_unknown(client, 1, "203.0.113.7", prefix="last").status_code == 429  # the 50th
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="203.0.113.7").status_code == 429
    # The same account from another address is fine: no single account had five failures.
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_a_school_sharing_one_address_is_not_locked_out_by_a_few_wrong_passwords(client, staff_user):
    """Pupils behind the school's one internet address: five failures lock no one else."""
    for person in [user_with_role(roles.STAFF) for _n in range(5)]:
        fail(client, person, 1, address="203.0.113.8")
    fail_unknown(client, 5, "203.0.113.8")
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="203.0.113.8").status_code == 302


def test_five_failures_on_one_account_lock_it_whatever_the_addresses(client, staff_user):
    for number in range(5):
        fail(client, staff_user, 1, address=f"198.51.100.{number + 10}")
    assert sign_in_with_password(client, staff_user, REMOTE_ADDR="198.51.100.99").status_code == 429


def comparable(response, typed):
    """The page without what differs by design: the address typed and the CSRF token."""
    html = response.content.decode().replace(typed, "TYPED")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_addresses_with_no_account_do_not_share_one_count(client, staff_user):
    """Five unknown addresses from five networks do not pause a sixth: each is counted on its own,
    and the answer is the one a real account with a wrong password gets (no account enumeration)."""
    for number in range(5):
        fail_unknown(Client(), 1, f"192.0.2.{number + 1}", prefix=f"mistyped{number}-")
    unknown = Client().post("/accounts/login/", {"username": "sixth@school.example", "password": "nope-nope"},
                            REMOTE_ADDR="192.0.2.6")
    real = Client().post("/accounts/login/", {"username": staff_user.email, "password": "nope-nope"},
                         REMOTE_ADDR="192.0.2.7")
    assert unknown.status_code == real.status_code == 200
    assert unknown.context["form"].errors == real.context["form"].errors
    assert comparable(unknown, "sixth@school.example") == comparable(real, staff_user.email)


def test_an_address_with_no_account_is_paused_exactly_like_an_account(client, staff_user):
    for number in range(5):
        unknown = Client().post("/accounts/login/", {"username": "Ghost@School.example ", "password": "nope"},
                                REMOTE_ADDR=f"192.0.2.{number + 20}")
        real = Client().post("/accounts/login/", {"username": staff_user.email, "password": "nope"},
                             REMOTE_ADDR=f"192.0.2.{number + 40}")
        assert unknown.status_code == real.status_code
    assert unknown.status_code == 429
    assert comparable(unknown, "Ghost@School.example") == comparable(real, staff_user.email)
    # What was typed is not kept, and it is no account to unlock.
    assert not AccessAttempt.objects.filter(username__icontains="ghost").exists()


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
    assert "teacher@school.example" in page
    assert "10.5.5.5" not in page  # five failures lock the account, not the address
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
    fail_unknown(client, 45, "192.0.2.44")
    assert sign_in_with_password(client, people[0], REMOTE_ADDR="192.0.2.44").status_code == 429
    assert "192.0.2.44" in admin_client.get("/accounts/security/").content.decode()
    admin_client.post("/accounts/security/unlock/", {"address": "192.0.2.44"})
    assert sign_in_with_password(client, people[0], REMOTE_ADDR="192.0.2.44").status_code == 302
    assert AuditEvent.objects.get(action="auth.unlocked").detail == {"address": "192.0.2.44"}


@pytest.mark.parametrize("params", [
    {"address": "<script>"}, {"address": "\x00"}, {"address": "10.0.0.1\x00"}, {"address": "junk"},
    {"account": "nobody@x.example"}, {"account": "\x00"}, {"account": "teacher@school.example\x00"},
    {"account": "junk"}, {"account": "x" * 300}, {}, {"account": "", "address": ""},
])
def test_unlock_with_nonsense_is_not_found_not_an_error(admin_client, staff_user, params):
    assert admin_client.get("/accounts/security/unlock/", params).status_code == 404
    assert admin_client.post("/accounts/security/unlock/", params).status_code == 404
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()


@override_settings(AXES_FAILURE_LIMIT=7, AXES_ADDRESS_FAILURE_LIMIT=70,
                   AXES_COOLOFF_TIME=datetime.timedelta(minutes=20))
def test_the_security_page_states_the_limits_in_force(admin_client):
    page = admin_client.get("/accounts/security/").content.decode()
    assert "After 7 wrong passwords or codes for one account, or 70 from one network address" in page
    assert "paused for 20 minutes" in page


def test_the_security_page_lists_no_count_for_addresses_with_no_account(admin_client):
    for number in range(5):
        Client().post("/accounts/login/", {"username": "ghost@school.example", "password": "nope"},
                      REMOTE_ADDR=f"192.0.2.{number + 60}")
    assert AccessAttempt.objects.filter(username__startswith="no account ").exists()
    page = admin_client.get("/accounts/security/").content.decode()
    assert "No account is locked." in page and "no account " not in page
