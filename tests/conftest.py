import pytest

from safety_portal.school import roles
from tests.factories import user_with_role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads (scans, policy documents, the demo's PDFs) go to a folder of each test's own,
    never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def demo_without_governor_reports(request, monkeypatch):
    """The governor reports' demo loader renders two real PDFs, about 3 s a load. The other apps' demo
    tests load the demo many times and check their own data, so they load it without; the reports'
    own tests (tests/reports/) load it all."""
    if "reports" in request.node.path.parts:
        return
    from safety_portal.reports.demo import reports_demo_load
    from safety_portal.school import extensions

    monkeypatch.setattr(extensions, "demo_loaders",
                        [loader for loader in extensions.demo_loaders if loader is not reports_demo_load])


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
