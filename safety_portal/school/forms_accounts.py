from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string

from safety_portal.outbox.services import email_queue


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the outbox like every other email."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        context = {key: value for key, value in context.items() if key != "user"}
        context["reset_path"] = render_to_string("email/password_reset_path.txt", context).strip()
        email_queue(to=to_email, template="password_reset", context=context)
