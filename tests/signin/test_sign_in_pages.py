"""The sign-in pages as people meet them: what a refused code says, the half-signed-in layout, setting
up on a phone, printing and refreshing the recovery codes, warnings before a lockout, turning it off."""

import datetime
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.test import Client
from django.utils.html import escape
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.models import Audience
from safety_portal.audit.models import AuditEvent
from tests.agreements.factories import publish
from tests.factories import DEFAULT_PASSWORD
from tests.signin.helpers import authenticator_for, current_code, recovery_codes, sign_in_with_password

pytestmark = [pytest.mark.django_db, pytest.mark.first_factor_only]

STATIC = Path(settings.BASE_DIR) / "static"
JUST_USED = "This code has just been used. Wait for the next code in your app and type that."
LAST_ATTEMPT = "One more wrong attempt will pause signing in for 15 minutes."


def failures(user):
    return AccessAttempt.objects.filter(username=user.email.lower()).aggregate(
        total=Sum("failures_since_start"))["total"] or 0


def code_errors(response, field="code"):
    return " ".join(response.context["form"].errors[field])


def signed_in_fully(client, user, device, steps_ahead=0):
    sign_in_with_password(client, user)
    response = client.post("/accounts/two-factor/code/", {"code": current_code(device, steps_ahead)})
    assert response.status_code == 302


# --- 1. A code already used says so, and still counts ------------------------------------------

def test_a_code_just_used_on_another_device_says_so_and_still_counts(dsl_user):
    device = authenticator_for(dsl_user)
    laptop, phone = Client(), Client()
    signed_in_fully(laptop, dsl_user, device)
    sign_in_with_password(phone, dsl_user)
    response = phone.post("/accounts/two-factor/code/", {"code": current_code(device)})
    assert response.status_code == 200
    assert JUST_USED in code_errors(response) and "not right" not in code_errors(response)
    assert failures(dsl_user) == 1
    assert AuditEvent.objects.filter(action="auth.two_factor_failed").count() == 1
    assert phone.get("/incidents/").status_code == 302  # still not in

    # A wrong code is still just wrong.
    wrong = phone.post("/accounts/two-factor/code/", {"code": "000000"})
    assert "not right" in code_errors(wrong) and JUST_USED not in code_errors(wrong)
    # The next code signs in.
    assert phone.post("/accounts/two-factor/code/", {"code": current_code(device, 1)}).status_code == 302


def test_a_code_just_used_as_proof_says_so(client, staff_user):
    device = authenticator_for(staff_user)
    signed_in_fully(client, staff_user, device)
    response = client.post("/accounts/two-factor/recovery-codes/", {"proof": current_code(device)})
    assert response.status_code == 200 and JUST_USED in code_errors(response, "proof")


def test_a_used_recovery_code_says_it_may_have_been_used(client, dsl_user):
    authenticator_for(dsl_user)
    code = recovery_codes(dsl_user)[0]
    sign_in_with_password(client, dsl_user)
    assert client.post("/accounts/two-factor/code/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    sign_in_with_password(client, dsl_user)
    again = client.post("/accounts/two-factor/code/", {"code": f"{code[:4]}-{code[4:]}"})
    assert again.status_code == 200
    assert "already been used: each code works once" in code_errors(again)
    assert failures(dsl_user) == 1
    assert AuditEvent.objects.filter(action="auth.two_factor_failed").count() == 1


# --- 2. The half-signed-in pages have a plain layout ---------------------------------------------

def assert_plain_layout(response, user):
    html = response.content.decode()
    assert 'data-testid="step-header"' in html
    assert 'data-testid="main-menu"' not in html and 'data-testid="agreements-prompt"' not in html
    assert str(user) not in html and "Change password" not in html
    assert re.search(r'<form method="post" action="/accounts/logout/">.*?Sign out</button>', html, re.S)


def test_the_set_up_page_on_first_sign_in_has_no_menu_name_or_banner(client, dsl_user):
    publish(Audience.STAFF)  # an agreement to sign: its banner must wait
    sign_in_with_password(client, dsl_user)
    response = client.get("/accounts/two-factor/set-up/")
    assert response.status_code == 200
    assert_plain_layout(response, dsl_user)


def test_the_code_page_has_no_menu_name_or_banner(client, dsl_user):
    publish(Audience.STAFF)
    authenticator_for(dsl_user)
    sign_in_with_password(client, dsl_user)
    response = client.get("/accounts/two-factor/code/")
    assert response.status_code == 200
    assert_plain_layout(response, dsl_user)


def test_setting_up_a_new_phone_when_signed_in_keeps_the_menu(client, dsl_user):
    device = authenticator_for(dsl_user)
    signed_in_fully(client, dsl_user, device)
    html = client.get("/accounts/two-factor/set-up/").content.decode()
    assert 'data-testid="main-menu"' in html and 'data-testid="step-header"' not in html


# --- 3. Setting up on the phone itself ---------------------------------------------------------

def test_the_set_up_page_links_to_the_authenticator_app_and_stacks_on_small_screens(client, dsl_user):
    sign_in_with_password(client, dsl_user)
    html = client.get("/accounts/two-factor/set-up/").content.decode()
    device = TOTPDevice.objects.get(user=dsl_user, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")
    assert f'href="{escape(device.config_url)}"' in html
    assert "Open in your authenticator app" in html
    qr = re.search(r'<div class="([^"]*)" data-testid="totp-qr">', html).group(1).split()
    assert "signin-qr" in qr and "d-inline-block" not in qr
    assert 'class="signin-setup-key' in html
    css = (STATIC / "portal" / "portal.css").read_text()
    assert ".signin-setup-key { display: flex; flex-direction: column;" in css
    assert "@media (min-width: 576px) { .signin-setup-key { flex-direction: row;" in css
    # A link is navigation, which the policy leaves alone (no navigate-to); forms stay on this site.
    assert "navigate-to" not in settings.CONTENT_SECURITY_POLICY


# --- 4. The recovery codes: printing, and a refresh that never re-sends the form ---------------

def enrol(client, user, next_path="/incidents/"):
    sign_in_with_password(client, user)
    client.get("/accounts/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post("/accounts/two-factor/set-up/", {"code": current_code(device), "next": next_path})


def test_confirming_the_app_redirects_to_the_codes_and_a_refresh_never_errs(client, dsl_user):
    response = enrol(client, dsl_user)
    assert response.status_code == 302
    assert response.url == "/accounts/two-factor/recovery-codes/?shown=1"
    shown = client.get(response.url)
    assert shown.status_code == 200 and len(shown.context["codes"]) == 10
    assert shown.context["just_enrolled"] and 'href="/incidents/"' in shown.content.decode()
    tokens = set(StaticToken.objects.values_list("token", flat=True))
    assert {code.replace("-", "") for code in shown.context["codes"]} == tokens

    refreshed = client.get(response.url)
    assert refreshed.status_code == 200 and "codes" not in refreshed.context
    html = refreshed.content.decode()
    assert "were shown once" in html and 'href="/accounts/two-factor/recovery-codes/"' in html
    assert set(StaticToken.objects.values_list("token", flat=True)) == tokens  # nothing changed
    assert not refreshed.context.get("form")
    assert "Set up a new phone" not in html


def test_new_recovery_codes_redirect_too(client, staff_user):
    device = authenticator_for(staff_user)
    signed_in_fully(client, staff_user, device)
    response = client.post("/accounts/two-factor/recovery-codes/", {"proof": current_code(device, 1)})
    assert response.status_code == 302 and response.url.endswith("?shown=1")
    assert len(client.get(response.url).context["codes"]) == 10
    assert "were shown once" in client.get(response.url).content.decode()
    assert "Make new recovery codes?" in client.get("/accounts/two-factor/recovery-codes/").content.decode()


def test_the_codes_page_has_a_print_button_shown_by_a_script_and_a_print_stylesheet(client, dsl_user):
    html = client.get(enrol(client, dsl_user).url).content.decode()
    button = re.search(r"<button[^>]*data-signin-print[^>]*>", html).group(0)
    assert "hidden" in button and 'type="button"' in button and "onclick" not in button
    assert '<script src="/static/signin/print.js"></script>' in html
    assert re.search(r'class="signin-print-area"[^>]*>.*data-testid="recovery-codes"', html, re.S)
    script = (STATIC / "signin" / "print.js").read_text()
    assert "window.print()" in script and "hidden = false" in script
    css = (STATIC / "portal" / "portal.css").read_text()
    assert "@media print" in css and "body:has(.signin-print-area) * { visibility: hidden; }" in css


# --- 5. After a password change; before the last attempt ---------------------------------------

def test_the_password_changed_page_says_other_browsers_were_signed_out(client, staff_user):
    sign_in_with_password(client, staff_user)
    response = client.post("/accounts/password/change/", {
        "old_password": DEFAULT_PASSWORD, "new_password1": "a-much-longer-secret-2026",
        "new_password2": "a-much-longer-secret-2026"}, follow=True)
    assert "Any other browser or device signed in as you has been signed out." in response.content.decode()


def wrong_password(client, username, address="127.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": "wrong-password"},
                       REMOTE_ADDR=address)


@pytest.mark.parametrize("username", ["teacher@school.example", "Nobody@School.example"])
def test_the_fourth_wrong_password_warns_before_the_pause_for_accounts_and_unknown_addresses_alike(
        client, staff_user, username):
    for attempt in range(1, 4):
        response = wrong_password(client, username, address=f"10.0.0.{attempt}")
        assert LAST_ATTEMPT not in response.content.decode(), attempt
    fourth = wrong_password(client, username, address="10.0.0.4")
    assert fourth.status_code == 200
    assert LAST_ATTEMPT in " ".join(fourth.context["form"].non_field_errors())
    assert wrong_password(client, username, address="10.0.0.5").status_code == 429


def test_the_warning_uses_the_settings(client, staff_user, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    for _attempt in range(3):
        wrong_password(client, staff_user.email)
    html = wrong_password(client, staff_user.email).content.decode()
    assert "One more wrong attempt will pause signing in for 30 minutes." in html


def test_the_fourth_wrong_code_warns_too(client, dsl_user):
    authenticator_for(dsl_user)
    sign_in_with_password(client, dsl_user)
    for _attempt in range(3):
        assert LAST_ATTEMPT not in client.post("/accounts/two-factor/code/", {"code": "000000"}).content.decode()
    fourth = client.post("/accounts/two-factor/code/", {"code": "000000"})
    assert LAST_ATTEMPT in code_errors(fourth)


# --- 6. Turning two-factor off needs fresh proof -----------------------------------------------

def test_turning_two_factor_off_needs_a_code_from_the_app_or_a_recovery_code(client, staff_user):
    device = authenticator_for(staff_user)
    codes = recovery_codes(staff_user)
    signed_in_fully(client, staff_user, device)
    page = client.get("/accounts/two-factor/turn-off/")
    assert "proof" in page.context["form"].fields
    for proof in ({}, {"proof": ""}, {"proof": "000000"}, {"proof": current_code(device)}):
        response = client.post("/accounts/two-factor/turn-off/", proof)
        assert response.status_code == 200 and response.context["form"].errors["proof"], proof
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert AuditEvent.objects.filter(action="auth.two_factor_failed").count() == 2  # the codes typed
    assert failures(staff_user) == 2
    assert not AuditEvent.objects.filter(action="auth.two_factor_turned_off").exists()

    response = client.post("/accounts/two-factor/turn-off/", {"proof": codes[0]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert AuditEvent.objects.filter(action="auth.two_factor_turned_off").exists()
