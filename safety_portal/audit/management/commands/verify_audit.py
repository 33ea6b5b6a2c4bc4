from django.core.management.base import BaseCommand, CommandError

from safety_portal.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero at the first broken link."

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit trail broken at event #{report.broken_at}: {report.reason}. "
                f"{report.checked} events before it verified."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} events verified."))
