"""`manage.py import_mis`: same checks as the upload page, and a non-zero exit when anything is wrong."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import MisImport, Pupil, PupilGuardian, User

DATA = Path(__file__).parent / "data"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_mis", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_a_good_file_and_prints_counts_and_time(db, admin_user):
    out, _ = run("--kind", "pupils", "--by", admin_user.email, str(DATA / "pupils_sims.csv"))

    assert Pupil.objects.count() == 5
    assert "Imported: 5 new, 0 updated, 0 unchanged, 0 marked as left." in out
    assert "seconds" in out
    mis_import = MisImport.objects.get()
    assert mis_import.status == MisImport.Status.COMMITTED
    assert AuditEvent.objects.get(action="school.mis_import.committed").actor == admin_user


def test_command_dry_run_prints_the_preview_and_writes_nothing(db):
    out, _ = run("--kind", "pupils", "--dry-run", str(DATA / "pupils_sims.csv"))

    assert "Would be: 5 new, 0 updated, 0 unchanged, 0 marked as left." in out
    assert "Dry run: nothing was imported." in out
    assert Pupil.objects.count() == 0
    assert MisImport.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_command_with_a_bad_row_exits_non_zero_lists_the_error_and_writes_nothing(db, tmp_path):
    bad = tmp_path / "pupils.csv"
    bad.write_text("UPN,Surname,Forename,Year\nA1,Smith,Ann,Y4\nA2,Jones,Bob,Year 31\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_mis", "--kind", "pupils", str(bad), stdout=StringIO(), stderr=err)

    assert "Row 3, column Year: “Year 31” is not a year group" in err.getvalue()
    assert Pupil.objects.count() == 0
    assert MisImport.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_command_exit_code_is_non_zero_from_the_shell(db, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "staff.csv"
    bad.write_text("Forename,Surname\nJane,Smith\n", encoding="utf-8")
    # The command closes database connections on the way out, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_mis", "--kind", "staff", str(bad)])

    assert exit_info.value.code == 1
    assert "There is no column for Work email" in capsys.readouterr().err
    assert User.objects.count() == 0


def test_command_full_roll_marks_leavers(db, admin_user):
    run("--kind", "pupils", str(DATA / "pupils_sims.csv"))

    out, _ = run("--kind", "pupils", "--full-roll", "--confirm-large-changes", str(DATA / "pupils_utf8_bom.csv"))

    assert "3 new, 0 updated, 0 unchanged, 5 marked as left" in out
    assert Pupil.objects.on_roll().count() == 3
    assert Pupil.objects.count() == 8


def test_command_staff_import_gives_the_staff_role(db):
    run("--kind", "staff", str(DATA / "staff.csv"))

    assert User.objects.get(email="t.khan@school.example").role_names == {roles.STAFF}


def test_command_refuses_full_roll_for_other_kinds(db):
    with pytest.raises(CommandError, match="--full-roll only applies"):
        run("--kind", "guardians", "--full-roll", str(DATA / "guardians_sims.csv"))


def test_command_reports_a_missing_file(db):
    with pytest.raises(CommandError, match="Cannot read"):
        run("--kind", "pupils", "/nonexistent/pupils.csv")


def test_command_keeps_no_copy_of_the_file(db):
    run("--kind", "pupils", str(DATA / "pupils_sims.csv"))

    assert MisImport.objects.get().content == ""


def test_command_full_contacts_removes_links_the_file_no_longer_lists(db, tmp_path):
    run("--kind", "pupils", str(DATA / "pupils_sims.csv"))
    run("--kind", "guardians", str(DATA / "guardians_sims.csv"))
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("\n".join(line for line in (DATA / "guardians_sims.csv").read_text().splitlines()
                                  if ",C1002," not in line), encoding="utf-8")

    out, _ = run("--kind", "guardians", "--full-contacts", str(contacts))

    assert "1 link between a pupil and a parent or carer would be removed" in out
    assert "1 removed" in out
    assert PupilGuardian.objects.count() == 6
    assert MisImport.objects.order_by("-pk").first().full_contacts is True
    assert AuditEvent.objects.filter(action="school.guardian_link.removed").count() == 1


def test_command_refuses_full_contacts_for_other_kinds(db):
    with pytest.raises(CommandError, match="--full-contacts only applies"):
        run("--kind", "pupils", "--full-contacts", str(DATA / "pupils_sims.csv"))


def test_command_full_roll_marking_more_than_a_quarter_as_left_needs_confirm_large_changes(db):
    run("--kind", "pupils", str(DATA / "pupils_sims.csv"))
    events_before = AuditEvent.objects.count()

    with pytest.raises(CommandError, match="--confirm-large-changes"):
        run("--kind", "pupils", "--full-roll", str(DATA / "pupils_utf8_bom.csv"))

    assert Pupil.objects.count() == 5
    assert Pupil.objects.on_roll().count() == 5
    assert MisImport.objects.count() == 1
    assert AuditEvent.objects.count() == events_before


def test_command_dry_run_says_a_large_change_would_need_confirm_large_changes(db):
    run("--kind", "pupils", str(DATA / "pupils_sims.csv"))

    out, _ = run("--kind", "pupils", "--full-roll", "--dry-run", str(DATA / "pupils_utf8_bom.csv"))

    assert "--confirm-large-changes" in out
    assert "Dry run: nothing was imported." in out
    assert Pupil.objects.on_roll().count() == 5


def test_command_full_contacts_removing_more_than_a_quarter_of_links_needs_confirm_large_changes(db, tmp_path):
    run("--kind", "pupils", str(DATA / "pupils_sims.csv"))
    run("--kind", "guardians", str(DATA / "guardians_sims.csv"))
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("\n".join((DATA / "guardians_sims.csv").read_text().splitlines()[:2]), encoding="utf-8")

    with pytest.raises(CommandError, match="--confirm-large-changes"):
        run("--kind", "guardians", "--full-contacts", str(contacts))
    assert PupilGuardian.objects.count() == 7

    out, _ = run("--kind", "guardians", "--full-contacts", "--confirm-large-changes", str(contacts))
    assert "1 removed" in out
    assert PupilGuardian.objects.count() == 6
