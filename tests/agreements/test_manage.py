"""The online-safety lead writes, previews and publishes agreement versions; others may at most read them."""

import re

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, AgreementVersion, Audience, VersionStatus
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.agreements.factories import publish
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

STAFF = Audience.STAFF


def url(name, audience=STAFF, *args):
    return reverse(f"agreements:{name}", args=[audience, *args])


def _login(client, *role_names):
    user = user_with_role(*role_names)
    client.force_login(user)
    return user


@pytest.fixture
def osl(client):
    return _login(client, roles.ONLINE_SAFETY_LEAD)


def agreement(audience=STAFF):
    return Agreement.objects.select_related("current_version").get(audience=audience)


def the_draft(audience=STAFF):
    return AgreementVersion.objects.get(agreement__audience=audience, status=VersionStatus.DRAFT)


def start_draft(client, audience=STAFF):
    response = client.post(url("draft_start", audience))
    assert response.status_code == 302 and response["Location"] == url("draft_edit", audience)
    return the_draft(audience)


def draft_data(draft, **changes):
    data = {"version": draft.pk, "title": draft.title, "body": draft.body, "change_summary": "",
            "requires_resign": ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None and value != ""}


def publish_through_the_page(client, audience=STAFF):
    page = client.get(url("draft_publish", audience))
    assert page.status_code == 200
    return client.post(url("draft_publish", audience), {
        "version": page.context["draft"].pk, "reviewed": page.context["reviewed"]})


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def sign(version, count):
    for _ in range(count):
        services.signature_record_for_account(user=user_with_role(roles.STAFF), version=version, typed_name="A Person")


# --- The list and the agreement page ------------------------------------------------------------


def test_list_shows_all_nine_agreements_with_current_version_and_waiting_drafts(client, osl):
    publish(STAFF)
    publish(Audience.GOVERNOR)
    services.version_draft_start(agreement=agreement(Audience.GOVERNOR), user=osl)
    response = client.get(reverse("agreements:list"))
    assert response.status_code == 200
    assert [a.audience for a in response.context["agreements"]] == list(Audience.values)
    rows = dict(re.findall(r'<tr data-audience="(\w+)">(.*?)</tr>', response.content.decode(), re.S))
    assert "Version 1" in rows["staff"] and "waiting" not in rows["staff"]
    assert "Version 2 waiting" in rows["governor"]
    assert "Not published yet" in rows["visitor"] and "Version 1 waiting" in rows["visitor"]
    assert url("draft_edit", Audience.GOVERNOR) in rows["governor"]


def test_agreement_page_shows_the_current_text_and_history_with_fingerprints(client, osl):
    first = publish(STAFF, body="The **first** rules.")
    second = publish(STAFF, body="The **second** rules.", requires_resign=True)
    response = client.get(url("agreement"))
    page = text_of(response)
    assert "The <strong>second</strong> rules." in page
    assert "The <strong>first</strong> rules." not in page
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert second.content_hash[:12] in page and first.content_hash[:12] in page
    assert page.count("✓ Yes") == 2  # both frozen texts still match their fingerprints
    assert 'data-testid="status">Retired' in page and 'data-testid="status">Published' in page
    assert "Start a new draft" in page


def test_agreement_page_offers_to_continue_an_existing_draft(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    page = text_of(client.get(url("agreement")))
    assert f"Continue the draft (version {draft.number})" in page
    assert "Start a new draft" not in page


def test_starting_a_draft_twice_keeps_one_draft(client, osl):
    publish(STAFF)
    start_draft(client)
    start_draft(client)
    assert AgreementVersion.objects.filter(agreement__audience=STAFF, status=VersionStatus.DRAFT).count() == 1
    assert AuditEvent.objects.filter(action="agreements.version.drafted").count() == 1


def test_agreement_page_constant_queries_as_history_grows(client, osl, count_queries):
    publish(STAFF)
    few, _ = count_queries(client, url("agreement"))
    for number in range(5):
        publish(STAFF, body=f"Text number {number}.")
    many, response = count_queries(client, url("agreement"))
    assert len(response.context["versions"]) == 6
    assert many == few


def test_list_constant_queries_as_agreements_are_published(client, osl, count_queries, django_assert_max_num_queries):
    publish(STAFF)
    few, _ = count_queries(client, reverse("agreements:list"))
    for audience in Audience:
        publish(audience)
    many, _ = count_queries(client, reverse("agreements:list"))
    assert many == few
    with django_assert_max_num_queries(10):
        client.get(reverse("agreements:list"))


# --- Drafting, previewing, saving ---------------------------------------------------------------


def test_new_draft_starts_from_the_current_text(client, osl):
    current = publish(STAFF, body="Current rules.")
    draft = start_draft(client)
    assert draft.number == current.number + 1 and draft.body == "Current rules."
    assert client.get(url("draft_edit")).context["form"]["body"].value() == "Current rules."


def test_preview_shows_the_unsaved_text_rendered_and_saves_nothing(client, osl):
    publish(STAFF, body="Current rules.")
    draft = start_draft(client)
    response = client.post(url("draft_edit"), draft_data(draft, body="New **bold** rule.", preview="1"))
    assert response.status_code == 200
    page = text_of(response)
    assert "New <strong>bold</strong> rule." in page  # the preview
    assert "New **bold** rule.</textarea>" in page  # what was typed, still in the box
    draft.refresh_from_db()
    assert draft.body == "Current rules."
    assert not AuditEvent.objects.filter(action="agreements.version.edited", object_id=str(draft.pk)).exists()


def test_save_keeps_the_text_in_the_draft_and_publishes_nothing(client, osl):
    current = publish(STAFF, body="Current rules.")
    draft = start_draft(client)
    response = client.post(url("draft_edit"), draft_data(
        draft, title="Staff agreement 2026", body="New rules.", change_summary="Added AI tools",
        requires_resign="on", save="1"))
    assert response.status_code == 302 and response["Location"] == url("draft_edit")
    draft.refresh_from_db()
    assert (draft.title, draft.body, draft.change_summary, draft.requires_resign) == (
        "Staff agreement 2026", "New rules.", "Added AI tools", True)
    assert draft.status == VersionStatus.DRAFT
    assert agreement().current_version == current
    assert "Current rules." in text_of(client.get(url("agreement")))


def test_save_and_publish_saves_then_asks_for_confirmation(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    response = client.post(url("draft_edit"), draft_data(draft, body="Reviewed rules.", publish="1"))
    assert response["Location"] == url("draft_publish")
    draft.refresh_from_db()
    assert draft.body == "Reviewed rules." and draft.status == VersionStatus.DRAFT


@pytest.mark.parametrize("missing, kept", [("title", "Typed text that must not be lost."), ("body", "My title")])
def test_empty_title_or_body_is_refused_and_what_was_typed_is_kept(client, osl, missing, kept):
    publish(STAFF, body="Current rules.")
    draft = start_draft(client)
    data = draft_data(draft, title="My title", body="Typed text that must not be lost.", save="1")
    data[missing] = "   "
    response = client.post(url("draft_edit"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[missing]
    assert 'data-testid="form-errors"' in response.content.decode()
    assert kept in response.content.decode()
    draft.refresh_from_db()
    assert draft.body == "Current rules."


def test_draft_page_without_a_draft_sends_you_to_the_agreement(client, osl):
    publish(STAFF)
    response = client.get(url("draft_edit"), follow=True)
    assert response.redirect_chain[-1][0] == url("agreement")
    assert "There is no draft" in response.content.decode()


# --- Publishing ---------------------------------------------------------------------------------


def test_publishing_retires_the_previous_version_and_stores_the_hash(client, osl):
    first = publish(STAFF, body="First rules.")
    draft = start_draft(client)
    client.post(url("draft_edit"), draft_data(draft, body="Second rules.", save="1"))
    response = publish_through_the_page(client)
    assert response.status_code == 302 and response["Location"] == url("agreement")
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.status == VersionStatus.RETIRED and first.retired_at is not None
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.content_hash == draft.computed_hash() and len(draft.content_hash) == 64
    assert draft.published_by == osl
    assert agreement().current_version == draft
    assert AuditEvent.objects.filter(action="agreements.version.published", object_id=str(draft.pk)).exists()
    assert "Second rules." in text_of(client.get(url("agreement")))


def test_the_first_version_says_everyone_signs_it(client, osl):
    services.agreements_ensure()
    response = client.get(url("draft_publish"))
    assert response.context["draft"].number == 1 and not response.context["draft"].requires_resign
    assert "This is the first version: everyone in this group signs it." in text_of(response)
    publish_through_the_page(client)
    assert agreement().current_version.number == 1 and agreement().counts_from_number == 1


def test_everyone_must_sign_again_says_how_many_signatures_stop_counting_and_moves_the_count(client, osl):
    first = publish(STAFF)
    sign(first, 3)
    draft = start_draft(client)
    client.post(url("draft_edit"), draft_data(draft, body="Changed rules.", requires_resign="on", save="1"))
    page = text_of(client.get(url("draft_publish")))
    assert "Everyone in this group must sign again." in page
    assert "3 signatures count now; they will no longer count." in page
    publish_through_the_page(client)
    assert agreement().counts_from_number == draft.number


def test_a_small_fix_keeps_earlier_signatures_counting(client, osl):
    first = publish(STAFF)
    sign(first, 2)
    draft = start_draft(client)
    client.post(url("draft_edit"), draft_data(draft, body="Typo fixed.", save="1"))
    page = text_of(client.get(url("draft_publish")))
    assert "Earlier signatures keep counting." in page
    assert "2 signatures count now and still count." in page
    publish_through_the_page(client)
    assert agreement().counts_from_number == first.number


def test_publishing_a_draft_with_no_text_is_refused(client, osl):
    services.agreements_ensure()
    starter = the_draft()
    client.post(url("draft_discard"), {"version": starter.pk})
    empty = start_draft(client)
    assert empty.body == ""
    response = client.get(url("draft_publish"))
    assert "The draft has no text." in text_of(response)
    assert "Publish version 1</button>" not in text_of(response)
    response = client.post(url("draft_publish"), {"version": empty.pk, "reviewed": response.context["reviewed"]},
                           follow=True)
    assert "Nothing was published" in text_of(response)
    empty.refresh_from_db()
    assert empty.status == VersionStatus.DRAFT and agreement().current_version is None


def test_a_draft_changed_after_the_publish_page_was_opened_is_not_published(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    page = client.get(url("draft_publish"))
    services.version_draft_save(version=draft, title=draft.title, body="Changed in another tab.",
                                change_summary="", requires_resign=False, user=osl)
    response = client.post(url("draft_publish"), {"version": draft.pk, "reviewed": page.context["reviewed"]},
                           follow=True)
    assert "The draft changed after you opened this page" in text_of(response)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_publishing_twice_from_two_tabs_publishes_once(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    page = client.get(url("draft_publish"))
    data = {"version": draft.pk, "reviewed": page.context["reviewed"]}
    client.post(url("draft_publish"), data)
    response = client.post(url("draft_publish"), data, follow=True)
    assert response.status_code == 200
    assert f"Version {draft.number} is already published" in text_of(response)
    assert AuditEvent.objects.filter(action="agreements.version.published", object_id=str(draft.pk)).count() == 1


# --- A published text never changes -------------------------------------------------------------


def test_saving_from_a_tab_opened_before_publishing_changes_nothing_and_keeps_the_typing(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    publish_through_the_page(client)  # the other tab
    draft.refresh_from_db()
    hash_before, body_before = draft.content_hash, draft.body
    response = client.post(url("draft_edit"), draft_data(draft, body="Late edit from the first tab.", save="1"))
    assert response.status_code == 200
    page = text_of(response)
    assert f"Version {draft.number} was published while you were editing, so nothing was saved" in page
    assert "Late edit from the first tab.</textarea>" in page
    assert 'name="save"' not in page
    draft.refresh_from_db()
    assert (draft.body, draft.content_hash, draft.is_intact()) == (body_before, hash_before, True)
    assert not AuditEvent.objects.filter(action="agreements.version.edited", object_id=str(draft.pk)).exists()


def test_preview_and_publish_from_a_stale_tab_change_nothing(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    publish_through_the_page(client)
    draft.refresh_from_db()
    body_before = draft.body
    client.post(url("draft_edit"), draft_data(draft, body="Late.", publish="1"))
    response = client.post(url("draft_discard"), {"version": draft.pk}, follow=True)
    assert "has been published, so it cannot be discarded" in text_of(response)
    draft.refresh_from_db()
    assert draft.body == body_before and draft.status == VersionStatus.PUBLISHED


def test_saving_a_draft_discarded_in_another_tab_saves_nothing(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    client.post(url("draft_discard"), {"version": draft.pk})
    response = client.post(url("draft_edit"), draft_data(draft, body="Typed in the old tab.", save="1"))
    assert "This draft was discarded, so nothing was saved." in text_of(response)
    assert "Typed in the old tab.</textarea>" in text_of(response)
    assert not AgreementVersion.objects.filter(agreement__audience=STAFF, status=VersionStatus.DRAFT).exists()


def test_published_version_page_shows_no_edit_controls(client, osl):
    version = publish(STAFF)
    start_draft(client)
    page = client.get(url("version", STAFF, version.number)).content.decode()
    assert version.content_hash in page
    assert url("draft_edit") not in page and 'data-testid="edit-draft"' not in page
    assert "A published text never changes." in page


def test_draft_version_page_links_to_the_editor(client, osl):
    publish(STAFF)
    draft = start_draft(client)
    page = client.get(url("version", STAFF, draft.number)).content.decode()
    assert 'data-testid="edit-draft"' in page


# --- Discarding ---------------------------------------------------------------------------------


def test_discard_asks_first_then_removes_only_the_draft(client, osl):
    current = publish(STAFF, body="Current rules.")
    draft = start_draft(client)
    confirm = client.get(url("draft_discard"))
    assert "Version 1 stays the one people sign." in text_of(confirm)
    assert AgreementVersion.objects.filter(pk=draft.pk).exists()  # the page alone discards nothing
    response = client.post(url("draft_discard"), {"version": draft.pk})
    assert response["Location"] == url("agreement")
    assert not AgreementVersion.objects.filter(pk=draft.pk).exists()
    assert agreement().current_version == current
    assert AuditEvent.objects.filter(action="agreements.version.discarded").count() == 1


# --- Who signs the social media agreement, and the note for visitors ------------------------------


def test_named_signers_are_saved_from_active_non_governor_staff(client, osl):
    teacher = user_with_role(roles.STAFF)
    office = user_with_role(roles.ADMINISTRATOR)
    governor = user_with_role(roles.GOVERNOR)
    leaver = user_with_role(roles.STAFF, is_active=False)
    page = client.get(url("agreement", Audience.SOCIAL_MEDIA))
    offered = set(page.context["signers_form"].fields["users"].queryset)
    assert {teacher, office, osl} <= offered and governor not in offered and leaver not in offered
    response = client.post(reverse("agreements:named_signers"), {"users": [teacher.pk, office.pk]})
    assert response["Location"] == url("agreement", Audience.SOCIAL_MEDIA)
    assert set(agreement(Audience.SOCIAL_MEDIA).named_signers.all()) == {teacher, office}
    assert AuditEvent.objects.filter(action="agreements.named_signers.changed").count() == 1
    page = text_of(client.get(url("agreement", Audience.SOCIAL_MEDIA)))
    assert str(teacher) in page and str(office) in page


def test_a_governor_cannot_be_named_and_nothing_is_saved(client, osl):
    teacher = user_with_role(roles.STAFF)
    governor = user_with_role(roles.GOVERNOR)
    response = client.post(reverse("agreements:named_signers"), {"users": [teacher.pk, governor.pk]})
    assert response.status_code == 200
    assert response.context["signers_form"].errors["users"]
    assert not agreement(Audience.SOCIAL_MEDIA).named_signers.exists()


def test_the_visitor_note_is_saved(client, osl):
    response = client.post(reverse("agreements:after_signing_note"),
                           {"note": "Guest Wi-Fi: SchoolGuest, password on the reception desk."})
    assert response["Location"] == url("agreement", Audience.VISITOR)
    assert agreement(Audience.VISITOR).after_signing_note == "Guest Wi-Fi: SchoolGuest, password on the reception desk."
    assert AuditEvent.objects.filter(action="agreements.note.changed").count() == 1
    assert "SchoolGuest" in client.get(url("agreement", Audience.VISITOR)).content.decode()


def test_a_too_long_visitor_note_is_refused_and_kept(client, osl):
    note = "Wi-Fi details. " * 100
    response = client.post(reverse("agreements:after_signing_note"), {"note": note})
    assert response.status_code == 200 and response.context["note_form"].errors["note"]
    assert note.strip() in response.content.decode()
    assert agreement(Audience.VISITOR).after_signing_note == ""


def test_signer_and_note_forms_appear_only_on_their_own_agreement(client, osl):
    staff_page = client.get(url("agreement")).content.decode()
    assert reverse("agreements:named_signers") not in staff_page
    assert reverse("agreements:after_signing_note") not in staff_page


# --- Who may do what ----------------------------------------------------------------------------


def manage_urls():
    return [url("draft_edit"), url("draft_start"), url("draft_publish"), url("draft_discard"),
            reverse("agreements:named_signers"), reverse("agreements:after_signing_note")]


def read_urls(version_number=1):
    return [reverse("agreements:list"), url("agreement"), url("version", STAFF, version_number)]


@pytest.mark.parametrize("role", [roles.STAFF, roles.GOVERNOR, roles.TECHNICAL])
def test_staff_and_governors_are_refused_every_page_and_cannot_publish(client, role):
    publish(STAFF)
    draft = services.version_draft_start(agreement=agreement(), user=user_with_role(roles.ONLINE_SAFETY_LEAD))
    _login(client, role)
    for address in read_urls() + manage_urls():
        assert client.get(address).status_code == 404, address
    assert client.post(url("draft_publish"), {"version": draft.pk,
                                              "reviewed": f"{draft.computed_hash()}:0"}).status_code == 404
    assert client.post(url("draft_edit"), draft_data(draft, body="Hacked.", save="1")).status_code == 404
    assert client.post(url("draft_discard"), {"version": draft.pk}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.body != "Hacked."


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER])
def test_compliance_readers_read_without_edit_controls_and_cannot_change_anything(client, role):
    publish(STAFF)
    draft = services.version_draft_start(agreement=agreement(), user=user_with_role(roles.ONLINE_SAFETY_LEAD))
    _login(client, role)
    for address in read_urls() + [url("agreement", Audience.SOCIAL_MEDIA), url("agreement", Audience.VISITOR),
                                  url("version", STAFF, draft.number)]:
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        for control in ["Start a new draft", "Continue the draft", 'data-testid="edit-link"',
                        'data-testid="edit-draft"', "/draft/", reverse("agreements:named_signers"),
                        reverse("agreements:after_signing_note")]:
            assert control not in page, (address, control)
    for address in manage_urls():
        assert client.get(address).status_code == 404, address
    for address in manage_urls():
        assert client.post(address, draft_data(draft, body="Changed.", save="1")).status_code == 404, address
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.body != "Changed."
    assert agreement().current_version.number == 1


def test_compliance_readers_see_the_named_signers_and_note_read_only(admin_client):
    osl = user_with_role(roles.ONLINE_SAFETY_LEAD)
    teacher = user_with_role(roles.STAFF)
    services.agreements_ensure()
    services.named_signers_set(agreement=agreement(Audience.SOCIAL_MEDIA), users=[teacher], user=osl)
    services.after_signing_note_set(agreement=agreement(Audience.VISITOR), note="Guest Wi-Fi: Visitors", user=osl)
    assert str(teacher) in admin_client.get(url("agreement", Audience.SOCIAL_MEDIA)).content.decode()
    assert "Guest Wi-Fi: Visitors" in admin_client.get(url("agreement", Audience.VISITOR)).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for address in read_urls() + manage_urls():
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], address


@pytest.mark.parametrize("address", [
    "/agreements/nonsense/", "/agreements/nonsense/v1/", "/agreements/nonsense/draft/",
    "/agreements/nonsense/draft/publish/", "/agreements/staff/v99/", "/agreements/STAFF/",
])
def test_unknown_audience_or_version_is_not_found(client, osl, address):
    publish(STAFF)
    assert client.get(address).status_code == 404
