"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Reuse in a new test module under tests/browser/:

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_something(page, log_in, dsl_user):
        log_in(page, dsl_user)          # through the real login form
        page.goto("/incidents/")        # relative to live_server.url
        expect(page.locator("h1")).to_have_text("Incidents")

Fixtures: `browser` (one Chromium for all browser tests), `page` (a fresh context per test, so no
cookies leak between tests; `base_url` is the live server), `viewport` (override with
`@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}])`), `new_page`
(more pages, e.g. a parent's phone next to the DSL's desktop: `new_page(viewport=...,
is_mobile=True)`), `log_in`, and `submit_login_form` for a login meant to fail.
The role groups are re-created before each test (`role_groups`).
A failing test leaves a screenshot of each of its pages in test-results/; a journey saves its
steps with `journey_screenshot(page, "what-the-person-sees")` in test-results/journeys/<test>/.

Chromium is /usr/bin/chromium, or $CHROMIUM_PATH. Without it the tests are skipped, unless
REQUIRE_BROWSER=1 (as in .ci/run), when they fail.
"""

import os
import re
import shutil
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from safety_portal.school import roles  # noqa: E402
from tests.factories import DEFAULT_PASSWORD  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_VIEWPORT = {"width": 1280, "height": 800}
# Short, so a broken page fails in seconds rather than hanging the suite.
TIMEOUT_MS = 10_000
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


def browser_required():
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so fixtures can tell whether it failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, closed when they are done."""
    path = chromium_path()
    resolved = shutil.which(path)
    if not resolved:
        reason = (f"Chromium not found at {path}: install it (apt-get install chromium) "
                  "or set CHROMIUM_PATH")
        if browser_required():
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio event loop in this thread, and Django refuses
    # ORM calls from a thread with a running loop. The ORM calls in these tests are ordinary
    # synchronous code, so the check is off while Playwright runs, and only then.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=resolved, args=CHROMIUM_ARGS,
                                                 headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def viewport():
    return dict(DEFAULT_VIEWPORT)


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The role groups exist, although a data migration made them: the flush after each
    transactional test empties every table, so later browser tests would find none."""
    from django.contrib.auth.models import Group

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def new_page(request, browser, live_server, viewport):
    """Open a page in its own browser context (own cookies), at `live_server.url`."""
    contexts = []

    def open_page(viewport=viewport, **context_args):
        context = browser.new_context(base_url=live_server.url, viewport=viewport,
                                      locale="en-GB", timezone_id="Europe/London",
                                      **context_args)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page

    failed = any(getattr(request.node, f"rep_{when}", None) is not None
                 and getattr(request.node, f"rep_{when}").failed for when in ("setup", "call"))
    for number, context in enumerate(contexts):
        if failed:
            _screenshot(context, request.node.nodeid, number)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def journey_screenshot(request):
    """journey_screenshot(page, name) saves what the person sees now, the whole page, as
    test-results/journeys/<test name>/NN-<name>.png, numbered in the order of the journey."""
    folder = RESULTS_DIR / "journeys" / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)  # a rerun leaves no stale steps behind
    taken = []

    def take(page, name):
        taken.append(name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(taken):02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


def _screenshot(context, nodeid, number):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
    RESULTS_DIR.mkdir(exist_ok=True)
    for index, page in enumerate(context.pages):
        try:
            page.screenshot(path=RESULTS_DIR / f"{name}-{number}-{index}.png", full_page=True)
        except PlaywrightError:
            pass  # a crashed page must not hide the test's own failure


def _submit_login_form(page, email, password):
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('main form button[type="submit"]')
    _pass_second_factor(page, email)


def _app_code(device):
    """The code the person's phone shows now. A code is accepted once, so if this 30-second
    step's code was used already (a second sign-in in the same test), the next step's."""
    from django_otp.oath import TOTP

    now = TOTP(device.bin_key, device.step, device.t0, device.digits)
    ahead = 1 if now.t() <= device.last_t else 0
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift=ahead):06d}"


def _pass_second_factor(page, email):
    """Where the password led to the code page, type the app's code; where it led to setting up
    an app, set one up from the secret shown for typing, as a person with a phone would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if "/accounts/two-factor/code/" in page.url:
        device = TOTPDevice.objects.get(user__email__iexact=email, confirmed=True)
        page.fill('input[name="code"]', _app_code(device))
        with page.expect_navigation():
            page.click('main form button[type="submit"]')
    elif "/accounts/two-factor/set-up/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        page.fill('input[name="code"]', f"{totp(b32decode(secret)):06d}")
        with page.expect_navigation():
            page.click('main form button[type="submit"]')
        with page.expect_navigation():
            page.get_by_role("link", name="I have saved these codes").click()


@pytest.fixture
def submit_login_form():
    """submit_login_form(page, email, password) fills in and sends the real login form (opening
    it first if the page is elsewhere) and checks nothing: for logins meant to fail. After a right
    password it passes the second factor as the person's phone would (see _pass_second_factor)."""
    return _submit_login_form


@pytest.fixture
def log_in():
    """log_in(page, user) signs `user` in with the factories' password and checks it worked.
    Administrators, DSLs and headteachers get a confirmed authenticator app first, and the real
    code page is passed with its current code."""

    def sign_in(page, user, password=DEFAULT_PASSWORD):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from safety_portal.signin.services import two_factor_required

        if two_factor_required(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
        _submit_login_form(page, user.email, password)
        expect(page).not_to_have_url(re.compile(r"/accounts/(login|two-factor)/"))
        return page

    return sign_in
