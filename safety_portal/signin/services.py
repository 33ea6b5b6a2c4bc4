"""Two-factor sign-in: the devices, the codes, and the session's record of a completed sign-in.

A sign-in is complete when the password was right and, for anyone with an authenticator app
(and everyone whose role requires one), a code was entered. The session says so with one flag,
SECOND_FACTOR_KEY; SecondFactorMiddleware keeps everyone without it on the code page.
"""

from base64 import b32encode
from importlib import import_module
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import SESSION_KEY as SESSION_USER_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safety_portal.audit.services import audit_record
from safety_portal.signin import rules

SECOND_FACTOR_KEY = "signin_second_factor"
LAST_ACTIVITY_KEY = "signin_last_activity"
IDLE_SIGNED_OUT_KEY = "signin_idle_signed_out"
ENROL_DEVICE_KEY = "signin_enrol_device"  # the pk of the authenticator this session is setting up

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


# What was wrong with a refused code (see refused_code_reason).
CODE_JUST_USED = "just_used"  # the app's code for a time step already used: a double submit, or another device
CODE_RECOVERY_FORMAT = "recovery"  # shaped like a recovery code: wrong, or used (used ones are not kept)


def refused_code_reason(user, code):
    """After second_factor_check refused `code`: CODE_JUST_USED if it is the app's right code for a
    time step already used (within the usual tolerance), CODE_RECOVERY_FORMAT if it is shaped like a
    recovery code, else None (simply not right). Says nothing a person holding the code does not know.
    """
    code = normalise_code(code)
    if len(code) == 8 and code.isalnum():
        return CODE_RECOVERY_FORMAT
    if not (code.isdigit() and len(code) == 6):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    now_t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    for t in range(now_t - device.tolerance, now_t + device.tolerance + 1):
        if t <= device.last_t and hotp(device.bin_key, t, digits=device.digits) == int(code):
            return CODE_JUST_USED
    return None


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(request):
    """The authenticator this session is setting up: the same one on each visit of this session,
    so a scanned code stays valid, and a new one for any other session.

    Each session gets its own key, and starting one throws away the other sessions' unconfirmed
    keys: otherwise someone with only the password could open this page, note the key, and have a
    working second factor once the real owner confirmed the same key later.
    """
    user = request.user
    device = TOTPDevice.objects.filter(pk=request.session.get(ENROL_DEVICE_KEY) or 0, user=user,
                                       confirmed=False).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        request.session[ENROL_DEVICE_KEY] = device.pk
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


class EnrolmentRefused(Exception):
    """Setting up an authenticator did not happen; `reason` says why (one of the REFUSED_* below)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


REFUSED_FINISHED = "finished"  # this session's setup was confirmed already, or has gone
REFUSED_WRONG_CODE = "wrong_code"  # the code from the new app is not right
REFUSED_WRONG_PROOF = "wrong_proof"  # replacing: the code from the current app (or recovery code) is not right


@transaction.atomic
def two_factor_enrol(*, user, session, code, request, proof=None):
    """Confirm this session's authenticator with a code from the app; returns the new recovery codes.

    Replacing an authenticator also needs `proof`: a code from the current app or a recovery code.
    Raises EnrolmentRefused, which undoes everything here (a recovery code given as proof is not
    used up when the new app's code is wrong).
    """
    # filter().first(), not get(): a second "Confirm" of a double click waits here for the first,
    # then finds the device confirmed, and is refused rather than failing.
    device = TOTPDevice.objects.select_for_update().filter(
        pk=session.get(ENROL_DEVICE_KEY) or 0, user=user, confirmed=False).first()
    if device is None:
        raise EnrolmentRefused(REFUSED_FINISHED)
    replacing = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if replacing and not second_factor_check(user, proof):
        raise EnrolmentRefused(REFUSED_WRONG_PROOF)
    if not device.verify_token(normalise_code(code)):
        raise EnrolmentRefused(REFUSED_WRONG_CODE)
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    session.pop(ENROL_DEVICE_KEY, None)
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


def sessions_end_for(person, keep=None):
    """Sign `person` out everywhere but the session `keep` (a key): delete each of their sessions.
    Returns how many ended. Every unexpired session is read: a school has a few hundred at most.
    """
    engine = import_module(settings.SESSION_ENGINE)
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep or "").iterator():
        if str(session.get_decoded().get(SESSION_USER_KEY)) == str(person.pk):
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


def two_factor_turn_off(*, user, request):
    if two_factor_required(user):
        raise PermissionError("two-factor sign-in is required for this role")
    two_factor_remove(person=user, actor=user, request=request, action="auth.two_factor_turned_off")


@transaction.atomic
def two_factor_reset_by_admin(*, person, actor, request):
    """Also signs the person out everywhere: a session that passed the old second factor (perhaps on
    the lost phone's owner's stolen laptop) must not outlive the reset. An administrator resetting
    their own keeps the session they did it from."""
    two_factor_remove(person=person, actor=actor, request=request, action="auth.two_factor_reset_by_admin")
    sessions_end_for(person, keep=request.session.session_key if person.pk == actor.pk else None)
