"""Property-based tests on the incident forms: reporting a concern, the DSL's log form, and every
form on the case page (triage, steps, chronology, corrections, referrals, parents, imagery,
attachments, close and reopen)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example as known_case
from hypothesis import given
from hypothesis import strategies as st

from incidents import casework
from incidents.models import (
    Agency,
    Area,
    ChronologyEntry,
    EntryKind,
    Incident,
    IncidentType,
    Referral,
    Severity,
    Status,
)
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role
from tests.fuzz.checks import (
    assert_no_server_error,
    assert_refused_and_kept,
    example,
    fuzz_settings,
    stripped,
)
from tests.fuzz.strategies import MISSING, clean_text, form_data, huge_numbers, junk, odd_dates
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.localtime().replace(second=0, microsecond=0)
past_datetime = st.integers(60, 60 * 24 * 400).map(
    lambda minutes: (NOW - datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M"))
past_date = st.integers(0, 400).map(lambda days: (NOW.date() - datetime.timedelta(days=days)).isoformat())
datetime_junk = junk | odd_dates | st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M"))
TEXT_LIMIT = 3000


def choice(choices):
    return st.sampled_from([value for value, _label in choices])


@pytest.fixture
def dsl(client):
    user = user_with_role(roles.DSL, email="dsl.fuzz@school.example")
    client.force_login(user)
    return user


@pytest.fixture
def pupils(db):
    return [PupilFactory(year_group=5, reg_class="5B") for _ in range(2)]


def report_fields(pupils):
    pupil_ids = [str(pupil.pk) for pupil in pupils]
    return {
        "description": clean_text(1, TEXT_LIMIT), "occurred_at": past_datetime,
        "location": st.sampled_from(["in_school", "online_outside", "offsite_trip"]),
        "other_people": clean_text(1, 300) | st.just(""), "device_owner": st.sampled_from(["", "school", "pupil"]),
        "device_description": clean_text(1, 200) | st.just(""), "url": st.sampled_from(["", "https://example.com/a"]),
        "immediate_action": clean_text(1, 300) | st.just(""), "area": choice(Area.choices),
        "incident_type": st.just(IncidentType.NOT_SURE.value),
        "pupils": st.lists(st.sampled_from(pupil_ids), max_size=2, unique=True),
        "pupil_query": st.just(""),
    }


REPORT_JUNK = {"pupils": st.lists(huge_numbers | st.sampled_from(["-1", "abc", "1.5", "١"]), min_size=1, max_size=3),
               "occurred_at": datetime_junk}
REPORT_TEXT = ["description", "other_people", "device_description", "immediate_action", "url"]


def assert_incident_holds(incident, data):
    for name in ("description", "other_people", "immediate_action", "device_description"):
        assert getattr(incident, name) == stripped(data.get(name, "")), name


@pytest.fixture
def reporter(client):
    user = user_with_role(roles.STAFF, email="reporter.fuzz@school.example")
    client.force_login(user)
    return user


@fuzz_settings(max_examples=50)
@given(junk_pupils=st.none(), data=st.data())
# Found by this test: a pupil id too big for any column (or for int()) was a 500 when the form came back.
@known_case(junk_pupils=[str(2**63)], data=None)
@known_case(junk_pupils=["9" * 5000], data=None)
def test_report_a_concern(client, reporter, pupils, junk_pupils, data):
    if junk_pupils is None:
        post = data.draw(form_data(report_fields(pupils), junk_for=REPORT_JUNK))
    else:
        post = {"description": "Seen at break", "location": "in_school", "area": "not_sure",
                "incident_type": "not_sure", "occurred_at": "2026-01-05T10:00", "pupils": junk_pupils}
    with example("incidents: report a concern"):
        response = client.post(reverse("incidents:report"), {**post, "save": "1"})
        assert_no_server_error(response)
        if response.status_code == 302:
            assert_incident_holds(Incident.objects.get(reported_by=reporter), post)
        else:
            assert_refused_and_kept(response, post, REPORT_TEXT)


@fuzz_settings(max_examples=40)
@given(data=st.data())
def test_dsl_log_form(client, dsl, pupils, data):
    fields = {**report_fields(pupils), "severity": st.sampled_from(["", *Severity.values]),
              "child_protection": st.sampled_from(["unknown", "true", "false"]), "owner": st.just("")}
    post = data.draw(form_data(fields, junk_for={**REPORT_JUNK, "owner": junk | huge_numbers}))
    with example("incidents: DSL log form"):
        response = client.post(reverse("incidents:log"), {**post, "save": "1"})
        assert_no_server_error(response)
        if response.status_code == 302:
            assert_incident_holds(Incident.objects.get(reported_by=dsl), post)
        else:
            assert_refused_and_kept(response, post, REPORT_TEXT)


@fuzz_settings(max_examples=15)
@given(query=junk)
def test_report_pupil_search_without_javascript(client, dsl, pupils, query):
    with example("incidents: pupil search (no JavaScript)"):
        given_query = {} if query is MISSING else {"pupil_query": query}
        response = client.post(reverse("incidents:log"), {"description": "Seen at break", "find_pupils": "1",
                                                          **given_query})
        assert_no_server_error(response)
        response = client.get(reverse("incidents:pupil_search"), {} if query is MISSING else {"q": query})
        assert_no_server_error(response)


@pytest.fixture
def case(dsl):
    incident = IncidentFactory(status=Status.OPEN, owner=dsl, incident_type=IncidentType.CYBERBULLYING,
                               area=Area.CONDUCT)
    entry = ChronologyEntry.objects.create(incident=incident, author=dsl, kind=EntryKind.NOTE,
                                           happened_at=timezone.now(), text="Spoke to the pupil.")
    casework._sync_steps(incident)
    return incident, entry


def prefixed(prefix, fields):
    return {f"{prefix}-{name}": strategy for name, strategy in fields.items()}


CASE_FORMS = {
    "triage": (lambda incident, entry: reverse("incidents:triage", args=[incident.pk]), prefixed("triage", {
        "area": choice(Area.choices), "incident_type": choice(IncidentType.choices),
        "severity": choice(Severity.choices), "child_protection": st.sampled_from(["yes", "no"]),
        "owner": st.just("")}), []),
    "chronology": (lambda incident, entry: reverse("incidents:chronology_add", args=[incident.pk]),
                   prefixed("chronology", {"kind": st.sampled_from([EntryKind.NOTE.value]),
                                           "happened_at": past_datetime, "text": clean_text(1, TEXT_LIMIT)}),
                   ["chronology-text"]),
    "correction": (lambda incident, entry: reverse("incidents:chronology_correct", args=[incident.pk, entry.pk]),
                   {"text": clean_text(1, TEXT_LIMIT)}, ["text"]),
    "referral": (lambda incident, entry: reverse("incidents:referral_add", args=[incident.pk]),
                 prefixed("referral", {"decision": choice(Referral.Decision.choices), "agency": choice(Agency.choices),
                                       "agency_other": clean_text(1, 200) | st.just(""), "made_on": past_date,
                                       "external_reference": clean_text(1, 100) | st.just(""),
                                       "outcome": clean_text(1, 500) | st.just(""),
                                       "rationale": clean_text(1, 500)}),
                 ["referral-agency_other", "referral-external_reference", "referral-outcome", "referral-rationale"]),
    "parents": (lambda incident, entry: reverse("incidents:parents_add", args=[incident.pk]),
                prefixed("parents", {"informed": st.sampled_from(["yes", "no"]), "informed_at": past_datetime,
                                     "method": st.sampled_from(["", "phone", "meeting"]),
                                     "informed_by": st.just("DSL"), "rationale": clean_text(1, 500)}),
                ["parents-rationale"]),
    "close": (lambda incident, entry: reverse("incidents:close", args=[incident.pk]),
              prefixed("close", {"outcome": clean_text(1, TEXT_LIMIT), "lessons_learnt": clean_text(1, TEXT_LIMIT)}),
              ["close-outcome", "close-lessons_learnt"]),
}


@pytest.mark.parametrize("form_name", CASE_FORMS)
@fuzz_settings(max_examples=25)
@given(data=st.data())
def test_case_forms(client, case, form_name, data):
    incident, entry = case
    address, fields, text_fields = CASE_FORMS[form_name]
    fields = dict(fields)
    datetime_names = [name for name in fields if name.endswith(("_at", "made_on"))]
    post = data.draw(form_data(fields, junk_for={name: datetime_junk for name in datetime_names}))
    for name, value in post.items():
        if value == "DSL":
            post[name] = str(incident.owner_id)
    with example(f"incidents: case {form_name}"):
        response = client.post(address(incident, entry), post)
        assert_no_server_error(response)
        if response.status_code == 302:
            incident.refresh_from_db()
            if form_name == "chronology":
                assert incident.chronology.filter(text=stripped(post["chronology-text"])).exists()
            elif form_name == "correction":
                assert incident.chronology.filter(corrects=entry, text=stripped(post["text"])).exists()
            elif form_name == "close":
                assert (incident.outcome, incident.lessons_learnt) == (stripped(post["close-outcome"]),
                                                                       stripped(post["close-lessons_learnt"]))
        elif form_name == "correction":
            # Shown inside the entry's own correction box, not as a bound form.
            assert_refused_and_kept(response, post, text_fields, error_keys=["correction_errors"])
        else:
            assert_refused_and_kept(response, post, text_fields)


@fuzz_settings(max_examples=20)
@given(reason=clean_text(1, 500) | junk)
def test_case_reopen(client, case, reason):
    incident, _entry = case
    post = {} if not isinstance(reason, str | list) else {"reopen-reason": reason}
    with example("incidents: case reopen"):
        Incident.objects.filter(pk=incident.pk).update(status=Status.CLOSED, outcome="Done", lessons_learnt="None")
        response = client.post(reverse("incidents:reopen", args=[incident.pk]), post)
        assert_no_server_error(response)
        if response.status_code == 200:
            assert_refused_and_kept(response, post, ["reopen-reason"])


@fuzz_settings(max_examples=15)
@given(state=st.sampled_from(["done", "not_applicable", "open"]) | junk, reason=clean_text(1, 300) | junk)
def test_case_step(client, case, state, reason):
    incident, _entry = case
    step = incident.steps.first()
    post = {key: value for key, value in (("state", state), ("reason", reason)) if isinstance(value, str | list)}
    with example("incidents: case step"):
        response = client.post(reverse("incidents:step", args=[incident.pk, step.pk if step else 1]), post)
        assert_no_server_error(response)


NAMES = st.sampled_from(["evidence.pdf", "notes.txt", "photo.png", "a.docx", "", "x" * 300, "..\\..\\etc\\passwd",
                         "evil.html", "😀.txt", "a\x00b.pdf"])
CONTENT = st.one_of(st.binary(max_size=2000), st.sampled_from([b"%PDF-1.4\n%%EOF", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
                                                               b"\xff\xd8\xff\xe0" + b"\x00" * 40, b"PK\x03\x04" * 10,
                                                               b"<html><script>alert(1)</script>", b"plain text\n"]))


@fuzz_settings(max_examples=40)
@given(name=NAMES, content=CONTENT, content_type=st.sampled_from(["application/pdf", "text/html", "image/png", ""]))
def test_case_attachment(client, case, name, content, content_type):
    incident, _entry = case
    upload = io.BytesIO(content)
    upload.name = name or "unnamed"
    with example("incidents: case attachment upload"):
        response = client.post(reverse("incidents:attachment_add", args=[incident.pk]), {"attachment-file": upload})
        assert_no_server_error(response)
        if response.status_code == 302:
            stored = incident.attachments.get()
            assert stored.file.read() == content
            download = client.get(reverse("incidents:attachment", args=[incident.pk, stored.pk]))
            assert download.status_code == 200
            assert download["Content-Disposition"].startswith("attachment")
            assert download["X-Content-Type-Options"] == "nosniff"
        else:
            assert_refused_and_kept(response, {}, [])
