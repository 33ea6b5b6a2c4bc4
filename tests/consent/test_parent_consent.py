"""Photo choices on a parent's personal link: one yes/no per purpose in use, for the link's own
child and guardian only, each change a new decision that counts at once, with a receipt."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import Audience, Signature, SigningLink
from agreements.views import parent as agreement_views
from consent.effective import NO, effective_answers
from consent.models import ConsentDecision, ConsentPurpose, DecisionMethod
from consent.parent import consent_section
from safety_portal.school.models import SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.consent.factories import decide, purposes
from tests.factories import PupilFactory

pytestmark = pytest.mark.django_db

PHONE_UA = "Mozilla/5.0 (Android 14; Mobile)"
SOCIAL = "Official school social media"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(db):
    return SchoolProfile.objects.create(pk=1, name="Oakfield Primary", phone="01632 960123",
                                        email="office@oakfield.example")


@pytest.fixture
def versions(db):
    return {audience: publish(audience) for audience in (Audience.PARENT, Audience.PUPIL_KS2)}


@pytest.fixture
def in_use(db):
    """The starter purposes, in the order parents see them."""
    purposes()
    return list(ConsentPurpose.objects.filter(active=True).order_by("position", "name"))


def _child(first="Amelia", last="Featherstonehaugh"):
    return guardian_with_child(pupil=PupilFactory(first_name=first, last_name=last, year_group=4, reg_class="4 Oak"))


def _link(first="Amelia", last="Featherstonehaugh"):
    pupil, guardian = _child(first, last)
    return make_link(pupil=pupil, guardian=guardian)


def _pack(token):
    return reverse("parent_pack", args=[token])


def _photos(token):
    return reverse("consent_parent", args=[token])


def _choices(purposes, answer="yes", **overrides):
    data = {f"purpose_{purpose.pk}": answer for purpose in purposes}
    data.update(overrides)
    return data


def _save(client, token, data, **extra):
    return client.post(_photos(token), data, HTTP_USER_AGENT=PHONE_UA, **extra)


def _checked(page, purpose):
    """'yes', 'no' or None: which radio the page has ticked for this purpose."""
    ticked = [value for value in ("yes", "no") if re.search(
        rf'<input[^>]*name="purpose_{purpose.pk}" value="{value}"[^>]*\bchecked\b', page)]
    assert len(ticked) <= 1
    return ticked[0] if ticked else None


def test_pack_page_shows_every_purpose_in_use_with_nothing_chosen(client, school, versions, in_use):
    link, token = _link()
    response = client.get(_pack(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Photos and videos of Amelia" in page
    assert "hard to take back" in page
    assert f'action="{_photos(token)}"' in page
    for purpose in in_use:
        assert purpose.name in page and purpose.description.replace("'", "&#x27;") in page
        assert _checked(page, purpose) is None
    # In the school's order.
    positions = [page.index(f'name="purpose_{purpose.pk}"') for purpose in in_use]
    assert positions == sorted(positions)
    assert "Your answer:" not in page
    assert "Featherstonehaugh" not in page
    # The signing form is still there: consent does not wait for the agreement, nor the other way round.
    assert "Sign for Amelia" in page and "Save photo choices" in page


def test_a_purpose_no_longer_in_use_is_not_shown_and_cannot_be_answered(client, school, versions, in_use):
    retired = in_use[0]
    ConsentPurpose.objects.filter(pk=retired.pk).update(active=False)
    link, token = _link()
    page = client.get(_pack(token)).content.decode()
    assert retired.name not in page and f"purpose_{retired.pk}" not in page
    assert _save(client, token, _choices(in_use)).status_code == 302
    assert not ConsentDecision.objects.filter(purpose=retired).exists()
    assert ConsentDecision.objects.count() == len(in_use) - 1


def test_no_section_when_the_school_has_no_purpose_in_use(client, school, versions, in_use, rf):
    ConsentPurpose.objects.update(active=False)
    link, token = _link()
    page = client.get(_pack(token)).content.decode()
    assert "Photos and videos of" not in page and "Save photo choices" not in page
    assert consent_section(rf.get("/"), link, token) is None
    # The photos address has nothing to ask, so it goes back to the agreements.
    response = client.get(_photos(token))
    assert response.status_code == 302 and response["Location"] == _pack(token)


def test_saving_records_one_online_decision_per_purpose_for_the_links_child_and_guardian(
        client, school, versions, in_use):
    link, token = _link()
    data = _choices(in_use, **{f"purpose_{in_use[1].pk}": "no"})
    response = _save(client, token, data)
    assert response.status_code == 302 and response["Location"] == _pack(token) + "#photo-consent"
    decisions = ConsentDecision.objects.all()
    assert decisions.count() == len(in_use)
    assert {d.purpose_id: d.answer for d in decisions} == {p.pk: p != in_use[1] for p in in_use}
    for decision in decisions:
        assert decision.pupil == link.pupil and decision.guardian == link.guardian
        assert decision.method == DecisionMethod.ONLINE and decision.recorded_by is None
        assert decision.ip_address == "127.0.0.1" and decision.user_agent == PHONE_UA
    # Back on the page: the message, and each answer chosen with when it was given.
    page = client.get(response["Location"]).content.decode()
    assert "Your photo choices for Amelia are saved. A receipt is on its way." in page
    today = timezone.localdate().strftime("%-d %B %Y")
    assert page.count(f"Your answer: yes, given {today}") == len(in_use) - 1
    assert page.count(f"Your answer: no, given {today}") == 1
    for purpose in in_use:
        assert _checked(page, purpose) == ("no" if purpose == in_use[1] else "yes")
    # The message is shown once.
    assert "are saved" not in client.get(_pack(token)).content.decode()


def test_saving_the_same_answers_again_records_nothing_new(client, school, versions, in_use):
    _link_, token = _link()
    _save(client, token, _choices(in_use))
    response = _save(client, token, _choices(in_use), follow=True)
    assert ConsentDecision.objects.count() == len(in_use)
    assert "Nothing changed: your photo choices for Amelia are as they were." in response.content.decode()


def test_changing_yes_to_no_adds_one_decision_and_counts_as_withdrawn_at_once(client, school, versions, in_use):
    link, token = _link()
    social = ConsentPurpose.objects.get(name=SOCIAL)
    _save(client, token, _choices(in_use))
    assert effective_answers([link.pupil], [social])[(link.pupil.pk, social.pk)].is_yes
    _save(client, token, _choices(in_use, **{f"purpose_{social.pk}": "no"}))
    assert ConsentDecision.objects.count() == len(in_use) + 1
    latest = ConsentDecision.objects.filter(purpose=social).first()
    assert latest.answer is False and latest.method == DecisionMethod.ONLINE
    answer = effective_answers([link.pupil], [social])[(link.pupil.pk, social.pk)]
    assert answer.state == NO and answer.withdrawn


def test_an_answered_purpose_left_out_of_the_post_stays_as_it_is(client, school, versions, in_use):
    link, token = _link()
    _save(client, token, _choices(in_use))
    social = ConsentPurpose.objects.get(name=SOCIAL)
    response = _save(client, token, {f"purpose_{social.pk}": "no"})
    assert response.status_code == 302
    assert ConsentDecision.objects.count() == len(in_use) + 1
    answers = effective_answers([link.pupil], in_use)
    assert [answers[(link.pupil.pk, p.pk)].is_yes for p in in_use] == [p != social for p in in_use]


def test_link_for_child_a_cannot_change_child_bs_consent(client, school, versions, in_use):
    link_a, token_a = _link("Amelia", "Quill")
    child_b, guardian_b = _child("Barnaby", "Thorne")
    _other_link, token_b = make_link(pupil=child_b, guardian=guardian_b)
    ids_of_b = {"pupil": child_b.pk, "pupil_id": child_b.pk, "guardian": guardian_b.pk,
                "guardian_id": guardian_b.pk, "child": child_b.pk}
    assert _save(client, token_a, _choices(in_use, answer="no", **ids_of_b), follow=True).status_code == 200
    assert set(ConsentDecision.objects.values_list("pupil_id", "guardian_id")) == {
        (link_a.pupil_id, link_a.guardian_id)}
    assert not ConsentDecision.objects.filter(pupil=child_b).exists()
    page_b = client.get(_pack(token_b)).content.decode()
    assert "Your answer:" not in page_b and "Amelia" not in page_b


@pytest.mark.parametrize("problem", ["expired", "revoked", "ended"])
def test_a_link_that_no_longer_works_cannot_save(client, school, versions, in_use, admin_user, problem):
    link, token = _link()
    if problem == "expired":
        SigningLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    elif problem == "revoked":
        agreement_services.link_revoke(link=link, user=admin_user)
    else:
        link.pupil.leaving_date = timezone.localdate()
        link.pupil.save()
    response = _save(client, token, _choices(in_use))
    assert response.status_code == 410
    page = response.content.decode()
    assert "Amelia" not in page and "Save photo choices" not in page
    assert response["Cache-Control"] == "no-store"
    assert client.get(_photos(token)).status_code == 410
    assert not ConsentDecision.objects.exists()


def test_an_unknown_token_gets_the_404_page_and_counts_towards_the_limit(client, school, in_use, monkeypatch):
    monkeypatch.setattr(agreement_views, "UNKNOWN_LIMIT", 2)
    for attempt in range(2):
        response = _save(client, f"guess-{attempt}", _choices(in_use))
        assert response.status_code == 404 and "This link does not work" in response.content.decode()
    assert _save(client, "guess-again", _choices(in_use)).status_code == 429
    assert not ConsentDecision.objects.exists()


def test_a_missing_answer_is_shown_next_to_its_purpose_and_keeps_the_other_choices(client, school, versions, in_use):
    link, token = _link()
    missing = in_use[2]
    data = _choices(in_use, **{f"purpose_{in_use[0].pk}": "no"})
    del data[f"purpose_{missing.pk}"]
    response = _save(client, token, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page
    fieldset = re.search(rf'<fieldset[^>]*id="consent-purpose-{missing.pk}".*?</fieldset>', page, re.S).group(0)
    assert "Choose yes or no" in fieldset and "is-invalid" in fieldset
    assert page.count("Choose yes or no") == 2  # in the summary and next to the purpose
    assert _checked(page, missing) is None
    assert _checked(page, in_use[0]) == "no"
    assert all(_checked(page, purpose) == "yes" for purpose in in_use[1:] if purpose != missing)
    assert not ConsentDecision.objects.exists()
    # A value that is neither yes nor no is the same mistake.
    data[f"purpose_{missing.pk}"] = "maybe"
    assert "Choose yes or no" in _save(client, token, data).content.decode()
    assert not ConsentDecision.objects.exists()


def test_a_purpose_asked_again_this_year_needs_a_new_answer(client, school, versions, in_use):
    link, token = _link()
    photographer = ConsentPurpose.objects.get(renew_each_year=True)
    decide(link.pupil, link.guardian, photographer, True, when=timezone.now() - datetime.timedelta(days=400))
    page = client.get(_pack(token)).content.decode()
    assert _checked(page, photographer) is None and "Your answer:" not in page
    data = _choices(in_use)
    del data[f"purpose_{photographer.pk}"]
    assert "Choose yes or no" in _save(client, token, data).content.decode()


def test_receipt_lists_only_the_changes_and_never_the_surname(client, school, versions, in_use,
                                                              django_capture_on_commit_callbacks):
    link, token = _link()
    _save(client, token, _choices(in_use))
    social = ConsentPurpose.objects.get(name=SOCIAL)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _save(client, token, _choices(in_use, **{f"purpose_{social.pk}": "no"}))
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == [link.guardian.email]
    assert receipt.subject == "Your photo choices for Amelia"
    html = receipt.alternatives[0][0]
    for body in (receipt.body, html):
        assert f"{SOCIAL}: no" in body or f"{SOCIAL}</strong>: no" in body
        assert timezone.localdate().strftime("%-d %B %Y") in body
        assert "Amelia" in body and "Featherstonehaugh" not in body
        assert link.guardian.last_name not in body
        assert all(purpose.name not in body for purpose in in_use if purpose != social)
        assert "most recent email" in body and "contact the school office" in body
    # Saving again with nothing changed sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        _save(client, token, _choices(in_use, **{f"purpose_{social.pk}": "no"}))
    assert len(mail.outbox) == 1


def test_saving_needs_the_csrf_token_from_the_page(school, versions, in_use):
    """Another site cannot make a parent's browser change their answers."""
    _link_, token = _link()
    phone = Client(enforce_csrf_checks=True)
    assert phone.post(_photos(token), _choices(in_use)).status_code == 403
    assert not ConsentDecision.objects.exists()
    page = phone.get(_pack(token)).content.decode()
    form = re.search(r'<form[^>]*data-testid="consent-form".*?</form>', page, re.S).group(0)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert phone.post(_photos(token), {**_choices(in_use), "csrfmiddlewaretoken": csrf}).status_code == 302
    assert ConsentDecision.objects.count() == len(in_use)


def test_consent_can_be_saved_before_and_after_signing_and_shows_on_the_done_page(client, school, versions,
                                                                                 in_use):
    link, token = _link()
    assert _save(client, token, _choices(in_use)).status_code == 302
    assert not Signature.objects.exists()
    sign = client.post(_pack(token), {"discussed": "on", "agree": "on", "typed_name": "Sarah Lowe",
                                      "shown": ",".join(str(v.pk) for v in versions.values())})
    assert sign.status_code == 302
    done = client.get(reverse("parent_pack_done", args=[token])).content.decode()
    assert "Thank you: signed" in done and "Photos and videos of Amelia" in done
    assert all(_checked(done, purpose) == "yes" for purpose in in_use)
    social = ConsentPurpose.objects.get(name=SOCIAL)
    assert _save(client, token, _choices(in_use, **{f"purpose_{social.pk}": "no"})).status_code == 302
    assert ConsentDecision.objects.count() == len(in_use) + 1


def test_the_photos_address_shows_the_choices_on_their_own(client, school, in_use):
    """Even with no agreement published, a parent can still answer."""
    link, token = _link()
    response = client.get(_photos(token))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert re.search(r"<h1[^>]*>Photos and videos of Amelia</h1>", page)
    assert _pack(token) in page and "Featherstonehaugh" not in page
    link.refresh_from_db()
    assert link.first_opened_at is not None


def test_with_no_agreement_published_saving_comes_back_to_the_choices_with_the_message(client, school, in_use):
    _link_, token = _link()
    response = _save(client, token, _choices(in_use))
    assert response.status_code == 302 and response["Location"] == _photos(token)
    assert "Your photo choices for Amelia are saved." in client.get(response["Location"]).content.decode()
    assert ConsentDecision.objects.count() == len(in_use)


def test_another_parents_answers_are_not_shown_on_this_link(client, school, versions, in_use):
    link, token = _link()
    other_parent = guardian_with_child(pupil=link.pupil)[1]
    decide(link.pupil, other_parent, in_use[0], False)
    page = client.get(_pack(token)).content.decode()
    assert "Your answer:" not in page and _checked(page, in_use[0]) is None


def test_the_section_runs_the_same_number_of_queries_however_many_purposes_and_answers(
        client, school, versions, in_use, count_queries):
    link, token = _link()
    for purpose in in_use:
        decide(link.pupil, link.guardian, purpose, True)
    client.get(_pack(token))  # the first visit also notes when the link was opened
    few, _response = count_queries(client, _pack(token))
    for number in range(12):
        extra = ConsentPurpose.objects.create(name=f"Purpose {number}", description="Somewhere.", position=50)
        decide(link.pupil, link.guardian, extra, True)
        decide(link.pupil, link.guardian, extra, False)
    many, response = count_queries(client, _pack(token))
    assert "Purpose 11" in response.content.decode()
    assert many == few
