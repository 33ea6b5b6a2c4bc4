"""A teacher hands a school device to their class; pupils pick their name and sign."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.middleware import DEVICE_SESSION_KEY
from agreements.models import Audience, DeviceSession, Signature
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.agreements.factories import make_link, publish
from tests.factories import DEFAULT_PASSWORD, GuardianFactory, PupilFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db

NAMES = reverse("device:pupil_names")
END = reverse("device:session_end")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def teacher(db):
    return user_with_role(roles.STAFF, email="class.teacher@school.example")


@pytest.fixture
def class_5a(db):
    return [PupilFactory(first_name="Amelia", last_name="Smith", year_group=5, reg_class="5A"),
            PupilFactory(first_name="Oliver", last_name="Patel", preferred_name="Olly", year_group=5,
                         reg_class="5A")]


@pytest.fixture
def other_pupil(db):
    return PupilFactory(first_name="Yusuf", last_name="Khan", year_group=5, reg_class="5B")


@pytest.fixture
def ks2_version(db):
    return publish(Audience.PUPIL_KS2, body="Ask a grown-up before you **download** anything.")


def start_session(client, user, group="class:5A"):
    client.force_login(user)
    response = client.post(reverse("agreements:sessions"), {"group": group})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response, DeviceSession.objects.get(started_by=user)


def sign(client, pupil, name="Amelia Smith"):
    return client.post(reverse("device:pupil_sign", args=[pupil.pk]), {"agree": "on", "typed_name": name})


def test_sessions_page_says_plainly_what_will_happen(client, teacher, class_5a):
    client.force_login(teacher)
    response = client.get(reverse("agreements:sessions"))
    assert response.status_code == 200
    page = response.content.decode()
    assert ("This device will be signed out of your account and show only the signing pages for 60 minutes, "
            "or until you end the session with your password.") in page
    assert 'value="class:5A"' in page and 'value="year:5"' in page


def test_starting_a_session_signs_the_teacher_out_and_shows_the_names(client, teacher, class_5a, other_pupil):
    response, session = start_session(client, teacher)
    assert response["Location"] == NAMES
    assert SESSION_KEY not in client.session
    assert client.session[DEVICE_SESSION_KEY] == session.pk
    assert session.kind == DeviceSession.Kind.CLASS and session.reg_class == "5A" and session.is_live()
    assert AuditEvent.objects.filter(action="agreements.class_session.started", actor=teacher).exists()

    page = client.get(NAMES)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Amelia S." in text and "Olly P." in text
    # Surnames, the legal name behind a preferred one, and other classes stay off the screen.
    assert "Smith" not in text and "Oliver" not in text and "Yusuf" not in text
    # No portal navigation, and nothing that leads out of the session.
    assert 'data-testid="main-menu"' not in text
    assert reverse("agreements:sessions") not in text and 'href="/"' not in text


def test_a_year_group_session_lists_the_whole_year(client, teacher, class_5a, other_pupil):
    start_session(client, teacher, group="year:5")
    text = client.get(NAMES).content.decode()
    assert "Amelia S." in text and "Yusuf K." in text


@pytest.mark.parametrize("address", ["/incidents/", "/school/pupils/", "/agreements/", "/agreements/sessions/",
                                     "/", "/kiosk/", "/accounts/password/change/"])
def test_the_device_cannot_leave_the_signing_pages(client, teacher, class_5a, address):
    start_session(client, teacher)
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"] == NAMES


def test_a_pupil_from_another_class_is_not_found(client, teacher, class_5a, other_pupil, ks2_version):
    start_session(client, teacher)
    assert client.get(reverse("device:pupil_sign", args=[other_pupil.pk])).status_code == 404
    assert sign(client, other_pupil, "Yusuf Khan").status_code == 404
    assert not Signature.objects.exists()


def test_the_sign_page_shows_the_agreement_and_only_the_first_name(client, teacher, class_5a, ks2_version):
    start_session(client, teacher)
    response = client.get(reverse("device:pupil_sign", args=[class_5a[1].pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "Is this you? Olly" in text
    assert "<strong>download</strong>" in text
    assert "Patel" not in text and "Amelia" not in text
    assert 'autocomplete="off"' in text


def test_a_pupil_signs_once_and_a_second_attempt_is_already_signed(client, teacher, class_5a, ks2_version):
    _response, session = start_session(client, teacher)
    amelia = class_5a[0]

    response = sign(client, amelia)
    assert response.status_code == 302 and response["Location"] == NAMES
    signature = Signature.objects.get()
    assert (signature.pupil, signature.version, signature.device_session) == (amelia, ks2_version, session)
    assert signature.guardian is None and signature.typed_name == "Amelia Smith"
    names = client.get(NAMES).content.decode()
    assert "Thank you, Amelia" in names
    assert "(signed)" in names

    again = sign(client, amelia)
    assert again["Location"] == NAMES
    assert "You have already signed, Amelia" in client.get(NAMES).content.decode()
    # Opening her name again goes straight back to the list.
    reopened = client.get(reverse("device:pupil_sign", args=[amelia.pk]))
    assert reopened.status_code == 302 and reopened["Location"] == NAMES
    assert Signature.objects.count() == 1


def test_a_sign_form_without_a_name_is_shown_again_with_the_error(client, teacher, class_5a, ks2_version):
    start_session(client, teacher)
    response = client.post(reverse("device:pupil_sign", args=[class_5a[0].pk]), {"agree": "on", "typed_name": ""})
    assert response.status_code == 200
    assert "Type your name, or draw it in the box." in response.content.decode()
    assert not Signature.objects.exists()


def test_the_tick_counts_only_signatures_on_a_version_that_still_counts(client, teacher, class_5a, ks2_version):
    start_session(client, teacher)
    sign(client, class_5a[0])
    assert "(signed)" in client.get(NAMES).content.decode()
    publish(Audience.PUPIL_KS2, body="New rules: everyone signs again.", requires_resign=True)
    assert "(signed)" not in client.get(NAMES).content.decode()


def test_a_parents_signature_does_not_tick_the_pupil_who_still_signs_their_own(client, teacher, class_5a,
                                                                               ks2_version):
    publish(Audience.PARENT)
    amelia = class_5a[0]
    guardian = GuardianFactory()
    PupilGuardianFactory(pupil=amelia, guardian=guardian)
    link, _token = make_link(pupil=amelia, guardian=guardian)
    services.signature_record_for_guardian(link=link, typed_name="Amelia's Mum", discussed_with_child=True)
    start_session(client, teacher)
    assert "(signed)" not in client.get(NAMES).content.decode()
    assert client.get(reverse("device:pupil_sign", args=[amelia.pk])).status_code == 200
    assert sign(client, amelia)["Location"] == NAMES
    assert Signature.objects.filter(pupil=amelia, guardian__isnull=True, version=ks2_version).exists()
    assert "(signed)" in client.get(NAMES).content.decode()


def test_nothing_published_tells_the_pupil_to_ask_the_teacher(client, teacher, class_5a):
    start_session(client, teacher)
    response = client.get(reverse("device:pupil_sign", args=[class_5a[0].pk]))
    assert response["Location"] == NAMES
    assert "There is nothing for you to sign yet, Amelia" in client.get(NAMES).content.decode()


def test_the_session_ends_after_60_minutes_and_signs_the_device_out(client, teacher, class_5a, ks2_version):
    _response, session = start_session(client, teacher)
    assert session.expires_at - session.started_at == datetime.timedelta(minutes=60)
    DeviceSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = sign(client, class_5a[0])
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert DEVICE_SESSION_KEY not in client.session
    assert not Signature.objects.exists()
    # Signed out for good: the names page now needs a member of staff again.
    again = client.get(NAMES)
    assert again.status_code == 302 and again["Location"].startswith(reverse("login"))


def test_ending_needs_the_teachers_password(client, teacher, class_5a):
    _response, session = start_session(client, teacher)
    wrong = client.post(END, {"password": "not-the-password"})
    assert wrong.status_code == 200
    assert "That is not the password of the teacher who started this session." in wrong.content.decode()
    session.refresh_from_db()
    assert session.ended_at is None
    assert client.get(NAMES).status_code == 200

    right = client.post(END, {"password": DEFAULT_PASSWORD})
    assert right.status_code == 302 and right["Location"] == reverse("login")
    session.refresh_from_db()
    assert session.ended_at is not None and session.ended_by == teacher
    assert AuditEvent.objects.filter(action="agreements.class_session.ended", actor=teacher).exists()
    assert DEVICE_SESSION_KEY not in client.session and SESSION_KEY not in client.session
    assert client.get(NAMES)["Location"].startswith(reverse("login"))


def test_another_staff_password_does_not_end_the_session(client, teacher, class_5a):
    colleague = user_with_role(roles.STAFF, email="colleague@school.example")
    colleague.set_password("colleague-password-1")
    colleague.save()
    _response, session = start_session(client, teacher)
    client.post(END, {"password": "colleague-password-1"})
    session.refresh_from_db()
    assert session.ended_at is None


def test_wrong_passwords_are_rate_limited(client, teacher, class_5a):
    _response, session = start_session(client, teacher)
    for _attempt in range(5):
        assert client.post(END, {"password": "guess"}).status_code == 200
    refused = client.post(END, {"password": DEFAULT_PASSWORD})
    assert refused.status_code == 429
    assert "Too many attempts. Wait 10 minutes" in refused.content.decode()
    session.refresh_from_db()
    assert session.ended_at is None


def test_the_teacher_can_end_it_from_another_device(client, teacher, class_5a):
    _response, session = start_session(client, teacher)
    desk = Client()
    desk.force_login(teacher)
    listing = desk.get(reverse("agreements:sessions")).content.decode()
    assert "5A" in listing and "Live" in listing
    response = desk.post(reverse("agreements:session_end", args=[session.pk]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ended_by == teacher
    assert "Ended" in desk.get(reverse("agreements:sessions")).content.decode()
    # The device finds out on its next tap.
    assert client.get(NAMES)["Location"] == reverse("login")


def test_someone_else_cannot_end_a_teachers_session(client, teacher, class_5a):
    _response, session = start_session(client, teacher)
    other = Client()
    other.force_login(user_with_role(roles.STAFF, email="nosy@school.example"))
    assert other.post(reverse("agreements:session_end", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert session.ended_at is None


def test_ending_from_the_list_needs_a_post(client, teacher, class_5a):
    _response, session = start_session(client, teacher)
    desk = Client()
    desk.force_login(teacher)
    assert desk.get(reverse("agreements:session_end", args=[session.pk])).status_code == 405


def test_the_list_counts_pupils_signed(client, teacher, class_5a, ks2_version):
    start_session(client, teacher)
    sign(client, class_5a[0])
    sign(client, class_5a[1], "Oliver Patel")
    desk = Client()
    desk.force_login(teacher)
    page = desk.get(reverse("agreements:sessions")).content.decode()
    assert "<td>2</td>" in page


def test_a_governor_cannot_start_a_session(client, governor_user, class_5a):
    client.force_login(governor_user)
    assert client.get(reverse("agreements:sessions")).status_code == 404
    assert client.post(reverse("agreements:sessions"), {"group": "class:5A"}).status_code == 404
    assert not DeviceSession.objects.exists()


def test_a_group_not_on_roll_is_refused_with_the_form_shown_again(client, teacher, class_5a):
    client.force_login(teacher)
    response = client.post(reverse("agreements:sessions"), {"group": "class:9Z"})
    assert response.status_code == 200
    assert "Choose a class or year group from the list." in response.content.decode()
    assert not DeviceSession.objects.exists()
    assert SESSION_KEY in client.session


def test_the_names_page_runs_a_constant_number_of_queries(client, teacher, ks2_version, count_queries):
    pupils = [PupilFactory(year_group=5, reg_class="5A") for _ in range(3)]
    start_session(client, teacher)
    for pupil in pupils[:2]:
        sign(client, pupil, "Some Pupil")
    small, _response = count_queries(client, NAMES)
    more = [PupilFactory(year_group=5, reg_class="5A") for _ in range(20)]
    for pupil in more[:10]:
        sign(client, pupil, "Some Pupil")
    large, response = count_queries(client, NAMES)
    assert small == large
    assert response.content.decode().count("(signed)") == 12


def test_a_pupil_can_sign_by_drawing_their_name_alone(client, teacher, class_5a, ks2_version):
    import base64
    import io

    from PIL import Image

    start_session(client, teacher)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(buffer, format="PNG")
    drawing = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    response = client.post(reverse("device:pupil_sign", args=[class_5a[0].pk]),
                           {"agree": "on", "typed_name": "", "drawing": drawing})
    assert response.status_code == 302
    signature = Signature.objects.get(pupil=class_5a[0])
    assert signature.method == "drawn" and signature.drawing == drawing


def test_two_pupils_who_would_look_alike_get_buttons_that_tell_them_apart(client, teacher):
    from agreements.views.device import names_to_tell_apart
    from tests.factories import PupilFactory

    first = PupilFactory(first_name="Jack", last_name="Williams", year_group=11, reg_class="11A")
    second = PupilFactory(first_name="Jack", last_name="Wood", year_group=11, reg_class="11B")
    third = PupilFactory(first_name="Jack", last_name="Wood", year_group=11, reg_class="11C")
    only = PupilFactory(first_name="Zara", last_name="Khan", year_group=11, reg_class="11A")
    names = names_to_tell_apart([first, second, third, only])
    assert names[first.pk] == "Jack Williams"
    assert names[second.pk] == "Jack Wood (11B)" and names[third.pk] == "Jack Wood (11C)"
    assert names[only.pk] == "Zara K."
