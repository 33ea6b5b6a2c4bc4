"""Signing in and out, and the pages around it."""

import pytest
from django.test import Client
from django.urls import reverse

from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_wrong_password_message_does_not_claim_the_email_is_case_sensitive(client, staff_user):
    response = client.post("/accounts/login/", {"username": staff_user.email, "password": "nope"})
    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "do not match an account" in message
    assert "both fields may be case-sensitive" not in message
    assert response.context["form"]["username"].value() == staff_user.email  # what was typed is kept


def test_sign_out_by_address_shows_a_button_and_signing_out_works(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and b'action="/accounts/logout/"' in page.content
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_out_of_date_form_gets_the_portal_page_not_djangos(staff_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": staff_user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert b"This form is out of date" in response.content
    assert b"CSRF verification failed" not in response.content


def test_administrator_can_email_a_set_password_link(admin_client, admin_user, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    person = UserFactory(email="new.person@school.example", password=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/school/staff/{person.pk}/send-link/")
    assert response.status_code == 302
    email = OutboxEmail.objects.get()
    assert email.to == ["new.person@school.example"] and email.sent_at is not None
    assert AuditEvent.objects.filter(action="school.user.password_link_sent", object_id=str(person.pk),
                                     actor=admin_user).exists()


def test_no_link_for_a_deactivated_account_and_none_for_other_roles(admin_client, client, dsl_user):
    from tests.factories import UserFactory

    person = UserFactory(is_active=False)
    admin_client.post(f"/school/staff/{person.pk}/send-link/")
    assert OutboxEmail.objects.count() == 0
    client.force_login(dsl_user)
    assert client.post(f"/school/staff/{person.pk}/send-link/").status_code == 404
    assert client.get(f"/school/staff/{person.pk}/send-link/").status_code in (404, 405)


def test_sign_in_errors_are_summarised_at_the_top_with_links_to_the_fields(client):
    page = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    summary = page.split('data-testid="form-errors"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_username"' in summary and 'href="#id_password"' in summary
