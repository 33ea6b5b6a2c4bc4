"""Import a CSV exported from the school's MIS, as the upload page does, from the command line."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safety_portal.school.mis_import import (
    MisFileError,
    decode_csv_bytes,
    describe_counts,
    mis_import_commit,
    mis_import_upload,
    parse_mis_file,
    plan_import,
)
from safety_portal.school.models import MisImport, User


class Command(BaseCommand):
    help = ("Import pupils, parents and carers, or staff from a CSV file exported by your MIS. "
            "Nothing is written if any row is invalid.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--kind", required=True, choices=MisImport.Kind.values, help="what the file holds")
        parser.add_argument("--full-roll", action="store_true",
                            help="pupils only: the file lists every pupil on roll; mark anyone missing as left today")
        parser.add_argument("--full-contacts", action="store_true",
                            help="guardians only: the file lists every contact of each pupil in it; unlink contacts "
                                 "no longer listed for a pupil (their details are kept)")
        parser.add_argument("--confirm-large-changes", action="store_true",
                            help="go ahead even though a full roll would mark more than a quarter of the roll as "
                                 "left, or a full contacts file would remove more than a quarter of its pupils' "
                                 "links (without it such a file is refused)")
        parser.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")
        parser.add_argument("--by", metavar="EMAIL",
                            help="record this portal user in the audit trail as the person importing")

    def handle(self, *args, file, kind, full_roll, full_contacts, confirm_large_changes, dry_run, by, **options):
        started = time.perf_counter()
        if full_roll and kind != MisImport.Kind.PUPILS:
            raise CommandError("--full-roll only applies to --kind pupils.")
        if full_contacts and kind != MisImport.Kind.GUARDIANS:
            raise CommandError("--full-contacts only applies to --kind guardians.")
        actor = None
        if by:
            actor = User.objects.by_email(by).first()
            if actor is None:
                raise CommandError(f"No portal user has the email address {by}.")
        path = Path(file)
        try:
            content = decode_csv_bytes(path.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except MisFileError as error:
            raise CommandError(str(error)) from error

        plan = plan_import(parse_mis_file(kind, content), full_roll=full_roll, full_contacts=full_contacts)
        self.stdout.write(f"{path.name}: {plan.parsed.rows_read} rows read.")
        self.stdout.write(f"Would be: {describe_counts(kind, plan.counts)}.")
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        if plan.errors:
            for error in plan.errors:
                column = f", column {error.column}" if error.column else ""
                self.stderr.write(f"Row {error.row}{column}: {error.message}")
            problems = "1 problem" if len(plan.errors) == 1 else f"{len(plan.errors)} problems"
            raise CommandError(f"{problems} found. Nothing was imported.")
        if plan.needs_confirmation and not confirm_large_changes:
            message = (f"{plan.large_change}: more than a quarter, the usual sign of the wrong file. "
                       "If it is right, run the command again with --confirm-large-changes.")
            if not dry_run:
                raise CommandError(f"Nothing was imported. {message}")
            self.stdout.write(self.style.WARNING(f"Importing needs --confirm-large-changes. {message}"))
        if dry_run:
            self.stdout.write("Dry run: nothing was imported.")
            return

        with transaction.atomic():
            mis_import = mis_import_upload(kind=kind, content=content, file_name=path.name, full_roll=full_roll,
                                           full_contacts=full_contacts, actor=actor)
            plan = mis_import_commit(mis_import=mis_import, actor=actor, confirm_large_changes=confirm_large_changes)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Imported: {describe_counts(kind, plan.counts)}. Took {elapsed:.2f} seconds (import #{mis_import.pk})."))
