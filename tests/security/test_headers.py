"""Security headers: the Content Security Policy on every kind of page, production's transport
headers and cookies, and a scan that keeps inline script and style out of the templates."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from agreements.models import Agreement, Audience
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import make_link, publish
from tests.factories import DEFAULT_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header):
    parsed = {}
    for part in header.split(";"):
        name, _space, value = part.strip().partition(" ")
        parsed[name] = value.strip()
    return parsed


def assert_locked_down(response):
    assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture(autouse=True)
def school(db):
    cache.clear()
    yield SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    cache.clear()


def test_a_staff_page_carries_the_policy(admin_client):
    response = admin_client.get(reverse("home"))
    assert response.status_code == 200
    assert_locked_down(response)


def test_the_sign_in_page_carries_the_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_locked_down(response)


def test_a_parent_link_page_carries_the_policy(client):
    publish(Audience.PARENT)
    _link, token = make_link()
    response = client.get(reverse("parent_pack", args=[token]))
    assert response.status_code == 200
    assert_locked_down(response)


def test_a_kiosk_page_carries_the_policy(client, admin_user):
    publish(Audience.VISITOR)
    assert Agreement.objects.filter(audience=Audience.VISITOR).exists()
    client.force_login(admin_user)
    assert client.post(reverse("agreements:kiosk_start")).status_code == 302
    response = client.get(reverse("device:kiosk_sign"))
    assert response.status_code == 200
    assert_locked_down(response)


def test_error_pages_carry_the_policy(client, admin_client):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_locked_down(missing)
    refused = admin_client.get(reverse("incidents:detail", args=[999999]))
    assert refused.status_code == 404
    assert_locked_down(refused)


def test_a_view_with_a_policy_of_its_own_keeps_it(rf):
    from django.http import HttpResponse

    from safety_portal.middleware import SecurityHeaders

    def view(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert SecurityHeaders(view)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"


# Production: what runs behind the school's TLS proxy.

PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


@override_settings(**PRODUCTION)
def test_production_sends_plain_http_to_https_except_the_health_check(client):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get(reverse("healthz")).status_code == 200


@override_settings(**PRODUCTION)
def test_production_sends_hsts_with_subdomains_and_preload(client):
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    hsts = [part.strip() for part in response["Strict-Transport-Security"].split(";")]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    assert_locked_down(response)


@override_settings(**PRODUCTION)
def test_production_cookies_are_secure_http_only_and_same_site(client):
    user = user_with_role(roles.STAFF, email="teacher@school.example")
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD,
                                              "csrfmiddlewaretoken": csrf.value}, secure=True,
                           HTTP_REFERER="https://testserver/accounts/login/")
    assert response.status_code == 302, response.content[:500]
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_the_settings_module_turns_production_transport_on():
    """override_settings above proves Django honours them; this proves settings.py sets them."""
    source = (REPO_ROOT / "safety_portal" / "settings.py").read_text()
    production_block = source.split("if PRODUCTION:\n    SECURE_SSL_REDIRECT", 1)[1].split("\n\n", 1)[0]
    for line in ("SESSION_COOKIE_SECURE = True", "CSRF_COOKIE_SECURE = True", "SECURE_HSTS_INCLUDE_SUBDOMAINS = True",
                 "SECURE_HSTS_PRELOAD = True", "SECURE_HSTS_SECONDS"):
        assert line in production_block
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY" and settings.SECURE_CONTENT_TYPE_NOSNIFF
    assert settings.SECURE_REFERRER_POLICY == "same-origin"
    assert settings.SECURE_REDIRECT_EXEMPT == [r"^healthz$"]


# Templates: nothing the policy would block, so nothing ever needs 'unsafe-inline'.

TEMPLATE_DIRS = [REPO_ROOT / "templates", *sorted(REPO_ROOT.glob("*/templates")),
                 *sorted(REPO_ROOT.glob("safety_portal/*/templates"))]
# Read by mail programs and by WeasyPrint, never served to a browser as a page: inline styles are
# how e-mail is styled, and the PDFs carry their print stylesheet inside.
NOT_SERVED_AS_PAGES = ("email/", "agreements/certificate.html", "consent/dnp_pdf.html", "reports/document.html",
                       "reports/_doc_print_css.html", "privacy/subject_access_pdf.html")
TEMPLATE_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)


class InlineCode(HTMLParser):
    def __init__(self, *, styles):
        super().__init__()
        self.styles = styles
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if value and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if self.styles and name == "style":
                self.found.append(f"<{tag} style=...>")
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if self.styles and tag == "style":
            self.found.append("<style> element")


def inline_code(html, *, styles=True):
    # Template tags are replaced by a neutral word, so `{% if %}` inside a tag does not confuse the parser.
    parser = InlineCode(styles=styles)
    parser.feed(TEMPLATE_TAG.sub("x", html))
    parser.close()
    return parser.found


def served_templates():
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            yield name, path


def test_the_scan_finds_what_it_looks_for():
    bad = ('<script>alert(1)</script><a href=" JavaScript:go()">x</a><button onclick="go()">x</button>'
           '<p style="color: red">x</p><style>p{}</style>')
    assert len(inline_code(bad)) == 5
    assert inline_code('<script src="/static/x.js"></script><a href="/x">x</a>') == []


def test_no_template_has_inline_script_handlers_javascript_urls_or_inline_styles():
    templates = list(served_templates())
    assert len(templates) > 100  # the scan really reads the project's templates
    problems = {}
    for name, path in templates:
        styles = not name.startswith(NOT_SERVED_AS_PAGES)
        found = inline_code(path.read_text(), styles=styles)
        if found:
            problems[name] = found
    assert problems == {}
