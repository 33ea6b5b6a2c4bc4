"""Whatever people type is shown as text, never run: script and event-handler payloads in every
text field that is displayed, on every page, e-mail and PDF source that shows them.

How "every" is reached: the demo school is loaded (each app's records, with their relations),
then every text column of every project model is overwritten with the payload, so a field added
later is poisoned too without touching this file. A signed-in user holding every staff role then
follows the links from the home page to every page reachable from it; parents, pupils and
visitors type the payload into their own forms; the periodic e-mails and the PDFs' HTML are
rendered from the poisoned records. An HTML parser then looks for what only the payload could
have produced: a <script> element, an on* attribute or a javascript: address.
"""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.db import DatabaseError, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from agreements.models import AgreementVersion, Audience, SigningLink
from consent.models import ConsentDecision, ConsentPurpose, DecisionMethod
from policies.models import Policy
from safety_portal.school import roles
from safety_portal.school.demo import demo_load
from safety_portal.school.models import PupilGuardian
from tests.agreements.factories import make_link, publish
from tests.factories import user_with_role
from tests.policies.factories import record_version
from tests.security.clients import signed_in

pytestmark = pytest.mark.django_db(transaction=False)

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    "' onmouseover='alert(1)",
]
PAYLOAD = "".join(PAYLOADS)
# Markdown is rendered to HTML (then cleaned by nh3), so it gets the forms that survive markdown.
MARKDOWN_PAYLOADS = "\n\n".join([
    "[x](javascript:alert(1))", "[x]( JaVaScRiPt:alert(1) )", "![x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>", "<img src=x onerror=alert(1)>", "<iframe src=\"javascript:alert(1)\">",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<p onclick=alert(1)>x</p>",
])

# Apps whose text is shown on pages. The audit trail and the outbox are written only by the
# portal itself (and the audit rows are hash-chained); sign-in secrets are never displayed.
POISONED_APPS = {"school", "incidents", "agreements", "consent", "policies", "reports", "privacy"}
# Columns the code reads as data rather than shows as text: changing them would only break the page.
NOT_TEXT = re.compile(r"hash|token|secret|sha256|content_type|extension|password|email|ip_address|user_agent|"
                      r"mis_id|^upn$|^code$|^key$|drawing|language|^urn$|phone|postcode|colour|color|icon|^slug$")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}


class Executable(HTMLParser):
    """What a browser would run: inline script, a script from elsewhere, handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value:
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"<{tag} {name}={value[:40]!r}>")
        if tag == "script" and not (names.get("src") or "").startswith("/static/"):
            self.found.append("<script> not from /static/")
        if tag == "img" and names.get("src") == "x":
            self.found.append("<img src=x> made from the payload")

    handle_startendtag = handle_starttag


def executable(html):
    parser = Executable()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_checker_finds_each_payload_unescaped():
    for payload in PAYLOADS[:4]:
        assert executable(f"<p>{payload}</p>"), payload
    assert executable(f"<input value='{PAYLOADS[5]}'>")  # a single-quoted attribute broken out of
    from django.utils.html import escape

    assert executable(f"<p>{escape(PAYLOAD)}</p><input value=\"{escape(PAYLOAD)}\">") == []


def poisonable(field):
    return (isinstance(field, (models.CharField, models.TextField)) and not field.choices
            and not isinstance(field, (models.EmailField, models.URLField, models.SlugField))
            and not field.primary_key and not NOT_TEXT.search(field.name))


def _update(model, values):
    try:
        with transaction.atomic():
            model._base_manager.update(**values)
    except DatabaseError:  # a frozen table's trigger (IntegrityError on SQLite, RaiseException on PostgreSQL)
        return False
    return True


def payload_fitting(max_length, reserve=0):
    """As many whole payloads as the column holds (PostgreSQL refuses a longer value; SQLite does not)."""
    if not max_length:
        return PAYLOAD
    fitting = ""
    for payload in PAYLOADS:
        if len(fitting) + len(payload) <= max_length - reserve:
            fitting += payload
    return fitting


def poison_every_text_column():
    """Write the payload into every shown text column of every project model; return what was poisoned.

    A unique column gets the payload followed by the row's id. A column the database keeps
    unchangeable (published agreement text, signatures, consent and policy history) is skipped
    here and reached through new rows: see poison_new_rows().
    """
    poisoned = []
    for model in apps.get_models():
        if model._meta.app_label not in POISONED_APPS or model._meta.proxy or not model._meta.managed:
            continue
        if not model._base_manager.exists():
            continue
        for field in model._meta.concrete_fields:
            if not poisonable(field):
                continue
            payload = payload_fitting(field.max_length, reserve=20 if field.unique else 0)
            value = Concat(Value(payload), Cast("pk", models.CharField())) if field.unique else Value(payload)
            if _update(model, {field.name: value}):
                poisoned.append(f"{model._meta.label}.{field.name}")
    return poisoned


def poison_new_rows():
    """New rows carrying the payload, for the tables whose existing rows cannot change."""
    for audience in Audience:
        publish(audience, title=PAYLOAD[:200], body=f"# {PAYLOAD}\n\n{PAYLOAD}\n\n{MARKDOWN_PAYLOADS}")
    policy = Policy.objects.first()
    record_version(policy, approved_on=timezone.localdate(), change_summary=PAYLOAD)
    pupil_guardian = PupilGuardian.objects.select_related("pupil", "guardian").first()
    ConsentDecision.objects.create(pupil=pupil_guardian.pupil, guardian=pupil_guardian.guardian,
                                   purpose=ConsentPurpose.objects.first(), answer=True, method=DecisionMethod.PAPER,
                                   note=PAYLOAD, decided_at=timezone.now())
    return ["agreements.AgreementVersion.body", "agreements.AgreementVersion.title",
            "policies.PolicyVersion.change_summary", "consent.ConsentDecision.note"]


def is_html(response):
    return response.get("Content-Type", "").startswith("text/html")


def links(html, base):
    class Links(HTMLParser):
        found = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                href = dict(attrs).get("href")
                if href:
                    self.found.append(urljoin(base, href))

    parser = Links()
    parser.found = []
    parser.feed(html)
    return parser.found


# Addresses that end the visit or are not pages: following them would sign the crawler out or
# hand the device to pupils, which the tests below do on purpose instead.
NOT_FOLLOWED = {"logout", "device:session_end", "device:kiosk_end", "device:kiosk_start", "device:pupil_names",
                "device:pupil_sign", "device:kiosk_sign", "device:kiosk_done"}


def crawl(client, start, *, per_view=3, limit=600):
    """GET every page reachable by links from `start` (at most `per_view` addresses per view)."""
    seen, queue, visits, findings = set(), list(start), Counter(), {}
    pages = 0
    while queue and pages < limit:
        address = queue.pop(0)
        parts = urlsplit(address)
        if parts.netloc not in ("", "testserver") or address in seen:
            continue
        seen.add(address)
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        if match.view_name in NOT_FOLLOWED or visits[match.view_name] >= per_view:
            continue
        visits[match.view_name] += 1
        response = client.get(parts.path, dict(_query(parts.query)))
        pages += 1
        assert response.status_code < 500, address
        if response.status_code != 200 or not is_html(response):
            continue
        html = response.content.decode()
        found = executable(html)
        if found:
            findings[address] = found
        queue += [link for link in links(html, parts.path) if link not in seen]
    return visits, findings


def _query(query):
    from urllib.parse import parse_qsl

    return parse_qsl(query)


@pytest.fixture
def poisoned_school(db):
    cache.clear()
    demo_load()
    poisoned = poison_every_text_column() + poison_new_rows()
    assert len(poisoned) > 50  # the poisoning really reached the apps' records
    for column in ("incidents.Incident.description", "incidents.ChronologyEntry.text", "school.Pupil.first_name",
                   "policies.Policy.title", "agreements.AgreementVersion.body", "school.SchoolProfile.name"):
        assert column in poisoned, column
    yield poisoned
    cache.clear()


def test_every_staff_page_shows_poisoned_records_as_text(poisoned_school):
    everyone = user_with_role(roles.HEADTEACHER, roles.DSL, roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD,
                              email="everything@school.example")
    client = signed_in(everyone)
    visits, findings = crawl(client, [reverse("home")])
    assert findings == {}
    # The crawl reached each app's pages, where the poisoned fields are shown.
    for view in ("home", "incidents:detail", "incidents:list", "school:pupil", "school:staff",
                 "policies:detail", "agreements:version", "agreements:visitors", "consent:pupil",
                 "policies:training_session"):
        assert visits[view], f"{view} was never reached: {sorted(visits)}"
    assert len(visits) > 40


def test_a_governor_and_a_teacher_see_the_poisoned_records_as_text(poisoned_school):
    for role in (roles.GOVERNOR, roles.STAFF, roles.TECHNICAL):
        client = signed_in(user_with_role(role))
        visits, findings = crawl(client, [reverse("home")], per_view=2)
        assert findings == {}, role
        assert sum(visits.values()) > 3


def test_a_parents_pages_and_what_they_type_are_shown_as_text(poisoned_school):
    link, token = make_link()
    client = Client()
    page = client.get(reverse("parent_pack", args=[token]))
    assert page.status_code == 200
    assert executable(page.content.decode()) == []
    form = page.context["form"]
    data = {name: PAYLOAD for name in form.fields if name not in ("agree", "discussed", "shown")}
    data.update({"agree": "on", "discussed": "on", "shown": form["shown"].value() if "shown" in form.fields else ""})
    response = client.post(reverse("parent_pack", args=[token]), data, follow=True)
    assert response.status_code == 200
    assert executable(response.content.decode()) == []
    photos = client.get(reverse("consent_parent", args=[token]))
    assert photos.status_code in (200, 404, 410)
    assert executable(photos.content.decode()) == []


def test_a_visitor_types_the_payload_at_the_kiosk_and_the_office_reads_it_as_text(poisoned_school):
    office = user_with_role(roles.ADMINISTRATOR)
    kiosk = signed_in(office)
    assert kiosk.post(reverse("agreements:kiosk_start")).status_code == 302
    assert kiosk.get(reverse("device:kiosk_sign")).status_code == 200
    response = kiosk.post(reverse("device:kiosk_sign"), {
        "full_name": PAYLOAD, "organisation": PAYLOAD, "purpose": PAYLOAD, "agree": "on", "typed_name": PAYLOAD,
        "host": PAYLOAD, "car_registration": PAYLOAD}, follow=True)
    assert response.status_code == 200
    assert executable(response.content.decode()) == []
    reader = signed_in(office)
    visits, findings = crawl(reader, [reverse("agreements:visitors")], per_view=2, limit=20)
    assert findings == {} and visits["agreements:visitors"]


def test_agreement_markdown_is_sanitised_wherever_it_is_shown(poisoned_school):
    version = AgreementVersion.objects.filter(agreement__audience=Audience.PARENT).order_by("-pk").first()
    assert "javascript:alert(1)" in version.body
    html = str(version.body_html())
    assert executable(html) == []
    assert "&lt;script&gt;" in html  # shown as text, not dropped silently


def test_emails_about_poisoned_records_carry_them_as_text(poisoned_school, django_capture_on_commit_callbacks):
    from agreements.tasks import agreement_reminders
    from consent.tasks import leavers_digest
    from incidents.tasks import incidents_overdue_digest
    from policies.tasks import review_reminders

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for task in (agreement_reminders, review_reminders, incidents_overdue_digest, leavers_digest):
            task.apply()
    # And one the payload reaches by being typed: a concern reported by a teacher, which the DSL is sent.
    pupil = PupilGuardian.objects.first().pupil
    teacher = signed_in(user_with_role(roles.STAFF))
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher.post(reverse("incidents:report"), {
            "description": PAYLOAD, "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "location": "in_school", "device_owner": "", "area": "not_sure", "incident_type": "not_sure",
            "other_people": PAYLOAD, "immediate_action": PAYLOAD, "device_description": PAYLOAD,
            "pupils": [pupil.pk], "save": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert mail.outbox, "no e-mail was sent: the test would prove nothing"
    checked = 0
    for message in mail.outbox:
        for content, kind in getattr(message, "alternatives", []):
            if kind == "text/html":
                assert executable(content) == [], message.subject
                checked += 1
    assert checked


def test_the_pdfs_html_shows_poisoned_records_as_text(poisoned_school):
    from agreements.certificate import certificate_html
    from agreements.models import Signature
    from safety_portal.school.models import SchoolProfile

    school = SchoolProfile.load()
    signatures = Signature.objects.all()[:5]
    assert signatures
    for signature in signatures:
        assert executable(certificate_html(signature, school=school)) == []
    assert SigningLink.objects.exists()
