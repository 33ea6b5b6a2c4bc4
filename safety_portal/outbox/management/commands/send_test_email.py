from django.core.management.base import BaseCommand
from django.db import transaction

from safety_portal.outbox.services import email_queue
from safety_portal.outbox.tasks import outbox_send


class Command(BaseCommand):
    help = "Queue a test email through the outbox, to check the mail settings."

    def add_arguments(self, parser):
        parser.add_argument("recipient")

    def handle(self, *args, recipient, **options):
        with transaction.atomic():
            email = email_queue(to=recipient, template="test_message", context={"reference": "TEST"})
        # Try it here and now, so a mail-server problem shows at once (sending is locked and
        # idempotent, so the worker that also received the task will find it done).
        outbox_send(email.pk)
        email.refresh_from_db()
        state = "sent" if email.is_sent else f"queued (last error: {email.last_error or 'none'})"
        self.stdout.write(f"Outbox email {email.pk} to {recipient}: {state}.")
