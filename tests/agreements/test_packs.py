"""The office sends signing packs: who gets a link, one email per parent, resending and revoking."""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Audience, SigningLink, SigningPack
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.models import PupilGuardian, SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db

NEW_URL = reverse("agreements:pack_new")
LINK_PATTERN = re.compile(r"https?://\S+/p/[A-Za-z0-9_-]+/")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def versions(db):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    return {audience: publish(audience) for audience in
            (Audience.PARENT, Audience.PUPIL_EARLY, Audience.PUPIL_KS2, Audience.PUPIL_KS3, Audience.PUPIL_KS4)}


def _send(client, capture, send_key="key-1", title="Test pack", **choice):
    """Preview, then send: returns the send response and the emails it queued."""
    preview = client.get(NEW_URL, choice)
    assert preview.status_code == 200
    sent_before = len(mail.outbox)
    with capture(execute=True):
        response = client.post(NEW_URL, {**choice, "title": title, "send_key": send_key})
    return response, mail.outbox[sent_before:]


def _paths(message):
    return [urlparse(url).path for url in LINK_PATTERN.findall(message.body)]


def test_office_sends_a_pack_to_one_class(admin_client, versions, django_capture_on_commit_callbacks):
    in_class = [guardian_with_child(reg_class="5A") for _ in range(2)]
    other_class = guardian_with_child(reg_class="5B")
    response, emails = _send(admin_client, django_capture_on_commit_callbacks, classes=["5A"])
    pack = SigningPack.objects.get()
    assert response.status_code == 302 and response["Location"] == pack.get_absolute_url()
    assert {(link.pupil, link.guardian) for link in pack.links.all()} == set(in_class)
    assert sorted(m.to[0] for m in emails) == sorted(guardian.email for _pupil, guardian in in_class)
    assert other_class[1].email not in [m.to[0] for m in emails]
    assert pack.created_by.email == "office@school.example"
    assert AuditEvent.objects.filter(action="agreements.pack.sent", object_id=str(pack.pk)).exists()


def test_preview_counts_pupils_links_and_those_needing_paper(admin_client, versions):
    guardian_with_child(reg_class="5A")
    guardian_with_child(reg_class="5A", parental_responsibility=False)
    no_email, guardian = guardian_with_child(reg_class="5A")
    guardian.email = ""
    guardian.save()
    response = admin_client.get(NEW_URL, {"classes": ["5A"]})
    assert (response.context["pupil_count"], response.context["link_count"],
            response.context["unreached_count"]) == (3, 1, 2)
    page = response.content.decode()
    assert "these need a paper form" in page
    assert reverse("agreements:paper_new", args=[no_email.pk]) in page
    assert SigningPack.objects.count() == 0 and not mail.outbox  # a preview sends nothing


def test_office_sends_a_pack_to_a_year_group(admin_client, versions, django_capture_on_commit_callbacks):
    year3 = [guardian_with_child(year_group=3, reg_class=name) for name in ("3A", "3B")]
    guardian_with_child(year_group=4, reg_class="4A")
    _send(admin_client, django_capture_on_commit_callbacks, years=["3"])
    assert {(link.pupil, link.guardian) for link in SigningLink.objects.all()} == set(year3)


def test_office_sends_a_pack_to_new_admissions(admin_client, versions, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    newcomer = guardian_with_child(pupil=PupilFactory(admission_date=today - datetime.timedelta(days=3)))
    guardian_with_child(pupil=PupilFactory(admission_date=today - datetime.timedelta(days=400)))
    guardian_with_child(pupil=PupilFactory(admission_date=None))
    _send(admin_client, django_capture_on_commit_callbacks,
          admitted_since=(today - datetime.timedelta(days=30)).isoformat())
    assert [(link.pupil, link.guardian) for link in SigningLink.objects.all()] == [newcomer]


def test_office_sends_a_pack_to_outstanding_pupils_only(admin_client, versions, django_capture_on_commit_callbacks):
    signed_link, _token = make_link()
    services.signature_record_for_guardian(link=signed_link, typed_name="Sarah Lowe", discussed_with_child=True)
    outstanding = guardian_with_child()
    left, _guardian = guardian_with_child()
    left.leaving_date = timezone.localdate() - datetime.timedelta(days=1)
    left.save()
    _send(admin_client, django_capture_on_commit_callbacks, outstanding="on")
    links = list(SigningLink.objects.exclude(pk=signed_link.pk))
    assert [(link.pupil, link.guardian) for link in links] == [outstanding]


def test_a_signature_on_a_version_that_no_longer_counts_is_outstanding(admin_client, versions):
    link, _token = make_link()
    services.signature_record_for_guardian(link=link, typed_name="Sarah Lowe", discussed_with_child=True)
    assert admin_client.get(NEW_URL, {"outstanding": "on"}).context["pupil_count"] == 0
    publish(Audience.PARENT, body="Everyone signs again.", requires_resign=True)
    assert admin_client.get(NEW_URL, {"outstanding": "on"}).context["pupil_count"] == 1


def test_links_go_only_to_guardians_with_parental_responsibility_and_an_email(
        admin_client, versions, django_capture_on_commit_callbacks):
    pupil = PupilFactory(first_name="Rosalind", reg_class="5A")
    mother = PupilGuardianFactory(pupil=pupil, parental_responsibility=True).guardian
    PupilGuardianFactory(pupil=pupil, parental_responsibility=True, guardian=GuardianFactory(email=""))
    PupilGuardianFactory(pupil=pupil, parental_responsibility=False, relationship="Childminder")
    unreached = PupilFactory(first_name="Barnaby", last_name="Quill", reg_class="5A")
    PupilGuardianFactory(pupil=unreached, parental_responsibility=False)
    response, emails = _send(admin_client, django_capture_on_commit_callbacks, classes=["5A"])
    assert [(link.pupil, link.guardian) for link in SigningLink.objects.all()] == [(pupil, mother)]
    assert [m.to for m in emails] == [[mother.email]]
    # The pack page lists the pupil nobody could be emailed about, with the way to a paper form.
    page = admin_client.get(response["Location"]).content.decode()
    assert "Quill, Barnaby" in page
    assert reverse("agreements:paper_new", args=[unreached.pk]) in page


def test_a_guardian_with_two_children_in_the_pack_gets_one_email_with_two_working_links(
        client, admin_client, versions, django_capture_on_commit_callbacks):
    older, guardian = guardian_with_child(pupil=PupilFactory(first_name="Barnaby", last_name="Quill", year_group=6,
                                                             reg_class="6A"))
    younger = PupilFactory(first_name="Clementine", last_name="Quill", year_group=2, reg_class="2A")
    PupilGuardian.objects.create(pupil=younger, guardian=guardian, parental_responsibility=True)
    _response, emails = _send(admin_client, django_capture_on_commit_callbacks, years=["2", "6"])
    assert len(emails) == 1 and emails[0].to == [guardian.email]
    assert "Quill" not in emails[0].body and "Quill" not in emails[0].subject
    paths = _paths(emails[0])
    assert len(paths) == 2 and len(set(paths)) == 2
    admin_client.logout()
    pages = [client.get(path) for path in paths]
    assert [page.status_code for page in pages] == [200, 200]
    names = [page.context["child_name"] for page in pages]
    assert sorted(names) == ["Barnaby", "Clementine"]


def test_the_emailed_link_opens_the_parent_page(client, admin_client, versions, django_capture_on_commit_callbacks):
    guardian_with_child(pupil=PupilFactory(first_name="Rosalind", reg_class="5A"))
    _response, emails = _send(admin_client, django_capture_on_commit_callbacks, classes=["5A"])
    html = emails[0].alternatives[0][0]
    [path] = _paths(emails[0])
    assert path in html
    admin_client.logout()
    response = client.get(path)
    assert response.status_code == 200 and "Rosalind" in response.content.decode()


def test_the_pack_email_says_how_to_reach_the_office_and_names_only_the_first_name(
        admin_client, versions, django_capture_on_commit_callbacks):
    SchoolProfile.objects.filter(pk=1).update(phone="01632 960123", email="office@oakfield.example")
    guardian_with_child(pupil=PupilFactory(first_name="Rosalind", last_name="Featherstonehaugh", reg_class="5A"))
    _response, [email] = _send(admin_client, django_capture_on_commit_callbacks, classes=["5A"])
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "Rosalind" in body and "Featherstonehaugh" not in body
        assert "01632 960123" in body and "office@oakfield.example" in body
    assert "Oakfield Primary" in email.subject


def test_sending_needs_a_published_parent_agreement_and_names_what_is_missing(admin_client, db):
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    publish(Audience.PUPIL_KS2)
    guardian_with_child(year_group=4, reg_class="4A")
    guardian_with_child(year_group=8, reg_class="8A")
    preview = admin_client.get(NEW_URL, {"years": ["4", "8"]}).content.decode()
    assert "cannot be sent yet" in preview
    assert "Parents and carers, on behalf of their child" in preview and "Pupils: key stage 3" in preview
    assert "Pupils: key stage 2" not in preview.split("cannot be sent yet")[1]
    response = admin_client.post(NEW_URL, {"years": ["4", "8"], "title": "Autumn", "send_key": "k"}, follow=True)
    assert "Nothing was sent" in response.content.decode()
    assert SigningPack.objects.count() == 0 and not mail.outbox


def test_sending_twice_from_the_same_preview_sends_one_pack(admin_client, versions,
                                                           django_capture_on_commit_callbacks):
    guardian_with_child(reg_class="5A")
    _send(admin_client, django_capture_on_commit_callbacks, classes=["5A"], send_key="same")
    response, emails = _send(admin_client, django_capture_on_commit_callbacks, classes=["5A"], send_key="same")
    assert response.status_code == 302 and response["Location"] == reverse("agreements:packs")
    assert SigningPack.objects.count() == 1 and emails == []


def test_choosing_nothing_or_a_future_date_shows_the_form_again(admin_client, versions):
    response = admin_client.get(NEW_URL, {"outstanding": ""})
    assert "Choose a year group, a class" in response.content.decode()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = admin_client.get(NEW_URL, {"admitted_since": tomorrow})
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    response = admin_client.post(NEW_URL, {"years": ["99"], "title": "x", "send_key": "k"})
    assert response.status_code == 200 and SigningPack.objects.count() == 0


def test_a_missing_title_keeps_the_choice_and_asks_for_one(admin_client, versions):
    guardian_with_child(reg_class="5A")
    response = admin_client.post(NEW_URL, {"classes": ["5A"], "title": "", "send_key": "k"})
    assert response.status_code == 200
    assert "Give the pack a name" in response.content.decode()
    assert response.context["pupil_count"] == 1 and SigningPack.objects.count() == 0


@pytest.mark.parametrize("role", [roles.STAFF, roles.DSL, roles.HEADTEACHER, roles.ONLINE_SAFETY_LEAD,
                                  roles.GOVERNOR])
def test_pack_pages_are_for_the_office_only(client, versions, role):
    """Role pages answer 404 like records do: a pack, a link or a pupil's paper form cannot be probed."""
    link, _token = make_link()
    client.force_login(user_with_role(role))
    for url in (reverse("agreements:packs"), NEW_URL):
        assert client.get(url).status_code == 404, url
    for url in (reverse("agreements:pack", args=[link.pack_id]), reverse("agreements:link_revoke", args=[link.pk]),
                reverse("agreements:paper_new", args=[link.pupil_id])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("agreements:link_resend", args=[link.pk])).status_code == 404
    assert client.post(reverse("agreements:link_revoke", args=[link.pk])).status_code == 404
    assert client.post(NEW_URL, {"classes": ["5B"], "title": "x", "send_key": "k"}).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and SigningPack.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, versions):
    response = client.get(reverse("agreements:packs"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_resend_emails_a_new_link_and_the_old_one_stops_working(client, admin_client, versions,
                                                                django_capture_on_commit_callbacks):
    link, old_token = make_link()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("agreements:link_resend", args=[link.pk]),
                                     {"return_query": "status=outstanding&evil=1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:pack", args=[link.pack_id]) + "?status=outstanding"
    message = admin_client.get(response["Location"]).content.decode()
    assert "The link in the earlier email no longer works" in message
    [path] = _paths(mail.outbox[-1])
    assert mail.outbox[-1].to == [link.guardian.email]
    admin_client.logout()
    assert client.get(reverse("parent_pack", args=[old_token])).status_code == 404
    assert client.get(path).status_code == 200
    assert AuditEvent.objects.filter(action="agreements.link.resent", object_id=str(link.pk)).exists()


def test_resend_is_refused_when_the_guardian_has_no_email_now(admin_client, versions):
    link, token = make_link()
    link.guardian.email = ""
    link.guardian.save()
    response = admin_client.post(reverse("agreements:link_resend", args=[link.pk]), follow=True)
    assert "Nothing was sent" in response.content.decode()
    assert SigningLink.objects.get(pk=link.pk).token_hash == SigningLink.hash_token(token)


def test_resend_only_by_post(admin_client, versions):
    link, _token = make_link()
    assert admin_client.get(reverse("agreements:link_resend", args=[link.pk])).status_code == 405


def test_revoke_asks_first_then_the_link_shows_the_revoked_page(client, admin_client, versions):
    link, token = make_link()
    confirm = admin_client.get(reverse("agreements:link_revoke", args=[link.pk]))
    assert confirm.status_code == 200 and "Revoke this link?" in confirm.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None
    response = admin_client.post(reverse("agreements:link_revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by.email == "office@school.example"
    assert AuditEvent.objects.filter(action="agreements.link.revoked", object_id=str(link.pk)).exists()
    admin_client.logout()
    revoked = client.get(reverse("parent_pack", args=[token]))
    assert revoked.status_code == 410 and "cancelled" in revoked.content.decode()


def test_unknown_link_or_pack_is_404_for_the_office(admin_client, versions):
    assert admin_client.get(reverse("agreements:pack", args=[999])).status_code == 404
    assert admin_client.post(reverse("agreements:link_resend", args=[999])).status_code == 404
    assert admin_client.get(reverse("agreements:link_revoke", args=[999])).status_code == 404


def _pack_with_links(count, *, signed=0):
    pack = SigningPack.objects.create(title=f"Pack of {count}")
    links = [make_link(pack=pack, reg_class="5A")[0] for _ in range(count)]
    for link in links[:signed]:
        services.signature_record_for_guardian(link=link, typed_name="Sarah Lowe", discussed_with_child=True)
    return pack, links


def test_pack_page_shows_each_link_and_whether_it_is_signed(admin_client, versions):
    pack, links = _pack_with_links(3, signed=1)
    services.link_revoke(link=links[2], user=None)
    rows = {row.pk: row for row in admin_client.get(pack.get_absolute_url()).context["page_obj"]}
    assert rows[links[0].pk].signed_at is not None
    assert rows[links[1].pk].signed_at is None and rows[links[2].pk].revoked_at is not None
    signed = admin_client.get(pack.get_absolute_url(), {"status": "signed"}).context["page_obj"]
    assert [row.pk for row in signed] == [links[0].pk]
    outstanding = admin_client.get(pack.get_absolute_url(), {"status": "outstanding"}).context["page_obj"]
    assert sorted(row.pk for row in outstanding) == sorted([links[1].pk, links[2].pk])


def test_pack_page_searches_by_child_or_parent_name(admin_client, versions):
    pack = SigningPack.objects.create(title="Search")
    child = PupilFactory(first_name="Rosalind", last_name="Featherstonehaugh")
    make_link(pupil=child, guardian=GuardianFactory(last_name="Ambrose"), pack=pack)
    make_link(pack=pack)
    for text in ("feather", "Ambrose", "Rosalind"):
        rows = list(admin_client.get(pack.get_absolute_url(), {"q": text}).context["page_obj"])
        assert [row.pupil for row in rows] == [child], text


def test_pack_list_counts_links_signed_and_outstanding(admin_client, versions):
    pack, _links = _pack_with_links(4, signed=1)
    response = admin_client.get(reverse("agreements:packs"))
    [row] = list(response.context["page_obj"])
    assert (row.link_count, row.signed_count, row.outstanding_count) == (4, 1, 3)
    assert pack.title in response.content.decode()


def test_pack_page_runs_the_same_queries_however_many_links(admin_client, versions, count_queries,
                                                            django_assert_max_num_queries):
    small, _links = _pack_with_links(2, signed=1)
    large, _links = _pack_with_links(12, signed=5)
    url_small, url_large = small.get_absolute_url(), large.get_absolute_url()
    small_count, _response = count_queries(admin_client, url_small)
    large_count, response = count_queries(admin_client, url_large)
    assert small_count == large_count
    assert len(response.context["page_obj"]) == 12
    # Session, user, roles (twice: access and menu), school profile, the "agreements to sign"
    # prompt, pack, count, rows, and the request's savepoint and release.
    with django_assert_max_num_queries(12):  # includes the pupils the pack could not reach
        admin_client.get(url_large)
    list_small, _response = count_queries(admin_client, reverse("agreements:packs"))
    _pack_with_links(3)
    list_large, _response = count_queries(admin_client, reverse("agreements:packs"))
    assert list_small == list_large


def test_pupils_a_pack_could_not_reach_stay_listed_on_the_pack_page_for_everyone_in_the_office(
        admin_client, versions, client):
    from tests.factories import PupilFactory, user_with_role

    lonely = PupilFactory(first_name="Ottoline", last_name="Nobody", year_group=5, reg_class="5Q")
    pack, unreached = services.pack_send(title="Paper only", pupils=[lonely], user=None)
    assert unreached == [lonely]
    colleague = user_with_role("Administrator")
    client.force_login(colleague)  # not the person who sent it, and a different session
    response = client.get(reverse("agreements:pack", args=[pack.pk]))
    assert "Ottoline" in response.content.decode()
    assert list(pack.unreached_pupils.all()) == [lonely]


def test_a_pack_is_refused_before_anything_is_sent_when_an_agreement_is_not_published(db):
    from agreements.models import Agreement, SigningPack
    from tests.factories import PupilFactory

    services.agreements_ensure()
    pupil, _guardian = guardian_with_child(year_group=8)
    publish(Audience.PARENT)  # but not key stage 3
    assert Agreement.objects.get(audience=Audience.PUPIL_KS3).current_version is None
    with pytest.raises(services.NothingToSign):
        services.pack_send(title="Too early", pupils=[pupil, PupilFactory()], user=None)
    assert not SigningPack.objects.exists()
