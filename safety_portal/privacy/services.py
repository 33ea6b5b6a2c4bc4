"""Data-protection writes: the retention periods, and disposing of records past their period."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Signature
from consent.models import ConsentDecision
from incidents.models import Attachment, Incident
from safety_portal.audit.services import audit_record, audit_record_many
from safety_portal.privacy import retention
from safety_portal.privacy.models import Disposal, RecordKind, RetentionSettings

MODEL_FOR = {
    RecordKind.CHILD_PROTECTION_INCIDENT: Incident,
    RecordKind.OTHER_INCIDENT: Incident,
    RecordKind.SIGNATURE: Signature,
    RecordKind.CONSENT_DECISION: ConsentDecision,
}


def retention_settings_save(*, form, user, request=None):
    before = RetentionSettings.load().periods()
    saved = form.save(commit=False)
    saved.pk = 1
    saved.updated_at = timezone.now()
    saved.updated_by = user
    saved.save()
    after = saved.periods()
    changed = {name: {"before": before[name], "after": after[name]} for name in after if before[name] != after[name]}
    if changed:
        audit_record(action="privacy.retention.changed", obj=saved, request=request, actor=user,
                     detail={"periods": changed})
    return saved


def parse_choices(values):
    """["incident_cp:12", ...] -> {kind: {12, ...}}; anything malformed is ignored."""
    chosen = {}
    for value in values:
        kind, _sep, pk = str(value).partition(":")
        if kind in RecordKind.values and pk.isdigit() and len(pk) < 19:
            chosen.setdefault(kind, set()).add(int(pk))
    return chosen


def due_records(chosen, *, user, periods, today=None):
    """The chosen records that are due now, described; records not due (or not visible) are left out."""
    found = []
    for kind in RecordKind:
        ids = chosen.get(kind)
        if ids:
            for record in retention.due_queryset(kind, periods, user, today).filter(pk__in=ids):
                found.append(retention.describe(kind, record, periods))
    return found


@contextmanager
def _disposal_allowed():
    """Lets this transaction delete evidence rows the database otherwise refuses to delete.

    The PostgreSQL triggers on signatures and consent decisions allow a delete only while
    safety_portal.disposal is 'on' (SET LOCAL: this transaction only, and switched off again at once).
    SQLite's triggers refuse updates only, so there is nothing to switch there.
    """
    postgres = connection.vendor == "postgresql"
    # A savepoint of its own: if a delete fails, rolling it back also undoes the SET LOCAL, where a
    # second statement on the failed transaction would only hide the real error.
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL safety_portal.disposal = 'on'")
        yield
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL safety_portal.disposal = 'off'")


def _delete_incidents(ids):
    files = [name for name in Attachment.objects.filter(incident__in=ids).values_list("file", flat=True) if name]
    # Every record hanging off an incident (chronology, referrals, status history, and whatever is
    # added later) goes with it. Corrections point at the entries they correct, so newest first.
    for relation in Incident._meta.related_objects:
        if relation.one_to_many:
            rows = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
            for pk in rows.order_by("-pk").values_list("pk", flat=True):
                relation.related_model._base_manager.filter(pk=pk).delete()
    Incident.objects.filter(pk__in=ids).delete()
    return files


def dispose_records(*, chosen, reason, user, request=None, today=None):
    """Destroy the chosen records, all or none, after checking again (under lock) that each is due.

    Writes one disposal-log row and one audit event per record: kind, reference, rule and reason,
    never the content. Files (attachments, paper scans) are removed once the transaction commits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for disposing of these records."))
    if not chosen:
        raise ValidationError(_("Choose at least one record."))
    now = timezone.now()
    with transaction.atomic():
        # Lock the rows first, so nobody reopens a case or changes a leaving date in between.
        for kind, ids in chosen.items():
            list(MODEL_FOR[kind].objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        periods = RetentionSettings.load().periods()
        records = due_records(chosen, user=user, periods=periods, today=today)
        wanted = sum(len(ids) for ids in chosen.values())
        if len(records) != wanted:
            raise ValidationError(_("Some of the chosen records are no longer due for disposal (or no longer "
                                    "exist). Nothing was disposed of: go back to the report and choose again."))
        disposals = Disposal.objects.bulk_create([
            Disposal(kind=record.kind, record_id=record.pk, reference=record.reference,
                     rule=retention.rule_text(record.kind, periods), reason=reason, disposed_by=user,
                     disposed_at=now)
            for record in records])
        ids_of = {kind: [r.pk for r in records if r.kind == kind] for kind in RecordKind}
        files = []
        with _disposal_allowed():
            incident_ids = ids_of[RecordKind.CHILD_PROTECTION_INCIDENT] + ids_of[RecordKind.OTHER_INCIDENT]
            if incident_ids:
                files += _delete_incidents(incident_ids)
            if ids_of[RecordKind.SIGNATURE]:
                signatures = Signature.objects.filter(pk__in=ids_of[RecordKind.SIGNATURE])
                files += [name for name in signatures.values_list("paper_scan", flat=True) if name]
                signatures.delete()
            if ids_of[RecordKind.CONSENT_DECISION]:
                ConsentDecision.objects.filter(pk__in=ids_of[RecordKind.CONSENT_DECISION]).delete()
        audit_record_many(actor=user, request=request, events=[
            {"action": "privacy.record.disposed", "obj": disposal,
             "detail": {"kind": disposal.kind, "record_id": disposal.record_id, "reference": disposal.reference,
                        "rule": disposal.rule, "reason": reason}}
            for disposal in disposals])
        transaction.on_commit(lambda: _delete_files(files))
    return disposals


def _delete_files(names):
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
