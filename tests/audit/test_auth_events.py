import pytest

from safety_portal.audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_logout_and_failed_login_are_recorded(client, staff_user):
    client.post("/accounts/login/", {"username": staff_user.email, "password": "wrong-password"})
    client.post("/accounts/login/", {"username": staff_user.email, "password": DEFAULT_PASSWORD})
    client.post("/accounts/logout/")
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == ["auth.login_failed", "auth.login", "auth.logout"]
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert (failed.object_type, failed.object_id) == ("school.user", str(staff_user.pk))
    assert failed.detail == {}
    assert AuditEvent.objects.get(action="auth.login").actor == staff_user


def test_password_change_is_recorded(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/accounts/password/change/", {
        "old_password": DEFAULT_PASSWORD, "new_password1": "a-much-longer-secret-2026",
        "new_password2": "a-much-longer-secret-2026"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=staff_user).count() == 1


def test_audit_trail_page_is_for_audit_readers_only(client, dsl_user, staff_user):
    client.force_login(staff_user)
    assert client.get("/audit/").status_code == 404
    client.force_login(dsl_user)
    response = client.get("/audit/?action=auth.login")
    assert response.status_code == 200
    assert b"Signed in" in response.content


def test_audit_trail_page_query_count_is_constant(client, dsl_user, count_queries):
    from safety_portal.audit.services import audit_record_many

    client.force_login(dsl_user)
    audit_record_many(actor=dsl_user, events=[{"action": f"test.{n}", "obj": dsl_user} for n in range(3)])
    few, _response = count_queries(client, "/audit/")
    audit_record_many(actor=dsl_user, events=[{"action": f"test.{n}", "obj": dsl_user} for n in range(300)])
    many, response = count_queries(client, "/audit/")
    assert many == few
    assert response.content.count(b'<code class="small">') == 50


def test_sign_in_ignores_the_capitals_of_the_email(client, staff_user):
    response = client.post("/accounts/login/", {"username": "  Teacher@School.EXAMPLE", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=staff_user).exists()


def test_failed_login_for_no_account_keeps_nothing_typed(client):
    client.post("/accounts/login/", {"username": "MyS3cretPassw0rd", "password": "oops"})
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.detail == {"unknown_account": True}
    assert failed.object_id == ""
    assert "MyS3cret" not in failed.canonical_content()


def test_bad_audit_filters_do_not_break_the_page(dsl_client):
    response = dsl_client.get("/audit/", {"who": "a\x00b", "action": "x" * 500, "date_from": "31/02/2026"})
    assert response.status_code == 200
    assert response.context["form"].errors
    response = dsl_client.get("/audit/", {"page": "abc"})
    assert response.status_code == 200


def test_audit_trail_says_what_happened_to_which_record(admin_client, admin_user, staff_user):
    from safety_portal.audit.services import audit_record

    audit_record(action="school.user.roles_changed", actor=admin_user, obj=staff_user,
                 detail={"added": ["DSL"], "removed": []})
    content = admin_client.get("/audit/", {"action": "school.user.roles_changed"}).content.decode()
    assert "Roles changed" in content
    assert f'href="/school/staff/{staff_user.pk}/"' in content
    assert "roles added: DSL" in content


def test_audit_trail_links_only_to_pages_the_reader_may_open(dsl_client, dsl_user, staff_user):
    from safety_portal.audit.services import audit_record

    audit_record(action="school.user.updated", actor=dsl_user, obj=staff_user, detail={"active": False})
    content = dsl_client.get("/audit/").content.decode()
    assert f"Account #{staff_user.pk}" in content
    assert f'href="/school/staff/{staff_user.pk}/"' not in content  # the DSL cannot open accounts
    assert "account active: no" in content


def test_audit_trail_filters_by_date(dsl_client, dsl_user):
    import datetime

    from django.utils import timezone

    from safety_portal.audit.services import audit_record

    audit_record(action="test.today", actor=dsl_user)
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert b"test.today" in dsl_client.get("/audit/", {"date_from": today.isoformat()}).content
    assert b"test.today" not in dsl_client.get("/audit/", {"date_to": yesterday.isoformat()}).content


def test_far_future_dates_in_the_audit_filter_do_not_break_the_page(dsl_client):
    response = dsl_client.get("/audit/", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
