import pytest

pytestmark = pytest.mark.django_db


def test_missing_page_uses_the_portal_404(dsl_client):
    response = dsl_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"bootstrap.min.css" in response.content


def test_refused_page_uses_the_portal_404(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/audit/")
    assert response.status_code == 404
    assert b"This page does not exist, or your account cannot open it." in response.content


def test_server_error_uses_the_portal_500(client, staff_user, monkeypatch):
    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr("safety_portal.school.views.home.panels_for", broken)
    client.raise_request_exception = False
    client.force_login(staff_user)
    response = client.get("/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"boom" not in response.content


def test_health_check_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_signed_in_pages_are_never_stored_by_the_browser(dsl_client):
    from django.test import Client

    response = dsl_client.get("/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # Anonymous responses are left to their views (the health check sets nothing).
    assert not Client().get("/healthz").has_header("Cache-Control")
