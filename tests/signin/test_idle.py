"""Privileged roles are signed out after 30 minutes without a request; other staff are not."""

import pytest

from safety_portal.signin import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Seconds since the epoch as the sign-in code sees them; move with clock.now += n."""

    class Clock:
        now = services.now_seconds()

    monkeypatch.setattr(services, "now_seconds", lambda: Clock.now)
    return Clock


def test_a_dsl_idle_for_over_30_minutes_is_signed_out_and_told_why(dsl_client, clock):
    assert dsl_client.get("/incidents/").status_code == 200
    clock.now += 29 * 60
    assert dsl_client.get("/incidents/").status_code == 200  # activity keeps the session alive
    clock.now += 29 * 60
    assert dsl_client.get("/incidents/").status_code == 200
    clock.now += 31 * 60
    response = dsl_client.get("/incidents/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    login_page = dsl_client.get(response.url)
    assert "signed out after 30 minutes without activity" in login_page.content.decode()
    assert "30 minutes" not in dsl_client.get("/accounts/login/").content.decode()  # said once


def test_an_administrator_is_signed_out_too(admin_client, clock):
    clock.now += 31 * 60
    assert admin_client.get("/school/staff/").status_code == 302


def test_other_staff_keep_their_session_for_hours(client, staff_user, clock):
    client.force_login(staff_user)
    clock.now += 4 * 60 * 60
    assert client.get("/incidents/mine/").status_code == 200
