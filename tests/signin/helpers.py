from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safety_portal.signin import services
from tests.factories import DEFAULT_PASSWORD


def authenticator_for(user):
    """A confirmed authenticator app for `user`, as if they had set it up."""
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def current_code(device, steps_ahead=0):
    """What the app shows now (or `steps_ahead` 30-second steps later: a code is accepted once)."""
    return f"{totp(device.bin_key, drift=steps_ahead):06d}"


def sign_in_with_password(client, user, password=DEFAULT_PASSWORD, next_path=None, **extra):
    url = "/accounts/login/" + (f"?next={next_path}" if next_path else "")
    return client.post(url, {"username": user.email, "password": password}, **extra)


def recovery_codes(user):
    return services.recovery_codes_replace(user)
