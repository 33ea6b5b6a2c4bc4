from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from safety_portal.outbox.services import email_queue
from safety_portal.school.models import User


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the outbox like every other email.

    Accounts made by an administrator or an MIS import have no password yet: this
    form is how their owners set one, so unlike Django's default it includes them.
    """

    def get_users(self, email):
        return User.objects.by_email(email).filter(is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        context = {key: value for key, value in context.items() if key != "user"}
        context["reset_path"] = render_to_string("email/password_reset_path.txt", context).strip()
        email_queue(to=to_email, template="password_reset", context=context, wipe_body_after_sending=True)


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Email addresses are matched whatever their capitals; only the password is exact.
        "invalid_login": _("That email address and password do not match an account. Check the password "
                           "(capital letters matter there), or use “Forgotten your password?”."),
    }
