"""A parent's personal link: it shows and signs for its own child only, and a link that does not
work explains what to do next without showing anything about any family."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.forms_parent import ParentSignForm
from agreements.models import Audience, Signature, SignatureMethod, SigningLink
from agreements.parent_pack import pack_state
from agreements.views import parent as parent_views
from safety_portal.school.models import PupilGuardian, SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.factories import PupilFactory

pytestmark = pytest.mark.django_db

OFFICE_PHONE = "01632 960123"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(db):
    return SchoolProfile.objects.create(pk=1, name="Oakfield Primary", phone=OFFICE_PHONE,
                                        email="office@oakfield.example")


@pytest.fixture
def versions(db):
    return {audience: publish(audience) for audience in
            (Audience.PARENT, Audience.PUPIL_EARLY, Audience.PUPIL_KS2, Audience.PUPIL_KS3, Audience.PUPIL_KS4)}


def _url(token):
    return reverse("parent_pack", args=[token])


def _shown(token):
    """What the page shows to sign for this token, as its form carries it."""
    link = SigningLink.objects.get(token_hash=SigningLink.hash_token(token))
    try:
        return ParentSignForm.shown_value(pack_state(link).to_sign)
    except services.NothingToSign:
        return ""


def _sign(client, token, **overrides):
    data = {"discussed": "on", "agree": "on", "typed_name": "Sarah Lowe", "shown": _shown(token)}
    data.update(overrides)
    return client.post(_url(token), data, HTTP_USER_AGENT="Mozilla/5.0 (Android 14; Mobile)")


def _child(first="Rosalind", last="Featherstonehaugh", **kwargs):
    pupil = PupilFactory(first_name=first, last_name=last, **kwargs)
    return guardian_with_child(pupil=pupil)


def test_link_shows_the_childs_first_name_class_and_both_agreements_but_never_the_surname(client, school,
                                                                                           versions):
    pupil, guardian = _child(preferred_name="Rosie", year_group=4, reg_class="4 Willow")
    link, token = make_link(pupil=pupil, guardian=guardian)
    response = client.get(_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rosie" in page and "4 Willow" in page and "Oakfield Primary" in page
    assert "Featherstonehaugh" not in page and "Rosalind" not in page
    assert versions[Audience.PARENT].title in page and versions[Audience.PUPIL_KS2].title in page
    assert versions[Audience.PUPIL_KS3].title not in page
    assert "I have discussed the pupils&#x27; agreement with my child" in page
    # Nothing about the parent either: the page is about the child and what to sign.
    assert guardian.last_name not in page and guardian.email not in page
    link.refresh_from_db()
    assert link.first_opened_at is not None


def test_link_pages_are_never_stored_never_leak_the_token_and_load_nothing_from_elsewhere(client, school,
                                                                                           versions):
    _link, token = make_link()
    for response in (client.get(_url(token)), client.get(_url(token + "x"))):
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "same-origin"
        html = response.content.decode()
        assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=\"(https?:)?//", html)
        assert "Sign out" not in html and "main-menu" not in html  # no portal navigation


def test_signing_needs_the_csrf_token_from_the_page(school, versions):
    """Another site cannot make a parent's browser sign: the form's CSRF token is required."""
    from django.test import Client

    _link, token = make_link()
    phone = Client(enforce_csrf_checks=True)
    data = {"discussed": "on", "agree": "on", "typed_name": "Sarah Lowe", "shown": _shown(token)}
    assert phone.post(_url(token), data).status_code == 403
    assert Signature.objects.count() == 0
    page = phone.get(_url(token))
    data["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                                            page.content.decode()).group(1)
    response = phone.post(_url(token), data)
    assert response.status_code == 302
    assert Signature.objects.count() == 2


def test_link_for_child_a_cannot_sign_for_child_b(client, school, versions):
    link_a, token_a = make_link(year_group=3)
    child_b, guardian_b = _child(first="Barnaby", last="Quill", year_group=8)
    other_link, _token_b = make_link(pupil=child_b, guardian=guardian_b)
    response = _sign(client, token_a, pupil=child_b.pk, pupil_id=child_b.pk, guardian=guardian_b.pk,
                     guardian_id=guardian_b.pk, link=other_link.pk)
    assert response.status_code == 302
    assert set(Signature.objects.values_list("pupil_id", "guardian_id")) == {(link_a.pupil_id, link_a.guardian_id)}
    assert not Signature.objects.filter(pupil=child_b).exists()
    # Child B's key stage (KS3) was not signed: only A's KS2 and the parent agreement.
    assert {s.version for s in Signature.objects.all()} == {versions[Audience.PARENT], versions[Audience.PUPIL_KS2]}


def test_a_guardian_with_two_children_sees_only_the_linked_child_on_each_link(client, school, versions):
    first, guardian = _child(first="Barnaby", last="Quill", reg_class="2 Oak", year_group=2)
    second = PupilFactory(first_name="Clementine", last_name="Quill", reg_class="6 Ash", year_group=6)
    PupilGuardian.objects.create(pupil=second, guardian=guardian, parental_responsibility=True)
    _link, token = make_link(pupil=first, guardian=guardian)
    page = client.get(_url(token)).content.decode()
    assert "Barnaby" in page and "Clementine" not in page and "6 Ash" not in page


def test_tampered_token_shows_a_404_page_with_what_to_do_and_no_data(client, school, versions):
    link, token = make_link()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(_url(tampered))
    assert response.status_code == 404
    page = response.content.decode()
    assert "This link does not work" in page
    assert OFFICE_PHONE in page and "office@oakfield.example" in page
    for secret in (link.pupil.first_name, link.pupil.last_name, link.guardian.last_name, link.pupil.reg_class):
        assert secret not in page
    assert client.post(_url(tampered), {"typed_name": "X Y", "agree": "on", "discussed": "on"}).status_code == 404
    assert not Signature.objects.exists()


def test_expired_link_shows_410_with_the_next_step_and_no_child_name(client, school, versions):
    link, token = make_link(expires_in=datetime.timedelta(days=30))
    SigningLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(_url(token))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page and "send you a new one" in page and OFFICE_PHONE in page
    assert link.pupil.first_name not in page and link.pupil.last_name not in page
    assert _sign(client, token).status_code == 410
    assert not Signature.objects.exists()


def test_revoked_link_shows_410_and_cannot_sign(client, school, versions, admin_user):
    link, token = make_link()
    services.link_revoke(link=link, user=admin_user)
    response = client.get(_url(token))
    assert response.status_code == 410
    assert "This link has been cancelled" in response.content.decode()
    assert link.pupil.first_name not in response.content.decode()
    assert _sign(client, token).status_code == 410
    assert not Signature.objects.exists()


def test_link_stops_when_the_child_leaves_or_the_guardian_loses_parental_responsibility(client, school, versions):
    left, left_token = make_link()
    left.pupil.leaving_date = timezone.localdate()
    left.pupil.save()
    no_pr, no_pr_token = make_link()
    PupilGuardian.objects.filter(pupil=no_pr.pupil, guardian=no_pr.guardian).update(parental_responsibility=False)
    for link, token in ((left, left_token), (no_pr, no_pr_token)):
        response = client.get(_url(token))
        assert response.status_code == 410
        assert "no longer in use" in response.content.decode()
        assert link.pupil.first_name not in response.content.decode()
        assert _sign(client, token).status_code == 410
    assert not Signature.objects.exists()


def test_unknown_tokens_are_limited_per_ip_address(client, school, versions):
    for attempt in range(parent_views.UNKNOWN_LIMIT):
        assert client.get(_url(f"guess-{attempt}")).status_code == 404
    response = client.get(_url("guess-one-more"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts, try again later" in page
    # The wait matches the limit that was hit: unknown tokens are counted over an hour.
    assert response["Retry-After"] == "3600" and "Wait an hour" in page and "minutes" not in page
    assert response["Cache-Control"] == "no-store"
    # Another address is not held back by this one.
    assert client.get(_url("guess-elsewhere"), REMOTE_ADDR="203.0.113.9").status_code == 404


def test_every_hit_on_token_pages_counts_towards_a_limit(client, school, versions, monkeypatch):
    monkeypatch.setattr(parent_views, "HITS_LIMIT", 3)
    _link, token = make_link()
    for _ in range(3):
        assert client.get(_url(token)).status_code == 200
    response = client.get(_url(token))
    assert response.status_code == 429
    # Every hit is counted over 10 minutes, so that is the wait, not an hour.
    page = response.content.decode()
    assert response["Retry-After"] == "600" and "Wait 10 minutes" in page and "an hour" not in page
    assert _sign(client, token).status_code == 429
    assert not Signature.objects.exists()


def test_signing_records_both_agreements_with_the_evidence(client, school, versions,
                                                           django_capture_on_commit_callbacks):
    link, token = make_link(year_group=4)
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign(client, token, typed_name="  Sarah   Lowe ")
    assert response.status_code == 302 and response["Location"] == reverse("parent_pack_done", args=[token])
    signatures = Signature.objects.filter(guardian=link.guardian, pupil=link.pupil)
    assert {s.version for s in signatures} == {versions[Audience.PARENT], versions[Audience.PUPIL_KS2]}
    for signature in signatures:
        assert signature.typed_name == "Sarah Lowe"
        assert signature.method == SignatureMethod.TYPED
        assert signature.ip_address == "127.0.0.1"
        assert signature.user_agent == "Mozilla/5.0 (Android 14; Mobile)"
        assert signature.content_hash == signature.version.content_hash and signature.text_matches
        assert signature.discussed_with_child and signature.link == link
    receipt = mail.outbox[-1]
    assert receipt.to == [link.guardian.email]
    assert versions[Audience.PARENT].title in receipt.body and "Sarah Lowe" in receipt.body
    assert link.pupil.last_name not in receipt.body


def test_confirmation_page_says_what_was_signed_and_that_a_receipt_is_coming(client, school, versions):
    _link, token = make_link(year_group=4)
    response = client.get(_sign(client, token)["Location"])
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "Thank you: signed" in page and "receipt" in page
    assert versions[Audience.PARENT].title in page and versions[Audience.PUPIL_KS2].title in page
    assert "Sarah Lowe" in page


def test_confirmation_page_before_signing_goes_back_to_the_form(client, school, versions):
    _link, token = make_link()
    response = client.get(reverse("parent_pack_done", args=[token]))
    assert response.status_code == 302 and response["Location"] == _url(token)


def test_opening_the_link_again_shows_what_was_signed_and_when(client, school, versions):
    _link, token = make_link(year_group=4)
    _sign(client, token)
    signature = Signature.objects.get(version=versions[Audience.PARENT])
    page = client.get(_url(token)).content.decode()
    assert "You have signed" in page and 'name="typed_name"' not in page
    assert "Sarah Lowe" in page
    assert timezone.localtime(signature.signed_at).strftime("%-d %B %Y") in page
    assert "version 1" in page


def test_a_second_post_says_already_signed_and_records_nothing_more(client, school, versions):
    _link, token = make_link(year_group=4)
    _sign(client, token)
    response = _sign(client, token, typed_name="Someone Else")
    assert response.status_code == 200
    assert "already signed" in response.content.decode()
    assert Signature.objects.count() == 2
    assert not Signature.objects.filter(typed_name="Someone Else").exists()


def test_a_signature_raced_by_another_tab_shows_already_signed(client, school, versions):
    link, token = make_link(year_group=4)
    page = client.get(_url(token))
    shown = page.context["form"]["shown"].value()
    services.signature_record_for_guardian(link=link, typed_name="Sarah Lowe", discussed_with_child=True)
    response = _sign(client, token, shown=shown)
    assert response.status_code == 200 and "already signed" in response.content.decode()
    assert Signature.objects.count() == 2


def test_the_declaration_is_required_and_errors_keep_the_typed_name(client, school, versions):
    _link, token = make_link()
    response = client.post(_url(token), {"agree": "on", "typed_name": "Sarah Lowe"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "talked the pupils&#x27; agreement through" in page
    assert 'value="Sarah Lowe"' in page
    assert 'data-testid="form-errors"' in page
    assert not Signature.objects.exists()


def test_agreeing_and_a_name_are_required_too(client, school, versions):
    _link, token = make_link()
    response = client.post(_url(token), {"discussed": "on", "typed_name": " "})
    form = response.context["form"]
    assert set(form.errors) == {"agree", "typed_name"}
    assert not Signature.objects.exists()


def test_a_drawn_signature_is_kept_with_the_typed_name(client, school, versions):
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(buffer, format="PNG")
    drawing = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    _link, token = make_link()
    assert _sign(client, token, drawing=drawing).status_code == 302
    assert set(Signature.objects.values_list("method", flat=True)) == {SignatureMethod.DRAWN}
    assert Signature.objects.first().drawing == drawing


@pytest.mark.parametrize(("year_group", "audience"), [
    (-1, Audience.PUPIL_EARLY), (0, Audience.PUPIL_EARLY), (2, Audience.PUPIL_EARLY),
    (10, Audience.PUPIL_KS4), (12, Audience.PUPIL_KS4),
])
def test_page_shows_and_signs_the_right_key_stage_agreement(client, school, versions, year_group, audience):
    link, token = make_link(year_group=year_group, reg_class="")
    page = client.get(_url(token)).content.decode()
    assert versions[audience].title in page
    assert str(link.pupil.get_year_group_display()) in page  # no class: the year group instead
    assert _sign(client, token).status_code == 302
    assert {s.version for s in Signature.objects.all()} == {versions[Audience.PARENT], versions[audience]}


def test_only_a_version_that_must_be_signed_again_is_shown_and_signed(client, school, versions):
    link, token = make_link(year_group=4)
    _sign(client, token)
    new_parent = publish(Audience.PARENT, body="New rules for parents about group chats.", requires_resign=True)
    page = client.get(_url(token)).content.decode()
    assert "New rules for parents about group chats." in page and 'name="typed_name"' in page
    assert "Already signed" in page  # the key-stage agreement, still counted
    assert _sign(client, token).status_code == 302
    assert Signature.objects.filter(guardian=link.guardian).count() == 3
    assert Signature.objects.filter(version=new_parent).count() == 1


def test_a_text_published_while_the_parent_reads_is_not_signed_unseen(client, school, versions):
    _link, token = make_link(year_group=4)
    shown = client.get(_url(token)).context["form"]["shown"].value()
    publish(Audience.PUPIL_KS2, body="A rewritten pupils' agreement.", requires_resign=True)
    response = _sign(client, token, shown=shown)
    assert response.status_code == 200
    page = response.content.decode()
    assert "updated an agreement while you were reading" in page
    assert "A rewritten pupils' agreement." in page and 'value="Sarah Lowe"' in page
    assert not Signature.objects.exists()


def test_nothing_published_yet_shows_a_holding_page(client, school):
    _link, token = make_link()
    response = client.get(_url(token))
    assert response.status_code == 200
    assert "Nothing to sign just now" in response.content.decode()
