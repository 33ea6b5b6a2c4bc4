"""The access-control matrix: every URL pattern of the portal, for every kind of visitor.

Each row names a URL pattern ("namespace:name", or the route for an unnamed one), the objects
its address needs, and what each of the eleven kinds of visitor gets when they open it:

    ALLOWED    2xx: the page (or file) is served
    NOT_FOUND  404: the page does not exist for them (outsiders get 404, not 403)
    LOGIN      302 to the sign-in page, with ?next= the address asked for
    DEVICE     302 to the device's own start page (a pupil or kiosk device keeps to its session)
    to(name)   302 to that page: a page that sends an allowed visitor elsewhere by design

Signed-in staff are one role each (a user holding exactly that role); "parent" is an anonymous
browser that has just opened a valid parent link; "pupil" and "kiosk" are browsers a member of
staff handed over as a class signing session or a reception kiosk, started as the app does.

Most rows are GET. A view that only answers POST (require_POST) says nothing about access on a GET
(405 comes before the role check), so its row is probed with an empty POST instead: ALLOWED then
means the view accepted the request from that visitor (2xx, or a 302 back to a page of the portal
that is not the sign-in or device page: `to(...)` names it where it matters), and every row of
that kind also checks that a GET never serves anything (405 or the same refusal).

A URL pattern missing from the matrix fails `test_every_url_pattern_is_in_the_matrix`; a row for a
pattern that no longer exists fails `test_every_row_names_a_url_that_exists`. Each (row, visitor)
pair is its own test; the school they visit is built once for the module inside a transaction
that is rolled back at the end, and each test runs in a savepoint of its own.
"""

import copy
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from safety_portal.school import roles

pytestmark = pytest.mark.django_db

# --- Visitors ------------------------------------------------------------------------------------

ANONYMOUS, PARENT, PUPIL, KIOSK = "anonymous", "parent", "pupil", "kiosk"
STAFF, TECHNICAL, GOVERNOR, OSL = "staff", "technical", "governor", "osl"
ADMIN, DSL, HEAD = "admin", "dsl", "head"

VISITORS = [ANONYMOUS, PARENT, PUPIL, KIOSK, STAFF, TECHNICAL, GOVERNOR, OSL, ADMIN, DSL, HEAD]
ROLE_OF = {STAFF: roles.STAFF, TECHNICAL: roles.TECHNICAL, GOVERNOR: roles.GOVERNOR,
           OSL: roles.ONLINE_SAFETY_LEAD, ADMIN: roles.ADMINISTRATOR, DSL: roles.DSL, HEAD: roles.HEADTEACHER}
assert set(ROLE_OF.values()) == set(roles.ALL), "a new role needs a column in the matrix"

# Named groups of signed-in visitors, for the rows.
EVERY_ROLE = frozenset(ROLE_OF)
STAFF_ROLES = EVERY_ROLE - {GOVERNOR}          # everyone who works in the school
CASEWORKERS = frozenset({DSL, HEAD})            # the safeguarding team
PUPIL_DETAIL_READERS = frozenset({ADMIN, DSL, HEAD})
PUPIL_LIST_READERS = PUPIL_DETAIL_READERS | {OSL}
AUDIT_READERS = frozenset({ADMIN, DSL, HEAD})
OFFICE = frozenset({ADMIN})
STAFF_ACCOUNTS = frozenset({ADMIN, HEAD})       # the headteacher gives the DSL and Headteacher roles
COMPLIANCE_READERS = frozenset({OSL, ADMIN, DSL, HEAD})
CONSENT_EDITORS = frozenset({ADMIN, OSL, DSL, HEAD})
CONSENT_SETTINGS = frozenset({ADMIN, OSL})
REGISTER_EDITORS = frozenset({OSL, HEAD})
TRAINING_EDITORS = frozenset({OSL, HEAD, ADMIN})
TRAINING_READERS = TRAINING_EDITORS | {DSL}
REPORT_READERS = CASEWORKERS | {GOVERNOR}
NOBODY = frozenset()

# --- Outcomes ------------------------------------------------------------------------------------

ALLOWED, NOT_FOUND, LOGIN, DEVICE = "allowed", "404", "login", "device"


def to(name):
    """A redirect, by design, to the page named."""
    return f"->{name}"


def login_then(name):
    """Sent to sign in first, and on to another page than the one asked for."""
    return f"login?next={reverse(name)}"


@dataclass(frozen=True)
class Row:
    name: str                 # "namespace:name", or the route of an unnamed pattern
    allowed: frozenset        # signed-in visitors who get ALLOWED (or `ok`)
    kwargs: dict = field(default_factory=dict)  # URL kwargs: names of values in the school bundle
    method: str = "GET"
    variant: str = ""         # a second row for the same pattern, with another object
    ok: str = ALLOWED         # what the allowed get
    refused: str = NOT_FOUND  # what the other signed-in visitors get
    anonymous: str = LOGIN    # anonymous and parent-link browsers
    device: str = DEVICE      # pupil and kiosk devices
    only: dict = field(default_factory=dict)  # exceptions, visitor -> outcome
    query: dict = field(default_factory=dict)  # GET parameters the page needs

    @property
    def id(self):
        return self.name + (f"[{self.variant}]" if self.variant else "")

    def expected(self, visitor):
        if visitor in self.only:
            return self.only[visitor]
        if visitor in (ANONYMOUS, PARENT):
            return self.anonymous
        if visitor in (PUPIL, KIOSK):
            return self.device
        return self.ok if visitor in self.allowed else self.refused


def public(name, *, kwargs=None, anonymous=ALLOWED, **more):
    """A page anyone may open without signing in (a device still keeps to its own pages)."""
    return Row(name, EVERY_ROLE, kwargs or {}, anonymous=anonymous, **more)


def kw(**names):
    return names


# --- The matrix ----------------------------------------------------------------------------------

# One line per URL pattern. Unless a row says otherwise: the anonymous and a parent's browser are sent
# to sign in, a pupil or kiosk device back to its own start page, signed-in roles not named get 404.
# Roles each page allows come from the apps' access.py; a row's `only` lists its exceptions.
PUPIL_DEVICE_ONLY = {PUPIL: ALLOWED}
KIOSK_DEVICE_ONLY = {KIOSK: ALLOWED}
STARTED_BY_STAFF = {ANONYMOUS: login_then("agreements:sessions"), PARENT: login_then("agreements:sessions")}
STARTED_BY_OFFICE = {ANONYMOUS: login_then("agreements:kiosk_start"), PARENT: login_then("agreements:kiosk_start")}

MATRIX = [
    # The front door and signing in
    Row("home", EVERY_ROLE),
    public("healthz"),
    # Signed in already: on to the home page, or first to the agreements they still have to sign.
    public("login", only={**{v: to("agreements:sign_list") for v in ROLE_OF}, STAFF: to("home")}),
    public("logout"),  # GET shows the sign-out button; the POST signs out
    Row("password_change", EVERY_ROLE),
    Row("password_change_done", EVERY_ROLE),
    public("password_reset"),
    public("password_reset_done"),
    public("password_reset_confirm", kwargs=kw(uidb64="uidb64", token="reset_token")),
    public("password_reset_complete"),
    Row("signin:two_factor", EVERY_ROLE),
    Row("signin:verify", EVERY_ROLE, ok=to("home")),  # already verified: nothing to enter
    Row("signin:enrol", EVERY_ROLE),
    Row("signin:recovery_codes", EVERY_ROLE, ok=to("signin:two_factor")),  # none set up yet
    Row("signin:turn_off", EVERY_ROLE, ok=to("signin:two_factor")),
    Row("signin:security", OFFICE),
    Row("signin:unlock", OFFICE, query={"address": "203.0.113.9"}),
    Row("signin:reset_two_factor", OFFICE, kwargs=kw(pk="person")),

    # The school: profile, terms, people, pupils, MIS import
    Row("school:profile", OFFICE),
    Row("school:logo", NOBODY, anonymous=NOT_FOUND),  # no logo uploaded: nothing to serve to anyone
    Row("school:terms", OFFICE),
    Row("school:term_year_create", OFFICE),
    Row("school:term_edit", OFFICE, kwargs=kw(pk="term")),
    Row("school:term_delete", OFFICE, kwargs=kw(pk="term")),
    Row("school:pupils", PUPIL_LIST_READERS),
    Row("school:pupil", PUPIL_DETAIL_READERS, kwargs=kw(pk="pupil")),
    Row("school:staff", STAFF_ACCOUNTS),
    Row("school:staff_create", STAFF_ACCOUNTS),
    Row("school:staff_edit", STAFF_ACCOUNTS, kwargs=kw(pk="person")),
    Row("school:staff_send_link", STAFF_ACCOUNTS, kwargs=kw(pk="person"), method="POST", ok=to("school:staff_edit")),
    Row("mis_import:upload", OFFICE),
    Row("mis_import:preview", OFFICE, kwargs=kw(pk="mis_import")),
    Row("audit:events", AUDIT_READERS),

    # Incidents: reporting a concern, and the case work
    Row("incidents:report", STAFF_ROLES),
    Row("incidents:report_done", {STAFF}, kwargs=kw(pk="incident")),  # the reporter only
    Row("incidents:log", CASEWORKERS),
    Row("incidents:my_reports", STAFF_ROLES),
    Row("incidents:my_report", {STAFF}, kwargs=kw(pk="incident")),
    Row("incidents:pupil_search", STAFF_ROLES),
    Row("incidents:acknowledge", CASEWORKERS, kwargs=kw(pk="incident")),
    Row("incidents:list", CASEWORKERS | {TECHNICAL}),
    Row("incidents:export", CASEWORKERS),
    Row("incidents:detail", CASEWORKERS, kwargs=kw(pk="incident")),
    Row("incidents:detail", {HEAD}, kwargs=kw(pk="restricted"), variant="allegation against staff"),
    Row("incidents:detail", CASEWORKERS | {TECHNICAL}, kwargs=kw(pk="filtering"), variant="filtering"),
    # Case work takes a POST (opened by GET, any case address shows the case page, which decides).
    Row("incidents:triage", CASEWORKERS, kwargs=kw(pk="incident"), method="POST"),
    Row("incidents:triage", {HEAD}, kwargs=kw(pk="restricted"), variant="allegation against staff", method="POST"),
    Row("incidents:triage", CASEWORKERS, kwargs=kw(pk="filtering"), variant="filtering", method="POST"),
    Row("incidents:step", CASEWORKERS, kwargs=kw(pk="incident", step_pk="step"), method="POST"),
    Row("incidents:chronology_add", CASEWORKERS, kwargs=kw(pk="incident"), method="POST"),
    Row("incidents:chronology_correct", CASEWORKERS, kwargs=kw(pk="incident", entry_pk="entry"), method="POST"),
    Row("incidents:referral_add", CASEWORKERS, kwargs=kw(pk="incident"), method="POST"),
    Row("incidents:parents_add", CASEWORKERS, kwargs=kw(pk="incident"), method="POST"),
    Row("incidents:imagery_view_add", CASEWORKERS, kwargs=kw(pk="imagery"), method="POST"),
    Row("incidents:imagery_view_add", NOBODY, kwargs=kw(pk="incident"), method="POST", variant="not imagery"),
    Row("incidents:attachment_add", CASEWORKERS, kwargs=kw(pk="incident"), method="POST"),
    Row("incidents:attachment", CASEWORKERS, kwargs=kw(pk="incident", attachment_pk="attachment")),
    Row("incidents:close", CASEWORKERS, kwargs=kw(pk="incident"), method="POST"),
    Row("incidents:reopen", CASEWORKERS, kwargs=kw(pk="incident"), method="POST"),

    # Agreements: texts, signing, packs for parents, the record, sessions and visitors
    Row("agreements:list", COMPLIANCE_READERS),
    # These pages take a POST; opened by GET they show the agreement they belong to.
    Row("agreements:named_signers", {OSL}, ok=to("agreements:agreement")),
    Row("agreements:after_signing_note", {OSL}, ok=to("agreements:agreement")),
    Row("agreements:agreement", COMPLIANCE_READERS, kwargs=kw(audience="audience")),
    Row("agreements:version", COMPLIANCE_READERS, kwargs=kw(audience="audience", number="number")),
    Row("agreements:draft_edit", {OSL}, kwargs=kw(audience="audience"), ok=to("agreements:agreement")),  # no draft
    Row("agreements:draft_start", {OSL}, kwargs=kw(audience="audience"), ok=to("agreements:agreement")),
    Row("agreements:draft_publish", {OSL}, kwargs=kw(audience="audience"), ok=to("agreements:agreement")),
    Row("agreements:draft_discard", {OSL}, kwargs=kw(audience="audience"), ok=to("agreements:agreement")),
    Row("agreements:sign_list", EVERY_ROLE),
    Row("agreements:signature", COMPLIANCE_READERS | {STAFF}, kwargs=kw(pk="signature")),  # the signer's own
    Row("agreements:certificate", COMPLIANCE_READERS | {STAFF}, kwargs=kw(pk="signature")),
    Row("agreements:sign", STAFF_ROLES, kwargs=kw(audience="audience")),  # the staff agreement
    Row("agreements:packs", OFFICE),
    Row("agreements:pack_new", OFFICE),
    Row("agreements:pack", OFFICE, kwargs=kw(pk="pack")),
    Row("agreements:link_resend", OFFICE, kwargs=kw(pk="link"), method="POST", ok=to("agreements:pack")),
    Row("agreements:link_revoke", OFFICE, kwargs=kw(pk="link")),
    Row("agreements:paper_new", OFFICE, kwargs=kw(pupil_pk="pupil")),
    Row("agreements:paper_scan", COMPLIANCE_READERS, kwargs=kw(signature_pk="paper_signature")),
    Row("agreements:compliance", COMPLIANCE_READERS),
    Row("agreements:compliance_audience", COMPLIANCE_READERS, kwargs=kw(audience="audience")),
    Row("agreements:sessions", STAFF_ROLES),
    Row("agreements:session_end", {STAFF}, kwargs=kw(pk="device_session"), method="POST",  # its own teacher
        ok=to("agreements:sessions")),
    Row("agreements:kiosk_start", OFFICE),
    Row("agreements:visitors", COMPLIANCE_READERS),
    Row("agreements:visitors_export", COMPLIANCE_READERS),

    # A parent's personal link: the token is the key, no account
    public("parent_pack", kwargs=kw(token="token")),
    public("parent_pack_done", kwargs=kw(token="token"), ok=to("parent_pack"), anonymous=to("parent_pack")),  # unsigned
    public("consent_parent", kwargs=kw(token="token")),

    # Devices handed to pupils and visitors: each keeps to its own pages
    Row("device:pupil_names", NOBODY, refused=login_then("agreements:sessions"),
        only={**STARTED_BY_STAFF, PUPIL: ALLOWED}),
    Row("device:pupil_sign", NOBODY, kwargs=kw(pupil_pk="pupil"), refused=login_then("agreements:sessions"),
        only={**STARTED_BY_STAFF, PUPIL: ALLOWED}),
    Row("device:session_end", NOBODY, refused=login_then("agreements:sessions"),
        only={**STARTED_BY_STAFF, PUPIL: ALLOWED}),
    Row("device:kiosk_start", NOBODY, refused=login_then("agreements:kiosk_start"),
        only={**STARTED_BY_OFFICE, KIOSK: ALLOWED}),
    Row("device:kiosk_sign", NOBODY, refused=login_then("agreements:kiosk_start"),
        only={**STARTED_BY_OFFICE, KIOSK: ALLOWED}),
    Row("device:kiosk_done", NOBODY, refused=login_then("agreements:kiosk_start"),
        only={**STARTED_BY_OFFICE, KIOSK: DEVICE}),  # the thank-you page follows a signing only
    Row("device:kiosk_end", NOBODY, refused=login_then("agreements:kiosk_start"),
        only={**STARTED_BY_OFFICE, KIOSK: ALLOWED}),

    # Photo consent
    Row("consent:do_not_photograph", STAFF_ROLES),
    Row("consent:do_not_photograph_pdf", STAFF_ROLES),
    Row("consent:pupil", CONSENT_EDITORS, kwargs=kw(pk="pupil")),
    Row("consent:coverage", EVERY_ROLE),
    Row("consent:purposes", CONSENT_SETTINGS),
    Row("consent:purpose_new", CONSENT_SETTINGS),
    Row("consent:purpose_edit", CONSENT_SETTINGS, kwargs=kw(pk="purpose")),
    Row("consent:leavers", CONSENT_SETTINGS),
    Row("consent:leaver_reviewed", CONSENT_SETTINGS, kwargs=kw(pk="review")),

    # Policies and training
    Row("policies:register", EVERY_ROLE),
    Row("policies:new", REGISTER_EDITORS),
    Row("policies:detail", EVERY_ROLE, kwargs=kw(pk="policy")),
    Row("policies:edit", REGISTER_EDITORS, kwargs=kw(pk="policy")),
    Row("policies:version_new", REGISTER_EDITORS, kwargs=kw(pk="policy")),
    Row("policies:bring_forward", REGISTER_EDITORS, kwargs=kw(pk="policy")),
    Row("policies:document", EVERY_ROLE, kwargs=kw(pk="version")),
    Row("policies:to_read", EVERY_ROLE),
    Row("policies:read", {STAFF}, kwargs=kw(pk="version")),  # those asked to read it
    Row("policies:receipts", REGISTER_EDITORS, kwargs=kw(pk="version")),
    Row("policies:remind", REGISTER_EDITORS, kwargs=kw(pk="version"), method="POST", ok=to("policies:receipts")),
    Row("policies:calendar", EVERY_ROLE),
    public("policies:calendar_feed", kwargs=kw(token="calendar_token")),  # the secret address is the key
    Row("policies:training_people", TRAINING_READERS),
    Row("policies:training_people_csv", TRAINING_READERS),
    Row("policies:training", TRAINING_READERS),
    Row("policies:training_new", TRAINING_EDITORS),
    Row("policies:training_session", TRAINING_READERS, kwargs=kw(pk="training")),
    Row("policies:training_edit", TRAINING_EDITORS, kwargs=kw(pk="training")),
    Row("policies:training_delete", TRAINING_EDITORS, kwargs=kw(pk="training")),
    public("public_policies:list"),
    public("public_policies:document", kwargs=kw(pk="version", name="document_name")),

    # The governors' termly report
    Row("reports:list", REPORT_READERS),
    Row("reports:new", CASEWORKERS),
    Row("reports:detail", REPORT_READERS, kwargs=kw(pk="report")),
    Row("reports:detail", CASEWORKERS, kwargs=kw(pk="draft_report"), variant="draft"),
    Row("reports:status", CASEWORKERS, kwargs=kw(pk="report")),
    Row("reports:preview", REPORT_READERS, kwargs=kw(pk="report")),
    Row("reports:pdf", REPORT_READERS, kwargs=kw(pk="report")),
    Row("reports:pdf", NOBODY, kwargs=kw(pk="draft_report"), variant="draft"),  # a draft has no file yet
    Row("reports:finalise", CASEWORKERS, kwargs=kw(pk="draft_report"), ok=to("reports:detail")),

    # Data protection: retention and subject access
    Row("privacy:retention", CASEWORKERS),
    Row("privacy:retention_periods", CASEWORKERS),
    Row("privacy:dispose", CASEWORKERS, ok=to("privacy:retention")),  # nothing chosen: back to the report
    Row("privacy:subject_access", CASEWORKERS),
    Row("privacy:subject_access_json", CASEWORKERS, kwargs=kw(pk="pupil")),
    Row("privacy:subject_access_pdf", CASEWORKERS, kwargs=kw(pk="pupil")),
]

# --- The school the visitors come to -------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def build_school():
    """One of everything an address can name. Returns the users by visitor and the values for URLs."""
    from agreements import services as agreement_services
    from agreements.models import Audience, DeviceSession, SigningPack
    from consent.models import LeaverImageReview
    from incidents.models import Attachment, ChronologyEntry, EntryKind, IncidentType, ProcedureStep
    from policies import services as policy_services
    from policies.documents import download_name
    from safety_portal.reports.models import Report, State
    from safety_portal.school.models import MisImport, SchoolProfile
    from tests.agreements.factories import guardian_with_child, make_link, publish_all
    from tests.consent.factories import purpose, purposes
    from tests.factories import PupilFactory, TermFactory, UserFactory, user_with_role
    from tests.incidents.factories import IncidentFactory, IncidentPupilFactory
    from tests.policies.factories import make_policy, record_version
    from tests.reports.test_workflow import fake_figures

    users = {visitor: user_with_role(role, email=f"{visitor}@school.example") for visitor, role in ROLE_OF.items()}
    SchoolProfile.objects.update_or_create(pk=1, defaults={"name": "Oakfield Primary"})
    publish_all(user=users[OSL])
    purposes()
    pupil, guardian = guardian_with_child(year_group=5, reg_class="5A")
    link, token = make_link(pupil=pupil, guardian=guardian)

    # Incidents: one the teacher reported, an allegation against staff, a triaged filtering breach.
    incident = IncidentFactory(reported_by=users[STAFF], status="open", owner=users[DSL])
    IncidentPupilFactory(incident=incident, pupil=pupil)
    restricted = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE, reported_by=users[STAFF], status="open")
    imagery = IncidentFactory(incident_type=IncidentType.NUDES, reported_by=users[STAFF], status="open")
    filtering = IncidentFactory(incident_type=IncidentType.FILTERING_BREACH, url="https://blocked.example/",
                                reported_by=users[STAFF], status="open", child_protection=False)
    step = ProcedureStep.objects.create(incident=incident, order=1, key="support", text="Offer support.")
    entry = ChronologyEntry.objects.create(incident=incident, author=users[DSL], text="Spoke to the pupil.",
                                           kind=EntryKind.NOTE, happened_at=timezone.now())
    attachment = Attachment.objects.create(
        incident=incident, file=ContentFile(PDF, name="evidence.pdf"), original_name="evidence.pdf",
        content_type="application/pdf", size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=users[DSL])

    # Agreements: the teacher's own signature, a paper form with a scan, a pack.
    staff_signature = agreement_services.signature_record_for_account(
        user=users[STAFF], version=agreement_services.current_version_for(Audience.STAFF), typed_name="Teacher")
    paper_pupil, paper_guardian = guardian_with_child(year_group=5, reg_class="5A")
    scan = default_storage.save("agreements/scans/form.pdf", ContentFile(PDF))
    paper_signature = agreement_services.signature_record_paper(
        pupil=paper_pupil, guardian=paper_guardian, signed_on=timezone.localdate(), typed_name="Paper Parent",
        discussed_with_child=True, scan=scan, recorded_by=users[ADMIN])[0]
    pack = SigningPack.objects.get(pk=link.pack_id)
    # A class session the teacher ran earlier, ended from another device by that teacher only.
    device_session = agreement_services.device_session_start(kind=DeviceSession.Kind.CLASS, user=users[STAFF],
                                                             reg_class="5A")

    # Consent, the school's own records.
    website = purpose("School website")
    leaver = PupilFactory(year_group=6, reg_class="6A", leaving_date=timezone.localdate() - datetime.timedelta(days=10))
    review = LeaverImageReview.objects.create(pupil=leaver)
    term = TermFactory()
    other_person = UserFactory()
    mis_import = MisImport.objects.create(kind="staff", file_name="staff.csv", content="x",
                                          created_by=users[ADMIN])

    # Policies: one on the website with a version, a training session, a calendar address.
    policy = make_policy("Access matrix policy", on_website=True, status="active")
    version = record_version(policy, approved_on=timezone.localdate(), read_roles=[roles.STAFF], actor=users[OSL])
    session = policy_services.training_session_record(
        held_on=timezone.localdate(), title="Safeguarding update", provider="Local authority", kind="annual",
        attendees=[users[STAFF]], actor=users[OSL])
    calendar_token = policy_services.calendar_feed_create(user=users[STAFF])

    # Reports: a finalised one governors may read, and a draft they may not.
    pdf_name = default_storage.save("reports/report.pdf", ContentFile(PDF))
    final = Report.objects.create(term=term, state=State.FINAL, figures=fake_figures(term), pdf=pdf_name,
                                  pdf_sha256=hashlib.sha256(PDF).hexdigest(), generated_at=timezone.now(),
                                  finalised_at=timezone.now(), finalised_by=users[DSL], requested_by=users[DSL])
    spring = TermFactory(name="spring", start_date=datetime.date(2026, 1, 6), end_date=datetime.date(2026, 3, 27))
    draft = Report.objects.create(term=spring, state=State.DRAFT, figures=fake_figures(spring),
                                  generated_at=timezone.now(), requested_by=users[DSL])

    values = SimpleNamespace(
        pupil=pupil.pk, token=token, link=link.pk, pack=pack.pk,
        incident=incident.pk, restricted=restricted.pk, imagery=imagery.pk, filtering=filtering.pk,
        step=step.pk, entry=entry.pk,
        attachment=attachment.pk, signature=staff_signature.pk, paper_signature=paper_signature.pk,
        purpose=website.pk, review=review.pk, term=term.pk, person=other_person.pk, mis_import=mis_import.pk,
        policy=policy.pk, version=version.pk, document_name=download_name(version), training=session.pk,
        calendar_token=calendar_token, report=final.pk, draft_report=draft.pk, device_session=device_session.pk,
        audience="staff", number=1, uidb64="MQ", reset_token="set-password",
    )
    return users, values


# --- Every URL pattern of the project ------------------------------------------------------------

def url_patterns(patterns=None, namespace="", prefix=""):
    """{full name, or the route of an unnamed pattern: is it named} for every pattern, walking includes."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            found.update(url_patterns(pattern.url_patterns, inner, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                found[":".join(part for part in (namespace, pattern.name) if part)] = True
            else:
                found[prefix + str(pattern.pattern)] = False
    return found


# --- Fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def media_root(settings, module_media):
    """The school's files live in one folder for the whole module (conftest's is per test)."""
    settings.MEDIA_ROOT = module_media
    return module_media


@pytest.fixture(scope="module")
def school(django_db_setup, django_db_blocker, module_media):
    """The school, built once in a transaction that is rolled back after the module's last test.

    Each test's own transaction is a savepoint inside it, so what one visit changes (a session
    started, a link opened, an audit event) is gone before the next.
    """
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=module_media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_school()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def browsers(school, django_db_blocker, module_media):
    """Each visitor's cookies, made once: signing in (or starting a device) for every test would
    cost more than the visits. The sessions live in the module's transaction."""
    users, values = school
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=module_media):
        return {visitor: visitor_client(visitor, users, values).cookies for visitor in VISITORS}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Hundreds of visits come from one address; the parent-link limits are tested on their own.
    cache.delete_many(["ratelimit:parent-link:any:127.0.0.1", "ratelimit:parent-link:unknown:127.0.0.1"])


def sign_in(client, user):
    """Signed in with both factors. (conftest's force_login wrapper is per test; these browsers are
    made once for the module, so this does what it does.)"""
    from safety_portal.signin.services import session_sign_in_complete

    client.force_login(user)
    session = client.session
    session_sign_in_complete(session)
    session.save()


def visitor_client(visitor, users, values):
    """A browser in the state of `visitor`."""
    client = Client()
    if visitor in ROLE_OF:
        sign_in(client, users[visitor])
    elif visitor == PARENT:
        assert client.get(reverse("parent_pack", args=[values.token])).status_code == 200
    elif visitor == PUPIL:
        sign_in(client, users[STAFF])
        response = client.post(reverse("agreements:sessions"), {"group": "class:5A"})
        assert response.status_code == 302 and response["Location"] == reverse("device:pupil_names")
    elif visitor == KIOSK:
        sign_in(client, users[ADMIN])
        response = client.post(reverse("agreements:kiosk_start"))
        assert response.status_code == 302 and response["Location"] == reverse("device:kiosk_start")
    return client


def address(row, values):
    kwargs = {key: getattr(values, name) for key, name in row.kwargs.items()}
    if url_patterns().get(row.name, True):
        url = reverse(row.name, kwargs=kwargs)
    else:
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), row.name)
    return url + ("?" + urlencode(row.query) if row.query else "")


DEVICE_STARTS = {"/pupil-signing/", "/kiosk/"}


def outcome(response, url):
    """What a visitor got, in the matrix's words."""
    status = response.status_code
    if 200 <= status < 300:
        return ALLOWED
    if status == 404:
        return NOT_FOUND
    if status in (301, 302, 303):
        target = urlsplit(response["Location"])
        if target.path == reverse("login"):
            after = parse_qs(target.query).get("next", [""])[0]
            if not after:
                return to("login")
            return LOGIN if after == url else f"login?next={after}"
        if target.path in DEVICE_STARTS:
            return DEVICE
        return to(resolve(target.path).view_name)
    return str(status)


def visit(row, visitor, cookies, values):
    """Open the row's address in a browser that carries `visitor`'s cookies; returns the outcome."""
    client = Client()
    client.cookies = copy.deepcopy(cookies[visitor])
    url = address(row, values)
    response = client.post(url) if row.method == "POST" else client.get(url)
    return outcome(response, url), client, url


# --- The tests -----------------------------------------------------------------------------------

def _case_id(case):
    row, visitor = case
    return f"{row.id}-{visitor}"


CASES = [(row, visitor) for row in MATRIX for visitor in VISITORS]


@pytest.mark.parametrize("row, visitor", CASES, ids=[_case_id(case) for case in CASES])
def test_each_visitor_gets_what_the_matrix_says(school, browsers, row, visitor):
    _users, values = school
    got, client, url = visit(row, visitor, browsers, values)
    assert got == row.expected(visitor), f"{row.id} for {visitor} ({row.method} {url})"
    if row.method == "POST":
        # A POST-only address never serves anything on a GET either.
        assert not 200 <= client.get(url).status_code < 300


def test_every_url_pattern_is_in_the_matrix():
    missing = sorted(set(url_patterns()) - {row.name for row in MATRIX})
    assert missing == [], "add a row to MATRIX for each new URL pattern"


def test_every_row_names_a_url_that_exists():
    gone = sorted({row.name for row in MATRIX} - set(url_patterns()))
    assert gone == [], "these rows name URL patterns that no longer exist"


def test_rows_are_not_repeated():
    ids = [row.id for row in MATRIX]
    assert sorted(id_ for id_ in ids if ids.count(id_) > 1) == []


# --- Half signed in: the password given, the second factor not yet --------------------------------

# What SecondFactorMiddleware leaves open to someone half signed in (besides static files): signing
# out, the health check and the two code pages. Everything else, public pages included, sends them
# to the page for their step first (and on to the address asked for afterwards).
HALF_SIGNED_IN_OPEN = {"logout", "healthz"}
STEP_PAGES = {"signin:enrol", "signin:verify"}


def half_signed_in_expected(row, step_page):
    if row.name in HALF_SIGNED_IN_OPEN:
        return row.anonymous
    if row.name == step_page:
        return ALLOWED
    return to(step_page)  # including the other step page, which sends them on to theirs


@pytest.mark.first_factor_only  # force_login here is the password step only
@pytest.mark.parametrize("step_page", sorted(STEP_PAGES))
@pytest.mark.parametrize("visitor", [ADMIN, DSL, HEAD])
def test_half_signed_in_reaches_only_the_code_pages(school, visitor, step_page):
    """Every row, for each role that must use two-factor sign-in, before they set up an app
    (signin:enrol) or before they type its code (signin:verify). One test per role and step,
    collecting every difference, so the matrix stays quick."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safety_portal.signin import services

    users, values = school
    user = users[visitor]
    if step_page == "signin:verify":
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client = Client()
    client.force_login(user)
    assert not client.session.get(services.SECOND_FACTOR_KEY)

    failures = []
    for row in MATRIX:
        url = address(row, values)
        response = client.post(url) if row.method == "POST" else client.get(url)
        got, expected = outcome(response, url), half_signed_in_expected(row, step_page)
        if got != expected:
            failures.append(f"{row.id} ({row.method} {url}): got {got}, expected {expected}")
        elif row.method == "GET" and got == to(step_page) and row.name not in STEP_PAGES:
            after = parse_qs(urlsplit(response["Location"]).query).get("next", [""])[0]
            if after != url:
                failures.append(f"{row.id} ({url}): on to {after!r} after the code, not back here")
    assert failures == []
    assert not client.session.get(services.SECOND_FACTOR_KEY)  # no visit completed the sign-in
