"""MIS import: parsing, preview and commit through the service functions."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.urls import reverse

from safety_portal.audit.models import AuditEvent
from safety_portal.audit.services import audit_verify_chain
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from safety_portal.school.mis_import import (
    IMPORTERS,
    MisFileError,
    MisImportRefused,
    decode_csv_bytes,
    mis_import_commit,
    mis_import_discard,
    mis_import_preview,
    mis_import_state,
    mis_import_upload,
    parse_mis_file,
)
from safety_portal.school.models import Guardian, MisImport, Pupil, PupilGuardian, User, YearGroup
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, UserFactory, user_with_role

DATA = Path(__file__).parent / "data"
TODAY = datetime.date(2026, 3, 16)
PUPIL_HEADER = "UPN,Legal Surname,Legal Forename,DOB,Year,Reg Group\n"
GUARDIAN_HEADER = "UPN,Contact ID,Contact Forename,Contact Surname,Relationship,Contact Email,Parental Responsibility\n"
STAFF_HEADER = "Staff Code,Forename,Surname,Email,Job Title,Portal Roles\n"


def fixture_text(name):
    return decode_csv_bytes((DATA / name).read_bytes())


def upload(kind, content, *, full_roll=False, actor=None, file_name="export.csv"):
    return mis_import_upload(kind=kind, content=content, file_name=file_name, full_roll=full_roll, actor=actor)


def commit(kind, content, *, full_roll=False, actor=None, confirm_large_changes=False):
    mis_import = upload(kind, content, full_roll=full_roll, actor=actor)
    return mis_import_commit(mis_import=mis_import, actor=actor, today=TODAY,
                             confirm_large_changes=confirm_large_changes), mis_import


def errors_of(kind, content):
    return [(error.row, error.column, error.message) for error in parse_mis_file(kind, content).errors]


def change_events():
    return AuditEvent.objects.filter(action__startswith="school.").exclude(action__startswith="school.mis_import")


@pytest.fixture
def pupils_imported(admin_user):
    commit("pupils", fixture_text("pupils_sims.csv"), actor=admin_user)


# --- Good files -------------------------------------------------------------------------------

def test_sims_pupils_file_creates_every_pupil_with_its_details(admin_user):
    plan, mis_import = commit("pupils", fixture_text("pupils_sims.csv"), actor=admin_user)

    assert plan.counts == {"new": 5, "updated": 0, "unchanged": 0, "left": 0}
    assert Pupil.objects.count() == 5
    olivia = Pupil.objects.get(mis_id="B223456789012")
    assert (olivia.first_name, olivia.last_name, olivia.preferred_name) == ("Olivia", "Brown", "Liv")
    assert olivia.date_of_birth == datetime.date(2015, 11, 2)
    assert olivia.year_group == YearGroup.Y5
    assert olivia.reg_class == "5B"
    assert olivia.admission_date == datetime.date(2019, 9, 4)
    assert (olivia.send, olivia.eal, olivia.looked_after) == (True, False, False)
    amelia = Pupil.objects.get(mis_id="D423456789012")
    assert amelia.year_group == YearGroup.NURSERY
    assert (amelia.send, amelia.looked_after) == (True, True)
    assert Pupil.objects.get(mis_id="C323456789012").year_group == YearGroup.RECEPTION
    assert Pupil.objects.get(mis_id="A123456789012").eal is True
    mis_import.refresh_from_db()
    assert mis_import.status == MisImport.Status.COMMITTED
    assert mis_import.committed_at is not None
    assert mis_import.summary["new"] == 5


def test_arbor_style_headers_semicolons_and_iso_dates_give_the_same_pupils(admin_user):
    commit("pupils", fixture_text("pupils_sims.csv"), actor=admin_user)

    plan, _ = commit("pupils", fixture_text("pupils_arbor.csv"), actor=admin_user)

    assert plan.counts == {"new": 0, "updated": 0, "unchanged": 5, "left": 0}


def test_guardians_file_creates_contacts_once_and_links_them_to_each_child(admin_user, pupils_imported):
    plan, _ = commit("guardians", fixture_text("guardians_sims.csv"), actor=admin_user)

    assert plan.counts["new"] == 6  # Laura Clarke is on two rows, for two children
    assert plan.counts["links_new"] == 7
    assert Guardian.objects.count() == 6
    laura = Guardian.objects.get(mis_id="C1005")
    assert (laura.title, laura.first_name, laura.last_name) == ("Mrs", "Laura", "Clarke")
    assert laura.email == "laura.clarke@home.example"
    assert set(laura.pupils.values_list("mis_id", flat=True)) == {"C323456789012", "E523456789012"}
    stepfather = PupilGuardian.objects.get(guardian__mis_id="C1004")
    assert stepfather.relationship == "Stepfather"
    assert stepfather.parental_responsibility is False
    assert stepfather.priority == 2
    assert PupilGuardian.objects.get(guardian__mis_id="C1002").parental_responsibility is True
    assert PupilGuardian.objects.get(guardian__mis_id="C1006").parental_responsibility is False


def test_guardians_without_contact_id_are_matched_by_email(admin_user, pupils_imported):
    existing = GuardianFactory(mis_id=None, first_name="Sarah", last_name="Brown", email="sarah.brown@home.example")

    plan, _ = commit("guardians", fixture_text("guardians_by_email.csv"), actor=admin_user)

    assert plan.counts["new"] == 2  # Fatima Ahmed and Laura Clarke; Sarah Brown already exists
    assert Guardian.objects.count() == 3
    assert list(existing.pupils.values_list("mis_id", flat=True)) == ["B223456789012"]
    assert Guardian.objects.get(email="laura.clarke@home.example").pupils.count() == 2


def test_a_guardian_entered_by_hand_gains_the_contact_id_instead_of_being_duplicated(admin_user, pupils_imported):
    by_hand = GuardianFactory(mis_id=None, first_name="Fatima", last_name="Ahmed",
                              email="fatima.ahmed@home.example")

    commit("guardians", fixture_text("guardians_sims.csv"), actor=admin_user)

    by_hand.refresh_from_db()
    assert by_hand.mis_id == "C1001"
    assert Guardian.objects.filter(email="fatima.ahmed@home.example").count() == 1


def test_staff_file_creates_accounts_with_no_password_and_the_staff_role(admin_user):
    plan, _ = commit("staff", fixture_text("staff.csv"), actor=admin_user)

    assert plan.counts["new"] == 4
    jane = User.objects.get(email="j.smith@school.example")
    assert (jane.first_name, jane.last_name, jane.job_title, jane.mis_id) == (
        "Jane", "Smith", "Deputy Headteacher", "JSM")
    assert not jane.has_usable_password()
    assert jane.role_names == {roles.STAFF, roles.ONLINE_SAFETY_LEAD, roles.GOVERNOR}
    assert User.objects.get(mis_id="TKH").role_names == {roles.STAFF}
    assert User.objects.get(mis_id="RPA").role_names == {roles.STAFF, roles.TECHNICAL}


def test_staff_import_adds_roles_but_never_removes_roles_set_by_hand(admin_user):
    tom = user_with_role(roles.GOVERNOR, email="t.khan@school.example", first_name="Tom", last_name="Khan",
                         job_title="Teacher")

    commit("staff", fixture_text("staff.csv"), actor=admin_user)

    tom = User.objects.get(pk=tom.pk)
    assert tom.role_names == {roles.GOVERNOR, roles.STAFF}
    assert tom.mis_id == "TKH"
    assert tom.job_title == "Class Teacher (Year 4)"
    assert tom.has_usable_password()  # an existing password is left alone
    event = AuditEvent.objects.get(action="school.user.updated", object_id=str(tom.pk))
    assert event.detail["fields"] == ["job_title", "mis_id"]
    event = AuditEvent.objects.get(action="school.user.roles_changed", object_id=str(tom.pk))
    assert (event.detail["added"], event.detail["removed"]) == ([roles.STAFF], [])
    assert event.detail["roles"] == [roles.STAFF, roles.GOVERNOR]


def test_staff_are_matched_by_staff_code_before_email(admin_user):
    jane = UserFactory(mis_id="JSM", email="jane.old@school.example", first_name="Jane", last_name="Smith")

    commit("staff", fixture_text("staff.csv"), actor=admin_user)

    jane.refresh_from_db()
    assert jane.email == "j.smith@school.example"
    assert User.objects.filter(first_name="Jane", last_name="Smith").count() == 1


# --- Header variants and encodings ------------------------------------------------------------

@pytest.mark.parametrize("header", [
    "UPN,Legal Surname,Legal Forename,Year",
    "upn,legal_surname,LEGAL FORENAME,year group",
    "Admission Number,Surname,Forename,NC Year",
    "Adno,Last Name,First Name,Year Group",
    "MIS ID,last-name,first.name,Year",
    "Adno.,Surname:,Forename ,  Year  ",
])
def test_pupil_header_variants_are_recognised(header):
    parsed = parse_mis_file("pupils", f"{header}\nA1,Smith,Ann,Y3\n")

    assert parsed.errors == []
    assert parsed.records[0].values == {"mis_id": "A1", "last_name": "Smith", "first_name": "Ann", "year_group": 3}


def test_guardian_contact_columns_win_over_a_pupils_forename_and_surname():
    text = "UPN,Forename,Surname,Contact Forename,Contact Surname,Contact ID\nA1,Ann,Smith,Joe,Bloggs,C9\n"

    values = parse_mis_file("guardians", text).records[0].values

    assert (values["first_name"], values["last_name"]) == ("Joe", "Bloggs")


@pytest.mark.parametrize("value, expected", [
    ("Year 5", 5), ("Y5", 5), ("5", 5), ("Yr 5", 5), ("year 13", 13), ("R", 0), ("Reception", 0), ("YR", 0),
    ("N", -1), ("Nursery", -1), ("N1", -1), ("N2", -1), ("F2", 0),
])
def test_year_group_values_from_each_mis_are_understood(value, expected):
    parsed = parse_mis_file("pupils", PUPIL_HEADER + f"A1,Smith,Ann,,{value},\n")

    assert parsed.errors == []
    assert parsed.records[0].values["year_group"] == expected


@pytest.mark.parametrize("value, expected", [
    ("23/05/2015", datetime.date(2015, 5, 23)), ("3/5/2015", datetime.date(2015, 5, 3)),
    ("2015-05-23", datetime.date(2015, 5, 23)), ("03/05/2015 00:00", datetime.date(2015, 5, 3)),
])
def test_dates_are_read_day_first_or_iso(value, expected):
    parsed = parse_mis_file("pupils", PUPIL_HEADER + f"A1,Smith,Ann,{value},Y3,\n")

    assert parsed.records[0].values["date_of_birth"] == expected


def test_utf8_file_with_byte_order_mark_keeps_accents_and_reads_the_first_header(admin_user):
    content = decode_csv_bytes((DATA / "pupils_utf8_bom.csv").read_bytes())
    assert content.startswith("UPN,")

    commit("pupils", content, actor=admin_user)

    assert Pupil.objects.get(mis_id="F623456789012").last_name == "O\u2019Brien"
    assert Pupil.objects.get(mis_id="G723456789012").last_name == "Ll\u0177r"
    assert Pupil.objects.get(mis_id="H823456789012").first_name == "J\u00fcrgen"


def test_windows_1252_file_from_excel_is_decoded(admin_user):
    content = decode_csv_bytes((DATA / "pupils_cp1252.csv").read_bytes())

    commit("pupils", content, actor=admin_user)

    assert Pupil.objects.get(mis_id="F623456789012").first_name == "Zo\u00eb"
    assert Pupil.objects.get(mis_id="F623456789012").last_name == "O\u2019Brien"
    assert Pupil.objects.get(mis_id="G723456789012").last_name == "Fran\u00e7ois"


def test_utf16_unicode_text_export_with_tabs_is_read():
    data = "UPN\tSurname\tForename\tYear\r\nA1\tSmith\tSi\u00e2n\t4\r\n".encode("utf-16")

    parsed = parse_mis_file("pupils", decode_csv_bytes(data))

    assert parsed.errors == []
    assert parsed.records[0].values["first_name"] == "Si\u00e2n"


def test_an_excel_workbook_is_refused_with_a_way_to_fix_it():
    with pytest.raises(MisFileError, match="Excel workbook"):
        decode_csv_bytes(b"PK\x03\x04\x14\x00\x06\x00rest-of-xlsx")


# --- Bad rows: each is reported with row, column and reason, and nothing is written ----------

def assert_nothing_written(mis_import, admin_user, model=Pupil, before=0):
    events_before = AuditEvent.objects.count()
    with pytest.raises(MisImportRefused) as refused:
        mis_import_commit(mis_import=mis_import, actor=admin_user, today=TODAY)
    assert "Nothing was imported" in refused.value.message
    assert model.objects.count() == before
    assert AuditEvent.objects.count() == events_before
    mis_import.refresh_from_db()
    assert mis_import.status == MisImport.Status.PREVIEW
    return refused.value.plan


def test_missing_required_value_is_a_row_error_and_nothing_is_written(admin_user):
    content = PUPIL_HEADER + "A1,Smith,Ann,01/02/2016,Y4,4H\nA2,,Bob,01/02/2016,Y4,4H\n"

    assert errors_of("pupils", content) == [(3, "Legal Surname", "Legal surname is missing.")]
    assert_nothing_written(upload("pupils", content), admin_user)


def test_bad_date_is_a_row_error_and_nothing_is_written(admin_user):
    content = PUPIL_HEADER + "A1,Smith,Ann,31/02/2016,Y4,4H\nA2,Jones,Bob,01/02/2016,Y4,4H\n"

    assert errors_of("pupils", content) == [(2, "DOB", "“31/02/2016” is not a real date.")]
    assert_nothing_written(upload("pupils", content), admin_user)


def test_us_order_date_is_never_guessed():
    errors = errors_of("pupils", PUPIL_HEADER + "A1,Smith,Ann,05/23/2015,Y4,4H\n")

    assert len(errors) == 1
    assert errors[0][:2] == (2, "DOB")
    assert "month/day/year" in errors[0][2]


def test_two_digit_year_is_refused():
    errors = errors_of("pupils", PUPIL_HEADER + "A1,Smith,Ann,05/03/15,Y4,4H\n")

    assert errors == [(2, "DOB", "“05/03/15” has a two-digit year. Use four digits, for example 23/05/2015.")]


def test_unknown_year_group_is_a_row_error_and_nothing_is_written(admin_user):
    content = PUPIL_HEADER + "A1,Smith,Ann,01/02/2016,Year 14,4H\n"

    errors = errors_of("pupils", content)
    assert [error[:2] for error in errors] == [(2, "Year")]
    assert "“Year 14” is not a year group" in errors[0][2]
    assert_nothing_written(upload("pupils", content), admin_user)


def test_bad_email_is_a_row_error_and_nothing_is_written(admin_user, pupils_imported):
    content = GUARDIAN_HEADER + "A123456789012,C1,Jo,Ahmed,Mother,jo.ahmed@home,Yes\n"

    assert errors_of("guardians", content) == [(2, "Contact Email", "“jo.ahmed@home” is not a valid email address.")]
    assert_nothing_written(upload("guardians", content), admin_user, model=Guardian)


def test_duplicate_pupil_id_is_an_error_on_the_second_row(admin_user):
    content = PUPIL_HEADER + "A1,Smith,Ann,,Y4,\nA2,Jones,Bob,,Y4,\nA1,Smyth,Anne,,Y4,\n"

    assert errors_of("pupils", content) == [
        (4, "UPN", "“A1” is also on row 2. Each pupil must appear only once.")]
    assert_nothing_written(upload("pupils", content), admin_user)


def test_duplicate_staff_code_and_email_are_errors(admin_user):
    content = (STAFF_HEADER + "JS,Jane,Smith,j.smith@school.example,Teacher,\n"
               "JS,Joe,Smith,joe.smith@school.example,Teacher,\n"
               "TK,Tom,Khan,J.Smith@school.example,Teacher,\n")

    errors = errors_of("staff", content)

    assert [error[:2] for error in errors] == [(3, "Staff Code"), (4, "Email")]
    assert_nothing_written(upload("staff", content), admin_user, model=User, before=1)


def test_same_pupil_and_contact_twice_in_guardians_file_is_an_error(admin_user, pupils_imported):
    content = GUARDIAN_HEADER + ("A123456789012,C1,Jo,Ahmed,Mother,jo@home.example,Yes\n"
                                 "A123456789012,C1,Jo,Ahmed,Mother,jo@home.example,Yes\n")

    errors = errors_of("guardians", content)

    assert [error[:2] for error in errors] == [(3, "Contact ID")]
    assert "already linked" in errors[0][2]


def test_a_contact_with_different_details_on_two_rows_is_an_error():
    content = GUARDIAN_HEADER + ("A1,C1,Jo,Ahmed,Mother,jo@home.example,Yes\n"
                                 "A2,C1,Jo,Ahmad,Mother,jo@home.example,Yes\n")

    errors = errors_of("guardians", content)

    assert [error[:2] for error in errors] == [(3, "Contact Surname")]
    assert "also on row 2 with a different contact surname" in errors[0][2]


def test_guardian_for_a_pupil_not_in_the_portal_is_a_row_error_and_nothing_is_written(admin_user, pupils_imported):
    content = GUARDIAN_HEADER + ("A123456789012,C1,Jo,Ahmed,Mother,jo@home.example,Yes\n"
                                 "Z999999999999,C2,Sam,Lee,Father,sam@home.example,Yes\n")
    mis_import = upload("guardians", content)

    plan = assert_nothing_written(mis_import, admin_user, model=Guardian)

    assert [(error.row, error.column) for error in plan.errors] == [(3, "UPN")]
    assert "No pupil with the id “Z999999999999”" in plan.errors[0].message
    assert PupilGuardian.objects.count() == 0


def test_unknown_portal_role_for_staff_is_a_row_error_and_nothing_is_written(admin_user):
    content = STAFF_HEADER + ("JS,Jane,Smith,j.smith@school.example,Teacher,Governor\n"
                              "TK,Tom,Khan,t.khan@school.example,Teacher,Staff; Caretaker\n")

    errors = errors_of("staff", content)

    assert [error[:2] for error in errors] == [(3, "Portal Roles")]
    assert "“Caretaker” is not a portal role" in errors[0][2]
    assert_nothing_written(upload("staff", content), admin_user, model=User, before=1)


def test_staff_row_whose_email_belongs_to_someone_else_is_an_error(admin_user):
    UserFactory(mis_id="JS", email="jane@school.example")
    UserFactory(email="j.smith@school.example")
    content = STAFF_HEADER + "JS,Jane,Smith,j.smith@school.example,Teacher,\n"

    plan = mis_import_preview(mis_import=upload("staff", content))

    assert [(error.row, error.column) for error in plan.errors] == [(2, "Email")]
    assert "already belongs to another account" in plan.errors[0].message


def test_every_bad_row_is_reported_not_just_the_first():
    content = PUPIL_HEADER + ("A1,Smith,Ann,99/99/2016,Y4,\n"
                              "A2,Jones,,01/02/2016,Y4,\n"
                              "A3,Brown,Cat,01/02/2016,Year 20,\n"
                              "A4,Green,Dan,01/02/2016,Y4,\n")

    assert [error[:2] for error in errors_of("pupils", content)] == [
        (2, "DOB"), (3, "Legal Forename"), (4, "Year")]


def test_row_numbers_match_the_spreadsheet_even_after_blank_rows():
    content = PUPIL_HEADER + "A1,Smith,Ann,,Y4,\n,,,,,\n\nA2,Jones,Bob,,Y44,\n"

    assert [error[:2] for error in errors_of("pupils", content)] == [(5, "Year")]


def test_missing_required_columns_are_reported_once_with_the_accepted_names():
    content = "UPN,Forename,Year\n" + "A1,Ann,Y3\n" * 50

    errors = errors_of("pupils", content)

    assert errors == [(1, "", "There is no column for Legal surname. Name the column one of: "
                             "Legal Surname, Surname, Last Name, Family Name.")]


def test_guardian_row_without_a_contact_id_is_an_error_when_the_file_has_that_column():
    content = GUARDIAN_HEADER + "A1,C1,Jo,Ahmed,Mother,jo@home.example,Yes\nA2,,Sam,Lee,Father,sam@home.example,No\n"

    assert errors_of("guardians", content) == [(3, "Contact ID", "Contact ID is missing.")]


def test_guardian_row_without_an_email_is_an_error_when_contacts_are_matched_by_email():
    content = "UPN,Surname,Email\nA1,Ahmed,jo@home.example\nA2,Lee,\n"

    errors = errors_of("guardians", content)

    assert [error[:2] for error in errors] == [(3, "Email")]
    assert errors[0][2].startswith("Email is missing.")


def test_guardians_file_needs_a_contact_id_or_an_email_column():
    errors = errors_of("guardians", "UPN,Contact Surname\nA1,Smith\n")

    assert len(errors) == 1
    assert "Contact ID" in errors[0][2] and "Contact Email" in errors[0][2]


def test_a_file_with_only_a_header_cannot_be_committed(admin_user):
    mis_import = upload("pupils", PUPIL_HEADER, full_roll=True)
    PupilFactory()

    assert_nothing_written(mis_import, admin_user, before=1)


def test_text_longer_than_the_database_holds_is_a_row_error():
    errors = errors_of("pupils", PUPIL_HEADER + f"A1,{'x' * 101},Ann,,Y4,\n")

    assert errors == [(2, "Legal Surname", "This is 101 characters long; the most the portal can hold is 100.")]


# --- Re-import, updates and audit -------------------------------------------------------------

def test_reimporting_the_same_files_changes_nothing_and_writes_no_change_events(admin_user):
    commit("pupils", fixture_text("pupils_sims.csv"), actor=admin_user)
    commit("guardians", fixture_text("guardians_sims.csv"), actor=admin_user)
    commit("staff", fixture_text("staff.csv"), actor=admin_user)
    events_before = change_events().count()
    pupils_before = list(Pupil.objects.values_list("pk", "updated_at"))

    plans = [commit(kind, fixture_text(name), actor=admin_user, full_roll=kind == "pupils")[0]
             for kind, name in [("pupils", "pupils_sims.csv"), ("guardians", "guardians_sims.csv"),
                                ("staff", "staff.csv")]]

    assert [(plan.counts["new"], plan.counts["updated"], plan.counts["left"]) for plan in plans] == [(0, 0, 0)] * 3
    assert plans[0].counts["unchanged"] == 5
    assert (plans[1].counts["links_new"], plans[1].counts["links_updated"]) == (0, 0)
    assert plans[2].counts["unchanged"] == 4
    assert change_events().count() == events_before
    assert list(Pupil.objects.values_list("pk", "updated_at")) == pupils_before
    assert AuditEvent.objects.filter(action="school.mis_import.committed").count() == 6


def test_changed_rows_are_updated_and_audited_with_field_names_only(admin_user, pupils_imported):
    content = fixture_text("pupils_sims.csv").replace("Ahmed,Yusuf,,14/03/2016,Year 4,4H",
                                                      "Ahmed,Yusuf,Yus,14/03/2016,Year 5,5H")

    plan, _ = commit("pupils", content, actor=admin_user)

    assert plan.counts == {"new": 0, "updated": 1, "unchanged": 4, "left": 0}
    yusuf = Pupil.objects.get(mis_id="A123456789012")
    assert (yusuf.preferred_name, yusuf.year_group, yusuf.reg_class) == ("Yus", 5, "5H")
    event = AuditEvent.objects.get(action="school.pupil.updated")
    assert event.object_id == str(yusuf.pk)
    assert event.actor == admin_user
    assert event.detail["fields"] == ["preferred_name", "reg_class", "year_group"]
    assert "Yus" not in str(event.detail) and "Yusuf" not in str(event.detail)
    change = plan.sample_updated[0]
    assert ("Year group", "Year 4", "Year 5") in [tuple(map(str, item)) for item in change.described]


def test_created_records_each_write_an_audit_event_and_the_chain_stays_valid(admin_user, pupils_imported):
    commit("guardians", fixture_text("guardians_sims.csv"), actor=admin_user)
    commit("staff", fixture_text("staff.csv"), actor=admin_user)

    assert AuditEvent.objects.filter(action="school.pupil.created").count() == 5
    assert AuditEvent.objects.filter(action="school.guardian.created").count() == 6
    assert AuditEvent.objects.filter(action="school.guardian_link.created").count() == 7
    assert AuditEvent.objects.filter(action="school.user.created").count() == 4
    created = AuditEvent.objects.filter(action="school.pupil.created").values_list("object_id", flat=True)
    assert set(created) == {str(pk) for pk in Pupil.objects.values_list("pk", flat=True)}
    summary = AuditEvent.objects.filter(action="school.mis_import.committed").order_by("sequence").first()
    assert summary.detail["new"] == 5 and summary.detail["kind"] == "pupils"
    assert summary.actor == admin_user
    names = {pupil.first_name for pupil in Pupil.objects.all()} | {guardian.last_name for guardian in
                                                                    Guardian.objects.all()}
    details = " ".join(str(event.detail) for event in AuditEvent.objects.all())
    assert not any(name in details for name in names)
    assert "2015" not in details  # no dates of birth
    assert audit_verify_chain().ok


# --- Full roll --------------------------------------------------------------------------------

def test_full_roll_marks_missing_pupils_as_left_today_and_never_deletes_them(admin_user, pupils_imported):
    already_left = PupilFactory(leaving_date=datetime.date(2025, 7, 18))
    content = "\n".join(line for line in fixture_text("pupils_sims.csv").splitlines()
                        if not line.startswith(("B2234", "E5234")))

    plan, _ = commit("pupils", content, full_roll=True, actor=admin_user, confirm_large_changes=True)

    assert plan.counts == {"new": 0, "updated": 0, "unchanged": 3, "left": 2}
    assert Pupil.objects.count() == 6
    assert Pupil.objects.get(mis_id="B223456789012").leaving_date == TODAY
    assert Pupil.objects.get(mis_id="E523456789012").leaving_date == TODAY
    assert Pupil.objects.get(mis_id="A123456789012").leaving_date is None
    already_left.refresh_from_db()
    assert already_left.leaving_date == datetime.date(2025, 7, 18)
    assert AuditEvent.objects.filter(action="school.pupil.left").count() == 2


def test_without_full_roll_pupils_missing_from_the_file_are_left_alone(admin_user, pupils_imported):
    content = PUPIL_HEADER + "N1,New,Nina,01/02/2016,Y4,4H\n"

    plan, _ = commit("pupils", content, actor=admin_user)

    assert plan.counts == {"new": 1, "updated": 0, "unchanged": 0, "left": 0}
    assert Pupil.objects.filter(leaving_date__isnull=True).count() == 6


def test_a_returning_pupil_on_a_full_roll_is_back_on_roll(admin_user):
    PupilFactory(mis_id="A1", first_name="Ann", last_name="Smith", date_of_birth=None, year_group=4,
                 reg_class="", leaving_date=datetime.date(2025, 12, 19))

    plan, _ = commit("pupils", "UPN,Surname,Forename,Year\nA1,Smith,Ann,4\n", full_roll=True, actor=admin_user)

    assert plan.counts["updated"] == 1
    assert Pupil.objects.get(mis_id="A1").leaving_date is None


def test_full_roll_that_would_empty_most_of_the_school_warns_before_commit(admin_user):
    PupilFactory.create_batch(10)

    plan = mis_import_preview(mis_import=upload("pupils", PUPIL_HEADER + "A1,Smith,Ann,,Y4,\n", full_roll=True),
                              today=TODAY)

    assert plan.counts["left"] == 10
    assert plan.can_commit
    assert "10 of the 10 pupils on roll" in plan.warnings[0]
    assert plan.needs_confirmation


# --- Preview and commit lifecycle -------------------------------------------------------------

def test_preview_writes_nothing(admin_user):
    mis_import = upload("pupils", fixture_text("pupils_sims.csv"))

    plan = mis_import_preview(mis_import=mis_import)

    assert plan.counts["new"] == 5
    assert [change.label for change in plan.sample_new][:1] == ["Yusuf Ahmed (A123456789012)"]
    assert Pupil.objects.count() == 0


def test_a_committed_import_cannot_be_committed_again(admin_user):
    _, mis_import = commit("pupils", fixture_text("pupils_sims.csv"), actor=admin_user)

    with pytest.raises(MisImportRefused, match="already been imported"):
        mis_import_commit(mis_import=mis_import, actor=admin_user)


def test_a_discarded_import_cannot_be_committed(admin_user):
    mis_import = upload("pupils", fixture_text("pupils_sims.csv"))
    mis_import_discard(mis_import=mis_import, actor=admin_user)

    with pytest.raises(MisImportRefused):
        mis_import_commit(mis_import=mis_import, actor=admin_user)
    assert Pupil.objects.count() == 0
    assert AuditEvent.objects.filter(action="school.mis_import.discarded").count() == 1


def test_existing_links_are_updated_not_duplicated(admin_user):
    link = PupilGuardianFactory(pupil__mis_id="A1", guardian__mis_id="C1", guardian__last_name="Ahmed",
                                guardian__first_name="Jo", guardian__email="jo@home.example",
                                relationship="Mother", parental_responsibility=False)
    content = GUARDIAN_HEADER + "A1,C1,Jo,Ahmed,Mother,jo@home.example,Yes\n"

    plan, _ = commit("guardians", content, actor=admin_user)

    assert (plan.counts["unchanged"], plan.counts["links_updated"], plan.counts["links_new"]) == (1, 1, 0)
    link.refresh_from_db()
    assert link.parental_responsibility is True
    assert PupilGuardian.objects.count() == 1
    event = AuditEvent.objects.get(action="school.guardian_link.updated")
    assert event.detail["fields"] == ["parental_responsibility"]



def test_imported_staff_can_set_a_password_through_forgotten_password(client, admin_user):
    commit("staff", fixture_text("staff.csv"), actor=admin_user)

    client.post(reverse("password_reset"), {"email": "t.khan@school.example"})

    assert list(OutboxEmail.objects.filter(template="password_reset").values_list("to", flat=True)) == [
        ["t.khan@school.example"]]


# --- Year groups are read from the text as written -------------------------------------------

@pytest.mark.parametrize("value, expected", [("NC Year 5", 5), (" year  R ", 0), ("Y05", 5), ("Year 12", 12)])
def test_year_group_spacing_and_case_do_not_matter(value, expected):
    parsed = parse_mis_file("pupils", PUPIL_HEADER + f"A1,Smith,Ann,,{value},\n")

    assert parsed.errors == []
    assert parsed.records[0].values["year_group"] == expected


@pytest.mark.parametrize("value", ["Y1/2", "1-2", "Year 1/2", "5/6", "1.2", "Y1 Y2"])
def test_a_mixed_age_class_is_a_row_error_not_a_year_group_made_of_its_digits(value):
    errors = errors_of("pupils", PUPIL_HEADER + f"A1,Smith,Ann,,{value},\n")

    assert [error[:2] for error in errors] == [(2, "Year")]
    assert f"“{value}” names more than one year group" in errors[0][2]


@pytest.mark.parametrize("value", ["-1", "Y-5", "5th", "Year 5!", "Y 5a"])
def test_a_year_group_with_other_characters_is_a_row_error(value):
    errors = errors_of("pupils", PUPIL_HEADER + f"A1,Smith,Ann,,{value},\n")

    assert [error[:2] for error in errors] == [(2, "Year")]
    assert f"“{value}” is not a year group" in errors[0][2]


def test_minus_one_says_how_to_write_nursery():
    errors = errors_of("pupils", PUPIL_HEADER + "A1,Smith,Ann,,-1,\n")

    assert "Nursery" in errors[0][2] and "“N”" in errors[0][2]


# --- MIS ids in any case -------------------------------------------------------------------------

def test_ids_are_trimmed_and_upper_cased_when_read():
    pupils = parse_mis_file("pupils", PUPIL_HEADER + " a123 ,Smith,Ann,,Y4,\n")
    guardians = parse_mis_file("guardians", GUARDIAN_HEADER + "a123, c9 ,Jo,Ahmed,Mother,jo@home.example,Yes\n")
    staff = parse_mis_file("staff", STAFF_HEADER + "jsm,Jane,Smith,j.smith@school.example,Teacher,\n")

    assert pupils.records[0].values["mis_id"] == "A123"
    assert (guardians.records[0].values["pupil_id"], guardians.records[0].values["mis_id"]) == ("A123", "C9")
    assert staff.records[0].values["mis_id"] == "JSM"


def test_the_same_pupil_id_in_two_cases_in_one_file_is_a_duplicate():
    errors = errors_of("pupils", PUPIL_HEADER + "A1,Smith,Ann,,Y4,\na1,Smyth,Anne,,Y4,\n")

    assert [error[:2] for error in errors] == [(3, "UPN")]


def test_a_lower_case_id_on_a_full_roll_updates_the_pupil_instead_of_adding_one_and_marking_it_left(admin_user):
    pupil = PupilFactory(mis_id="A123", first_name="Ann", last_name="Smith", date_of_birth=None, year_group=4,
                         reg_class="")

    plan, _ = commit("pupils", "UPN,Surname,Forename,Year\na123,Smith,Ann,4\n", full_roll=True, actor=admin_user)

    assert plan.counts == {"new": 0, "updated": 0, "unchanged": 1, "left": 0}
    assert list(Pupil.objects.values_list("pk", "mis_id", "leaving_date")) == [(pupil.pk, "A123", None)]


def test_a_pupil_stored_with_a_lower_case_id_is_matched_and_its_id_upper_cased(admin_user):
    pupil = PupilFactory(mis_id="a123", first_name="Ann", last_name="Smith", date_of_birth=None, year_group=4,
                         reg_class="")

    plan, _ = commit("pupils", "UPN,Surname,Forename,Year\nA123,Smith,Ann,4\n", full_roll=True, actor=admin_user)

    assert (plan.counts["new"], plan.counts["updated"], plan.counts["left"]) == (0, 1, 0)
    pupil.refresh_from_db()
    assert (pupil.mis_id, pupil.leaving_date) == ("A123", None)


def test_guardian_ids_match_in_any_case(admin_user):
    link = PupilGuardianFactory(pupil__mis_id="A1", guardian__mis_id="c1", guardian__first_name="Jo",
                                guardian__last_name="Ahmed", guardian__email="jo@home.example",
                                relationship="Mother", parental_responsibility=True)

    plan, _ = commit("guardians", GUARDIAN_HEADER + "a1,C1,Jo,Ahmed,Mother,jo@home.example,Yes\n", actor=admin_user)

    assert (plan.counts["new"], plan.counts["links_new"]) == (0, 0)
    assert Guardian.objects.count() == 1
    link.guardian.refresh_from_db()
    assert link.guardian.mis_id == "C1"


def test_staff_codes_match_in_any_case(admin_user):
    jane = UserFactory(mis_id="jsm", email="j.smith@school.example", first_name="Jane", last_name="Smith",
                       job_title="Teacher")

    plan, _ = commit("staff", STAFF_HEADER + "JSM,Jane,Smith,j.smith@school.example,Teacher,\n", actor=admin_user)

    assert plan.counts["new"] == 0
    jane.refresh_from_db()
    assert jane.mis_id == "JSM"


@pytest.mark.parametrize("factory, first, second", [
    (PupilFactory, {"mis_id": "A123"}, {"mis_id": "a123"}),
    (GuardianFactory, {"mis_id": "C1"}, {"mis_id": "c1"}),
    (UserFactory, {"mis_id": "JSM"}, {"mis_id": "jsm"}),
])
def test_the_database_refuses_two_ids_that_differ_only_in_case(db, factory, first, second):
    factory(**first)

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**second)


def test_blank_guardian_and_staff_ids_do_not_clash(db):
    GuardianFactory.create_batch(2, mis_id=None)
    UserFactory.create_batch(2, mis_id=None)

    assert Guardian.objects.filter(mis_id=None).count() == 2


def test_a_pupil_id_that_matches_only_without_leading_zeros_is_warned_about_and_not_merged(admin_user):
    PupilFactory(mis_id="000123", first_name="Ann", last_name="Smith")
    PupilFactory(mis_id="045", first_name="Bob", last_name="Jones")

    mis_import = upload("pupils", PUPIL_HEADER + "123,Smith,Ann,,Y4,\n45,Jones,Bob,,Y4,\n777,New,Nia,,Y4,\n")
    plan = mis_import_preview(mis_import=mis_import, today=TODAY)

    assert plan.counts["new"] == 3
    warning = next(warning for warning in plan.warnings if "leading zeros" in warning)
    assert warning.startswith("2 pupil ids in this file match pupils already in the portal only if leading zeros")
    assert "“123” in the file and “000123” in the portal" in warning
    plan = mis_import_commit(mis_import=mis_import, actor=admin_user, today=TODAY)
    assert Pupil.objects.filter(mis_id__in=["000123", "123"]).count() == 2


def test_an_exact_id_match_gives_no_leading_zeros_warning(admin_user):
    PupilFactory(mis_id="000123")
    PupilFactory(mis_id="123")

    plan = mis_import_preview(mis_import=upload("pupils", PUPIL_HEADER + "123,Smith,Ann,,Y4,\n"), today=TODAY)

    assert not [warning for warning in plan.warnings if "leading zeros" in warning]


def test_a_guardian_row_for_a_pupil_id_that_lost_its_leading_zeros_says_so(admin_user):
    PupilFactory(mis_id="000123")

    plan = mis_import_preview(mis_import=upload("guardians", GUARDIAN_HEADER + "123,C1,Jo,Ahmed,Mother,,Yes\n"))

    assert [(error.row, error.column) for error in plan.errors] == [(2, "UPN")]
    assert "“000123”" in plan.errors[0].message and "leading zeros" in plan.errors[0].message


# --- Text longer than the database holds ---------------------------------------------------------

LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".example"  # 264 characters, yet a valid address


def test_an_email_longer_than_the_database_holds_is_a_row_error_for_parents(admin_user, pupils_imported):
    content = GUARDIAN_HEADER + f"A123456789012,C1,Jo,Ahmed,Mother,{LONG_EMAIL},Yes\n"

    assert errors_of("guardians", content) == [
        (2, "Contact Email", "This is 264 characters long; the most the portal can hold is 254.")]
    assert_nothing_written(upload("guardians", content), admin_user, model=Guardian)


def test_an_email_longer_than_the_database_holds_is_a_row_error_for_staff(admin_user):
    content = STAFF_HEADER + f"JS,Jane,Smith,{LONG_EMAIL},Teacher,\n"

    assert errors_of("staff", content) == [
        (2, "Email", "This is 264 characters long; the most the portal can hold is 254.")]
    assert_nothing_written(upload("staff", content), admin_user, model=User, before=1)


CONTACT_HEADER = "UPN,Contact ID,Contact Surname,Contact Phone,Relationship,Title\n"


@pytest.mark.parametrize("kind, header, row, column, limit", [
    ("pupils", PUPIL_HEADER, "{},Smith,Ann,,Y4,", "UPN", 40),
    ("pupils", PUPIL_HEADER, "A1,Smith,Ann,,Y4,{}", "Reg Group", 40),
    ("guardians", CONTACT_HEADER, "A1,C1,Lee,{},,", "Contact Phone", 40),
    ("guardians", CONTACT_HEADER, "A1,C1,Lee,,{},", "Relationship", 60),
    ("guardians", CONTACT_HEADER, "A1,C1,Lee,,,{}", "Title", 20),
    ("staff", STAFF_HEADER, "JS,Jane,Smith,j@school.example,{},", "Job Title", 120),
    ("staff", STAFF_HEADER, "{},Jane,Smith,j@school.example,Teacher,", "Staff Code", 40),
])
def test_each_text_column_is_checked_against_its_database_limit(kind, header, row, column, limit):
    errors = errors_of(kind, header + row.format("X" * (limit + 1)) + "\n")

    assert errors == [(2, column, f"This is {limit + 1} characters long; the most the portal can hold is {limit}.")]


COLUMN_MODELS = {
    "pupils": {None: Pupil},
    "guardians": {None: Guardian, "pupil_id": (Pupil, "mis_id"), "relationship": (PupilGuardian, "relationship")},
    "staff": {None: User},
}


@pytest.mark.parametrize("kind", ["pupils", "guardians", "staff"])
def test_every_text_column_has_the_limit_of_the_field_it_is_stored_in(kind):
    for column in IMPORTERS[kind].columns:
        target = COLUMN_MODELS[kind].get(column.field, COLUMN_MODELS[kind][None])
        model, name = target if isinstance(target, tuple) else (target, column.field)
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # roles, priority: not stored as text
        if getattr(field, "max_length", None):
            assert column.max_length == field.max_length, f"{kind}: {column.field}"


# --- NUL characters --------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8", "utf-8-sig", "cp1252"])
def test_a_nul_character_is_refused_in_every_encoding(encoding):
    text = "UPN,Surname,Forename,Year\r\nA1,Smi\x00th,Ann,4\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data

    with pytest.raises(MisFileError, match="NUL"):
        decode_csv_bytes(data)


def test_text_with_a_nul_character_is_never_stored(admin_user):
    with pytest.raises(MisFileError, match="NUL"):
        upload("pupils", "UPN,Surname,Forename,Year\nA1,Smi\x00th,Ann,4\n")

    assert MisImport.objects.count() == 0


# --- Full contacts file -----------------------------------------------------------------------------

@pytest.fixture
def contacts_imported(admin_user, pupils_imported):
    commit("guardians", fixture_text("guardians_sims.csv"), actor=admin_user)


def sims_contacts_without(*contact_ids):
    return "\n".join(line for line in fixture_text("guardians_sims.csv").splitlines()
                     if not any(f",{contact_id}," in line for contact_id in contact_ids)) + "\n"


def linked(pupil_mis_id):
    return set(PupilGuardian.objects.filter(pupil__mis_id=pupil_mis_id).values_list("guardian__mis_id", flat=True))


def commit_contacts(content, actor, confirm_large_changes=False, **options):
    mis_import = mis_import_upload(kind="guardians", content=content, file_name="contacts.csv", actor=actor,
                                   **options)
    return mis_import_commit(mis_import=mis_import, actor=actor, today=TODAY,
                             confirm_large_changes=confirm_large_changes), mis_import


def test_full_contacts_file_removes_links_it_no_longer_lists_and_keeps_the_contact(admin_user, contacts_imported):
    imran = Guardian.objects.get(mis_id="C1002")
    link = PupilGuardian.objects.get(guardian=imran)

    plan, mis_import = commit_contacts(sims_contacts_without("C1002"), admin_user, full_contacts=True)

    assert plan.counts["links_removed"] == 1
    assert linked("A123456789012") == {"C1001"}
    assert Guardian.objects.filter(pk=imran.pk).exists()
    assert PupilGuardian.objects.count() == 6
    event = AuditEvent.objects.get(action="school.guardian_link.removed")
    assert (event.object_type, event.object_id) == ("school.pupilguardian", str(link.pk))
    assert event.detail == {"pupil": link.pupil_id, "guardian": imran.pk, "mis_import": mis_import.pk}
    assert event.actor == admin_user
    committed = AuditEvent.objects.get(action="school.mis_import.committed", object_id=str(mis_import.pk))
    assert (committed.detail["full_contacts"], committed.detail["links_removed"]) == (True, 1)
    assert audit_verify_chain().ok


def test_full_contacts_file_leaves_pupils_who_are_not_in_it_alone(admin_user, contacts_imported):
    content = GUARDIAN_HEADER + "A123456789012,C1001,Fatima,Ahmed,Mother,fatima.ahmed@home.example,Yes\n"

    plan, _ = commit_contacts(content, admin_user, full_contacts=True, confirm_large_changes=True)

    assert plan.counts["links_removed"] == 1
    assert linked("A123456789012") == {"C1001"}
    assert linked("B223456789012") == {"C1003", "C1004"}
    assert linked("C323456789012") == linked("E523456789012") == {"C1005"}
    assert PupilGuardian.objects.count() == 6


def test_a_contact_shared_by_two_children_is_unlinked_only_from_the_child_it_is_missing_for(
        admin_user, contacts_imported):
    content = "\n".join(line for line in fixture_text("guardians_sims.csv").splitlines()
                        if not line.startswith("E523456789012")) + "\n"
    content += "E523456789012,C1006,,Dawn,Hughes,Foster carer,dawn.hughes@council.example,07700 900006,0,1\n"

    plan, _ = commit_contacts(content, admin_user, full_contacts=True)

    assert plan.counts["links_removed"] == 1
    assert linked("C323456789012") == {"C1005"}
    assert linked("E523456789012") == {"C1006"}


def test_without_full_contacts_links_are_never_removed(admin_user, contacts_imported):
    plan, _ = commit_contacts(sims_contacts_without("C1002"), admin_user)

    assert plan.counts["links_removed"] == 0
    assert linked("A123456789012") == {"C1001", "C1002"}
    assert not AuditEvent.objects.filter(action="school.guardian_link.removed").exists()


def test_full_contacts_preview_counts_the_links_to_remove_and_warns(admin_user, contacts_imported):
    mis_import = mis_import_upload(kind="guardians", content=sims_contacts_without("C1002", "C1004"),
                                   file_name="contacts.csv", full_contacts=True, actor=admin_user)

    plan = mis_import_preview(mis_import=mis_import)

    assert plan.counts["links_removed"] == 2
    assert plan.can_commit
    assert any(warning.startswith("2 links between a pupil and a parent or carer would be removed")
               for warning in plan.warnings)
    assert {change.label for change in plan.sample_removed} == {
        "Mr Imran Ahmed – Yusuf Ahmed (A123456789012)", "Peter Jones – Liv Brown (B223456789012)"}
    assert PupilGuardian.objects.count() == 7


def test_full_contacts_only_applies_to_a_guardians_file(admin_user):
    mis_import = mis_import_upload(kind="pupils", content=fixture_text("pupils_sims.csv"), file_name="p.csv",
                                   full_contacts=True, actor=admin_user)

    assert mis_import.full_contacts is False


def test_a_pupil_with_a_bad_row_in_a_full_contacts_file_is_not_counted_for_removals(admin_user, contacts_imported):
    content = GUARDIAN_HEADER + ("A123456789012,C1001,Fatima,Ahmed,Mother,fatima.ahmed@home.example,Yes\n"
                                 "A123456789012,C1002,Imran,Ahmed,Father,not-an-email,Yes\n")

    plan = mis_import_preview(mis_import=mis_import_upload(kind="guardians", content=content, file_name="c.csv",
                                                           full_contacts=True, actor=admin_user))

    assert len(plan.errors) == 1
    assert plan.counts["links_removed"] == 0


# --- Roles that cannot come from a file ---------------------------------------------------------

@pytest.mark.parametrize("role", ["DSL", "Designated Safeguarding Lead", "Headteacher", "Administrator"])
def test_staff_import_cannot_give_a_privileged_role_to_a_new_account(admin_user, role):
    content = STAFF_HEADER + f"JS,Jane,Smith,j.smith@school.example,Teacher,Staff; {role}\n"
    mis_import = upload("staff", content)

    plan = assert_nothing_written(mis_import, admin_user, model=User, before=1)

    assert [(error.row, error.column) for error in plan.errors] == [(2, "Portal Roles")]
    assert "cannot be given by an import" in plan.errors[0].message
    assert "in the portal" in plan.errors[0].message


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.ADMINISTRATOR])
def test_staff_import_cannot_give_a_privileged_role_to_an_existing_account(admin_user, role):
    tom = user_with_role(roles.STAFF, mis_id="TK", email="t.khan@school.example", first_name="Tom",
                         last_name="Khan", job_title="Teacher")
    mis_import = upload("staff", STAFF_HEADER + f"TK,Tom,Khan,t.khan@school.example,Teacher,{role}\n")

    plan = assert_nothing_written(mis_import, admin_user, model=User, before=2)

    assert [(error.row, error.column) for error in plan.errors] == [(2, "Portal Roles")]
    assert User.objects.get(pk=tom.pk).role_names == {roles.STAFF}


def test_a_privileged_role_already_held_is_not_an_error(admin_user):
    user_with_role(roles.STAFF, roles.DSL, mis_id="JS", email="j.smith@school.example", first_name="Jane",
                   last_name="Smith", job_title="Teacher")

    plan, _ = commit("staff", STAFF_HEADER + "JS,Jane,Smith,j.smith@school.example,Teacher,DSL\n", actor=admin_user)

    assert plan.errors == []
    assert plan.counts["unchanged"] == 1


def test_staff_import_may_give_the_everyday_roles(admin_user):
    content = STAFF_HEADER + ("JS,Jane,Smith,j.smith@school.example,Teacher,"
                              "Online-safety lead; Technical staff; Governor\n")

    commit("staff", content, actor=admin_user)

    assert User.objects.get(mis_id="JS").role_names == {
        roles.STAFF, roles.ONLINE_SAFETY_LEAD, roles.TECHNICAL, roles.GOVERNOR}


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER])
def test_staff_import_cannot_change_the_email_of_a_privileged_account(admin_user, role):
    head = user_with_role(role, mis_id="HT", email="head@school.example", first_name="Hana", last_name="Head",
                          job_title="Headteacher")
    mis_import = upload("staff", STAFF_HEADER + "HT,Hana,Head,attacker@elsewhere.example,Headteacher,\n")

    plan = assert_nothing_written(mis_import, admin_user, model=User, before=2)

    assert [(error.row, error.column) for error in plan.errors] == [(2, "Email")]
    assert "change it in the portal" in plan.errors[0].message
    head.refresh_from_db()
    assert head.email == "head@school.example"


def test_staff_import_cannot_change_the_email_of_a_superuser(admin_user):
    UserFactory(mis_id="IT", email="it@school.example", is_superuser=True)

    plan = mis_import_preview(mis_import=upload("staff", STAFF_HEADER + "IT,Ian,Tech,new@school.example,IT,\n"))

    assert [(error.row, error.column) for error in plan.errors] == [(2, "Email")]


def test_a_privileged_accounts_email_differing_only_in_case_is_not_an_error(admin_user):
    user_with_role(roles.DSL, roles.STAFF, mis_id="DS", email="dsl@school.example", first_name="Dee",
                   last_name="Lead", job_title="DSL")

    plan, _ = commit("staff", STAFF_HEADER + "DS,Dee,Lead,DSL@School.example,DSL,\n", actor=admin_user)

    assert plan.errors == []
    assert User.objects.get(mis_id="DS").email == "dsl@school.example"


# --- Data minimisation --------------------------------------------------------------------------

def test_the_file_is_blanked_when_committed_and_the_summary_kept(admin_user):
    _, mis_import = commit("pupils", fixture_text("pupils_sims.csv"), actor=admin_user)

    mis_import.refresh_from_db()
    assert mis_import.content == ""
    assert (mis_import.summary["rows"], mis_import.summary["new"]) == (5, 5)


def test_the_file_is_blanked_when_discarded_and_the_summary_kept(admin_user):
    mis_import = upload("pupils", fixture_text("pupils_sims.csv"))

    mis_import_discard(mis_import=mis_import, actor=admin_user)

    mis_import.refresh_from_db()
    assert mis_import.content == ""
    assert (mis_import.summary["rows"], mis_import.summary["errors"]) == (5, 0)


def test_sen_eal_and_looked_after_changes_are_counted_never_shown_beside_a_name(admin_user, pupils_imported):
    content = (fixture_text("pupils_sims.csv")
               .replace("Ahmed,Yusuf,,14/03/2016,Year 4,4H,04/09/2020,N,Yes,No",
                        "Ahmed,Yusuf,,14/03/2016,Year 5,5H,04/09/2020,K,No,No")
               .replace("Brown,Olivia,Liv,2/11/2015,Y5,5B,04/09/2019,K,No,No",
                        "Brown,Olivia,Liv,2/11/2015,Y5,5B,04/09/2019,N,No,Yes"))

    plan = mis_import_preview(mis_import=upload("pupils", content))

    assert plan.counts["updated"] == 2
    assert plan.sensitive_changes == ["SEN status changes for 2 pupils", "EAL changes for 1 pupil",
                                      "Looked-after status changes for 1 pupil"]
    assert [change.label for change in plan.sample_updated] == ["Yusuf Ahmed (A123456789012)"]
    assert [label for label, _before, _after in plan.sample_updated[0].described] == [
        "Year group", "Registration group"]
    assert plan.unlisted_updates == 1
    for change in plan.changes:
        assert not {"send", "eal", "looked_after"} & (set(change.new) | set(change.old))


# --- Every problem in a row is reported -----------------------------------------------------------

def test_every_problem_in_a_row_is_reported_including_a_future_date_of_birth(db):
    content = "UPN,Surname,Forename,DOB,Year,SEN,EAL\nA1,Smith,Ann,2031-01-01,Year 14,X,maybe\n"

    errors = errors_of("pupils", content)

    assert [error[:2] for error in errors] == [(2, "DOB"), (2, "Year"), (2, "SEN"), (2, "EAL")]
    assert errors[0][2] == "The date of birth is in the future."
    plan = mis_import_preview(mis_import=upload("pupils", content))
    assert [(error.row, error.column) for error in plan.errors] == [(2, "DOB"), (2, "Year"), (2, "SEN"), (2, "EAL")]


def test_a_leaving_date_before_the_admission_date_is_reported_beside_other_problems():
    content = "UPN,Surname,Forename,Year,Admission Date,Leaving Date\nA1,Smith,,Y4,01/09/2020,01/09/2019\n"

    assert [error[:2] for error in errors_of("pupils", content)] == [(2, "Forename"), (2, "Leaving Date")]


def test_a_contact_row_without_its_id_is_reported_beside_a_bad_email():
    content = GUARDIAN_HEADER + "A1,,Jo,Ahmed,Mother,not-an-email,Yes\n"

    assert [error[:2] for error in errors_of("guardians", content)] == [(2, "Contact ID"), (2, "Contact Email")]


# --- New staff: the roles they will get are previewed ---------------------------------------------

def test_the_preview_of_a_new_member_of_staff_names_the_roles_they_will_get(admin_user):
    plan = mis_import_preview(mis_import=upload("staff", fixture_text("staff.csv")))

    roles_by_name = {change.label: change.roles_shown for change in plan.sample_new}
    assert roles_by_name == {
        "Jane Smith (j.smith@school.example)": "Online-safety lead, Staff, Governor",
        "Tom Khan (t.khan@school.example)": "Staff",
        "Rita Patel (r.patel@school.example)": "Staff, Technical staff",
        "Aled O'Brien (a.obrien@school.example)": "Staff",
    }


def test_the_preview_of_a_role_change_names_the_roles_in_the_portals_order(admin_user):
    user_with_role(roles.GOVERNOR, email="t.khan@school.example", first_name="Tom", last_name="Khan",
                   job_title="Class Teacher (Year 4)", mis_id="TKH")

    plan = mis_import_preview(mis_import=upload("staff", STAFF_HEADER + "TKH,Tom,Khan,t.khan@school.example,"
                                                "Class Teacher (Year 4),\n"))

    assert [tuple(map(str, item)) for item in plan.sample_updated[0].described] == [
        ("Portal roles", "Governor", "Staff, Governor")]


# --- Large changes need an extra confirmation -----------------------------------------------------

def test_a_full_roll_marking_more_than_a_quarter_as_left_is_refused_without_confirmation(admin_user):
    PupilFactory.create_batch(10)
    mis_import = upload("pupils", fixture_text("pupils_sims.csv"), full_roll=True)
    events_before = AuditEvent.objects.count()

    plan = mis_import_preview(mis_import=mis_import, today=TODAY)
    assert plan.can_commit and plan.needs_confirmation
    assert plan.confirm_label == "Yes, mark 10 pupils as left"
    with pytest.raises(MisImportRefused) as refused:
        mis_import_commit(mis_import=mis_import, actor=admin_user, today=TODAY)

    assert "Nothing was imported" in refused.value.message
    assert "10 of the 10 pupils on roll" in refused.value.message
    assert "Yes, mark 10 pupils as left" in refused.value.message
    assert Pupil.objects.count() == 10
    assert Pupil.objects.on_roll(TODAY).count() == 10
    assert AuditEvent.objects.count() == events_before
    mis_import.refresh_from_db()
    assert mis_import.status == MisImport.Status.PREVIEW
    assert mis_import.content


def test_a_full_roll_marking_more_than_a_quarter_as_left_is_imported_when_confirmed(admin_user):
    PupilFactory.create_batch(10)
    mis_import = upload("pupils", fixture_text("pupils_sims.csv"), full_roll=True)

    plan = mis_import_commit(mis_import=mis_import, actor=admin_user, today=TODAY, confirm_large_changes=True)

    assert (plan.counts["new"], plan.counts["left"]) == (5, 10)
    assert Pupil.objects.on_roll(TODAY).count() == 5


def test_a_full_roll_marking_a_quarter_or_fewer_as_left_needs_no_extra_confirmation(admin_user, pupils_imported):
    PupilFactory()
    content = fixture_text("pupils_sims.csv")  # 1 of the 6 pupils on roll is missing

    plan, _ = commit("pupils", content, full_roll=True, actor=admin_user)

    assert plan.counts["left"] == 1
    assert not plan.needs_confirmation


def test_a_full_contacts_file_removing_more_than_a_quarter_of_the_links_needs_confirmation(
        admin_user, contacts_imported):
    content = GUARDIAN_HEADER + "A123456789012,C1001,Fatima,Ahmed,Mother,fatima.ahmed@home.example,Yes\n"
    mis_import = mis_import_upload(kind="guardians", content=content, file_name="c.csv", full_contacts=True,
                                   actor=admin_user)

    plan = mis_import_preview(mis_import=mis_import)
    assert plan.confirm_label == "Yes, remove 1 link between a pupil and a parent or carer"
    with pytest.raises(MisImportRefused, match="Nothing was imported"):
        mis_import_commit(mis_import=mis_import, actor=admin_user, today=TODAY)
    assert linked("A123456789012") == {"C1001", "C1002"}

    mis_import_commit(mis_import=mis_import, actor=admin_user, today=TODAY, confirm_large_changes=True)
    assert linked("A123456789012") == {"C1001"}


def test_a_file_with_problems_is_refused_for_its_problems_even_when_confirmed(admin_user):
    PupilFactory.create_batch(10)
    mis_import = upload("pupils", PUPIL_HEADER + "A1,Smith,Ann,,Year 99,\n", full_roll=True)

    with pytest.raises(MisImportRefused, match="the file has 1 problem"):
        mis_import_commit(mis_import=mis_import, actor=admin_user, today=TODAY, confirm_large_changes=True)


# --- How an import's state is described -----------------------------------------------------------

def test_an_upload_with_problems_is_described_as_having_problems(admin_user):
    mis_import = upload("pupils", PUPIL_HEADER + "A1,Smith,Ann,,Year 99,\n")

    assert mis_import_state(mis_import) == ("problems", "Has problems")


def test_an_upload_that_changes_nothing_is_described_as_nothing_to_import(admin_user, pupils_imported):
    mis_import = upload("pupils", fixture_text("pupils_sims.csv"))

    plan = mis_import_preview(mis_import=mis_import)

    assert not plan.has_changes
    assert mis_import_state(mis_import)[0] == "nothing"
    assert mis_import_state(mis_import, plan)[0] == "nothing"


def test_an_upload_with_changes_awaits_confirmation_and_then_is_imported(admin_user):
    mis_import = upload("pupils", fixture_text("pupils_sims.csv"))
    assert mis_import_state(mis_import) == ("awaiting", "Awaiting confirmation")

    mis_import_commit(mis_import=mis_import, actor=admin_user)

    assert mis_import_state(mis_import)[0] == "committed"


def test_a_contacts_file_that_only_adds_links_has_changes(admin_user, contacts_imported):
    PupilFactory(mis_id="N1")
    content = GUARDIAN_HEADER + "N1,C1001,Fatima,Ahmed,Mother,fatima.ahmed@home.example,Yes\n"

    plan = mis_import_preview(mis_import=mis_import_upload(kind="guardians", content=content, file_name="c.csv"))

    assert (plan.counts["new"], plan.counts["updated"], plan.counts["links_new"]) == (0, 0, 1)
    assert plan.has_changes


def test_an_import_with_no_stored_summary_is_awaiting_confirmation(db):
    mis_import = MisImport.objects.create(kind="pupils", file_name="p.csv", content="UPN\n")

    assert mis_import_state(mis_import)[0] == "awaiting"
