from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safety_portal.school.demo import DEMO_PASSWORD, DEMO_USERS, demo_load
from safety_portal.signin.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Load the demo school (safe to run again: nothing that exists is changed)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo logins and their password are published: never on a real school's server.
            raise CommandError("The demo school loads only with DEBUG=true (it creates accounts with a "
                               "published password). Nothing was loaded.")
        created = demo_load()
        self.stdout.write(f"Demo data ready ({created} new records).")
        self.stdout.write("")
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with any of these demo logins:")
        self.stdout.write(f"  {'Role':<34} {'Email':<28} Password")
        for email, _first, _last, _title, role_names in DEMO_USERS:
            self.stdout.write(f"  {', '.join(role_names):<34} {email:<28} {DEMO_PASSWORD}")
        self.stdout.write("")
        self.stdout.write("Administrator, DSL and Headteacher logins also ask for a two-factor code. Either add")
        self.stdout.write(f"the demo key {DEMO_TOTP_SECRET} to an authenticator app, or print the current code with:")
        self.stdout.write("  DEBUG=true .venv/bin/python manage.py demo_two_factor_code dsl@demo.school")
        self.stdout.write("")
