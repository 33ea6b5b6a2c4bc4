"""Tampering with the audit trail in the database, as someone with database access would (raw SQL,
past the app's append-only guards): `manage.py verify_audit` exits 1 and says where."""

import pytest
from django.core.management import execute_from_command_line
from django.db import connection

from safety_portal.audit.models import AuditEvent
from safety_portal.audit.services import audit_record

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table
CONTENT = ["created_at", "actor_id", "actor_label", "action", "object_type", "object_id", "ip_address", "detail",
           "prev_hash", "hash"]


@pytest.fixture
def trail(staff_user):
    for n in range(1, 6):
        audit_record(action=f"test.event_{n}", actor=staff_user, obj=staff_user, detail={"n": n})
    return {event.sequence: event.pk for event in AuditEvent.objects.all()}


def _sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify(capsys):
    """Run the command as CI does (manage.py verify_audit): its exit status and what it printed."""
    try:
        execute_from_command_line(["manage.py", "verify_audit"])
    except SystemExit as exit_:
        status = exit_.code
    else:
        status = 0
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_intact_trail_passes(trail, capsys):
    status, output = _verify(capsys)
    assert status == 0 and "Audit trail intact: 5 events verified." in output


def test_an_edited_row_is_detected(trail, capsys):
    _sql(f"UPDATE {TABLE} SET object_id = %s WHERE id = %s", ["999", trail[3]])
    status, output = _verify(capsys)
    assert status == 1
    assert "Audit trail broken at event #3" in output and "edited" in output


def test_an_edited_and_rehashed_row_is_detected_at_the_next(trail, capsys):
    event = AuditEvent.objects.get(pk=trail[3])
    event.actor_label = "someone.else@school.example"
    _sql(f"UPDATE {TABLE} SET actor_label = %s, hash = %s WHERE id = %s",
         [event.actor_label, event.compute_hash(), trail[3]])
    status, output = _verify(capsys)
    assert status == 1 and "Audit trail broken at event #4" in output


def test_a_deleted_row_is_detected(trail, capsys):
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [trail[2]])
    status, output = _verify(capsys)
    assert status == 1 and "Audit trail broken at event #2: event #2 is missing" in output


def test_deleting_the_newest_rows_is_detected(trail, capsys):
    _sql(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [trail[4], trail[5]])
    status, output = _verify(capsys)
    assert status == 1 and "later events were removed" in output


def test_swapping_two_rows_sequence_numbers_is_detected(trail, capsys):
    # sequence is unique, so the swap goes through a spare number, as an attacker's would.
    _sql(f"UPDATE {TABLE} SET sequence = 1000 WHERE id = %s", [trail[2]])
    _sql(f"UPDATE {TABLE} SET sequence = 2 WHERE id = %s", [trail[3]])
    _sql(f"UPDATE {TABLE} SET sequence = 3 WHERE id = %s", [trail[2]])
    status, output = _verify(capsys)
    assert status == 1 and "Audit trail broken at event #2" in output


def test_swapping_two_rows_contents_is_detected(trail, capsys):
    columns = ", ".join(f"{column} = other.{column}" for column in CONTENT)
    _sql(f"CREATE TEMPORARY TABLE swapped AS SELECT * FROM {TABLE} WHERE id IN (%s, %s)", [trail[3], trail[4]])
    _sql(f"UPDATE {TABLE} SET {columns} FROM swapped AS other "
         f"WHERE {TABLE}.id IN (%s, %s) AND other.id != {TABLE}.id", [trail[3], trail[4]])
    _sql("DROP TABLE swapped")
    assert list(AuditEvent.objects.filter(sequence__in=[3, 4]).order_by("sequence")
                .values_list("action", flat=True)) == ["test.event_4", "test.event_3"]
    status, output = _verify(capsys)
    assert status == 1 and "Audit trail broken at event #3" in output
