"""Property-based tests on the forms that need no account: a parent's link (signing and photo
choices), a pupil signing on a class device and a visitor at the reception kiosk.

Properties: never a server error; a refused form says what is wrong and shows what was typed; an
accepted form records exactly what was typed (with its spaces tidied)."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import example as known_case
from hypothesis import given
from hypothesis import strategies as st

from agreements.forms_parent import ParentSignForm
from agreements.models import Audience, DeviceSession, Signature, Visitor
from agreements.parent_pack import pack_state
from consent.models import ConsentDecision
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import make_link, publish
from tests.consent.factories import purposes
from tests.factories import DEFAULT_PASSWORD, PupilFactory, user_with_role
from tests.fuzz.checks import (
    assert_no_server_error,
    assert_refused_and_kept,
    example,
    fuzz_settings,
    stripped,
    tidied,
)
from tests.fuzz.drawings import data_url, junk_drawing, png, valid_drawing
from tests.fuzz.strategies import SPECIAL, any_text, clean_text, form_data, junk, junk_scalar

pytestmark = pytest.mark.django_db

TICK = st.just("on")


@pytest.fixture
def school(db):
    return SchoolProfile.objects.create(pk=1, name="Oakfield Primary", phone="01632 960123",
                                        email="office@oakfield.example")


@pytest.fixture
def parent_link(school):
    for audience in (Audience.PARENT, Audience.PUPIL_KS2):
        publish(audience)
    link, token = make_link(year_group=5, reg_class="5A")
    return link, token


@fuzz_settings(max_examples=60)
@given(data=form_data(
    {"discussed": TICK, "agree": TICK, "typed_name": clean_text(2, 150), "drawing": valid_drawing,
     "shown": st.just("SHOWN")},
    junk_for={"drawing": junk_drawing}))
# Found by this test: a PNG header claiming 900 million pixels was a 500 (Pillow's DecompressionBombError).
@known_case(data={"discussed": "on", "agree": "on", "typed_name": "Sarah Lowe", "shown": "SHOWN",
                  "drawing": data_url(png(30000, 30000))})
def test_parent_signing(client, parent_link, data):
    link, token = parent_link
    with example("parent link: signing"):
        if data.get("shown") == "SHOWN":
            data["shown"] = ParentSignForm.shown_value(pack_state(link).to_sign)
        response = client.post(reverse("parent_pack", args=[token]), data)
        assert_no_server_error(response)
        if response.status_code == 302:
            signature = Signature.objects.get(guardian=link.guardian, version__agreement__audience=Audience.PARENT)
            assert signature.typed_name == tidied(data["typed_name"])
            assert signature.drawing == stripped(data.get("drawing", ""))
        else:
            assert_refused_and_kept(response, data, ["typed_name"])


@fuzz_settings(max_examples=40)
@given(data=st.data())
def test_parent_photo_choices(client, parent_link, data):
    link, token = parent_link
    in_use = purposes()
    names = [f"purpose_{purpose.pk}" for purpose in in_use]
    answers = data.draw(form_data({name: st.sampled_from(["yes", "no"]) for name in names},
                                  junk_for={name: junk | st.sampled_from(["YES", "yes ", "maybe"]) for name in names}))
    with example("parent link: photo choices"):
        response = client.post(reverse("consent_parent", args=[token]), answers)
        assert_no_server_error(response)
        if response.status_code == 302:
            recorded = {f"purpose_{purpose_id}": "yes" if answer else "no" for purpose_id, answer in
                        ConsentDecision.objects.filter(pupil=link.pupil, guardian=link.guardian)
                        .values_list("purpose_id", "answer")}
            assert recorded == answers
        else:
            assert_refused_and_kept(response, answers, [])


@fuzz_settings(max_examples=25)
@given(token=st.one_of(any_text, junk_scalar, st.sampled_from(SPECIAL))
       .filter(lambda text: text not in ("", ".", "..")),
       page=st.sampled_from(["", "done/", "photos/"]))
def test_parent_link_with_any_token(client, parent_link, token, page):
    with example("parent link: any token"):
        response = client.get(f"/p/{quote(token, safe='')}/{page}")
        assert_no_server_error(response)
        assert response.status_code in (404, 301, 302)


@pytest.fixture
def class_device(client, school):
    """A class signing session for 5A on this client, with the KS2 agreement published."""
    publish(Audience.PUPIL_KS2)
    teacher = user_with_role(roles.STAFF, email="class.teacher@school.example")
    pupils = [PupilFactory(year_group=5, reg_class="5A"), PupilFactory(year_group=5, reg_class="5A")]
    client.force_login(teacher)
    assert client.post(reverse("agreements:sessions"), {"group": "class:5A"}).status_code == 302
    return DeviceSession.objects.get(started_by=teacher), pupils


@fuzz_settings(max_examples=50)
@given(data=form_data({"agree": TICK, "typed_name": clean_text(1, 150) | st.just(""), "drawing": valid_drawing},
                      junk_for={"drawing": junk_drawing}),
       which=st.sampled_from(["first", "first", "first", "other class", 2**31, 2**63, 10**30]))
def test_pupil_signing(client, class_device, data, which):
    _session, pupils = class_device
    with example("pupil session: signing"):
        pk = pupils[0].pk if which == "first" else (PupilFactory(reg_class="6B").pk if which == "other class"
                                                    else which)
        response = client.post(f"/pupil-signing/{pk}/", data)
        assert_no_server_error(response)
        if which != "first":
            assert response.status_code == 404
        elif response.status_code == 302:
            signature = Signature.objects.filter(pupil=pupils[0]).first()
            if signature is not None:
                if tidied(data.get("typed_name", "")):
                    assert signature.typed_name == tidied(data["typed_name"])
                assert signature.drawing == stripped(data.get("drawing", ""))
                assert tidied(data.get("typed_name", "")) or signature.drawing
        else:
            assert_refused_and_kept(response, data, ["typed_name"])


@fuzz_settings(max_examples=20)
@given(data=form_data({"password": st.just("not the password") | st.just(DEFAULT_PASSWORD)}))
def test_pupil_session_end(client, class_device, data):
    with example("pupil session: end with password"):
        response = client.post(reverse("device:session_end"), data)
        assert_no_server_error(response)
        # An empty post (no field at all: never from the page) shows the form again without errors.
        if response.status_code == 200 and data:
            assert_refused_and_kept(response, data, [])


@pytest.fixture
def kiosk(client, school):
    publish(Audience.VISITOR)
    office = user_with_role(roles.ADMINISTRATOR, email="office@school.example")
    client.force_login(office)
    assert client.post(reverse("agreements:kiosk_start")).status_code == 302
    return office


@fuzz_settings(max_examples=60)
@given(data=form_data({"full_name": clean_text(1, 150), "organisation": clean_text(1, 150) | st.just(""),
                       "purpose": clean_text(1, 200), "agree": TICK, "typed_name": clean_text(2, 150),
                       "drawing": valid_drawing}, junk_for={"drawing": junk_drawing}))
def test_kiosk_sign_in(client, kiosk, data):
    with example("kiosk: visitor sign-in"):
        assert client.get(reverse("device:kiosk_sign")).status_code == 200
        response = client.post(reverse("device:kiosk_sign"), data)
        assert_no_server_error(response)
        if response.status_code == 302:
            visitor = Visitor.objects.get()
            assert (visitor.full_name, visitor.organisation, visitor.purpose) == (
                tidied(data["full_name"]), tidied(data.get("organisation", "")), tidied(data["purpose"]))
            assert visitor.signatures.get().typed_name == tidied(data["typed_name"])
        else:
            assert_refused_and_kept(response, data, ["full_name", "organisation", "purpose", "typed_name"])


@fuzz_settings(max_examples=20)
@given(data=form_data({"email": st.just("office@school.example"), "password": st.just("wrong password")}))
def test_kiosk_end(client, kiosk, data):
    with example("kiosk: end with an office account"):
        response = client.post(reverse("device:kiosk_end"), data)
        assert_no_server_error(response)
        if response.status_code == 200 and data:  # an empty post shows the form again, as on the pupil device
            assert_refused_and_kept(response, data, ["email"])
