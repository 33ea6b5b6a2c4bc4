from collections import Counter

import pytest

from safety_portal.school import roles
from tests.factories import user_with_role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads (scans, policy documents, the demo's PDFs) go to a folder of each test's own,
    never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# The apps' demo loaders each folder's demo tests need; the school's own people and pupils always load.
# A full demo load signs packs, records consent and renders PDFs: many seconds a test on PostgreSQL,
# so each app's demo tests load what they check. The school's and the reports' tests load everything.
DEMO_LOADERS_FOR = {
    "incidents": {"incidents"},
    "agreements": {"agreements"},
    "consent": {"agreements", "consent"},  # class 5A answers through the agreements' links
    "policies": {"policies"},
}


@pytest.fixture(autouse=True)
def demo_loaders_for_this_folder(request, monkeypatch):
    from safety_portal.school import extensions

    folder = request.node.path.relative_to(request.config.rootpath).parts[1:2]
    if folder == ("reports",):
        return
    wanted = DEMO_LOADERS_FOR.get(folder[0] if folder else "")

    def needed(loader):
        app = loader.__module__.removesuffix(".demo")
        if wanted is None:
            return app != "safety_portal.reports"  # everything but the reports' two PDFs
        return app in wanted

    monkeypatch.setattr(extensions, "demo_loaders", [loader for loader in extensions.demo_loaders if needed(loader)])


def pytest_configure(config):
    config.addinivalue_line("markers", "first_factor_only: force_login gives the password step only "
                                       "(for tests of two-factor sign-in itself)")


@pytest.fixture(autouse=True)
def force_login_completes_sign_in(request, monkeypatch):
    """force_login stands for a completed sign-in: the password and, where set up or required,
    the second factor. Tests of the sign-in itself opt out with @pytest.mark.first_factor_only
    (or go through the real login form)."""
    if request.node.get_closest_marker("first_factor_only"):
        return
    from django.test import Client

    from safety_portal.signin.services import session_sign_in_complete

    password_only = Client.force_login

    def force_login(self, user, backend=None):
        password_only(self, user, backend)
        session = self.session
        session_sign_in_complete(session)
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def admin_user(db):
    return user_with_role(roles.ADMINISTRATOR, email="office@school.example")


@pytest.fixture
def dsl_user(db):
    return user_with_role(roles.DSL, email="dsl@school.example")


@pytest.fixture
def staff_user(db):
    return user_with_role(roles.STAFF, email="teacher@school.example")


@pytest.fixture
def governor_user(db):
    return user_with_role(roles.GOVERNOR, email="governor@school.example")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def dsl_client(client, dsl_user):
    client.force_login(dsl_user)
    return client


@pytest.fixture
def count_queries():
    """count_queries(client, url, **params) -> (queries, response): for "constant as data grows" tests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url, **params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(queries), response

    return count


# The fuzz suite's example counts (attached to each report by tests/fuzz/conftest.py), added up
# here because only this conftest is loaded by the process that prints the summary under pytest -n.
_FUZZ_TOTALS = Counter()
_FUZZ_ANSWER_TOTALS = Counter()


def pytest_runtest_logreport(report):
    for key, value in report.user_properties:
        if key == "fuzz_examples":
            _FUZZ_TOTALS.update(value)
        elif key == "fuzz_answers":
            for form, status, times in value:
                _FUZZ_ANSWER_TOTALS[(form, status)] += times


def pytest_terminal_summary(terminalreporter):
    if not _FUZZ_TOTALS:
        return
    terminalreporter.section("hypothesis examples per form")
    width = max(len(name) for name in _FUZZ_TOTALS)
    for name, count in sorted(_FUZZ_TOTALS.items()):
        answers = ", ".join(f"{status}: {times}" for (form, status), times
                            in sorted(_FUZZ_ANSWER_TOTALS.items()) if form == name)
        terminalreporter.write_line(f"{name:<{width}}  {count:>5}  ({answers})")
    total = sum(_FUZZ_TOTALS.values())
    terminalreporter.write_line(f"{'total':<{width}}  {total:>5} examples, {len(_FUZZ_TOTALS)} forms")
