"""MIS import: read a CSV exported from the school's MIS, preview what would change, then commit.

Three stages, kept apart so the preview shows exactly what the commit will do:

- `decode_csv_bytes` and `parse_mis_file` read and validate the file. Pure: no database.
- `plan_import` compares the valid rows with the database (reads only, a constant number
  of queries) and works out what is new, changed, unchanged or leaving.
- `mis_import_commit` re-plans inside one transaction and writes with bulk queries, so a
  file with any bad row never half-imports and 1,500 pupils take seconds. A change big enough to be
  the wrong file (most of the roll marked as left, most links removed) needs an extra confirmation.

An upload never imported or discarded is discarded after `EXPIRE_AFTER` by `mis_import_expire_stale`
(run hourly by Celery beat), so the file is not kept for ever.
"""

import csv
import datetime
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from safety_portal.audit.services import audit_record, audit_record_many
from safety_portal.school import roles
from safety_portal.school.models import Guardian, MisImport, Pupil, PupilGuardian, User, YearGroup

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Django caps batches further on SQLite (999 parameters per query); this caps PostgreSQL.
BATCH_SIZE = 500
SAMPLE_SIZE = 20
# A "full roll" that would mark more than this share of the roll as left is probably the wrong file.
LEAVERS_WARNING_SHARE = 0.25
# Likewise a "full contacts file" that would remove more than this share of its pupils' links.
LINKS_REMOVED_WARNING_SHARE = 0.25
# Past either share the import also needs an extra, explicit confirmation (`confirm_large_changes`).
# An upload still waiting to be imported or discarded after this long is discarded, and its file deleted.
EXPIRE_AFTER = datetime.timedelta(hours=24)
# Roles that open safeguarding records or the portal's administration are given in the portal, where the
# headteacher decides them, never by a file: a wrong or tampered export must not hand them out.
# Flags used only as counts: the preview never shows them beside a pupil's name.
COUNTED_ONLY_FIELDS = ("send", "eal", "looked_after")


class MisFileError(ValueError):
    """The upload cannot be read as a CSV file at all."""


class CellError(ValueError):
    """One cell's value is not acceptable; the message is shown to the user as it is."""


class MisImportRefused(Exception):
    """The import cannot be committed (errors in the file, or already committed)."""

    def __init__(self, message, plan=None):
        super().__init__(message)
        self.message = message
        self.plan = plan


def _norm(text):
    """Header and code comparison ignores case, spaces, underscores and punctuation."""
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


def _max_length(model, name):
    return model._meta.get_field(name).max_length


# --- Reading the file -------------------------------------------------------------------------

def decode_csv_bytes(data):
    """Return the text of an uploaded CSV, whichever encoding the MIS or Excel saved it in."""
    if not data.strip():
        raise MisFileError(gettext("The file is empty."))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise MisFileError(gettext(
            "This is an Excel workbook, not a CSV file. In Excel choose File > Save As, pick "
            "“CSV UTF-8 (Comma delimited)”, then upload the new file."))
    text = _decode(data)
    check_text(text)
    return text


def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export.
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError as error:
            raise MisFileError(gettext("The file could not be read as text.")) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on Windows saves "CSV (Comma delimited)" as Windows-1252; latin-1 never fails.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_text(text):
    """Refuse text the database cannot store. Checked after decoding: in UTF-16 every ASCII letter has a zero byte."""
    if "\x00" in text:
        raise MisFileError(gettext(
            "The file contains a NUL character (an invisible control character, code 0), which a CSV file "
            "should never hold; a file that is not a CSV export, or a damaged one, often does. Export the report "
            "from your MIS as CSV again and upload the new file."))


def read_table(text):
    """Rows of cells. The delimiter is whichever of comma, semicolon or tab the header uses most."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise MisFileError(gettext("The file could not be read as CSV (%(error)s).") % {"error": error}) from error


# --- Cell parsers: each takes the trimmed text and returns the value, or raises CellError ------

def parse_text(value):
    return value


def parse_id(value):
    """MIS ids are matched in any case: "a123" typed in a spreadsheet is pupil "A123"."""
    return value.strip().upper()


_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
# Spreadsheets sometimes append a midnight time to dates.
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(value):
    """Day/month/year or year-month-day. Never month/day/year: UK MIS exports are day first."""
    if not value:
        return None
    text = _TIME_SUFFIX.sub("", value.strip())
    day_first = False
    if match := _YMD.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DMY.fullmatch(text):
        day_first = True
        if len(match.group(3)) == 2:
            raise CellError(gettext("“%(value)s” has a two-digit year. Use four digits, for example 23/05/2015.")
                            % {"value": value})
        day, month, year = (int(part) for part in match.groups())
    else:
        raise CellError(gettext("“%(value)s” is not a date. Use day/month/year, for example 23/05/2015.")
                        % {"value": value})
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        if day_first and month > 12 and day <= 12:
            raise CellError(gettext(
                "“%(value)s” looks like month/day/year. Dates must be day/month/year, for example 23/05/2015.")
                % {"value": value}) from error
        raise CellError(gettext("“%(value)s” is not a real date.") % {"value": value}) from error


_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"", "n", "no", "false", "f", "0"}


def parse_bool(value):
    key = _norm(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(gettext("“%(value)s” is not Yes or No. Use Yes/No, Y/N, True/False or 1/0.") % {"value": value})


# SIMS-style codes: K = SEN support, E = EHC plan, S = statement; A and P are the old School Action (Plus).
_SEN_TRUE = _TRUE | {"k", "e", "s", "a", "p", "sensupport", "ehcp", "ehcplan", "ehc", "statement", "statemented",
                     "educationhealthandcareplan", "schoolaction", "schoolactionplus"}
_SEN_FALSE = _FALSE | {"none", "nosen", "notsen", "nospecialeducationalneed", "nospecialeducationalneeds"}


def parse_sen(value):
    key = _norm(value)
    if key in _SEN_TRUE:
        return True
    if key in _SEN_FALSE:
        return False
    raise CellError(gettext(
        "“%(value)s” is not a SEN status. Use K (SEN support), E (EHC plan) or N (no SEN), or Yes/No.")
        % {"value": value})


_YEAR_WORDS = {
    "n": YearGroup.NURSERY, "nursery": YearGroup.NURSERY, "nur": YearGroup.NURSERY,
    "n1": YearGroup.NURSERY, "n2": YearGroup.NURSERY, "f1": YearGroup.NURSERY, "fs1": YearGroup.NURSERY,
    "r": YearGroup.RECEPTION, "rec": YearGroup.RECEPTION, "reception": YearGroup.RECEPTION,
    "yr": YearGroup.RECEPTION, "yearr": YearGroup.RECEPTION, "f2": YearGroup.RECEPTION, "fs2": YearGroup.RECEPTION,
}
_YEAR_NUMBER = re.compile(r"(?:ncyear|year|yr|y)?(\d{1,2})")


def parse_year_group(value):
    # Only spaces and case are ignored: stripping punctuation would read "Y1/2" as Year 12 and "-1" as Year 1.
    key = re.sub(r"\s+", "", value).casefold()
    if key in _YEAR_WORDS:
        return int(_YEAR_WORDS[key])
    match = _YEAR_NUMBER.fullmatch(key)
    if match and 0 <= int(match.group(1)) <= 13:
        return int(match.group(1))
    if len(re.findall(r"\d+", key)) > 1:
        raise CellError(gettext(
            "“%(value)s” names more than one year group (a mixed-age class?). Give each pupil their own "
            "National Curriculum year, for example “Year 1”, and put the class in the registration group column.")
            % {"value": value})
    if re.fullmatch(r"-\d+", key):
        raise CellError(gettext(
            "“%(value)s” is not a year group. For Nursery write “N” or “Nursery”; for Reception “R” or "
            "“Reception”.") % {"value": value})
    raise CellError(gettext(
        "“%(value)s” is not a year group. Use Nursery (N), Reception (R) or Year 1 to Year 13 "
        "(for example “Year 5”, “Y5” or “5”).") % {"value": value})


def parse_email(value):
    if not value:
        return ""
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise CellError(gettext("“%(value)s” is not a valid email address.") % {"value": value}) from error
    return email


def parse_priority(value):
    if not value:
        return 1
    if not re.fullmatch(r"\d{1,4}", value) or int(value) < 1:
        raise CellError(gettext(
            "“%(value)s” is not a priority. Use 1 for the first person to contact, 2 for the next, and so on.")
            % {"value": value})
    return int(value)


def parse_roles(value):
    lookup = {}
    for name in roles.ALL:
        lookup[_norm(name)] = name
        lookup[_norm(roles.LABELS[name])] = name
    found = set()
    for part in value.split(";"):
        if not part.strip():
            continue
        name = lookup.get(_norm(part))
        if name is None:
            raise CellError(gettext(
                "“%(value)s” is not a portal role. Use one or more of %(roles)s, separated by semicolons.")
                % {"value": part.strip(), "roles": "; ".join(roles.ALL)})
        found.add(name)
    return frozenset(found)


# --- Column definitions -----------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str
    label: str
    # Accepted header names, in order of preference when a file has several of them.
    aliases: tuple
    required: bool = False  # the column must be there and every row needs a value
    parse: Callable = parse_text
    max_length: int | None = None
    help: str = ""


DATE_HELP = _("Day/month/year (23/05/2015 or 3/5/2015) or 2015-05-23.")
YES_NO_HELP = _("Yes/No, Y/N, True/False or 1/0. Blank means No.")


@dataclass
class RowError:
    row: int  # as numbered in a spreadsheet: the header is row 1
    column: str  # the header as it appears in the file; blank for a problem with the whole file
    message: str


@dataclass
class Record:
    row: int
    values: dict


@dataclass
class ParsedFile:
    kind: str
    headers: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # field -> index of its column in the file
    records: list = field(default_factory=list)  # every non-blank row, valid or not
    errors: list = field(default_factory=list)

    def has(self, name):
        return name in self.columns

    def header(self, name):
        index = self.columns.get(name)
        return self.headers[index] if index is not None else ""

    @property
    def rows_read(self):
        return len(self.records)

    @property
    def unused_headers(self):
        used = set(self.columns.values())
        return [header for index, header in enumerate(self.headers) if index not in used and header]

    def add_error(self, row, name, message):
        self.errors.append(RowError(row, self.header(name), str(message)))

    @property
    def valid_records(self):
        bad_rows = {error.row for error in self.errors}
        return [record for record in self.records if record.row not in bad_rows]


@dataclass
class Change:
    kind: str
    row: int | None
    action: str  # "new", "updated", "left" or (a link between a pupil and a contact) "removed"
    label: str
    old: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)

    @property
    def fields(self):
        return list(self.new)

    @property
    def described(self):
        """(label, before, after) for each changed field, for the preview page."""
        return [(_field_label(self.kind, name), _display(name, self.old.get(name)), _display(name, value))
                for name, value in self.new.items()]

    @property
    def roles_shown(self):
        """The portal roles a new account will have, for the preview page ("" when not an account)."""
        return _display("roles", self.new["roles"]) if "roles" in self.new else ""


@dataclass
class Plan:
    kind: str
    parsed: ParsedFile
    full_roll: bool = False
    full_contacts: bool = False
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "left": 0})
    changes: list = field(default_factory=list)
    # Pupils whose SEN, EAL or looked-after flag changes, per flag: shown as counts only.
    counted_only: dict = field(default_factory=dict)
    # Updated pupils left out of the list of changes because only counted-only flags change.
    unlisted_updates: int = 0
    # What apply() writes; filled in by the planner.
    work: dict = field(default_factory=dict)
    # A change so large that the file is probably the wrong one: what it is ("This file would mark 143 of
    # the 148 pupils on roll as left") and what the person importing must tick to go ahead. Blank if none.
    large_change: str = ""
    confirm_label: str = ""

    @property
    def can_commit(self):
        return not self.errors

    @property
    def needs_confirmation(self):
        return bool(self.confirm_label)

    @property
    def has_changes(self):
        """False when importing the file would change nothing in the portal."""
        return counts_have_changes(self.counts)

    def sample(self, action):
        return [change for change in self.changes if change.action == action][:SAMPLE_SIZE]

    @property
    def sample_new(self):
        return self.sample("new")

    @property
    def sample_updated(self):
        return self.sample("updated")

    @property
    def sample_left(self):
        return self.sample("left")

    @property
    def sample_removed(self):
        return self.sample("removed")

    @property
    def listed_updates(self):
        return sum(1 for change in self.changes if change.action == "updated")

    @property
    def sensitive_changes(self):
        """E.g. "SEN status changes for 4 pupils": the only way the preview mentions these flags."""
        messages = {
            "send": lambda count: ngettext("SEN status changes for %(count)s pupil",
                                           "SEN status changes for %(count)s pupils", count),
            "eal": lambda count: ngettext("EAL changes for %(count)s pupil", "EAL changes for %(count)s pupils",
                                          count),
            "looked_after": lambda count: ngettext("Looked-after status changes for %(count)s pupil",
                                                   "Looked-after status changes for %(count)s pupils", count),
        }
        return [messages[name](self.counted_only[name]) % {"count": number_format(self.counted_only[name],
                                                                                   force_grouping=True)}
                for name in COUNTED_ONLY_FIELDS if self.counted_only.get(name)]

    @property
    def matched_columns(self):
        importer = IMPORTERS[self.kind]
        return [(self.parsed.header(column.field), column.label)
                for column in importer.columns if self.parsed.has(column.field)]


def _display(name, value):
    if value is None or value == "":
        return "—"
    if name == "year_group":
        return str(YearGroup(value).label)
    if name == "roles":
        return ", ".join(str(roles.LABELS[role]) for role in roles.ALL if role in value) or "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, frozenset | set | list | tuple):
        return ", ".join(sorted(str(item) for item in value)) or "—"
    return str(value)


# --- Importers: one per kind of file ----------------------------------------------------------

class Importer:
    kind = ""
    columns = ()

    def check_columns(self, parsed):
        """Column-level problems beyond a missing required column."""
        return []

    def check_row(self, parsed, record):
        """Problems that involve more than one cell of a row: [(field, message)].

        Also called for a row with other problems: a cell that could not be read is missing from record.values.
        """
        return []

    def check_file(self, parsed):
        """Problems across rows, such as duplicate ids."""

    def plan(self, plan, records, today):
        raise NotImplementedError

    def apply(self, plan, now, today):
        """Write the plan; return the audit events."""
        raise NotImplementedError

    def _check_unique(self, parsed, name, describe):
        seen = {}
        for record in parsed.records:
            value = record.values.get(name)
            if not value:
                continue
            key = value.casefold() if isinstance(value, str) else value
            if key in seen:
                parsed.add_error(record.row, name, describe(value, seen[key]))
            else:
                seen[key] = record.row


class PupilImporter(Importer):
    kind = MisImport.Kind.PUPILS
    columns = (
        Column("mis_id", _("UPN or admission number"), ("UPN", "Admission Number", "Adno", "MIS ID", "Pupil ID"),
               required=True, parse=parse_id, max_length=_max_length(Pupil, "mis_id"),
               help=_("Matches pupils between imports. Use the same one in your parents and carers file.")),
        Column("last_name", _("Legal surname"), ("Legal Surname", "Surname", "Last Name", "Family Name"),
               required=True, max_length=_max_length(Pupil, "last_name")),
        Column("first_name", _("Legal forename"), ("Legal Forename", "Forename", "First Name", "Given Name"),
               required=True, max_length=_max_length(Pupil, "first_name")),
        Column("preferred_name", _("Preferred forename"), ("Preferred Forename", "Preferred Name", "Known As"),
               max_length=_max_length(Pupil, "preferred_name")),
        Column("date_of_birth", _("Date of birth"), ("DOB", "Date of Birth", "Birth Date"),
               parse=parse_date, help=DATE_HELP),
        Column("year_group", _("Year group"), ("Year Group", "NC Year", "Year", "Curriculum Year"),
               required=True, parse=parse_year_group,
               help=_("“Year 5”, “Y5” or “5”; “R” or “Reception”; “N”, “N1”, “N2” or “Nursery”.")),
        Column("reg_class", _("Registration group"),
               ("Reg Group", "Registration Group", "Class", "Form", "Tutor Group", "Reg Class"),
               max_length=_max_length(Pupil, "reg_class")),
        Column("admission_date", _("Admission date"), ("Admission Date", "Date of Admission", "Entry Date"),
               parse=parse_date, help=DATE_HELP),
        Column("leaving_date", _("Leaving date"), ("Leaving Date", "Date of Leaving"),
               parse=parse_date, help=DATE_HELP),
        Column("send", _("SEN status"), ("SEN Status", "SEN", "SEND", "SEN Provision"), parse=parse_sen,
               help=_("K (SEN support), E (EHC plan), N (none), or Yes/No. Blank means No.")),
        Column("eal", _("EAL"), ("EAL", "English as an Additional Language"), parse=parse_bool, help=YES_NO_HELP),
        Column("looked_after", _("Looked after"), ("Looked After", "CLA", "In Care", "LAC"),
               parse=parse_bool, help=YES_NO_HELP),
    )
    fields = [column.field for column in columns]

    def check_row(self, parsed, record):
        values, problems = record.values, []
        dob = values.get("date_of_birth")
        if dob and dob > timezone.localdate():
            problems.append(("date_of_birth", gettext("The date of birth is in the future.")))
        admitted, left = values.get("admission_date"), values.get("leaving_date")
        if admitted and left and left < admitted:
            problems.append(("leaving_date", gettext("The leaving date is before the admission date.")))
        return problems

    def check_file(self, parsed):
        self._check_unique(parsed, "mis_id", lambda value, row: gettext(
            "“%(id)s” is also on row %(row)s. Each pupil must appear only once.") % {"id": value, "row": row})

    def plan(self, plan, records, today):
        parsed = plan.parsed
        # Ids in the file are upper case; ones stored before the import upper-cased them may not be.
        existing = {pupil.mis_id.upper(): pupil for pupil in Pupil.objects.all()}
        present = [name for name in self.fields if parsed.has(name)]
        creates, updates = [], []
        counted_only = dict.fromkeys(COUNTED_ONLY_FIELDS, 0)
        # Rows with problems still name pupils who are on roll: never preview them as leavers.
        seen = {record.values["mis_id"] for record in parsed.records if record.values.get("mis_id")}
        for record in records:
            values = {name: record.values[name] for name in present}
            pupil = existing.get(values["mis_id"])
            if pupil is None:
                new = Pupil(**values)
                creates.append(new)
                plan.changes.append(Change(self.kind, record.row, "new", _pupil_label(new),
                                           new=_listable(values)))
                continue
            changed = {name: value for name, value in values.items() if getattr(pupil, name) != value}
            if plan.full_roll and not parsed.has("leaving_date") and not pupil.is_on_roll(today):
                # Listed on a full roll means on roll: a returning pupil's old leaving date no longer applies.
                changed["leaving_date"] = None
            if changed:
                updates.append((pupil, changed))
                for name in COUNTED_ONLY_FIELDS:
                    counted_only[name] += name in changed
                listable = _listable(changed)
                if listable:
                    plan.changes.append(Change(self.kind, record.row, "updated", _pupil_label(pupil),
                                               old={name: getattr(pupil, name) for name in listable}, new=listable))
                else:
                    plan.unlisted_updates += 1
            else:
                plan.counts["unchanged"] += 1
        plan.counted_only = counted_only
        self._warn_leading_zeros(plan, creates, existing)
        leavers = []
        if plan.full_roll:
            on_roll = [pupil for pupil in existing.values() if pupil.is_on_roll(today)]
            leavers = [pupil for pupil in on_roll if pupil.mis_id.upper() not in seen]
            leavers.sort(key=lambda pupil: (pupil.last_name, pupil.first_name))
            for pupil in leavers:
                plan.changes.append(Change(self.kind, None, "left", _pupil_label(pupil),
                                           old={"leaving_date": pupil.leaving_date}, new={"leaving_date": today}))
            if on_roll and len(leavers) > LEAVERS_WARNING_SHARE * len(on_roll):
                numbers = {"left": number_format(len(leavers), force_grouping=True),
                           "roll": number_format(len(on_roll), force_grouping=True)}
                plan.warnings.append(gettext(
                    "%(left)s of the %(roll)s pupils on roll are not in this file and would be marked as left. "
                    "Check that this really is the whole school roll, not one class or year group.") % numbers)
                plan.large_change = gettext(
                    "This file would mark %(left)s of the %(roll)s pupils on roll as left") % numbers
                plan.confirm_label = ngettext("Yes, mark %(left)s pupil as left", "Yes, mark %(left)s pupils as left",
                                              len(leavers)) % numbers
        plan.counts.update(new=len(creates), updated=len(updates), left=len(leavers))
        plan.work = {"creates": creates, "updates": updates, "leavers": leavers}

    def _warn_leading_zeros(self, plan, creates, existing):
        """Excel turns admission number 000123 into 123. Warn, never merge: it may really be another pupil."""
        by_digits = {}
        for mis_id in existing:
            if mis_id.lstrip("0"):
                by_digits.setdefault(mis_id.lstrip("0"), mis_id)
        suspects = [(pupil.mis_id, by_digits[pupil.mis_id.lstrip("0")]) for pupil in creates
                    if pupil.mis_id.lstrip("0") in by_digits]
        if suspects:
            in_file, in_portal = suspects[0]
            plan.warnings.append(ngettext(
                "%(count)s pupil id in this file matches a pupil already in the portal only if leading zeros are "
                "ignored (for example “%(file)s” in the file and “%(portal)s” in the portal). Excel removes leading "
                "zeros when it opens a CSV file. If you import this file, it will be added as a new pupil: export "
                "the file from your MIS again and upload it without opening it in Excel.",
                "%(count)s pupil ids in this file match pupils already in the portal only if leading zeros are "
                "ignored (for example “%(file)s” in the file and “%(portal)s” in the portal). Excel removes leading "
                "zeros when it opens a CSV file. If you import this file, they will be added as new pupils: export "
                "the file from your MIS again and upload it without opening it in Excel.",
                len(suspects)) % {"count": len(suspects), "file": in_file, "portal": in_portal})

    def apply(self, plan, now, today):
        work = plan.work
        Pupil.objects.bulk_create(work["creates"], batch_size=BATCH_SIZE)
        events = [{"action": "school.pupil.created", "obj": pupil} for pupil in work["creates"]]
        events += _bulk_update(Pupil, work["updates"], now, "school.pupil.updated")
        for pupil in work["leavers"]:
            pupil.leaving_date, pupil.updated_at = today, now
        Pupil.objects.bulk_update(work["leavers"], ["leaving_date", "updated_at"], batch_size=BATCH_SIZE)
        events += [{"action": "school.pupil.left", "obj": pupil, "detail": {"fields": ["leaving_date"]}}
                   for pupil in work["leavers"]]
        return events


def _listable(values):
    """What the preview may show beside a pupil's name: everything but the flags used only as counts."""
    return {name: value for name, value in values.items() if name not in COUNTED_ONLY_FIELDS}


def _pupil_label(pupil):
    return f"{pupil.display_name} ({pupil.mis_id})"


def _bulk_update(model, updates, now, action, extra_fields=()):
    """Apply [(obj, {field: value})] in batches; return one audit event per object, naming fields only."""
    if not updates:
        return []
    names = set(extra_fields)
    for obj, changed in updates:
        for name, value in changed.items():
            setattr(obj, name, value)
        names.update(changed)
        if hasattr(obj, "updated_at"):
            obj.updated_at = now
    if hasattr(updates[0][0], "updated_at"):
        names.add("updated_at")
    model.objects.bulk_update([obj for obj, _changed in updates], sorted(names), batch_size=BATCH_SIZE)
    return [{"action": action, "obj": obj, "detail": {"fields": sorted(changed)}} for obj, changed in updates]


class GuardianImporter(Importer):
    kind = MisImport.Kind.GUARDIANS
    columns = (
        Column("pupil_id", _("Pupil's UPN or admission number"),
               ("Pupil UPN", "UPN", "Pupil Admission Number", "Admission Number", "Pupil Adno", "Adno",
                "Pupil MIS ID", "MIS ID", "Pupil ID"),
               required=True, parse=parse_id, max_length=_max_length(Pupil, "mis_id"),
               help=_("The same identifier as in your pupils file. The pupil must already be imported.")),
        Column("mis_id", _("Contact ID"), ("Contact ID", "Contact MIS ID", "Contact Person ID", "Contact Number"),
               parse=parse_id, max_length=_max_length(Guardian, "mis_id"),
               help=_("Matches parents and carers between imports. Without this column they are matched by "
                      "email address.")),
        Column("title", _("Title"), ("Contact Title", "Title"), max_length=_max_length(Guardian, "title")),
        Column("first_name", _("Contact forename"), ("Contact Forename", "Contact First Name", "Forename",
                                                     "First Name"),
               max_length=_max_length(Guardian, "first_name")),
        Column("last_name", _("Contact surname"), ("Contact Surname", "Contact Last Name", "Surname", "Last Name"),
               required=True, max_length=_max_length(Guardian, "last_name")),
        Column("relationship", _("Relationship"), ("Relationship", "Relationship to Pupil", "Contact Relationship",
                                                   "Relation"),
               max_length=_max_length(PupilGuardian, "relationship"), help=_("For example Mother, Father, Carer.")),
        Column("email", _("Email"), ("Contact Email", "Contact Email Address", "Email", "Email Address"),
               parse=parse_email, max_length=_max_length(Guardian, "email"),
               help=_("Needed to send parents and carers their signing and consent links.")),
        Column("phone", _("Phone"), ("Contact Phone", "Contact Mobile", "Mobile", "Mobile Phone", "Telephone",
                                     "Phone", "Contact Telephone"),
               max_length=_max_length(Guardian, "phone")),
        Column("parental_responsibility", _("Parental responsibility"),
               ("Parental Responsibility", "Has Parental Responsibility", "PR"), parse=parse_bool,
               help=YES_NO_HELP),
        Column("priority", _("Priority"), ("Priority", "Contact Priority", "Priority Order"), parse=parse_priority,
               help=_("1 for the first person to contact, 2 for the next. Blank means 1.")),
    )
    contact_fields = ["mis_id", "title", "first_name", "last_name", "email", "phone"]
    link_fields = ["relationship", "parental_responsibility", "priority"]

    def check_columns(self, parsed):
        if not parsed.has("mis_id") and not parsed.has("email"):
            return [gettext(
                "The file needs a Contact ID column (accepted names: %(id)s), or an email column (%(email)s) "
                "so parents and carers can be matched by email address.")
                % {"id": ", ".join(_column(self, "mis_id").aliases),
                   "email": ", ".join(_column(self, "email").aliases)}]
        return []

    def contact_key(self, parsed, values):
        return values.get("mis_id") if parsed.has("mis_id") else values.get("email")

    def check_row(self, parsed, record):
        values = record.values
        if parsed.has("mis_id") and not values.get("mis_id") and "mis_id" in values:
            return [("mis_id", gettext("Contact ID is missing."))]
        if not parsed.has("mis_id") and "email" in values and not values["email"]:
            return [("email", gettext(
                "Email is missing. Without a Contact ID column, parents and carers are matched by email address."))]
        return []

    def check_file(self, parsed):
        links, contacts = {}, {}
        for record in parsed.records:
            values = record.values
            key = self.contact_key(parsed, values)
            if not key or not values.get("pupil_id"):
                continue
            link = (values["pupil_id"], key.casefold())
            if link in links:
                parsed.add_error(record.row, "mis_id" if parsed.has("mis_id") else "email", gettext(
                    "This contact is already linked to pupil “%(pupil)s” on row %(row)s. "
                    "Each pupil–contact pair must appear only once.") % {"pupil": values["pupil_id"],
                                                                         "row": links[link]})
                continue
            links[link] = record.row
            # The same person appears once per child; their details must agree on every row.
            first = contacts.setdefault(key.casefold(), record)
            if first is record:
                continue
            for name in self.contact_fields:
                if name in values and name in first.values and _same(values[name]) != _same(first.values[name]):
                    if parsed.has("mis_id"):
                        message = gettext("Contact “%(id)s” is also on row %(row)s with a different %(what)s. "
                                          "A contact's details must be the same on every row.")
                    else:
                        message = gettext(
                            "Email “%(id)s” is also on row %(row)s for someone with a different %(what)s. If two "
                            "people share an email address, add a Contact ID column so they can be told apart.")
                    label = str(_column(self, name).label).lower()
                    parsed.add_error(record.row, name, message % {"id": key, "row": first.row, "what": label})
                    break

    def plan(self, plan, records, today):
        parsed = plan.parsed
        pupil_pks = {mis_id.upper(): pk for mis_id, pk in Pupil.objects.values_list("mis_id", "pk")}
        by_digits = {}  # for a hint when Excel has dropped an admission number's leading zeros
        for mis_id in pupil_pks:
            if mis_id.lstrip("0"):
                by_digits.setdefault(mis_id.lstrip("0"), mis_id)
        guardians = list(Guardian.objects.order_by("pk"))
        by_mis_id = {guardian.mis_id.upper(): guardian for guardian in guardians if guardian.mis_id}
        by_email, unkeyed_by_email = {}, {}
        for guardian in guardians:
            if guardian.email:
                by_email.setdefault(guardian.email.casefold(), guardian)
                if not guardian.mis_id:
                    unkeyed_by_email.setdefault(guardian.email.casefold(), guardian)
        links = {(link.pupil_id, link.guardian_id): link for link in PupilGuardian.objects.all()}

        contact_fields = [name for name in self.contact_fields if parsed.has(name)]
        link_fields = [name for name in self.link_fields if parsed.has(name)]
        contacts, adopted = {}, set()
        creates, updates, link_creates, link_updates = [], [], [], []
        link_counts = {"new": 0, "updated": 0, "unchanged": 0}
        no_email = set()
        listed = {}  # pupil pk -> pks of the existing contacts the file lists for them
        for record in records:
            values = record.values
            pupil_pk = pupil_pks.get(values["pupil_id"])
            if pupil_pk is None:
                plan.errors.append(RowError(record.row, parsed.header("pupil_id"),
                                            _unknown_pupil_message(values["pupil_id"], by_digits)))
                continue
            listed.setdefault(pupil_pk, set())
            key = self.contact_key(parsed, values).casefold()
            guardian = contacts.get(key)
            if guardian is None:
                details = {name: values[name] for name in contact_fields}
                if parsed.has("mis_id"):
                    guardian = by_mis_id.get(values["mis_id"])
                    if guardian is None and values.get("email"):
                        # A parent entered by hand (or imported by email before) gains the MIS id.
                        candidate = unkeyed_by_email.get(values["email"].casefold())
                        if candidate is not None and candidate.pk not in adopted:
                            guardian = candidate
                            adopted.add(candidate.pk)
                else:
                    guardian = by_email.get(key)
                if guardian is None:
                    guardian = Guardian(**details)
                    creates.append(guardian)
                    plan.changes.append(Change(self.kind, record.row, "new", str(guardian), new=details))
                else:
                    changed = {name: value for name, value in details.items() if getattr(guardian, name) != value}
                    if changed:
                        updates.append((guardian, changed))
                        plan.changes.append(Change(self.kind, record.row, "updated", str(guardian),
                                                   old={name: getattr(guardian, name) for name in changed},
                                                   new=changed))
                    else:
                        plan.counts["unchanged"] += 1
                contacts[key] = guardian
                if not (values["email"] if parsed.has("email") else guardian.email):
                    no_email.add(key)
            if guardian.pk:
                listed[pupil_pk].add(guardian.pk)
            link_values = {name: values[name] for name in link_fields}
            link = links.get((pupil_pk, guardian.pk)) if guardian.pk else None
            if link is None:
                link = PupilGuardian(pupil_id=pupil_pk, guardian=guardian, **link_values)
                link_creates.append(link)
                if guardian.pk:
                    links[(pupil_pk, guardian.pk)] = link
                link_counts["new"] += 1
                continue
            if link.pk is None:  # the same pair twice is caught by check_file; be safe anyway
                continue
            changed = {name: value for name, value in link_values.items() if getattr(link, name) != value}
            if changed:
                link_updates.append((link, changed))
                link_counts["updated"] += 1
            else:
                link_counts["unchanged"] += 1
        if no_email:
            plan.warnings.append(ngettext(
                "%(count)s parent or carer has no email address, so cannot be sent signing or consent links.",
                "%(count)s parents and carers have no email address, so cannot be sent signing or consent links.",
                len(no_email)) % {"count": len(no_email)})
        removals = self._links_to_remove(plan, links, listed, pupil_pks) if plan.full_contacts else []
        plan.counts.update(new=len(creates), updated=len(updates))
        plan.counts.update({f"links_{name}": count for name, count in link_counts.items()})
        plan.counts["links_removed"] = len(removals)
        plan.work = {"creates": creates, "updates": updates, "link_creates": link_creates,
                     "link_updates": link_updates, "link_removals": removals}

    def _links_to_remove(self, plan, links, listed, pupil_pks):
        """Links of pupils in the file to contacts the file no longer lists for them.

        A full contacts file is the MIS's current list for every pupil in it: a contact taken off a pupil's
        record (after a court order, say) must stop being treated as their parent or carer. Pupils not in the
        file keep their links, and so does a pupil with a row that has a problem, whose list may be incomplete.
        """
        bad_rows = {error.row for error in plan.parsed.errors}
        unsure = {pupil_pks.get(record.values.get("pupil_id")) for record in plan.parsed.records
                  if record.row in bad_rows}
        removals = [link for (pupil_pk, guardian_pk), link in links.items()
                    if link.pk and pupil_pk in listed and pupil_pk not in unsure
                    and guardian_pk not in listed[pupil_pk]]
        if not removals:
            return []
        pupils = Pupil.objects.in_bulk({link.pupil_id for link in removals})
        guardians = Guardian.objects.in_bulk({link.guardian_id for link in removals})
        changes = [Change(self.kind, None, "removed",
                          f"{guardians[link.guardian_id]} – {_pupil_label(pupils[link.pupil_id])}")
                   for link in removals]
        plan.changes += sorted(changes, key=lambda change: change.label)
        held = sum(1 for (pupil_pk, _guardian_pk), link in links.items() if link.pk and pupil_pk in listed)
        plan.warnings.append(ngettext(
            "%(count)s link between a pupil and a parent or carer would be removed, because this full contacts "
            "file no longer lists that contact for that pupil. Once removed, the portal stops treating them as "
            "the pupil's parent or carer: they will not be sent signing or consent links for that pupil. Their "
            "contact details are kept. Check the list below before importing.",
            "%(count)s links between a pupil and a parent or carer would be removed, because this full contacts "
            "file no longer lists those contacts for those pupils. Once removed, the portal stops treating them as "
            "the pupils' parents or carers: they will not be sent signing or consent links for them. Their "
            "contact details are kept. Check the list below before importing.",
            len(removals)) % {"count": len(removals)})
        if len(removals) > LINKS_REMOVED_WARNING_SHARE * held:
            numbers = {"removed": number_format(len(removals), force_grouping=True),
                       "links": number_format(held, force_grouping=True)}
            plan.warnings.append(gettext(
                "That is %(removed)s of the %(links)s links the portal holds for the pupils in this file. Check that "
                "this really is the full contacts file, with every contact of each pupil, not a list of new or "
                "priority contacts only.") % numbers)
            plan.large_change = gettext(
                "This file would remove %(removed)s of the %(links)s links the portal holds between the pupils in "
                "it and their parents or carers") % numbers
            plan.confirm_label = ngettext(
                "Yes, remove %(removed)s link between a pupil and a parent or carer",
                "Yes, remove %(removed)s links between pupils and their parents or carers",
                len(removals)) % numbers
        return removals

    def apply(self, plan, now, today):
        work = plan.work
        Guardian.objects.bulk_create(work["creates"], batch_size=BATCH_SIZE)
        events = [{"action": "school.guardian.created", "obj": guardian} for guardian in work["creates"]]
        events += _bulk_update(Guardian, work["updates"], now, "school.guardian.updated")
        # bulk_create set the new guardians' ids; bulk_create of the links copies them from link.guardian.
        PupilGuardian.objects.bulk_create(work["link_creates"], batch_size=BATCH_SIZE)
        events += [{"action": "school.guardian_link.created", "obj": link,
                    "detail": {"pupil": link.pupil_id, "guardian": link.guardian_id}}
                   for link in work["link_creates"]]
        events += _bulk_update(PupilGuardian, work["link_updates"], now, "school.guardian_link.updated")
        removals = work["link_removals"]
        for start in range(0, len(removals), BATCH_SIZE):
            PupilGuardian.objects.filter(pk__in=[link.pk for link in removals[start:start + BATCH_SIZE]]).delete()
        # Ids only: who was unlinked from whom may itself be sensitive (a court order, say).
        events += [{"action": "school.guardian_link.removed", "obj": link,
                    "detail": {"pupil": link.pupil_id, "guardian": link.guardian_id}} for link in removals]
        return events


def _unknown_pupil_message(pupil_id, by_digits):
    message = gettext(
        "No pupil with the id “%(id)s” is in the portal. Import the pupils file first, and use the same "
        "identifier (UPN or admission number) in both files.") % {"id": pupil_id}
    similar = by_digits.get(pupil_id.lstrip("0"))
    if similar:
        message += " " + gettext(
            "The portal has a pupil “%(similar)s”: if Excel removed the leading zeros, export the file from your MIS "
            "again and upload it without opening it in Excel.") % {"similar": similar}
    return message


class StaffImporter(Importer):
    kind = MisImport.Kind.STAFF
    columns = (
        Column("mis_id", _("Staff code"), ("Staff Code", "Staff ID", "Employee Number", "Employee No", "Payroll Number",
                                           "MIS ID"),
               parse=parse_id, max_length=_max_length(User, "mis_id"),
               help=_("Matches staff between imports. Without it, staff are matched by email address.")),
        Column("first_name", _("Forename"), ("Forename", "First Name", "Legal Forename", "Preferred Forename"),
               required=True, max_length=_max_length(User, "first_name")),
        Column("last_name", _("Surname"), ("Surname", "Last Name", "Legal Surname"),
               required=True, max_length=_max_length(User, "last_name")),
        Column("email", _("Work email"), ("Work Email", "Email", "Email Address", "School Email", "Work Email Address"),
               required=True, parse=parse_email, max_length=_max_length(User, "email"),
               help=_("Staff sign in with this address.")),
        Column("job_title", _("Job title"), ("Job Title", "Role", "Post", "Position"),
               max_length=_max_length(User, "job_title")),
        Column("portal_roles", _("Portal roles"), ("Portal Roles", "Portal Role"), parse=parse_roles,
               help=_("Optional, separated by semicolons: Online-safety lead; Technical staff; Governor; Staff. "
                      "Everyone imported gets the Staff role; roles are only ever added, never removed. "
                      "Administrator, DSL and Headteacher are given in the portal, never by a file.")),
    )
    user_fields = ["mis_id", "first_name", "last_name", "email", "job_title"]

    def check_file(self, parsed):
        self._check_unique(parsed, "mis_id", lambda value, row: gettext(
            "Staff code “%(id)s” is also on row %(row)s. Each member of staff must appear only once.")
            % {"id": value, "row": row})
        self._check_unique(parsed, "email", lambda value, row: gettext(
            "“%(email)s” is also on row %(row)s. Each member of staff needs their own email address.")
            % {"email": value, "row": row})

    def plan(self, plan, records, today):
        parsed = plan.parsed
        users = list(User.objects.order_by("pk"))
        by_mis_id = {user.mis_id.upper(): user for user in users if user.mis_id}
        by_email = {user.email.casefold(): user for user in users}
        groups = {group.name: group for group in Group.objects.filter(name__in=roles.ALL)}
        memberships = set(User.groups.through.objects.values_list("user_id", "group_id"))
        missing_groups = {roles.STAFF} - set(groups)
        if missing_groups:  # the roles migration creates them; a broken install should fail loudly
            raise MisImportRefused(gettext("The portal's roles are missing. Run the database migrations."))

        user_fields = [name for name in self.user_fields if parsed.has(name)]
        creates, updates, new_roles, matched = [], [], [], {}
        for record in records:
            values = record.values
            wanted = {roles.STAFF} | set(values.get("portal_roles", ()))
            details = {name: values[name] for name in user_fields}
            if not details.get("mis_id"):
                # A blank staff code never clears one the portal already has.
                details.pop("mis_id", None)
            user = by_mis_id.get(details["mis_id"]) if details.get("mis_id") else None
            owner = by_email.get(values["email"])
            if user is None:
                user = owner
            elif owner is not None and owner.pk != user.pk:
                plan.errors.append(RowError(record.row, parsed.header("email"), gettext(
                    "“%(email)s” already belongs to another account (%(other)s). Change the email address in your "
                    "MIS, or in the portal, so that each person has their own.") % {"email": values["email"],
                                                                                     "other": owner}))
                continue
            if user is not None and user.pk in matched:
                plan.errors.append(RowError(record.row, parsed.header("email"), gettext(
                    "This row matches the same account as row %(row)s.") % {"row": matched[user.pk]}))
                continue
            current = set() if user is None else {
                name for name, group in groups.items() if (user.pk, group.pk) in memberships}
            refusals = self._refusals(user, current, wanted, details)
            if refusals:
                plan.errors += [RowError(record.row, parsed.header(name), message) for name, message in refusals]
                continue
            if user is None:
                user = User(**{**details, "mis_id": details.get("mis_id") or None})
                user.set_unusable_password()  # they choose one through "Forgotten your password?"
                creates.append((user, sorted(wanted)))
                new_roles += [(user, groups[name]) for name in sorted(wanted)]
                plan.changes.append(Change(self.kind, record.row, "new", _user_label(user),
                                           new={**details, "roles": frozenset(wanted)}))
                continue
            matched[user.pk] = record.row
            changed = {name: value for name, value in details.items() if getattr(user, name) != value}
            added = wanted - current
            if changed or added:
                updates.append((user, changed, [name for name in roles.ALL if name in added], current | added))
                new_roles += [(user, groups[name]) for name in sorted(added)]
                old = {name: getattr(user, name) for name in changed}
                new = dict(changed)
                if added:
                    old["roles"], new["roles"] = frozenset(current), frozenset(current | added)
                plan.changes.append(Change(self.kind, record.row, "updated", _user_label(user), old=old, new=new))
            else:
                plan.counts["unchanged"] += 1
        plan.counts.update(new=len(creates), updated=len(updates))
        plan.work = {"creates": creates, "updates": updates, "new_roles": new_roles}

    @staticmethod
    def _refusals(user, current, wanted, details):
        """What a file may not do to an account: [(field, message)]. May drop an email that only changes case."""
        refusals = []
        refused = [name for name in roles.PORTAL_ONLY if name in wanted - current]
        if refused:
            refusals.append(("portal_roles", ngettext(
                "The %(roles)s role cannot be given by an import. It is given in the portal, on the Staff and "
                "governors page, as the headteacher decides. Remove it from this row.",
                "The %(roles)s roles cannot be given by an import. They are given in the portal, on the Staff and "
                "governors page, as the headteacher decides. Remove them from this row.",
                len(refused)) % {"roles": ", ".join(str(roles.LABELS[name]) for name in refused)}))
        privileged = user is not None and (user.is_superuser or bool(current & set(roles.PORTAL_ONLY)))
        if privileged and "email" in details and user.email != details["email"]:
            if user.email.casefold() == details["email"].casefold():
                details.pop("email")  # the same address in other capitals: nothing to change
            else:
                # A new address would let whoever controls it reset the password of a privileged account.
                refusals.append(("email", gettext(
                    "%(who)s has a privileged account (Administrator, DSL or Headteacher), so an import cannot "
                    "change its email address from %(old)s: change it in the portal, on the Staff and governors "
                    "page.") % {"who": user, "old": user.email}))
        return refusals

    def apply(self, plan, now, today):
        work = plan.work
        User.objects.bulk_create([user for user, _roles in work["creates"]], batch_size=BATCH_SIZE)
        # Same event shapes as staff_user_create / staff_user_update in services.py.
        events = [{"action": "school.user.created", "obj": user, "detail": {"roles": names, "active": True}}
                  for user, names in work["creates"]]
        field_updates = [(user, changed) for user, changed, _added, _held in work["updates"] if changed]
        for user, changed in field_updates:
            for name, value in changed.items():
                setattr(user, name, value)
        names = sorted({name for _user, changed in field_updates for name in changed})
        if field_updates:
            User.objects.bulk_update([user for user, _changed in field_updates], names, batch_size=BATCH_SIZE)
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [Membership(user_id=user.pk, group_id=group.pk) for user, group in work["new_roles"]],
            batch_size=BATCH_SIZE, ignore_conflicts=True)
        for user, changed, added, held in work["updates"]:
            if changed:
                events.append({"action": "school.user.updated", "obj": user, "detail": {"fields": sorted(changed)}})
            if added:
                events.append({"action": "school.user.roles_changed", "obj": user, "detail": {
                    "added": added, "removed": [], "roles": [name for name in roles.ALL if name in held]}})
        return events


def _user_label(user):
    return f"{user.get_full_name()} ({user.email})"


def _same(value):
    return str(value).strip().casefold()


def _column(importer, name):
    return next(column for column in importer.columns if column.field == name)


IMPORTERS = {
    MisImport.Kind.PUPILS: PupilImporter(),
    MisImport.Kind.GUARDIANS: GuardianImporter(),
    MisImport.Kind.STAFF: StaffImporter(),
}


def _field_label(kind, name):
    if name == "roles":
        return gettext("Portal roles")
    return next((column.label for column in IMPORTERS[kind].columns if column.field == name), name)


# --- Parsing and planning ---------------------------------------------------------------------

def parse_mis_file(kind, text):
    """Read and validate every row. Pure: touches no database."""
    importer = IMPORTERS[kind]
    parsed = ParsedFile(kind=kind)
    try:
        table = read_table(text)
    except MisFileError as error:
        parsed.errors.append(RowError(1, "", str(error)))
        return parsed
    # Blank lines above the header are skipped, but still count in the row numbers.
    header_index = next((i for i, cells in enumerate(table) if any(cell.strip() for cell in cells)), None)
    if header_index is None:
        parsed.errors.append(RowError(1, "", gettext("The file is empty.")))
        return parsed
    parsed.headers = [header.strip().lstrip("\ufeff") for header in table[header_index]]
    parsed.columns = _match_columns(importer.columns, parsed.headers)

    missing = [column for column in importer.columns if column.required and column.field not in parsed.columns]
    for column in missing:
        parsed.errors.append(RowError(1, "", gettext(
            "There is no column for %(what)s. Name the column one of: %(names)s.")
            % {"what": column.label, "names": ", ".join(column.aliases)}))
    for message in importer.check_columns(parsed):
        parsed.errors.append(RowError(1, "", message))
    if parsed.errors:
        # Checking rows against the wrong headers would bury the one real problem under hundreds.
        return parsed

    present = [column for column in importer.columns if column.field in parsed.columns]
    for row_number, cells in enumerate(table[header_index + 1:], start=header_index + 2):
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets often end with empty rows
        record = Record(row_number, {})
        parsed.records.append(record)
        for column in present:
            index = parsed.columns[column.field]
            raw = cells[index].strip() if index < len(cells) else ""
            if not raw and column.required:
                parsed.add_error(row_number, column.field, gettext("%(what)s is missing.") % {"what": column.label})
                continue
            if column.max_length and len(raw) > column.max_length:
                parsed.add_error(row_number, column.field, gettext(
                    "This is %(length)s characters long; the most the portal can hold is %(max)s.")
                    % {"length": len(raw), "max": column.max_length})
                continue
            try:
                value = column.parse(raw)
            except CellError as error:
                parsed.add_error(row_number, column.field, str(error))
                continue
            if column.max_length and isinstance(value, str) and len(value) > column.max_length:
                # Upper-casing can lengthen text ("ß" becomes "SS"): what is stored must fit too.
                parsed.add_error(row_number, column.field, gettext(
                    "This is %(length)s characters long; the most the portal can hold is %(max)s.")
                    % {"length": len(value), "max": column.max_length})
                continue
            record.values[column.field] = value
        # Also run for a row with other problems, so every problem is reported at once: the checks look
        # only at the cells they need, and a cell that could not be read is not in record.values.
        for name, message in importer.check_row(parsed, record):
            parsed.add_error(row_number, name, message)
    if not parsed.records:
        parsed.errors.append(RowError(1, "", gettext("The file has a header row but nothing below it.")))
    importer.check_file(parsed)
    parsed.errors.sort(key=lambda error: (error.row, _column_position(parsed, error)))
    return parsed


def _match_columns(columns, headers):
    normalised = [_norm(header) for header in headers]
    found, taken = {}, set()
    for column in columns:
        for alias in column.aliases:
            key = _norm(alias)
            index = next((i for i, header in enumerate(normalised) if header == key and i not in taken), None)
            if index is not None:
                found[column.field] = index
                taken.add(index)
                break
    return found


def plan_import(parsed, *, full_roll=False, full_contacts=False, today=None):
    """Compare the file with the database. Reads only."""
    today = today or timezone.localdate()
    plan = Plan(kind=parsed.kind, parsed=parsed, full_roll=full_roll and parsed.kind == MisImport.Kind.PUPILS,
                full_contacts=full_contacts and parsed.kind == MisImport.Kind.GUARDIANS)
    if not any(error.row == 1 for error in parsed.errors):
        IMPORTERS[parsed.kind].plan(plan, parsed.valid_records, today)
    plan.errors = sorted(parsed.errors + plan.errors, key=lambda error: (error.row, _column_position(parsed, error)))
    return plan


def _column_position(parsed, error):
    try:
        return parsed.headers.index(error.column)
    except ValueError:
        return -1


CHANGE_COUNTS = ("new", "updated", "left", "links_new", "links_updated", "links_removed")


def counts_have_changes(counts):
    """Whether a plan's counts (or an upload's stored summary) would change anything in the portal."""
    return any(counts.get(name) for name in CHANGE_COUNTS)


STATE_LABELS = {
    "awaiting": _("Awaiting confirmation"),
    "problems": _("Has problems"),
    "nothing": _("Nothing to import"),
    "committed": _("Imported"),
    "discarded": _("Discarded"),
    "expired": _("Expired"),
}


def mis_import_state(mis_import, plan=None):
    """(state, label) for the list of imports and the preview page.

    An upload still in preview "has problems" if its file cannot be imported and "nothing to import" if it
    would change nothing; both come from the plan if given, else from the summary stored at upload. A
    discarded upload is "expired" if it was discarded for being left too long.
    """
    summary = mis_import.summary or {}
    if plan is not None:
        errors, counts = len(plan.errors), plan.counts
    else:
        errors, counts = summary.get("errors", 0), summary
    if mis_import.status == MisImport.Status.COMMITTED:
        state = "committed"
    elif mis_import.status == MisImport.Status.DISCARDED:
        state = "expired" if summary.get("expired") else "discarded"
    elif plan is None and "rows" not in summary:
        state = "awaiting"  # nothing is known about the file: say only that it waits
    elif errors:
        state = "problems"
    elif not counts_have_changes(counts):
        state = "nothing"
    else:
        state = "awaiting"
    return state, str(STATE_LABELS[state])


def describe_counts(kind, counts):
    """One line for messages and the command line, e.g. "12 new, 3 updated, 1,480 unchanged"."""
    def number(name):
        return number_format(counts.get(name, 0), force_grouping=True)

    parts = [gettext("%(count)s new") % {"count": number("new")},
             gettext("%(count)s updated") % {"count": number("updated")},
             gettext("%(count)s unchanged") % {"count": number("unchanged")}]
    if kind == MisImport.Kind.PUPILS:
        parts.append(gettext("%(count)s marked as left") % {"count": number("left")})
    line = ", ".join(parts)
    if kind == MisImport.Kind.GUARDIANS:
        line += gettext("; links to pupils: %(new)s new, %(updated)s updated") % {
            "new": number("links_new"), "updated": number("links_updated")}
        if counts.get("links_removed"):
            line += gettext(", %(removed)s removed") % {"removed": number("links_removed")}
    return line


# --- Write operations -------------------------------------------------------------------------

def mis_import_upload(*, kind, content, file_name, full_roll=False, full_contacts=False, actor=None, request=None):
    """Keep an uploaded file until someone confirms or discards it (and only until then)."""
    check_text(content)
    mis_import = MisImport.objects.create(
        kind=kind, full_roll=full_roll and kind == MisImport.Kind.PUPILS,
        full_contacts=full_contacts and kind == MisImport.Kind.GUARDIANS, file_name=file_name[:255],
        content=content, created_by=actor)
    plan = mis_import_preview(mis_import=mis_import)
    # Kept so the list of recent imports can say how each one looked once the file itself is gone.
    mis_import.summary = {"rows": plan.parsed.rows_read, "errors": len(plan.errors), **plan.counts}
    mis_import.save(update_fields=["summary"])
    audit_record(action="school.mis_import.uploaded", actor=actor, obj=mis_import, request=request,
                 detail={"kind": kind, "full_roll": mis_import.full_roll, "full_contacts": mis_import.full_contacts,
                         "rows": plan.parsed.rows_read, "errors": len(plan.errors)})
    return mis_import


def mis_import_preview(*, mis_import, today=None):
    parsed = parse_mis_file(mis_import.kind, mis_import.content)
    return plan_import(parsed, full_roll=mis_import.full_roll, full_contacts=mis_import.full_contacts, today=today)


def mis_import_commit(*, mis_import, actor, request=None, today=None, confirm_large_changes=False):
    """Write the whole file or nothing. Returns the plan that was applied.

    A plan with a large change (a full roll marking more than a quarter of the roll as left, a full contacts
    file removing more than a quarter of its pupils' links) is refused unless confirm_large_changes is true.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = MisImport.objects.select_for_update().get(pk=mis_import.pk)
        if locked.status != MisImport.Status.PREVIEW:
            raise MisImportRefused(gettext("This file has already been imported or discarded."))
        if locked.created_at < timezone.now() - EXPIRE_AFTER:
            # The hourly expiry may not have run yet; the file is too old to trust all the same.
            raise MisImportRefused(gettext("This upload is more than 24 hours old. Export the file from your "
                                           "MIS again and upload it afresh."))
        # Planned again here: the database may have changed since the preview was shown.
        plan = mis_import_preview(mis_import=locked, today=today)
        if plan.errors:
            raise MisImportRefused(ngettext(
                "Nothing was imported: the file has %(count)s problem. Correct it and upload the file again.",
                "Nothing was imported: the file has %(count)s problems. Correct them and upload the file again.",
                len(plan.errors)) % {"count": len(plan.errors)}, plan)
        if plan.needs_confirmation and not confirm_large_changes:
            raise MisImportRefused(gettext(
                "Nothing was imported. %(change)s: more than a quarter, the usual sign of the wrong file, so it "
                "needs an extra confirmation. If it is right, tick “%(confirm)s” and import again.")
                % {"change": plan.large_change, "confirm": plan.confirm_label}, plan)
        now = timezone.now()
        events = IMPORTERS[locked.kind].apply(plan, now, today)
        for event in events:
            event.setdefault("detail", {})["mis_import"] = locked.pk
        summary = {"rows": plan.parsed.rows_read, **plan.counts}
        events.append({"action": "school.mis_import.committed", "obj": locked,
                       "detail": {"kind": locked.kind, "full_roll": locked.full_roll,
                                  "full_contacts": locked.full_contacts, **summary}})
        audit_record_many(events=events, actor=actor, request=request)
        summary["seconds"] = round(time.perf_counter() - started, 2)
        # The file holds SEN and looked-after flags and parents' contact details: once imported, only the
        # summary is kept.
        locked.status, locked.committed_at, locked.summary, locked.content = (
            MisImport.Status.COMMITTED, now, summary, "")
        locked.save(update_fields=["status", "committed_at", "summary", "content"])
    mis_import.status, mis_import.committed_at, mis_import.summary, mis_import.content = (
        locked.status, now, summary, "")
    return plan


def mis_import_discard(*, mis_import, actor, request=None):
    with transaction.atomic():
        locked = MisImport.objects.select_for_update().get(pk=mis_import.pk)
        if locked.status != MisImport.Status.PREVIEW:
            raise MisImportRefused(gettext("This file has already been imported or discarded."))
        locked.status, locked.content = MisImport.Status.DISCARDED, ""  # the upload's summary is kept
        locked.save(update_fields=["status", "content"])
        audit_record(action="school.mis_import.discarded", actor=actor, obj=locked, request=request)
    mis_import.status, mis_import.content = locked.status, ""
    return mis_import


def mis_import_expire_stale(*, now=None):
    """Discard every upload still awaiting confirmation after EXPIRE_AFTER. Returns how many.

    The file holds SEN and looked-after flags and parents' contact details: it must not wait for ever for
    someone to import or discard it. As with a discard, its content is deleted and the summary kept (marked
    as expired). Safe to run again, and alongside someone importing: each upload is locked and checked first.
    """
    cutoff = (now or timezone.now()) - EXPIRE_AFTER
    stale = MisImport.objects.filter(status=MisImport.Status.PREVIEW, created_at__lt=cutoff)
    expired = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            locked = stale.select_for_update().filter(pk=pk).first()
            if locked is None:  # imported or discarded meanwhile
                continue
            locked.status, locked.content = MisImport.Status.DISCARDED, ""
            locked.summary = {**locked.summary, "expired": True}
            locked.save(update_fields=["status", "content", "summary"])
            audit_record(action="school.mis_import.expired", actor=None, obj=locked,
                         detail={"kind": locked.kind, "uploaded": locked.created_at.isoformat(timespec="seconds")})
        expired += 1
    return expired
