"""A device handed over keeps to its own pages; the signing pages open only on such a device."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.middleware import DEVICE_SESSION_KEY, DeviceSessionMiddleware, device_kind_for_path
from agreements.models import DeviceSession
from safety_portal.school import roles
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

STAFF_MUST_START = "A member of staff must start the signing session on this device first."


def hand_over(client, device_session):
    session = client.session
    session[DEVICE_SESSION_KEY] = device_session.pk
    session.save()


@pytest.fixture
def teacher(db):
    return user_with_role(roles.STAFF, email="teacher.mw@school.example")


@pytest.fixture
def class_session(teacher):
    return services.device_session_start(kind=DeviceSession.Kind.CLASS, user=teacher, reg_class="5A")


@pytest.fixture
def kiosk(admin_user):
    return services.device_session_start(kind=DeviceSession.Kind.KIOSK, user=admin_user)


@pytest.mark.parametrize(("address", "staff_page"), [
    ("/pupil-signing/", "/agreements/sessions/"),
    ("/pupil-signing/12/", "/agreements/sessions/"),
    ("/pupil-signing/end/", "/agreements/sessions/"),
    ("/kiosk/", "/agreements/sessions/kiosk/"),
    ("/kiosk/sign/", "/agreements/sessions/kiosk/"),
    ("/kiosk/thank-you/", "/agreements/sessions/kiosk/"),
])
def test_signing_pages_without_a_session_send_staff_to_sign_in_and_start_one(client, address, staff_page):
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={staff_page.replace('/', '%2F')}"
    login_page = client.get(response["Location"])
    assert STAFF_MUST_START in login_page.content.decode()


def test_a_signed_in_teacher_opening_the_names_page_lands_on_the_sessions_page(client, teacher):
    client.force_login(teacher)
    response = client.get("/pupil-signing/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("agreements:sessions")
    assert STAFF_MUST_START in response.content.decode()


def test_a_post_to_a_signing_page_without_a_session_signs_nothing(client):
    response = client.post("/kiosk/sign/", {"full_name": "Someone", "purpose": "x", "typed_name": "Someone",
                                            "agree": "on"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_other_pages_are_untouched_without_a_device_session(client):
    assert client.get(reverse("login")).status_code == 200


def test_a_kiosk_cannot_reach_the_class_pages_nor_a_class_the_kiosk(client, class_session, kiosk):
    hand_over(client, kiosk)
    assert client.get("/pupil-signing/")["Location"] == "/kiosk/"
    client.session.flush()
    other = client.__class__()
    hand_over(other, class_session)
    assert other.get("/kiosk/sign/")["Location"] == "/pupil-signing/"


def test_a_prefix_lookalike_is_not_a_device_page(client, class_session):
    # /kiosk-admin/ is not under /kiosk/: it must not count as a kiosk page.
    assert device_kind_for_path("/kiosk-admin/") is None
    assert device_kind_for_path("/kiosk/") == DeviceSession.Kind.KIOSK
    assert device_kind_for_path("/pupil-signing/3/") == DeviceSession.Kind.CLASS


@pytest.mark.parametrize("how", ["ended", "expired", "deleted"])
def test_a_session_that_is_over_signs_the_device_out(client, class_session, teacher, how):
    client.force_login(teacher)  # even a stray account on the device goes
    hand_over(client, class_session)
    if how == "ended":
        services.device_session_end(session=class_session, user=teacher)
    elif how == "expired":
        DeviceSession.objects.filter(pk=class_session.pk).update(expires_at=timezone.now())
    else:
        session = client.session
        session[DEVICE_SESSION_KEY] = class_session.pk + 1000
        session.save()
    response = client.get("/pupil-signing/")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert DEVICE_SESSION_KEY not in client.session and SESSION_KEY not in client.session
    assert "The signing session has ended." in client.get(reverse("login")).content.decode()


def test_the_middleware_sets_device_session_for_views(class_session, rf):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    seen = []

    def view(request):
        seen.append(request.device_session)
        return HttpResponse("ok")

    def run(path, device_session_id=None):
        request = rf.get(path)
        request.session = SessionStore()
        if device_session_id is not None:
            request.session[DEVICE_SESSION_KEY] = device_session_id
        request._messages = FallbackStorage(request)
        return DeviceSessionMiddleware(view)(request)

    assert run("/pupil-signing/").status_code == 302 and seen == []
    run("/pupil-signing/", class_session.pk)
    run("/accounts/login/")
    assert seen == [class_session, None]
