"""The school profile page: details, named people, logo and local contacts in one save."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.forms import SchoolProfileForm
from safety_portal.school.models import LocalContact, SchoolProfile
from tests.factories import UserFactory, user_with_role

URL = reverse("school:profile")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_file(name="logo.png", image_format="PNG", size=(120, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (29, 79, 145)).save(buffer, format=image_format)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def profile_data(**overrides):
    data = {
        "name": "Riverside Primary School",
        "address": "1 River Lane\nTownley\nTL1 2AB",
        "urn": "123456",
        "phone": "01234 567890",
        "email": "office@riverside.example",
        "headteacher": "", "dsl": "", "deputy_dsls": [], "online_safety_lead": "",
        "safeguarding_governor": "", "filtering_lead": "",
    }
    for kind in LocalContact.Kind.values:
        for field in ("organisation", "phone", "email", "notes"):
            data[f"{kind}-{field}"] = ""
    data.update(overrides)
    return data


def test_admin_saves_details_people_and_contacts_in_one_go(admin_client, admin_user):
    head = user_with_role(roles.HEADTEACHER)
    dsl = user_with_role(roles.DSL)
    deputy1, deputy2 = user_with_role(roles.DSL), user_with_role(roles.DSL)
    governor = user_with_role(roles.GOVERNOR)
    data = profile_data(
        headteacher=head.pk, dsl=dsl.pk, deputy_dsls=[deputy1.pk, deputy2.pk], safeguarding_governor=governor.pk,
        **{"police-organisation": "Townley Police", "police-phone": "101",
           "lado-email": "lado@council.example"},
    )
    response = admin_client.post(URL, data)
    assert response.status_code == 302

    profile = SchoolProfile.objects.get(pk=1)
    assert profile.name == "Riverside Primary School"
    assert profile.urn == "123456"
    assert (profile.headteacher, profile.dsl, profile.safeguarding_governor) == (head, dsl, governor)
    assert set(profile.deputy_dsls.all()) == {deputy1, deputy2}
    assert profile.online_safety_lead is None
    police = LocalContact.objects.get(kind="police")
    assert (police.organisation, police.phone) == ("Townley Police", "101")
    assert LocalContact.objects.get(kind="lado").email == "lado@council.example"
    # Contacts left blank are not created.
    assert set(LocalContact.objects.values_list("kind", flat=True)) == {"police", "lado"}

    profile_event = AuditEvent.objects.get(action="school.profile.updated")
    assert profile_event.actor == admin_user
    assert {"name", "urn", "dsl", "deputy_dsls", "headteacher", "safeguarding_governor"} <= set(
        profile_event.detail["fields"])
    contact_events = {event.detail["kind"]: event.detail["fields"]
                      for event in AuditEvent.objects.filter(action="school.local_contact.updated")}
    assert contact_events == {"police": ["organisation", "phone"], "lado": ["email"]}
    # Field names only: no personal values in the trail.
    trail = json.dumps([event.detail for event in AuditEvent.objects.all()])
    assert "lado@council.example" not in trail
    assert "01234" not in trail


def test_saving_without_changes_writes_no_event(admin_client):
    admin_client.post(URL, profile_data())
    before = AuditEvent.objects.count()
    response = admin_client.post(URL, profile_data(), follow=True)
    assert AuditEvent.objects.count() == before
    assert "Nothing had changed" in response.content.decode()


def test_a_change_to_one_contact_is_recorded_for_that_contact(admin_client):
    admin_client.post(URL, profile_data(**{"social_care-phone": "0300 123 4567"}))
    admin_client.post(URL, profile_data(**{"social_care-phone": "0300 999 0000"}))
    events = AuditEvent.objects.filter(action="school.local_contact.updated")
    assert [event.detail for event in events.order_by("sequence")] == [
        {"kind": "social_care", "fields": ["phone"]}, {"kind": "social_care", "fields": ["phone"]}]
    assert LocalContact.objects.get(kind="social_care").phone == "0300 999 0000"


def test_any_active_user_may_be_named_even_without_the_matching_role(admin_client, staff_user):
    response = admin_client.post(URL, profile_data(filtering_lead=staff_user.pk))
    assert response.status_code == 302
    assert SchoolProfile.objects.get(pk=1).filtering_lead == staff_user


def test_a_deactivated_user_cannot_be_named(admin_client):
    former = user_with_role(roles.DSL, is_active=False)
    response = admin_client.post(URL, profile_data(dsl=former.pk))
    assert response.status_code == 200
    assert "dsl" in response.context["form"].errors
    assert not SchoolProfile.objects.filter(pk=1).exists()


def test_people_holding_the_matching_role_are_listed_first(db):
    plain = UserFactory(last_name="Aardvark")
    dsl = user_with_role(roles.DSL, last_name="Zebra")
    inactive = user_with_role(roles.DSL, last_name="Young", is_active=False)
    choices = list(SchoolProfileForm(instance=SchoolProfile.load()).fields["dsl"].queryset)
    assert choices == [dsl, plain]
    assert inactive not in choices


def test_a_named_person_who_was_deactivated_is_flagged(admin_client):
    dsl = user_with_role(roles.DSL)
    admin_client.post(URL, profile_data(dsl=dsl.pk))
    dsl.is_active = False
    dsl.save()
    response = admin_client.get(URL)
    assert b'data-testid="inactive-named"' in response.content
    assert str(dsl) in response.content.decode()


def test_a_png_logo_is_saved(admin_client, media_root):
    response = admin_client.post(URL, profile_data(logo=image_file()))
    assert response.status_code == 302
    profile = SchoolProfile.objects.get(pk=1)
    assert profile.logo.name.startswith("school/")
    assert (media_root / profile.logo.name).exists()
    assert "logo" in AuditEvent.objects.get(action="school.profile.updated").detail["fields"]


def test_a_jpeg_logo_is_saved(admin_client):
    assert admin_client.post(URL, profile_data(logo=image_file("logo.jpg", "JPEG"))).status_code == 302
    assert SchoolProfile.objects.get(pk=1).logo


def test_a_file_that_is_not_an_image_is_refused_with_a_message(admin_client):
    bad = SimpleUploadedFile("logo.png", b"this is not an image at all", content_type="image/png")
    response = admin_client.post(URL, profile_data(logo=bad))
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    content = response.content.decode()
    assert "Upload a valid image" in content
    assert "choose the logo file again" in content
    # Nothing at all was saved, and what was typed is kept.
    assert not SchoolProfile.objects.filter(pk=1).exists()
    assert not AuditEvent.objects.filter(action__startswith="school.").exists()
    assert 'value="Riverside Primary School"' in content


def test_a_logo_over_2_mb_is_refused(admin_client):
    big = SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024), content_type="image/png")
    response = admin_client.post(URL, profile_data(logo=big))
    assert response.status_code == 200
    assert "the largest allowed is 2 MB" in str(response.context["form"].errors["logo"])
    assert not SchoolProfile.objects.filter(pk=1).exists()


def test_a_logo_in_another_image_format_is_refused(admin_client):
    response = admin_client.post(URL, profile_data(logo=image_file("logo.gif", "GIF")))
    assert response.status_code == 200
    assert "PNG or JPEG" in str(response.context["form"].errors["logo"])


def test_a_huge_logo_is_refused(admin_client):
    response = admin_client.post(URL, profile_data(logo=image_file(size=(5000, 10))))
    assert "at most 4000 pixels" in str(response.context["form"].errors["logo"])


def test_a_bad_contact_email_saves_nothing_and_keeps_what_was_typed(admin_client):
    response = admin_client.post(URL, profile_data(**{"lado-email": "not an email", "police-phone": "101"}))
    assert response.status_code == 200
    lado_form = next(form for form in response.context["contact_forms"] if form.prefix == "lado")
    assert "email" in lado_form.errors
    content = response.content.decode()
    assert 'value="not an email"' in content
    assert 'value="101"' in content
    assert not SchoolProfile.objects.filter(pk=1).exists()
    assert not LocalContact.objects.exists()


def test_a_missing_school_name_is_refused(admin_client):
    response = admin_client.post(URL, profile_data(name=""))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_nonsense_choices_are_refused_not_crashed_on(admin_client):
    response = admin_client.post(URL, profile_data(dsl="abc", deputy_dsls=["x", "99999999999"]))
    assert response.status_code == 200
    assert {"dsl", "deputy_dsls"} <= set(response.context["form"].errors)


def test_profile_page_shows_the_four_local_contacts(admin_client):
    content = admin_client.get(URL).content.decode()
    for kind in LocalContact.Kind:
        assert f'data-contact="{kind.value}"' in content
        assert str(kind.label).replace("'", "&#x27;") in content


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.STAFF, roles.GOVERNOR])
def test_only_administrators_may_edit_the_profile(client, role):
    client.force_login(user_with_role(role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, profile_data()).status_code == 404
    assert not SchoolProfile.objects.exists()


def test_logo_is_served_to_anyone_once_uploaded(client, admin_client, media_root):
    assert client.get(reverse("school:logo")).status_code == 404
    admin_client.post(URL, profile_data(logo=image_file()))
    response = client.get(reverse("school:logo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_dsl_cannot_also_be_a_deputy(admin_client):
    dsl = user_with_role(roles.DSL)
    response = admin_client.post(URL, profile_data(dsl=dsl.pk, deputy_dsls=[dsl.pk]))
    assert response.status_code == 200
    assert "cannot also be a deputy" in str(response.context["form"].errors["deputy_dsls"])


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "<b>call me</b>", "digits, spaces"),
    ("urn", "not-a-urn", "six digits"),
])
def test_junk_phone_numbers_and_urns_are_refused(admin_client, field, value, message):
    response = admin_client.post(URL, profile_data(**{field: value}))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert f'value="{value}"'.replace("<", "&lt;").replace(">", "&gt;") in response.content.decode()


@pytest.mark.parametrize("phone", ["01234 567890", "+44 (0)1234 567-890", "020 7946 0000 ext 12", "101"])
def test_real_phone_numbers_are_accepted(phone):
    from safety_portal.school.validators import validate_phone

    validate_phone(phone)  # raises ValidationError if refused
