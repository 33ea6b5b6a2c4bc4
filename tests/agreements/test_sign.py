"""Staff and governors sign their own agreements in the portal; the evidence page of a signature."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from agreements import services
from agreements.models import Audience, Signature, SignatureMethod
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.agreements.test_drawing import image_data_url
from tests.factories import DEFAULT_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

SIGN_LIST = "/agreements/sign/"
PROMPT = 'data-testid="agreements-prompt"'


def sign_url(audience):
    return reverse("agreements:sign", args=[audience])


def sign_data(version, **overrides):
    data = {"agree": "on", "typed_name": "Helen Ashworth", "drawing": "", "version": version.pk, "next": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# --- After login, and the prompt on every page ------------------------------------------------

def test_teacher_with_nothing_signed_is_sent_to_the_sign_list_after_login(client, staff_user):
    publish(Audience.STAFF)
    response = client.post("/accounts/login/?next=/incidents/mine/",
                           {"username": staff_user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response.url == f"{SIGN_LIST}?next=%2Fincidents%2Fmine%2F"

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{sign_url("staff")}?next=/incidents/mine/"' in html
    assert "Read and sign" in html
    # The list says it all already: no second prompt on top.
    assert PROMPT not in html


def test_teacher_who_has_signed_goes_straight_to_their_page_after_login(client, staff_user):
    version = publish(Audience.STAFF)
    services.signature_record_for_account(user=staff_user, version=version, typed_name="Helen Ashworth")
    response = client.post("/accounts/login/?next=/incidents/mine/",
                           {"username": staff_user.email, "password": DEFAULT_PASSWORD})
    assert response.url == "/incidents/mine/"


def test_prompt_shows_on_every_page_until_signed(client, staff_user):
    version = publish(Audience.STAFF)
    client.force_login(staff_user)
    for url in ("/", "/incidents/mine/"):
        html = client.get(url).content.decode()
        assert PROMPT in html
        assert "You have 1 agreement to sign." in html
        assert f'href="{SIGN_LIST}?next={url}"' in html

    response = client.post(sign_url("staff"), sign_data(version))
    assert response.status_code == 302
    assert PROMPT not in client.get("/").content.decode()


def test_prompt_counts_each_agreement_to_sign(client):
    publish(Audience.STAFF)
    publish(Audience.GOVERNOR)
    client.force_login(user_with_role(roles.STAFF, roles.GOVERNOR))
    assert "You have 2 agreements to sign." in client.get("/").content.decode()


def test_prompt_is_not_shown_on_the_signing_pages(client, staff_user):
    publish(Audience.STAFF)
    client.force_login(staff_user)
    assert PROMPT not in client.get(SIGN_LIST).content.decode()
    assert PROMPT not in client.get(sign_url("staff")).content.decode()


# --- Signing ------------------------------------------------------------------------------------

def test_teacher_signs_by_typing_their_name(client, staff_user):
    version = publish(Audience.STAFF, body="Lock your screen when you leave the room.")
    client.force_login(staff_user)
    page = client.get(sign_url("staff"))
    assert "Lock your screen when you leave the room." in page.content.decode()
    assert 'name="agree"' in page.content.decode()

    response = client.post(sign_url("staff"), sign_data(version, typed_name="  Helen   Ashworth "),
                           HTTP_USER_AGENT="Mozilla/5.0 (Test)", follow=True)
    signature = Signature.objects.get(user=staff_user)
    assert signature.version == version and signature.content_hash == version.content_hash
    assert signature.typed_name == "Helen Ashworth"
    assert signature.method == SignatureMethod.TYPED and signature.drawing == ""
    assert signature.ip_address == "127.0.0.1" and signature.user_agent == "Mozilla/5.0 (Test)"
    assert response.redirect_chain[-1][0] == SIGN_LIST
    assert any("You have signed" in message for message in messages_of(response))
    assert 'data-testid="nothing-to-sign"' in response.content.decode()
    assert AuditEvent.objects.filter(action="agreements.signature.recorded", object_id=str(signature.pk),
                                     actor=staff_user).exists()


def test_teacher_signs_with_a_drawing_as_well(client, staff_user):
    version = publish(Audience.STAFF)
    drawing = image_data_url()
    client.force_login(staff_user)
    client.post(sign_url("staff"), sign_data(version, drawing=drawing))
    signature = Signature.objects.get(user=staff_user)
    assert signature.method == SignatureMethod.DRAWN
    assert signature.drawing == drawing


def test_signing_twice_keeps_one_signature_and_says_already_signed(client, staff_user):
    version = publish(Audience.STAFF)
    client.force_login(staff_user)
    client.post(sign_url("staff"), sign_data(version))
    response = client.post(sign_url("staff"), sign_data(version), follow=True)
    assert response.status_code == 200
    assert Signature.objects.filter(user=staff_user).count() == 1
    assert any("already signed" in message for message in messages_of(response))


def test_second_tab_signing_at_the_same_moment_sees_already_signed(client, staff_user, monkeypatch):
    """The other tab's signature lands between this page's checks and its own insert."""
    version = publish(Audience.STAFF)
    record = services.signature_record_for_account

    def other_tab_first(**kwargs):
        record(user=staff_user, version=version, typed_name="Helen Ashworth")
        return record(**kwargs)

    monkeypatch.setattr(services, "signature_record_for_account", other_tab_first)
    client.force_login(staff_user)
    response = client.post(sign_url("staff"), sign_data(version), follow=True)
    assert response.status_code == 200
    assert Signature.objects.filter(user=staff_user).count() == 1
    assert any("already signed" in message for message in messages_of(response))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writes need PostgreSQL (set DATABASE_URL)")
def test_double_click_from_two_tabs_at_once_records_one_signature(staff_user):
    version = publish(Audience.STAFF)
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(staff_user)
    start = threading.Barrier(len(tabs))
    responses, errors = [], []

    def submit(tab):
        try:
            start.wait(timeout=10)
            responses.append(tab.post(sign_url("staff"), sign_data(version)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert [response.status_code for response in responses] == [302, 302]
    assert Signature.objects.filter(user=staff_user).count() == 1


def test_already_signed_page_shows_when_and_no_form(client, staff_user):
    version = publish(Audience.STAFF)
    signature = services.signature_record_for_account(user=staff_user, version=version, typed_name="H A")
    client.force_login(staff_user)
    html = client.get(sign_url("staff")).content.decode()
    assert 'data-testid="signed-already"' in html
    assert reverse("agreements:signature", args=[signature.pk]) in html
    assert 'name="agree"' not in html


def test_missing_tick_keeps_the_typed_name_and_says_what_to_do(client, staff_user):
    version = publish(Audience.STAFF)
    client.force_login(staff_user)
    response = client.post(sign_url("staff"), sign_data(version, agree=None, typed_name="Helen Ashworth"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tick the box to show you have read and agree" in html
    assert 'value="Helen Ashworth"' in html
    assert 'data-testid="form-errors"' in html
    assert not Signature.objects.exists()


def test_missing_name_is_an_error_next_to_the_field(client, staff_user):
    version = publish(Audience.STAFF)
    client.force_login(staff_user)
    response = client.post(sign_url("staff"), sign_data(version, typed_name=" "))
    assert response.status_code == 200
    assert "Type your full name to sign." in response.content.decode()
    assert 'id="id_typed_name_error"' in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize("drawing", [
    "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==",
    "data:image/png;base64,this is not base64",
    "too-big",
])
def test_bogus_drawing_is_an_error_and_keeps_the_name(client, staff_user, drawing):
    version = publish(Audience.STAFF)
    if drawing == "too-big":
        # Over the 200 KB limit, within the size in pixels: only its weight is wrong.
        drawing = image_data_url(width=320, height=240, noisy=True)
    client.force_login(staff_user)
    response = client.post(sign_url("staff"), sign_data(version, drawing=drawing))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The drawn signature could not be read." in html
    assert 'value="Helen Ashworth"' in html
    assert not Signature.objects.exists()


def test_a_good_drawing_is_kept_when_the_form_has_another_error(client, staff_user):
    version = publish(Audience.STAFF)
    drawing = image_data_url()
    client.force_login(staff_user)
    response = client.post(sign_url("staff"), sign_data(version, agree=None, drawing=drawing))
    assert f'value="{drawing}"' in response.content.decode()


def test_a_version_published_while_reading_must_be_read_before_signing(client, staff_user):
    first = publish(Audience.STAFF)
    client.force_login(staff_user)
    client.get(sign_url("staff"))
    publish(Audience.STAFF, body="Rules on AI tools added.", requires_resign=True)
    response = client.post(sign_url("staff"), sign_data(first))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A new version was published while you were reading" in html
    assert "Rules on AI tools added." in html and 'value="Helen Ashworth"' in html
    assert not Signature.objects.exists()


def test_governor_signs_the_governor_agreement(client, governor_user):
    publish(Audience.STAFF)
    version = publish(Audience.GOVERNOR)
    client.force_login(governor_user)
    page = client.get(SIGN_LIST).content.decode()
    assert sign_url("governor") in page and sign_url("staff") not in page
    client.post(sign_url("governor"), sign_data(version, typed_name="Ruth Delaney"))
    assert Signature.objects.get(user=governor_user).version == version
    assert PROMPT not in client.get("/").content.decode()


def test_teacher_cannot_open_or_sign_the_governor_agreement(client, staff_user):
    version = publish(Audience.GOVERNOR)
    client.force_login(staff_user)
    assert client.get(sign_url("governor")).status_code == 404
    assert client.post(sign_url("governor"), sign_data(version)).status_code == 404
    assert not Signature.objects.exists()


@pytest.mark.parametrize("audience", ["parent", "pupil_ks2", "visitor", "nonsense"])
def test_audiences_without_accounts_have_no_signing_page_here(client, staff_user, audience):
    if audience != "nonsense":
        publish(audience)
    client.force_login(staff_user)
    assert client.get(sign_url(audience)).status_code == 404


def test_unpublished_agreement_has_no_signing_page(client, staff_user):
    services.agreements_ensure()
    client.force_login(staff_user)
    assert client.get(sign_url("staff")).status_code == 404


def test_social_media_agreement_is_only_for_named_staff(client, staff_user, admin_user):
    version = publish(Audience.SOCIAL_MEDIA)
    client.force_login(staff_user)
    assert client.get(sign_url("social_media")).status_code == 404
    assert sign_url("social_media") not in client.get(SIGN_LIST).content.decode()

    services.named_signers_set(agreement=version.agreement, users=[staff_user], user=admin_user)
    assert sign_url("social_media") in client.get(SIGN_LIST).content.decode()
    client.post(sign_url("social_media"), sign_data(version))
    assert Signature.objects.get(user=staff_user).version == version


def test_next_is_carried_through_the_form_to_the_page_asked_for(client, staff_user):
    version = publish(Audience.STAFF)
    client.force_login(staff_user)
    html = client.get(sign_url("staff"), {"next": "/incidents/mine/"}).content.decode()
    assert '<input type="hidden" name="next" value="/incidents/mine/">' in html
    response = client.post(sign_url("staff"), sign_data(version, next="/incidents/mine/"))
    assert response.url == "/incidents/mine/"


def test_with_more_to_sign_the_next_page_waits_until_all_are_signed(client):
    staff = publish(Audience.STAFF)
    social = publish(Audience.SOCIAL_MEDIA)
    user = user_with_role(roles.STAFF)
    services.named_signers_set(agreement=social.agreement, users=[user], user=user)
    client.force_login(user)
    response = client.post(sign_url("staff"), sign_data(staff, next="/incidents/mine/"))
    assert response.url == f"{SIGN_LIST}?next=%2Fincidents%2Fmine%2F"
    response = client.post(sign_url("social_media"), sign_data(social, next="/incidents/mine/"))
    assert response.url == "/incidents/mine/"


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_next_to_another_site_is_ignored(client, staff_user, evil):
    version = publish(Audience.STAFF)
    client.force_login(staff_user)
    form_page = client.get(sign_url("staff"), {"next": evil}).content.decode()
    assert "evil.example" not in form_page and "javascript:" not in form_page
    response = client.post(sign_url("staff"), sign_data(version, next=evil))
    assert response.status_code == 302 and response.url == SIGN_LIST
    page = client.get(SIGN_LIST, {"next": evil}).content.decode()
    assert "evil.example" not in page and "javascript:" not in page
    assert f'href="{reverse("home")}">Continue' in page


def test_continue_leads_to_the_page_asked_for_once_nothing_is_left(client, staff_user):
    version = publish(Audience.STAFF)
    services.signature_record_for_account(user=staff_user, version=version, typed_name="Helen Ashworth")
    client.force_login(staff_user)
    html = client.get(SIGN_LIST, {"next": "/incidents/mine/"}).content.decode()
    assert 'href="/incidents/mine/">Continue' in html


def test_a_new_version_everyone_must_sign_brings_the_prompt_back(client, staff_user):
    first = publish(Audience.STAFF)
    client.force_login(staff_user)
    client.post(sign_url("staff"), sign_data(first))
    publish(Audience.STAFF, body="Small wording fix.")
    assert PROMPT not in client.get("/").content.decode()

    third = publish(Audience.STAFF, body="New rules on AI tools.", requires_resign=True)
    assert PROMPT in client.get("/").content.decode()
    client.post(sign_url("staff"), sign_data(third))
    assert PROMPT not in client.get("/").content.decode()
    assert list(Signature.objects.filter(user=staff_user).values_list("version__number", flat=True)
                .order_by("version__number")) == [1, 3]


def test_sign_list_shows_what_they_signed_newest_first(client, staff_user):
    first = publish(Audience.STAFF, title="Staff agreement 2025")
    old = services.signature_record_for_account(user=staff_user, version=first, typed_name="Helen Ashworth")
    second = publish(Audience.STAFF, title="Staff agreement 2026", body="Changed.", requires_resign=True)
    new = services.signature_record_for_account(user=staff_user, version=second, typed_name="Helen Ashworth")
    other = services.signature_record_for_account(user=user_with_role(roles.STAFF), version=second,
                                                  typed_name="Someone Else")
    client.force_login(staff_user)
    html = client.get(SIGN_LIST).content.decode()
    assert html.index("Staff agreement 2026") < html.index("Staff agreement 2025")
    assert reverse("agreements:signature", args=[new.pk]) in html
    assert reverse("agreements:signature", args=[old.pk]) in html
    assert reverse("agreements:signature", args=[other.pk]) not in html
    assert "replaced by a later version" in html


def test_sign_list_runs_the_same_queries_however_much_was_signed(client, staff_user, count_queries,
                                                                django_assert_max_num_queries):
    client.force_login(staff_user)
    version = publish(Audience.STAFF)
    services.signature_record_for_account(user=staff_user, version=version, typed_name="Helen Ashworth")
    few, _ = count_queries(client, SIGN_LIST)
    for number in range(4):
        version = publish(Audience.STAFF, body=f"Change {number}", requires_resign=True)
        services.signature_record_for_account(user=staff_user, version=version, typed_name="Helen Ashworth")
    many, response = count_queries(client, SIGN_LIST)
    assert many == few
    # Session, user, roles (twice: base.html lists them), school, the prompt's query, the signatures,
    # and the request's savepoint and its release.
    with django_assert_max_num_queries(9):
        client.get(SIGN_LIST)
    assert response.content.decode().count("Evidence<span") == 5


# --- The evidence page ------------------------------------------------------------------------

def signed_by(user, audience=Audience.STAFF, **kwargs):
    version = publish(audience)
    return services.signature_record_for_account(user=user, version=version, typed_name="Helen Ashworth",
                                                 **kwargs)


def test_signer_sees_their_evidence_without_an_audit_entry(client, staff_user):
    signature = signed_by(staff_user, drawing=image_data_url())
    client.force_login(staff_user)
    response = client.get(reverse("agreements:signature", args=[signature.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert signature.content_hash in html
    assert signature.version.title in html
    assert f'<img src="{signature.drawing}"' in html
    assert "Yes: the stored text is exactly what was signed" in html
    assert reverse("agreements:certificate", args=[signature.pk]) in html
    assert not AuditEvent.objects.filter(action="agreements.signature.viewed").exists()


def test_another_member_of_staff_gets_404_for_someone_elses_signature(client, staff_user):
    signature = signed_by(staff_user)
    client.force_login(user_with_role(roles.STAFF))
    assert client.get(reverse("agreements:signature", args=[signature.pk])).status_code == 404
    assert client.get(reverse("agreements:certificate", args=[signature.pk])).status_code == 404
    governor = user_with_role(roles.GOVERNOR)
    client.force_login(governor)
    assert client.get(reverse("agreements:signature", args=[signature.pk])).status_code == 404


def test_online_safety_lead_opens_a_signature_and_the_read_is_audited(client, staff_user):
    signature = signed_by(staff_user)
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD)
    client.force_login(lead)
    response = client.get(reverse("agreements:signature", args=[signature.pk]))
    assert response.status_code == 200
    assert signature.signer_name in response.content.decode()
    event = AuditEvent.objects.get(action="agreements.signature.viewed")
    assert event.actor == lead and event.object_id == str(signature.pk)


def test_evidence_of_a_parent_signature_names_the_child_and_the_link(client, admin_user):
    services.agreements_ensure()
    publish(Audience.PARENT)
    pupil, guardian = guardian_with_child(year_group=5, reg_class="5A")
    publish(Audience.PUPIL_KS2)
    link, _token = make_link(pupil=pupil, guardian=guardian)
    signatures = services.signature_record_for_guardian(link=link, typed_name=str(guardian), discussed_with_child=True)
    client.force_login(admin_user)
    html = client.get(reverse("agreements:signature", args=[signatures[0].pk])).content.decode()
    assert "On behalf of" in html and pupil.display_name in html and "5A" in html
    assert "Test pack" in html


def test_evidence_of_a_paper_form_says_who_entered_it_and_when(client, admin_user):
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    pupil, guardian = guardian_with_child(year_group=5, reg_class="5A")
    signature = services.signature_record_paper(pupil=pupil, guardian=guardian, signed_on=datetime.date(2026, 9, 8),
                                                typed_name=str(guardian), discussed_with_child=True,
                                                recorded_by=admin_user)[0]
    client.force_login(admin_user)
    html = client.get(reverse("agreements:signature", args=[signature.pk])).content.decode()
    assert "Paper form" in html and "8 September 2026" in html
    assert "Entered in the portal" in html and f"by {admin_user}" in html
    assert "None kept" in html


def test_evidence_page_says_when_the_stored_text_no_longer_matches(client, staff_user):
    version = publish(Audience.STAFF)
    # Only an insert is possible (signatures are never changed): one taken over different text.
    signature = Signature.objects.create(version=version, user=staff_user, typed_name="Helen Ashworth",
                                         method=SignatureMethod.TYPED, content_hash="0" * 64,
                                         signed_at=version.published_at)
    client.force_login(staff_user)
    html = client.get(reverse("agreements:signature", args=[signature.pk])).content.decode()
    assert 'data-testid="text-changed"' in html
    assert "No: the stored text has changed since it was signed" in html
