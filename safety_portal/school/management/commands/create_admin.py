import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from safety_portal.school.services import first_admin_create


class Command(BaseCommand):
    help = "Create an administrator account (use once, for the first person to sign in)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--no-password", action="store_true",
                            help="Create the account without a password; set one with "
                                 "'Forgotten your password?' on the sign-in page.")

    def handle(self, *args, email, first_name, last_name, no_password, **options):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"--email: {email!r} is not an email address.") from exc
        password = None
        if not no_password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords do not match. Nothing was created.")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        try:
            user = first_admin_create(email=email, first_name=first_name, last_name=last_name,
                                      password=password)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.email} created. Sign in and open "
                                             "School profile to set up the school."))
