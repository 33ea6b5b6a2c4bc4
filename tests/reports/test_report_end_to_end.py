"""A real report, end to end: real records with distinctive names, the real figures and the real PDF
(WeasyPrint) through the services and the task, read back with pypdf. Governors never see case
details: no pupil, guardian or staff name, description or reference reaches the figures or the PDF.
A finalised report then stays exactly as it was when more incidents are recorded in its term."""

import datetime
import hashlib
import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from incidents.models import (
    Agency,
    ChronologyEntry,
    Incident,
    IncidentType,
    Location,
    ParentContact,
    Referral,
)
from safety_portal.reports import figures as report_figures
from safety_portal.reports import services
from safety_portal.reports.models import Report, State
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile, Term
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, school_year, user_with_role
from tests.reports.factories import local, make_incident

pytestmark = pytest.mark.django_db

SCHOOL = "Larkspur Vale Academy"
PUPILS = [("Zebedee", "Quiggleworth", 8), ("Philomena", "Dunkerton", 5), ("Ignatius", "Wobblethorpe", 10)]
GUARDIANS = [("Ottoline", "Fernsby"), ("Horatio", "Pennywhistle")]
REPORTER = ("Percival", "Thistlewood")
CASE_OWNER = ("Millicent", "Hargreave")
NAMED_STAFF = ("Augustus", "Featherstonehaugh")
# Everything written on the cases that is not a category: none of it may reach the governors.
CASE_WORDS = [
    "Snapchat message from Bartholomew", "Bartholomew", "Crumpetsworth", "quizzleflix", "Gribbleton",
    "Quoddy", "Rumbelow", "CEOP-XQZ-48213", "Mulberry", "Fernsby Family Trust", "Zanzibar",
]


def _name_words():
    return [word for first, last, *_rest in PUPILS + GUARDIANS + [REPORTER, CASE_OWNER, NAMED_STAFF]
            for word in (first, last)]


@pytest.fixture
def school(db):
    for year in (2024, 2025, 2026):
        school_year(year)
    dsl = user_with_role(roles.DSL, first_name="Winifred", last_name="Ashcombe", email="dsl@larkspur.example")
    head = user_with_role(roles.HEADTEACHER, first_name="Cornelius", last_name="Brackenbury",
                          email="head@larkspur.example")
    SchoolProfile.objects.create(pk=1, name=SCHOOL, dsl=dsl, headteacher=head)
    reporter = user_with_role(roles.STAFF, first_name=REPORTER[0], last_name=REPORTER[1])
    owner = user_with_role(roles.DSL, first_name=CASE_OWNER[0], last_name=CASE_OWNER[1])
    named = user_with_role(roles.STAFF, first_name=NAMED_STAFF[0], last_name=NAMED_STAFF[1])
    pupils = [PupilFactory(first_name=first, last_name=last, year_group=year, reg_class=f"{year}Q")
              for first, last, year in PUPILS]
    for pupil, (first, last) in zip(pupils, GUARDIANS, strict=False):
        PupilGuardianFactory(pupil=pupil, guardian=GuardianFactory(first_name=first, last_name=last))
    return {"dsl": dsl, "head": head, "reporter": reporter, "owner": owner, "named": named, "pupils": pupils,
            "term": Term.objects.get(academic_year=2025, name="spring")}  # 6/1/26 to 13/4/26


def _case(when, school, *, closed_after=None, **kwargs):
    """A case in the log with every free-text field filled with words that must stay in the log."""
    incident = make_incident(when, reporter=school["reporter"], pupils=school["pupils"][:2],
                             closed_at=when + closed_after if closed_after else None,
                             description="Snapchat message from Bartholomew about Zebedee Quiggleworth.", **kwargs)
    Incident.objects.filter(pk=incident.pk).update(
        owner=school["owner"], other_people="Bartholomew Crumpetsworth, a pupil at another school",
        device_description="Ignatius's Zanzibar tablet", immediate_action="Called Ottoline Fernsby at once.",
        outcome="Gribbleton mediation with Horatio Pennywhistle." if closed_after else "",
        lessons_learnt="Quoddy assembly for Year 8." if closed_after else "")
    ChronologyEntry.objects.create(incident=incident, happened_at=when, recorded_at=when, author=school["owner"],
                                   text="Rumbelow: spoke to Zebedee and Philomena.")
    return incident


def _log(school):
    """Seven cases in the spring term (one closed in the holiday after it) and two in the term before."""
    day = datetime.timedelta(days=1)
    cases = [
        _case(local(2026, 1, 12, 9), school, closed_after=4 * day),
        _case(local(2026, 1, 20, 10), school, closed_after=6 * day, incident_type=IncidentType.FILTERING_BREACH,
              area="content", location=Location.IN_SCHOOL, device_owner="school"),
        _case(local(2026, 2, 3, 11), school, closed_after=2 * day, immediate_risk=True,
              incident_type=IncidentType.GROOMING, area="contact", location=Location.ONLINE_OUTSIDE,
              device_owner="personal"),
        _case(local(2026, 2, 24, 14), school, closed_after=9 * day),
        _case(local(2026, 3, 10, 9), school, closed_after=30 * day, location=Location.ONLINE_OUTSIDE),
        # An allegation against staff: a restricted case, which the report does not count.
        _case(local(2026, 3, 18, 13), school, incident_type=IncidentType.STAFF_MISUSE, area="conduct"),
        _case(local(2026, 3, 25, 15), school),
        _case(local(2025, 10, 6, 9), school, closed_after=3 * day),
        _case(local(2025, 11, 17, 9), school, closed_after=5 * day),
    ]
    cases[5].named_people.set([school["named"]])
    Referral.objects.create(incident=cases[2], decision=Referral.Decision.REFERRED, agency=Agency.CEOP,
                            made_on=datetime.date(2026, 2, 3), external_reference="CEOP-XQZ-48213",
                            outcome="Sergeant Mulberry is looking into it.", recorded_by=school["owner"])
    Referral.objects.create(incident=cases[0], decision=Referral.Decision.REFERRED, agency=Agency.OTHER,
                            agency_other="Fernsby Family Trust", made_on=datetime.date(2026, 1, 13),
                            recorded_by=school["owner"])
    Referral.objects.create(incident=cases[3], decision=Referral.Decision.NOT_REFERRED,
                            made_on=datetime.date(2026, 2, 25), rationale="Gribbleton handled it in school.",
                            recorded_by=school["owner"])
    for case in cases[:5]:
        ParentContact.objects.create(incident=case, informed=True, informed_at=case.reported_at,
                                     informed_by=school["owner"], method="phone")
    ParentContact.objects.create(incident=cases[6], informed=False, informed_by=school["owner"],
                                 rationale="Ottoline Fernsby is abroad until Quoddy day.")
    return cases


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def stored_bytes(report):
    with default_storage.open(report.pdf.name, "rb") as handle:
        return handle.read()


def test_the_finalised_pdf_has_the_figures_and_no_case_detail_and_stays_as_it_was(
        school, client, django_capture_on_commit_callbacks):
    cases = _log(school)
    term = school["term"]
    with django_capture_on_commit_callbacks(execute=True):  # the generation task runs (eagerly) after the commit
        requested = services.report_request(term=term, requested_by=school["dsl"])
    report = Report.objects.get(pk=requested.pk)
    assert report.state == State.DRAFT, report.error
    report = services.report_finalise(report=report, by=school["head"])
    assert report.state == State.FINAL

    content = stored_bytes(report)
    assert hashlib.sha256(content).hexdigest() == report.pdf_sha256
    text = pdf_text(content)
    flat = re.sub(r"\s+", " ", text)
    # What governors are to see: the school, the term, and the headline count (6 this term, fewer
    # than 3 the term before).
    assert SCHOOL in flat and "Spring 2025/26" in flat
    assert report.figures["incidents"]["recorded"] == {"value": 6, "display": "6"}
    assert re.search(r"Recorded this term \(Spring 2025/26\) 6\b", flat), flat[:2000]
    assert "OFFICIAL-SENSITIVE" in flat
    # What they must never see: names, anything written on a case, any reference.
    stored = json.dumps(report.figures)
    for word in _name_words() + CASE_WORDS + [case.reference for case in cases]:
        assert word.lower() not in flat.lower(), word
        assert word.lower() not in stored.lower(), word

    # More cases are recorded in the term after it was finalised.
    for n in range(4):
        _case(local(2026, 3, 2 + n, 10), school, closed_after=datetime.timedelta(days=1))
    assert report_figures.term_figures(term)["incidents"]["recorded"]["value"] == 10  # the figures would change
    report = Report.objects.get(pk=report.pk)
    assert report.state == State.FINAL and stored_bytes(report) == content
    assert hashlib.sha256(stored_bytes(report)).hexdigest() == report.pdf_sha256
    assert report.figures["incidents"]["recorded"]["value"] == 6
    client.force_login(school["dsl"])
    preview = client.get(reverse("reports:preview", args=[report.pk]))
    assert preview.status_code == 200
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.content.decode()))
    assert re.search(r"Recorded this term \(Spring 2025/26\) 6\b", shown)
    assert not re.search(r"Recorded this term \(Spring 2025/26\) 10\b", shown)
    for word in _name_words() + CASE_WORDS:
        assert word.lower() not in shown.lower(), word
    client.force_login(school["head"])
    download = client.get(reverse("reports:pdf", args=[report.pk]))
    assert b"".join(download.streaming_content) == content
