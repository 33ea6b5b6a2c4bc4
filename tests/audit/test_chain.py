import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safety_portal.audit.models import AppendOnlyError, AuditEvent
from safety_portal.audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


def _record_three(user):
    for action in ("test.one", "test.two", "test.three"):
        audit_record(action=action, actor=user, obj=user, detail={"n": action})


def _raw_sql(sql, params):
    # Tampering as someone with database access would, bypassing the app's guards.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_events_form_an_unbroken_chain(staff_user):
    _record_three(staff_user)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    report = audit_verify_chain()
    assert report.ok and report.checked == 3


def test_edited_row_is_detected_at_that_event(staff_user):
    _record_three(staff_user)
    second = AuditEvent.objects.get(sequence=2)
    _raw_sql(f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s", ["test.forged", second.pk])
    report = audit_verify_chain()
    assert not report.ok
    assert report.broken_at == 2
    assert "edited" in report.reason


def test_deleted_row_is_detected(staff_user):
    _record_three(staff_user)
    second = AuditEvent.objects.get(sequence=2)
    _raw_sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [second.pk])
    report = audit_verify_chain()
    assert not report.ok and report.broken_at == 2
    assert "missing" in report.reason


def test_deleted_last_row_is_detected(staff_user):
    _record_three(staff_user)
    last = AuditEvent.objects.get(sequence=3)
    _raw_sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [last.pk])
    report = audit_verify_chain()
    assert not report.ok and report.broken_at == 3


def test_rehashed_row_still_breaks_the_next_link(staff_user):
    _record_three(staff_user)
    second = AuditEvent.objects.get(sequence=2)
    second.action = "test.forged"
    forged_hash = second.compute_hash()
    _raw_sql(f"UPDATE {AuditEvent._meta.db_table} SET action = %s, hash = %s WHERE id = %s",
             ["test.forged", forged_hash, second.pk])
    report = audit_verify_chain()
    assert not report.ok and report.broken_at == 3


def test_verify_audit_command_exits_non_zero_on_tampering(staff_user, capsys):
    _record_three(staff_user)
    call_command("verify_audit")
    assert "3 events verified" in capsys.readouterr().out
    first = AuditEvent.objects.get(sequence=1)
    _raw_sql(f"UPDATE {AuditEvent._meta.db_table} SET detail = %s WHERE id = %s", ['{"n": "x"}', first.pk])
    with pytest.raises(CommandError, match="broken at event #1"):
        call_command("verify_audit")


def test_app_offers_no_way_to_change_or_delete_events(staff_user):
    event = audit_record(action="test.one", actor=staff_user)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.action = "x"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.one"


def test_event_records_actor_object_and_ip(rf, staff_user):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    request.user = staff_user
    event = audit_record(action="test.read", obj=staff_user, request=request, detail={"why": "check"})
    assert event.actor == staff_user
    assert event.actor_label == staff_user.email
    assert (event.object_type, event.object_id) == ("school.user", str(staff_user.pk))
    assert event.ip_address == "203.0.113.9"
    assert event.detail == {"why": "check"}


def test_client_address_is_stored_in_canonical_form_and_still_verifies(rf, staff_user):
    request = rf.get("/", REMOTE_ADDR="2001:DB8:0:0::1")
    request.user = staff_user
    event = audit_record(action="test.ipv6", request=request)
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "2001:db8::1"
    assert audit_verify_chain().ok


def test_browser_cannot_choose_its_recorded_address(rf, staff_user, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="1.2.3.4", HTTP_X_FORWARDED_FOR="6.6.6.6")
    request.user = staff_user
    assert audit_record(action="test.ip", request=request).ip_address == "10.0.0.5"
    # Behind our proxy, only the entry it appended counts.
    settings.TRUST_X_FORWARDED_FOR = True
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    request.user = staff_user
    assert audit_record(action="test.ip", request=request).ip_address == "198.51.100.7"
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    request.user = staff_user
    assert audit_record(action="test.ip", request=request).ip_address is None


def test_an_actor_account_cannot_be_deleted_from_under_the_trail(staff_user):
    from django.db.models import ProtectedError

    audit_record(action="test.one", actor=staff_user)
    with pytest.raises(ProtectedError):
        staff_user.delete()
    assert audit_verify_chain().ok


def test_events_written_during_a_check_are_not_reported_as_tampering(staff_user, monkeypatch):
    from safety_portal.audit.models import AuditEventQuerySet

    _record_three(staff_user)
    original_iterator = AuditEventQuerySet.iterator

    def iterate_then_write(self, *args, **kwargs):
        yield from original_iterator(self, *args, **kwargs)
        # Another request commits an event after the walk has read the events.
        audit_record(action="test.concurrent", actor=staff_user)

    monkeypatch.setattr(AuditEventQuerySet, "iterator", iterate_then_write)
    report = audit_verify_chain()
    assert report.ok and report.checked == 3
    monkeypatch.undo()
    assert audit_verify_chain().checked == 4
