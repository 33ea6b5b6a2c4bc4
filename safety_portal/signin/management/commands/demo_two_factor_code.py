import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safety_portal.school.models import User
from safety_portal.signin.demo import is_demo_device


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (DEBUG only, demo secret only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are shown only with DEBUG=true. Nothing was shown.")
        user = User.objects.by_email(email).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is None or not is_demo_device(device):
            # A real person's authenticator is never readable from here.
            raise CommandError(f"{email} has no demo authenticator: this command shows demo accounts' codes only.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        seconds_left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}")
        self.stderr.write(f"(valid for about {seconds_left} more seconds)")
