"""A policy's editors see who has confirmed reading a version, and remind those who have not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from policies import services
from policies.models import Policy, PolicyVersion, ReadReceipt, Status
from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.policies.factories import make_policy, record_version

pytestmark = pytest.mark.django_db

APPROVED = datetime.date(2025, 9, 1)


def receipts_url(version):
    return reverse("policies:receipts", args=[version.pk])


def remind_url(version):
    return reverse("policies:remind", args=[version.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def lead(db):
    return user_with_role(roles.ONLINE_SAFETY_LEAD, email="lead@school.example")


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def version(lead):
    policy = make_policy("Remote learning", status=Status.ACTIVE)
    return record_version(policy, approved_on=APPROVED, read_roles=[roles.STAFF], actor=lead)


def test_editors_see_how_many_have_confirmed_and_who(lead_client, version):
    read = user_with_role(roles.STAFF, first_name="Priya", last_name="Fairbairn")
    unread = user_with_role(roles.STAFF, first_name="Owen", last_name="Jarvis")
    user_with_role(roles.GOVERNOR, first_name="Gordon", last_name="Notasked")
    services.receipt_confirm(version=version, user=read)

    response = lead_client.get(receipts_url(version))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 2 confirmed" in html
    assert [person.pk for person in response.context["confirmed_page"]] == [read.pk]
    assert [person.pk for person in response.context["outstanding_page"]] == [unread.pk]
    assert "Fairbairn" in html and "Jarvis" in html
    assert "Notasked" not in html
    confirmed_at = timezone.localtime(ReadReceipt.objects.get().confirmed_at)
    assert f"{confirmed_at:%H:%M}" in html
    assert "Staff" in response.context["role_labels"]
    assert "Send a reminder to the 1 person who has not confirmed" in html


def test_the_lists_filter_by_role_and_name(lead_client, lead):
    policy = make_policy("Remote learning", status=Status.ACTIVE)
    version = record_version(policy, approved_on=APPROVED, read_roles=[roles.STAFF, roles.GOVERNOR], actor=lead)
    teacher = user_with_role(roles.STAFF, first_name="Zebedee", last_name="Ashworth")
    governor = user_with_role(roles.GOVERNOR, first_name="Gwendolyn", last_name="Bellamy")
    services.receipt_confirm(version=version, user=governor)

    response = lead_client.get(receipts_url(version), {"role": roles.GOVERNOR})
    assert list(response.context["outstanding_page"]) == []
    assert list(response.context["confirmed_page"]) == [governor]
    # The counts stay those of everyone asked.
    assert "1 of 2 confirmed" in response.content.decode()

    response = lead_client.get(receipts_url(version), {"q": "zebedee"})
    assert list(response.context["outstanding_page"]) == [teacher]
    assert list(response.context["confirmed_page"]) == []

    # A role the version does not ask is ignored, never an error.
    response = lead_client.get(receipts_url(version), {"role": "Nonsense", "q": "Bellamy"})
    assert response.status_code == 200
    assert list(response.context["confirmed_page"]) == [governor]


def test_a_version_asking_nobody_says_so(lead_client, lead):
    policy = make_policy("Remote learning", status=Status.ACTIVE)
    version = record_version(policy, approved_on=APPROVED, read_roles=[], actor=lead)
    html = lead_client.get(receipts_url(version)).content.decode()
    assert "does not ask anyone to confirm" in html
    assert 'data-testid="remind-form"' not in html


def _staff(count, confirmed, version):
    people = [user_with_role(roles.STAFF) for _ in range(count)]
    ReadReceipt.objects.bulk_create([ReadReceipt(version=version, user=person) for person in people[:confirmed]])


def test_the_receipts_page_runs_the_same_queries_at_5_and_80_staff(lead_client, version, count_queries,
                                                                   django_assert_max_num_queries):
    _staff(5, 2, version)
    small, response = count_queries(lead_client, receipts_url(version))
    assert "2 of 5 confirmed" in response.content.decode()
    _staff(75, 40, version)
    large, response = count_queries(lead_client, receipts_url(version))
    assert "42 of 80 confirmed" in response.content.decode()
    assert len(response.context["outstanding_page"]) == 38
    assert len(response.context["confirmed_page"]) == 42
    assert small == large
    _staff(60, 60, version)
    paged, response = count_queries(lead_client, receipts_url(version), confirmed_page=2)
    assert len(response.context["confirmed_page"]) == 50  # 102 confirmed, 50 a page
    assert paged == large
    # Session, user and roles (twice: access and menu), version, its roles, the two totals, each list's
    # count, rows and their roles, school profile, the agreements prompt, and the request's savepoint.
    with django_assert_max_num_queries(17):
        lead_client.get(receipts_url(version), {"q": "a", "role": roles.STAFF})


def test_the_owner_sees_receipts_but_other_staff_and_governors_get_404(client, version, staff_user, governor_user):
    owner = user_with_role(roles.STAFF)
    Policy.objects.filter(pk=version.policy_id).update(owner=owner)
    for outsider in (staff_user, governor_user):
        client.force_login(outsider)
        assert client.get(receipts_url(version)).status_code == 404
        assert client.post(remind_url(version)).status_code == 404
    assert not OutboxEmail.objects.exists()
    client.force_login(owner)
    assert client.get(receipts_url(version)).status_code == 200


def test_reminders_email_exactly_the_asked_people_who_have_not_confirmed(lead_client, version):
    done = user_with_role(roles.STAFF, email="done@school.example")
    for n in range(2):
        user_with_role(roles.STAFF, email=f"waiting{n}@school.example")
    user_with_role(roles.STAFF, email="")  # no address to write to
    user_with_role(roles.STAFF, email="gone@school.example", is_active=False)
    user_with_role(roles.GOVERNOR, email="governor@school.example")
    services.receipt_confirm(version=version, user=done)

    response = lead_client.post(remind_url(version), follow=True)
    assert response.redirect_chain[-1][0] == receipts_url(version)
    assert "A reminder was emailed to 2 people who have not confirmed." in messages_of(response)
    emails = OutboxEmail.objects.filter(template="policy_read_reminder")
    assert sorted(email.to[0] for email in emails) == ["waiting0@school.example", "waiting1@school.example"]
    for email in emails:
        assert len(email.to) == 1
        assert "Remote learning" in email.subject
        assert "Remote learning" in email.body_text
        assert reverse("policies:read", args=[version.pk]) in email.body_text
        assert reverse("policies:read", args=[version.pk]) in email.body_html
        # Title, version and link only: not what the version changed.
        assert version.change_summary not in email.body_text
    assert AuditEvent.objects.filter(action="policies.read.reminded").count() == 1


def test_the_reminder_links_to_the_read_page_on_this_site(lead_client, version, settings):
    settings.SITE_URL = "https://portal.hillside.example"
    user_with_role(roles.STAFF)
    lead_client.post(remind_url(version))
    email = OutboxEmail.objects.get()
    link = f"https://portal.hillside.example{reverse('policies:read', args=[version.pk])}"
    assert link in email.body_text
    assert f'href="{link}"' in email.body_html


def test_a_second_reminder_within_20_hours_sends_nothing_and_says_when_the_last_went(lead_client, version):
    user_with_role(roles.STAFF)
    lead_client.post(remind_url(version))
    assert OutboxEmail.objects.count() == 1

    response = lead_client.post(remind_url(version), follow=True)
    assert OutboxEmail.objects.count() == 1
    warnings = [str(message) for message in response.context["messages"] if message.level_tag == "warning"]
    sent_at = timezone.localtime(PolicyVersion.objects.get(pk=version.pk).read_reminded_at)
    assert len(warnings) == 1
    assert f"the last reminder went on {sent_at:%-d %B %Y, %H:%M}" in warnings[0]

    PolicyVersion.objects.filter(pk=version.pk).update(
        read_reminded_at=timezone.now() - datetime.timedelta(hours=21))
    lead_client.post(remind_url(version))
    assert OutboxEmail.objects.count() == 2


def test_remind_only_accepts_post(lead_client, version):
    assert lead_client.get(remind_url(version)).status_code == 405


def test_a_superseded_version_keeps_its_receipts_but_reminds_nobody(lead_client, lead, version):
    reader = user_with_role(roles.STAFF, last_name="Kendrick")
    user_with_role(roles.STAFF)
    services.receipt_confirm(version=version, user=reader)
    record_version(version.policy, approved_on=APPROVED + datetime.timedelta(days=100), actor=lead)

    html = lead_client.get(receipts_url(version)).content.decode()
    assert "Kendrick" in html
    assert "no longer the version people are asked to read" in html
    assert 'data-testid="remind-form"' not in html
    response = lead_client.post(remind_url(version), follow=True)
    assert any("Nobody was reminded" in message for message in messages_of(response))
    assert not OutboxEmail.objects.exists()
