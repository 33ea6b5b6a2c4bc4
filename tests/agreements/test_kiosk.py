"""The reception kiosk: the office hands a device over, visitors sign in, the office reads the log."""

import csv
import datetime
import io

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.middleware import DEVICE_SESSION_KEY
from agreements.models import Agreement, Audience, DeviceSession, Signature, Visitor
from agreements.views import device as device_views
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.agreements.factories import publish
from tests.factories import DEFAULT_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

WELCOME = reverse("device:kiosk_start")
SIGN = reverse("device:kiosk_sign")
DONE = reverse("device:kiosk_done")
END = reverse("device:kiosk_end")
WIFI_NOTE = "Guest Wi-Fi: OakfieldGuest, password acorn-2026"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor_version(db):
    version = publish(Audience.VISITOR, body="Wear your badge at all times.")
    Agreement.objects.filter(audience=Audience.VISITOR).update(after_signing_note=WIFI_NOTE)
    return version


@pytest.fixture
def kiosk_client(client, admin_user, visitor_version):
    client.force_login(admin_user)
    response = client.post(reverse("agreements:kiosk_start"))
    assert response.status_code == 302 and response["Location"] == WELCOME
    return client


def visit(client, name="Jane Doe", organisation="Acme Boilers", purpose="Annual heating service", **extra):
    """Open the sign-in form, as a visitor does, and send it."""
    assert client.get(SIGN).status_code == 200
    return send(client, name=name, organisation=organisation, purpose=purpose, **extra)


def send(client, name="Jane Doe", organisation="Acme Boilers", purpose="Annual heating service", **extra):
    """Send the sign-in form without opening it first: what a second tap on Sign in does."""
    data = {"full_name": name, "organisation": organisation, "purpose": purpose, "agree": "on",
            "typed_name": name, **extra}
    return client.post(SIGN, data, HTTP_USER_AGENT="KioskTablet/1.0", REMOTE_ADDR="10.0.0.7")


def test_the_office_starts_the_kiosk_and_is_signed_out(kiosk_client, admin_user):
    session = DeviceSession.objects.get()
    assert session.kind == DeviceSession.Kind.KIOSK and session.expires_at is None and session.is_live()
    assert SESSION_KEY not in kiosk_client.session
    assert kiosk_client.session[DEVICE_SESSION_KEY] == session.pk
    assert AuditEvent.objects.filter(action="agreements.kiosk_session.started", actor=admin_user).exists()
    welcome = kiosk_client.get(WELCOME)
    assert welcome.status_code == 200
    assert "Sign in as a visitor" in welcome.content.decode()
    assert "no-store" in welcome["Cache-Control"]


def test_the_start_page_warns_before_handing_over(admin_client, visitor_version):
    page = admin_client.get(reverse("agreements:kiosk_start")).content.decode()
    assert "This device will be signed out of your account" in page


def test_the_kiosk_does_not_start_without_a_published_visitor_agreement(admin_client):
    page = admin_client.get(reverse("agreements:kiosk_start")).content.decode()
    assert "the visitor agreement has no published version" in page
    response = admin_client.post(reverse("agreements:kiosk_start"))
    assert response.status_code == 200
    assert not DeviceSession.objects.exists()
    assert SESSION_KEY in admin_client.session


@pytest.mark.parametrize("role", [roles.STAFF, roles.DSL, roles.GOVERNOR, roles.ONLINE_SAFETY_LEAD])
def test_staff_outside_the_office_cannot_start_the_kiosk(client, visitor_version, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("agreements:kiosk_start")).status_code == 404
    assert client.post(reverse("agreements:kiosk_start")).status_code == 404
    assert not DeviceSession.objects.exists()


def test_a_visitor_signs_in_with_evidence(kiosk_client, visitor_version):
    page = kiosk_client.get(SIGN)
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Wear your badge at all times." in text
    assert text.count('autocomplete="off"') >= 4
    assert 'data-idle-seconds="120"' in text

    response = visit(kiosk_client)
    assert response.status_code == 302 and response["Location"] == DONE
    visitor = Visitor.objects.get()
    assert (visitor.full_name, visitor.organisation, visitor.purpose) == (
        "Jane Doe", "Acme Boilers", "Annual heating service")
    assert visitor.kiosk == DeviceSession.objects.get()
    signature = Signature.objects.get()
    assert signature.visitor == visitor and signature.version == visitor_version
    assert signature.ip_address == "10.0.0.7" and signature.user_agent == "KioskTablet/1.0"
    assert signature.content_hash == visitor_version.content_hash
    assert AuditEvent.objects.filter(action="agreements.visitor.signed_in").exists()


def test_a_form_with_missing_details_is_shown_again_with_what_was_typed(kiosk_client):
    kiosk_client.get(SIGN)
    response = kiosk_client.post(SIGN, {"full_name": "Jane Doe", "organisation": "Acme", "purpose": "",
                                        "typed_name": "Jane Doe"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tell us why you are visiting." in text
    assert "Tick the box to show you have read and agree" in text
    assert 'value="Jane Doe"' in text and 'value="Acme"' in text
    assert not Visitor.objects.exists()
    # The form shown again can be sent once it is right.
    assert send(kiosk_client)["Location"] == DONE
    assert Visitor.objects.count() == 1


def test_a_double_tap_on_sign_in_records_one_visit_and_one_signature(kiosk_client):
    first = visit(kiosk_client)
    second = send(kiosk_client)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == DONE
    assert Visitor.objects.count() == 1 and Signature.objects.count() == 1
    assert AuditEvent.objects.filter(action="agreements.visitor.signed_in").count() == 1
    # The thank-you page is still shown, once.
    assert "Thank you, Jane" in kiosk_client.get(DONE).content.decode()


def test_a_form_sent_again_after_the_thank_you_page_records_nothing_and_goes_to_the_welcome_page(kiosk_client):
    visit(kiosk_client)
    kiosk_client.get(DONE)
    response = send(kiosk_client, name="Sam Hill")
    assert response["Location"] == DONE
    assert kiosk_client.get(DONE)["Location"] == WELCOME
    assert list(Visitor.objects.values_list("full_name", flat=True)) == ["Jane Doe"]


def test_the_two_taps_of_a_double_tap_arriving_together_record_one_visit(kiosk_client):
    """Both taps can carry the same session, read before either was answered: the key is claimed once."""
    kiosk_client.get(SIGN)
    form_key = kiosk_client.session[device_views.KIOSK_FORM_KEY]
    assert visit_with_key(kiosk_client, form_key)["Location"] == DONE
    assert visit_with_key(kiosk_client, form_key)["Location"] == DONE
    assert Visitor.objects.count() == 1 and Signature.objects.count() == 1


def visit_with_key(client, form_key):
    """Send the form as a request whose session still holds `form_key`."""
    session = client.session
    session[device_views.KIOSK_FORM_KEY] = form_key
    session.save()
    return send(client)


def test_the_thank_you_page_shows_the_wifi_note_once(kiosk_client):
    visit(kiosk_client)
    done = kiosk_client.get(DONE)
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    text = done.content.decode()
    assert "Thank you, Jane" in text and WIFI_NOTE in text
    assert 'data-return-seconds="30"' in text

    reload = kiosk_client.get(DONE)
    assert reload.status_code == 302 and reload["Location"] == WELCOME
    assert WIFI_NOTE not in kiosk_client.get(WELCOME).content.decode()


def test_the_next_visitor_sees_nothing_of_the_last(kiosk_client):
    visit(kiosk_client)
    kiosk_client.get(DONE)
    form = kiosk_client.get(SIGN).content.decode()
    assert "Jane" not in form and "Acme" not in form and "heating" not in form
    visit(kiosk_client, name="Sam Hill", organisation="", purpose="Governor visit")
    done = kiosk_client.get(DONE).content.decode()
    assert "Thank you, Sam" in done and "Jane" not in done


@pytest.mark.parametrize("address", ["/incidents/", "/agreements/", "/agreements/sessions/visitors/",
                                     "/school/pupils/", "/pupil-signing/", "/"])
def test_the_kiosk_cannot_reach_other_pages(kiosk_client, address):
    response = kiosk_client.get(address)
    assert response.status_code == 302 and response["Location"] == WELCOME


def test_ending_the_kiosk_needs_an_office_account(kiosk_client, admin_user, staff_user):
    session = DeviceSession.objects.get()
    refused = kiosk_client.post(END, {"email": staff_user.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200
    assert "Only the school office can end the kiosk." in refused.content.decode()
    wrong = kiosk_client.post(END, {"email": admin_user.email, "password": "wrong-password"})
    assert wrong.status_code == 200
    session.refresh_from_db()
    assert session.ended_at is None

    ended = kiosk_client.post(END, {"email": admin_user.email.upper(), "password": DEFAULT_PASSWORD})
    assert ended.status_code == 302 and ended["Location"] == reverse("login")
    session.refresh_from_db()
    assert session.ended_by == admin_user
    assert AuditEvent.objects.filter(action="agreements.kiosk_session.ended", actor=admin_user).exists()
    assert DEVICE_SESSION_KEY not in kiosk_client.session and SESSION_KEY not in kiosk_client.session
    assert kiosk_client.get(WELCOME)["Location"].startswith(reverse("login"))


def test_ending_the_kiosk_is_rate_limited(kiosk_client, admin_user):
    for _attempt in range(5):
        kiosk_client.post(END, {"email": admin_user.email, "password": "guess"})
    refused = kiosk_client.post(END, {"email": admin_user.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert DeviceSession.objects.get().ended_at is None


def test_the_office_can_end_a_kiosk_from_its_desk(kiosk_client, admin_user):
    desk = Client()
    desk.force_login(admin_user)
    session = DeviceSession.objects.get()
    assert "End the kiosk" in desk.get(reverse("agreements:sessions")).content.decode()
    desk.post(reverse("agreements:session_end", args=[session.pk]))
    session.refresh_from_db()
    assert session.ended_by == admin_user
    assert kiosk_client.get(SIGN)["Location"] == reverse("login")


def test_a_kiosk_with_its_agreement_withdrawn_sends_visitors_to_reception(kiosk_client):
    Agreement.objects.filter(audience=Audience.VISITOR).update(current_version=None)
    response = kiosk_client.get(SIGN)
    assert response.status_code == 200
    assert "Please ask at reception" in response.content.decode()


# --- The visitor log ---------------------------------------------------------------------------

def make_visits(count, *, version, kiosk, when=None, name="Visitor"):
    for number in range(count):
        visitor = Visitor.objects.create(full_name=f"{name} {number}", organisation="Acme", purpose="Meeting",
                                         kiosk=kiosk, arrived_at=when or timezone.now())
        services._signature_create(version=version, visitor=visitor, typed_name=visitor.full_name,
                                   method="typed")


@pytest.fixture
def kiosk_session(admin_user):
    return services.device_session_start(kind=DeviceSession.Kind.KIOSK, user=admin_user)


def test_the_visitor_log_lists_visits_with_their_version(admin_client, visitor_version, kiosk_session):
    make_visits(2, version=visitor_version, kiosk=kiosk_session)
    page = admin_client.get(reverse("agreements:visitors"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Visitor 0" in text and "Visitor 1" in text and "Acme" in text
    assert f"Version {visitor_version.number}" in text


def test_the_visitor_log_searches_and_filters_by_date(admin_client, visitor_version, kiosk_session):
    last_week = timezone.now() - datetime.timedelta(days=7)
    make_visits(1, version=visitor_version, kiosk=kiosk_session, when=last_week, name="Early")
    make_visits(1, version=visitor_version, kiosk=kiosk_session, name="Today")
    found = admin_client.get(reverse("agreements:visitors"), {"q": "early"}).content.decode()
    assert "Early 0" in found and "Today 0" not in found
    today = timezone.localdate().isoformat()
    dated = admin_client.get(reverse("agreements:visitors"), {"date_from": today}).content.decode()
    assert "Today 0" in dated and "Early 0" not in dated
    bad = admin_client.get(reverse("agreements:visitors"), {"date_from": today, "date_to": "2000-01-01"})
    assert bad.status_code == 200
    assert "The end date must be on or after the start date." in bad.content.decode()


def test_the_visitor_log_pages(admin_client, visitor_version, kiosk_session):
    make_visits(51, version=visitor_version, kiosk=kiosk_session)
    first = admin_client.get(reverse("agreements:visitors")).content.decode()
    assert "Page 1 of 2" in first
    second = admin_client.get(reverse("agreements:visitors"), {"page": 2}).content.decode()
    assert second.count("<tr>") == 2  # header and one visit


def test_the_visitor_log_is_for_the_office_and_compliance_readers(client, visitor_version):
    for role, status in [(roles.DSL, 200), (roles.HEADTEACHER, 200), (roles.ONLINE_SAFETY_LEAD, 200),
                         (roles.STAFF, 404), (roles.GOVERNOR, 404), (roles.TECHNICAL, 404)]:
        client.force_login(user_with_role(role))
        assert client.get(reverse("agreements:visitors")).status_code == status, role
        assert client.get(reverse("agreements:visitors_export")).status_code == status, role


def test_the_csv_export_is_complete_safe_and_audited(admin_client, admin_user, visitor_version, kiosk_session):
    make_visits(2, version=visitor_version, kiosk=kiosk_session)
    Visitor.objects.create(full_name="=HYPERLINK(1)", purpose="Meeting", kiosk=kiosk_session)
    response = admin_client.get(reverse("agreements:visitors_export"), {"q": "Meeting"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Arrived", "Name", "Organisation", "Reason for visit", "Agreement version"]
    assert len(rows) == 4
    assert {row[1] for row in rows[1:]} == {"Visitor 0", "Visitor 1", "'=HYPERLINK(1)"}
    assert rows[-1][4] == str(visitor_version.number)
    event = AuditEvent.objects.get(action="agreements.visitors.exported")
    # What was searched for may be a visitor's name, so the trail keeps only that there was a search.
    assert event.actor == admin_user and event.detail["rows"] == 3
    assert event.detail["filters"] == {"q": "(name, not recorded)"}


def test_an_export_with_unreadable_filters_exports_nothing(admin_client, visitor_version):
    response = admin_client.get(reverse("agreements:visitors_export"), {"date_from": "not a date"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="agreements.visitors.exported").exists()


def test_the_visitor_log_runs_a_constant_number_of_queries(admin_client, visitor_version, kiosk_session,
                                                           count_queries, django_assert_max_num_queries):
    url = reverse("agreements:visitors")
    make_visits(2, version=visitor_version, kiosk=kiosk_session)
    small, _response = count_queries(admin_client, url)
    make_visits(30, version=visitor_version, kiosk=kiosk_session)
    large, response = count_queries(admin_client, url)
    assert small == large
    assert "Visitor 29" in response.content.decode()
    with django_assert_max_num_queries(small):
        admin_client.get(url)


def test_an_empty_post_to_end_the_kiosk_is_refused_with_errors_not_shown_as_a_fresh_form(kiosk_client):
    # `request.POST or None` treated an empty POST as no form at all: no error, nothing said.
    response = kiosk_client.post(END, {})
    assert response.status_code == 200
    assert response.context["form"].is_bound and response.context["form"].errors
