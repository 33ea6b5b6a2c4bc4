"""Two-factor sign-in, through the real login form (force_login would stand for all of it)."""

import re
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.signin import services
from tests.factories import user_with_role
from tests.signin.helpers import authenticator_for, current_code, recovery_codes, sign_in_with_password

pytestmark = [pytest.mark.django_db, pytest.mark.first_factor_only]


def actions():
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


# --- Enrolment on first sign-in for the roles that need it -----------------------------------

@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER])
def test_a_required_role_without_an_app_must_set_one_up_before_any_page(client, role):
    person = user_with_role(role)
    response = sign_in_with_password(client, person, next_path="/incidents/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/two-factor/set-up/?next=")

    for path in ("/", "/incidents/", "/audit/", "/school/staff/", "/accounts/two-factor/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/accounts/two-factor/set-up/"), path
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/logout/").status_code == 200


def test_enrolment_shows_a_qr_code_and_the_secret_and_gives_ten_recovery_codes_once(client, dsl_user):
    sign_in_with_password(client, dsl_user)
    page = client.get("/accounts/two-factor/set-up/?next=/incidents/")
    html = page.content.decode()
    assert "<svg" in html and 'data-testid="totp-qr"' in html
    device = TOTPDevice.objects.get(user=dsl_user, confirmed=False)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret.replace(" ", "") in device.config_url
    # The same device on a second visit: a code already scanned stays valid.
    client.get("/accounts/two-factor/set-up/")
    assert TOTPDevice.objects.filter(user=dsl_user).count() == 1

    wrong = client.post("/accounts/two-factor/set-up/", {"code": "000000", "next": "/incidents/"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert client.get("/incidents/").status_code == 302  # still not in

    done = client.post("/accounts/two-factor/set-up/", {"code": current_code(device), "next": "/incidents/"},
                       follow=True)
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/incidents/"' in done.content.decode()  # "I have saved these" goes on
    assert client.get("/incidents/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert "auth.two_factor_enrolled" in actions()


def secret_shown(response):
    return re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', response.content.decode()).group(1)


def test_each_session_is_shown_its_own_secret_so_a_password_alone_cannot_plant_one(dsl_user):
    """Someone with only the password opens the set-up page, notes the key and leaves; the owner
    later sets up their phone. The key the intruder saw must be worth nothing."""
    intruder, owner = Client(), Client()
    sign_in_with_password(intruder, dsl_user)
    intruder_secret = secret_shown(intruder.get("/accounts/two-factor/set-up/"))
    intruder_device = TOTPDevice.objects.get(user=dsl_user, confirmed=False)
    assert secret_shown(intruder.get("/accounts/two-factor/set-up/")) == intruder_secret  # same session: same key
    intruder.post("/accounts/logout/")

    sign_in_with_password(owner, dsl_user)
    owner_secret = secret_shown(owner.get("/accounts/two-factor/set-up/"))
    assert owner_secret != intruder_secret
    owner_device = TOTPDevice.objects.get(user=dsl_user, confirmed=False)
    assert owner.post("/accounts/two-factor/set-up/", {"code": current_code(owner_device)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=dsl_user).values_list("pk", flat=True)) == [owner_device.pk]

    sign_in_with_password(intruder, dsl_user)
    refused = intruder.post("/accounts/two-factor/code/", {"code": current_code(intruder_device)})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert intruder.get("/incidents/").status_code == 302


def test_a_session_cannot_confirm_a_key_another_session_has_replaced(dsl_user):
    first, second = Client(), Client()
    sign_in_with_password(first, dsl_user)
    first.get("/accounts/two-factor/set-up/")
    first_device = TOTPDevice.objects.get(user=dsl_user, confirmed=False)
    sign_in_with_password(second, dsl_user)
    second.get("/accounts/two-factor/set-up/")  # a new key; the first session's is thrown away
    second_device = TOTPDevice.objects.get(user=dsl_user, confirmed=False)
    assert second_device.pk != first_device.pk

    refused = first.post("/accounts/two-factor/set-up/", {"code": current_code(first_device)})
    assert refused.status_code == 200
    assert "already been confirmed or has expired" in " ".join(refused.context["form"].errors["code"])
    assert not TOTPDevice.objects.filter(user=dsl_user, confirmed=True).exists()
    # Nor can it confirm the other session's key with a code from it.
    first.post("/accounts/two-factor/set-up/", {"code": current_code(second_device)})
    assert not TOTPDevice.objects.filter(user=dsl_user, confirmed=True).exists()


def test_confirming_a_setup_already_confirmed_is_refused_not_an_error(dsl_user, rf):
    """The second "Confirm" of a double click finds the device confirmed by the first."""
    device = TOTPDevice.objects.create(user=dsl_user, name="Authenticator app", confirmed=False)
    session = {services.ENROL_DEVICE_KEY: device.pk}
    request = rf.post("/accounts/two-factor/set-up/")
    request.user = dsl_user
    services.two_factor_enrol(user=dsl_user, session=dict(session), code=current_code(device), request=request)
    with pytest.raises(services.EnrolmentRefused) as refused:
        services.two_factor_enrol(user=dsl_user, session=dict(session), code=current_code(device, 1),
                                  request=request)
    assert refused.value.reason == services.REFUSED_FINISHED


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_confirm_confirms_once_and_refuses_the_second(dsl_user, rf, monkeypatch):
    """Two requests at once, as a double click sends them: the second waits for the first's lock."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL)")
    device = TOTPDevice.objects.create(user=dsl_user, name="Authenticator app", confirmed=False)
    code = current_code(device)
    replace_codes = services.recovery_codes_replace

    def slow_replace(user, request=None):  # holds the first request's lock a while
        time.sleep(0.5)
        return replace_codes(user, request=request)

    monkeypatch.setattr(services, "recovery_codes_replace", slow_replace)
    outcomes = []

    def confirm():
        request = rf.post("/accounts/two-factor/set-up/")
        request.user = dsl_user
        try:
            services.two_factor_enrol(user=dsl_user, session={services.ENROL_DEVICE_KEY: device.pk},
                                      code=code, request=request)
            outcomes.append("confirmed")
        except services.EnrolmentRefused as refused:
            outcomes.append(refused.reason)
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _n in range(2)]
    threads[0].start()
    time.sleep(0.2)
    threads[1].start()
    for thread in threads:
        thread.join(10)
    # Whichever took the lock first confirms (its "confirmed" may be noted after the other's refusal).
    assert sorted(outcomes) == sorted(["confirmed", services.REFUSED_FINISHED])
    assert TOTPDevice.objects.filter(user=dsl_user, confirmed=True).count() == 1


def test_someone_with_only_the_password_cannot_set_up_a_new_app_over_an_existing_one(client, dsl_user):
    authenticator_for(dsl_user)
    sign_in_with_password(client, dsl_user)
    response = client.get("/accounts/two-factor/set-up/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/code/")
    response = client.post("/accounts/two-factor/set-up/", {"code": "123456"})
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/code/")
    assert TOTPDevice.objects.filter(user=dsl_user).count() == 1


# --- The code page ------------------------------------------------------------------------------

def test_with_an_app_the_password_leads_to_the_code_page_and_the_right_code_signs_in(client, dsl_user):
    device = authenticator_for(dsl_user)
    response = sign_in_with_password(client, dsl_user, next_path="/incidents/")
    assert response.url == "/accounts/two-factor/code/?next=%2Fincidents%2F"
    assert client.get("/incidents/").url.startswith("/accounts/two-factor/code/")

    wrong = client.post(response.url, {"code": "12 34 56"})
    assert wrong.status_code == 200
    assert wrong.context["form"]["code"].value() == "12 34 56"  # what was typed is kept
    assert "not right" in " ".join(wrong.context["form"].errors["code"])

    right = client.post(response.url, {"code": current_code(device)})
    assert right.status_code == 302 and right.url == "/incidents/"
    assert client.get("/incidents/").status_code == 200
    assert actions()[-2:] == ["auth.two_factor_failed", "auth.two_factor_verified"]


def test_a_code_cannot_be_used_twice(client, dsl_user):
    device = authenticator_for(dsl_user)
    code = current_code(device)
    sign_in_with_password(client, dsl_user)
    assert client.post("/accounts/two-factor/code/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    sign_in_with_password(client, dsl_user)
    assert client.post("/accounts/two-factor/code/", {"code": code}).status_code == 200
    assert client.get("/").status_code == 302


def test_a_recovery_code_signs_in_once_only(client, dsl_user):
    authenticator_for(dsl_user)
    code = recovery_codes(dsl_user)[0]
    sign_in_with_password(client, dsl_user)
    response = client.post("/accounts/two-factor/code/", {"code": f"{code[:4].upper()}-{code[4:]}"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="auth.two_factor_recovery_code_used").detail == {"codes_left": 9}
    client.post("/accounts/logout/")

    sign_in_with_password(client, dsl_user)
    assert client.post("/accounts/two-factor/code/", {"code": code}).status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()


def test_staff_without_an_app_sign_in_with_the_password_alone(client, staff_user):
    response = sign_in_with_password(client, staff_user, next_path="/incidents/mine/")
    assert response.url == "/incidents/mine/"
    assert client.get("/incidents/mine/").status_code == 200


def test_staff_who_chose_an_app_are_asked_for_its_code(client, staff_user):
    authenticator_for(staff_user)
    response = sign_in_with_password(client, staff_user)
    assert response.url.startswith("/accounts/two-factor/code/")
    assert client.get("/incidents/mine/").status_code == 302


def test_signing_in_again_asks_for_the_code_again(client, dsl_user):
    device = authenticator_for(dsl_user)
    sign_in_with_password(client, dsl_user)
    client.post("/accounts/two-factor/code/", {"code": current_code(device)})
    client.post("/accounts/logout/")
    sign_in_with_password(client, dsl_user)
    assert client.get("/").url.startswith("/accounts/two-factor/code/")


def test_five_wrong_codes_lock_the_account_like_wrong_passwords(client, dsl_user):
    device = authenticator_for(dsl_user)
    sign_in_with_password(client, dsl_user)
    for _attempt in range(4):
        assert client.post("/accounts/two-factor/code/", {"code": "000000"}).status_code == 200
    locked = client.post("/accounts/two-factor/code/", {"code": "000000"})
    assert locked.status_code == 429
    assert b"Signing in is paused" in locked.content
    assert client.get("/").status_code == 302  # signed out
    # Not even the password and the right code get in now, from anywhere.
    refused = sign_in_with_password(client, dsl_user, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429
    assert client.get("/accounts/two-factor/code/").status_code == 302
    assert "auth.two_factor_verified" not in actions()
    assert device.pk


# --- The person's own page ---------------------------------------------------------------------

def test_a_required_role_cannot_turn_two_factor_off(client, dsl_user):
    client.force_login(dsl_user)  # first factor only: complete the second one for real
    device = authenticator_for(dsl_user)
    client.post("/accounts/two-factor/code/", {"code": current_code(device)})
    response = client.post("/accounts/two-factor/turn-off/")
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=dsl_user, confirmed=True).exists()
    assert "auth.two_factor_turned_off" not in actions()


def test_staff_can_turn_it_off_after_confirming(client, staff_user):
    device = authenticator_for(staff_user)
    sign_in_with_password(client, staff_user)
    client.post("/accounts/two-factor/code/", {"code": current_code(device)})
    page = client.get("/accounts/two-factor/turn-off/")
    assert page.status_code == 200 and b"Yes, turn it off" in page.content
    assert TOTPDevice.objects.filter(user=staff_user).exists()
    client.post("/accounts/two-factor/turn-off/", {"proof": current_code(device, 1)})
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert "auth.two_factor_turned_off" in actions()


def test_new_recovery_codes_replace_the_old_ones(client, staff_user):
    device = authenticator_for(staff_user)
    old = recovery_codes(staff_user)
    sign_in_with_password(client, staff_user)
    client.post("/accounts/two-factor/code/", {"code": current_code(device)})
    assert client.get("/accounts/two-factor/recovery-codes/").status_code == 200  # confirmation first
    response = client.post("/accounts/two-factor/recovery-codes/", {"proof": current_code(device, 1)}, follow=True)
    assert len(response.context["codes"]) == 10
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert "auth.two_factor_recovery_codes_replaced" in actions()


def signed_in_fully(client, user, device):
    sign_in_with_password(client, user)
    assert client.post("/accounts/two-factor/code/", {"code": current_code(device)}).status_code == 302


def test_new_recovery_codes_need_a_code_from_the_app_or_a_recovery_code(client, staff_user):
    """An unattended signed-in screen is not enough to make codes that would pass the second factor."""
    device = authenticator_for(staff_user)
    old = recovery_codes(staff_user)
    signed_in_fully(client, staff_user, device)
    for proof in ({}, {"proof": ""}, {"proof": "000000"}, {"proof": "abcd2345"}):
        response = client.post("/accounts/two-factor/recovery-codes/", proof)
        assert response.status_code == 200 and "codes" not in response.context, proof
        assert response.context["form"].errors["proof"], proof
    assert StaticToken.objects.filter(token__in=old).count() == 10
    assert actions().count("auth.two_factor_failed") == 2  # the wrong codes count towards the lockout
    assert "auth.two_factor_recovery_codes_replaced" not in actions()

    response = client.post("/accounts/two-factor/recovery-codes/", {"proof": old[0]}, follow=True)
    assert len(response.context["codes"]) == 10
    assert not StaticToken.objects.filter(token__in=old).exists()


def test_a_new_phone_needs_a_code_from_the_current_app_or_a_recovery_code(client, dsl_user):
    old_device = authenticator_for(dsl_user)
    codes = recovery_codes(dsl_user)
    signed_in_fully(client, dsl_user, old_device)
    page = client.get("/accounts/two-factor/set-up/")
    assert "proof" in page.context["form"].fields
    new_device = TOTPDevice.objects.get(user=dsl_user, confirmed=False)

    for proof in ({}, {"proof": "000000"}):
        response = client.post("/accounts/two-factor/set-up/", {"code": current_code(new_device), **proof})
        assert response.status_code == 200 and response.context["form"].errors["proof"], proof
    assert TOTPDevice.objects.get(user=dsl_user, confirmed=True) == old_device

    # The right proof with a wrong new code changes nothing, and does not use the recovery code up.
    wrong_new = client.post("/accounts/two-factor/set-up/", {"proof": codes[0], "code": "000000"})
    assert wrong_new.context["form"].errors["code"] and not wrong_new.context["form"].errors.get("proof")
    assert StaticToken.objects.filter(token=codes[0]).exists()

    done = client.post("/accounts/two-factor/set-up/", {"proof": codes[0], "code": current_code(new_device)},
                       follow=True)
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=dsl_user).values_list("pk", "confirmed")) == [(new_device.pk, True)]
    assert AuditEvent.objects.get(action="auth.two_factor_enrolled").detail == {"replaced": True}


# --- The administrator's reset -----------------------------------------------------------------

def test_an_administrator_resets_someones_two_factor_and_they_set_it_up_again(client, admin_user, dsl_user):
    device = authenticator_for(dsl_user)
    admin_device = authenticator_for(admin_user)
    sign_in_with_password(client, admin_user)
    client.post("/accounts/two-factor/code/", {"code": current_code(admin_device)})
    assert client.get("/accounts/security/").status_code == 200
    url = f"/accounts/security/people/{dsl_user.pk}/reset-two-factor/"
    assert client.get(url).status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()  # the page alone changes nothing
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=dsl_user).exists()
    event = AuditEvent.objects.get(action="auth.two_factor_reset_by_admin")
    assert (event.actor, event.object_id) == (admin_user, str(dsl_user.pk))

    client.post("/accounts/logout/")
    assert sign_in_with_password(client, dsl_user).url.startswith("/accounts/two-factor/set-up/")


def test_an_administrators_reset_signs_the_person_out_everywhere(admin_user, dsl_user, staff_user):
    dsl_device, admin_device = authenticator_for(dsl_user), authenticator_for(admin_user)
    dsl_laptop, dsl_phone, admin, colleague = Client(), Client(), Client(), Client()
    signed_in_fully(dsl_laptop, dsl_user, dsl_device)
    sign_in_with_password(dsl_phone, dsl_user)  # half signed in
    sign_in_with_password(colleague, staff_user)
    sign_in_with_password(admin, admin_user)
    admin.post("/accounts/two-factor/code/", {"code": current_code(admin_device)})
    assert dsl_laptop.get("/incidents/").status_code == 200

    assert admin.post(f"/accounts/security/people/{dsl_user.pk}/reset-two-factor/").status_code == 302
    for browser in (dsl_laptop, dsl_phone):
        response = browser.get("/incidents/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert colleague.get("/incidents/mine/").status_code == 200  # nobody else is signed out
    assert admin.get("/accounts/security/").status_code == 200


def test_an_administrator_resetting_their_own_stays_signed_in_here_only(admin_user):
    device = authenticator_for(admin_user)
    here, elsewhere = Client(), Client()
    signed_in_fully(here, admin_user, device)
    elsewhere.force_login(admin_user)  # the password step, in another browser
    assert here.post(f"/accounts/security/people/{admin_user.pk}/reset-two-factor/").status_code == 302
    assert here.get("/accounts/security/").status_code == 200
    assert elsewhere.get("/accounts/security/").url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.STAFF])
def test_only_administrators_reach_the_sign_in_security_pages(client, role, staff_user):
    person = user_with_role(role)
    client.force_login(person)
    from safety_portal.signin.services import session_sign_in_complete

    session = client.session
    session_sign_in_complete(session)
    session.save()
    for url in ("/accounts/security/", f"/accounts/security/people/{staff_user.pk}/reset-two-factor/",
                "/accounts/security/unlock/?address=10.0.0.1"):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url


# --- Demo codes --------------------------------------------------------------------------------

def test_demo_code_command_prints_only_demo_accounts_codes_and_only_in_debug(settings, capsys, dsl_user):
    from safety_portal.signin.demo import DEMO_TOTP_KEY

    demo_device = TOTPDevice.objects.create(user=dsl_user, name="Demo", key=DEMO_TOTP_KEY, confirmed=True)
    real = user_with_role(roles.HEADTEACHER)
    authenticator_for(real)

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_two_factor_code", dsl_user.email)
    settings.DEBUG = True
    with pytest.raises(CommandError, match="demo"):
        call_command("demo_two_factor_code", real.email)
    call_command("demo_two_factor_code", dsl_user.email.upper())
    assert capsys.readouterr().out.strip() == current_code(demo_device)
