"""Two-factor sign-in: the devices, the codes, and the session's record of a completed sign-in.

A sign-in is complete when the password was right and, for anyone with an authenticator app
(and everyone whose role requires one), a code was entered. The session says so with one flag,
SECOND_FACTOR_KEY; SecondFactorMiddleware keeps everyone without it on the code page.
"""

from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safety_portal.audit.services import audit_record
from safety_portal.signin import rules

SECOND_FACTOR_KEY = "signin_second_factor"
LAST_ACTIVITY_KEY = "signin_last_activity"
IDLE_SIGNED_OUT_KEY = "signin_idle_signed_out"

VERIFY = "verify"
ENROL = "enrol"


def two_factor_required(user):
    return user.has_role(*rules.TWO_FACTOR_REQUIRED)


def has_two_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def now_seconds():
    return int(timezone.now().timestamp())


def session_sign_in_complete(session):
    """Mark this session as fully signed in (password and any second factor), active now."""
    session[SECOND_FACTOR_KEY] = True
    session[LAST_ACTIVITY_KEY] = now_seconds()


def second_factor_step(request):
    """VERIFY or ENROL while this signed-in person still owes a second factor, else None."""
    user = request.user
    if not user.is_authenticated or request.session.get(SECOND_FACTOR_KEY):
        return None
    if has_two_factor(user):
        return VERIFY
    if two_factor_required(user):
        return ENROL
    return None


def normalise_code(code):
    return "".join(str(code or "").split()).replace("-", "").lower()


def second_factor_check(user, code):
    """"totp" or "recovery" if `code` is right for `user` (a recovery code is used up), else None."""
    code = normalise_code(code)
    if code.isdigit() and len(code) == 6:
        # Locked, so two requests with the same code cannot both pass the replay check.
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(code):
            return "totp"
    elif len(code) == 8 and code.isalnum():
        # One DELETE: of two requests racing with the same code, only one deletes it.
        used, _ = StaticToken.objects.filter(device__user=user, device__confirmed=True, token=code).delete()
        if used:
            return "recovery"
    return None


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user):
    """The authenticator being set up: the same one on each visit, so a scanned code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_for_typing(device):
    """The key as an authenticator app expects it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device):
    """An inline SVG of the setup QR code, made here: the secret never leaves the server."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]  # without the XML declaration, to sit inside the page


@transaction.atomic
def two_factor_enrol(*, user, device, code, request):
    """Confirm `device` with a code from the app. Returns the new recovery codes, or None."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(normalise_code(code)):
        return None
    replacing = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_replace(user)
    audit_record(action="auth.two_factor_enrolled", obj=user, request=request,
                 detail={"replaced": True} if replacing else {})
    return codes


@transaction.atomic
def recovery_codes_replace(user, request=None):
    """Ten new single-use recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = []
    while len(codes) < rules.RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    if request is not None:
        audit_record(action="auth.two_factor_recovery_codes_replaced", obj=user, request=request)
    return codes


def recovery_code_display(code):
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def two_factor_remove(*, person, actor, request, action):
    """Remove someone's authenticator and recovery codes; they set it up again if they must."""
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    audit_record(action=action, actor=actor, obj=person, request=request)


def two_factor_turn_off(*, user, request):
    if two_factor_required(user):
        raise PermissionError("two-factor sign-in is required for this role")
    two_factor_remove(person=user, actor=user, request=request, action="auth.two_factor_turned_off")


def two_factor_reset_by_admin(*, person, actor, request):
    two_factor_remove(person=person, actor=actor, request=request, action="auth.two_factor_reset_by_admin")
