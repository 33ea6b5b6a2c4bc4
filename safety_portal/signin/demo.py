"""Demo two-factor devices: the privileged demo accounts share one published secret.

A tester adds DEMO_TOTP_SECRET to an authenticator app, or runs
`manage.py demo_two_factor_code <email>` (DEBUG only) to see the current code.
"""

from base64 import b32decode
from binascii import hexlify

from django_otp.plugins.otp_totp.models import TOTPDevice

from safety_portal.school.demo import DEMO_USERS
from safety_portal.school.models import User
from safety_portal.signin import services

# Published in README.md: never on a real school's server (load_demo refuses without DEBUG).
DEMO_TOTP_SECRET = "DEMO DEMO DEMO DEMO SAFE PORT ALDE MO22"
DEMO_TOTP_KEY = hexlify(b32decode(DEMO_TOTP_SECRET.replace(" ", ""))).decode()


def signin_demo_load(today=None):
    created = 0
    emails = [email for email, *_rest in DEMO_USERS]
    for user in User.objects.filter(email__in=emails):
        if services.two_factor_required(user) and not services.has_two_factor(user):
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
            created += 1
    return created


def is_demo_device(device):
    return device.key == DEMO_TOTP_KEY
