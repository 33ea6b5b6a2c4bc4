"""Staff confirm they have read a policy version: the prompt on /policies/to-read/ and the read page."""

import datetime

import pytest
from django.urls import reverse

from policies import services
from policies.models import Policy, ReadReceipt, Status
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.policies.factories import make_policy, record_version

pytestmark = pytest.mark.django_db

TO_READ = "/policies/to-read/"
APPROVED = datetime.date(2025, 9, 1)


def read_url(version):
    return reverse("policies:read", args=[version.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def for_all_staff():
    """An in-use policy whose current version asks all staff to confirm."""
    policy = make_policy("Remote learning", status=Status.ACTIVE)
    return record_version(policy, approved_on=APPROVED, read_roles=[roles.STAFF],
                          change_summary="New section on mobile phones.")


def test_staff_see_the_version_on_their_list_until_they_confirm(client, staff_user, for_all_staff):
    client.force_login(staff_user)
    html = client.get(TO_READ).content.decode()
    assert "Remote learning" in html
    assert f'href="{read_url(for_all_staff)}"' in html
    assert "Nothing to read" not in html

    response = client.post(read_url(for_all_staff), {"confirm": "on"})
    assert response.status_code == 302
    assert response.url == reverse("home")

    html = client.get(TO_READ).content.decode()
    assert f'href="{read_url(for_all_staff)}"' not in html
    assert "Nothing to read" in html
    receipt = ReadReceipt.objects.get()
    assert (receipt.version, receipt.user) == (for_all_staff, staff_user)


def test_a_governor_not_asked_sees_nothing_to_read_and_cannot_open_the_read_page(client, governor_user,
                                                                                  for_all_staff):
    client.force_login(governor_user)
    html = client.get(TO_READ).content.decode()
    assert "Remote learning" not in html
    assert "Nothing to read" in html
    assert client.get(read_url(for_all_staff)).status_code == 404
    assert client.post(read_url(for_all_staff), {"confirm": "on"}).status_code == 404
    assert not ReadReceipt.objects.exists()


def test_the_read_page_shows_the_version_its_changes_and_the_document(client, staff_user, for_all_staff):
    client.force_login(staff_user)
    html = client.get(read_url(for_all_staff)).content.decode()
    assert "Remote learning" in html
    assert "Version 1.0, approved 1 September 2025" in html
    assert "New section on mobile phones." in html
    assert f'href="{reverse("policies:document", args=[for_all_staff.pk])}"' in html
    assert "I have read this version of the policy" in html
    assert "Confirm I have read it" in html


def test_confirming_twice_records_one_receipt_and_one_audit_event(client, staff_user, for_all_staff):
    client.force_login(staff_user)
    client.post(read_url(for_all_staff), {"confirm": "on"})
    first = ReadReceipt.objects.get()
    response = client.post(read_url(for_all_staff), {"confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert ReadReceipt.objects.get() == first
    events = AuditEvent.objects.filter(action="policies.read.confirmed")
    assert events.count() == 1
    assert events.get().actor == staff_user
    assert events.get().object_id == str(for_all_staff.pk)


def test_confirming_needs_the_box_ticked(client, staff_user, for_all_staff):
    client.force_login(staff_user)
    response = client.post(read_url(for_all_staff), {})
    assert response.status_code == 200
    assert "Tick the box to confirm you have read this version." in response.content.decode()
    assert not ReadReceipt.objects.exists()


def test_once_confirmed_the_page_says_when_and_has_no_form(client, staff_user, for_all_staff):
    services.receipt_confirm(version=for_all_staff, user=staff_user)
    client.force_login(staff_user)
    html = client.get(read_url(for_all_staff)).content.decode()
    assert "You confirmed you had read this version on" in html
    assert 'data-testid="read-form"' not in html
    assert "Confirm I have read it" not in html


def test_a_newer_version_replaces_the_prompt_and_the_old_one_is_no_longer_asked(client, staff_user, for_all_staff):
    newer = record_version(for_all_staff.policy, approved_on=APPROVED + datetime.timedelta(days=200),
                           read_roles=[roles.STAFF])
    client.force_login(staff_user)
    html = client.get(TO_READ).content.decode()
    assert f'href="{read_url(newer)}"' in html
    assert f'href="{read_url(for_all_staff)}"' not in html
    assert client.get(read_url(for_all_staff)).status_code == 404
    assert client.post(read_url(for_all_staff), {"confirm": "on"}).status_code == 404
    assert client.get(read_url(newer)).status_code == 200


def test_a_newer_version_asking_nobody_ends_the_prompt(client, staff_user, for_all_staff):
    record_version(for_all_staff.policy, approved_on=APPROVED + datetime.timedelta(days=200), read_roles=[])
    client.force_login(staff_user)
    assert "Nothing to read" in client.get(TO_READ).content.decode()


def test_a_retired_policy_stops_asking(client, staff_user, for_all_staff):
    Policy.objects.filter(pk=for_all_staff.policy_id).update(status=Status.RETIRED)
    client.force_login(staff_user)
    assert "Nothing to read" in client.get(TO_READ).content.decode()
    assert client.get(read_url(for_all_staff)).status_code == 404


def test_staff_who_join_after_publishing_are_asked_too(client, for_all_staff):
    newcomer = user_with_role(roles.STAFF)
    client.force_login(newcomer)
    assert f'href="{read_url(for_all_staff)}"' in client.get(TO_READ).content.decode()


def test_a_deactivated_account_is_not_let_in(client, staff_user, for_all_staff):
    client.force_login(staff_user)
    staff_user.is_active = False
    staff_user.save()
    response = client.post(read_url(for_all_staff), {"confirm": "on"})
    assert response.status_code in (302, 404)
    assert not ReadReceipt.objects.exists()


def test_after_confirming_goes_to_a_safe_next_address_only(client, staff_user, for_all_staff):
    client.force_login(staff_user)
    response = client.post(read_url(for_all_staff), {"confirm": "on", "next": "/policies/"})
    assert response.url == "/policies/"

    other = user_with_role(roles.STAFF)
    client.force_login(other)
    response = client.post(read_url(for_all_staff), {"confirm": "on", "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_confirming_says_thank_you(client, staff_user, for_all_staff):
    client.force_login(staff_user)
    response = client.post(read_url(for_all_staff), {"confirm": "on"}, follow=True)
    assert any("You have confirmed you read" in message for message in messages_of(response))


def test_signed_out_visitors_are_sent_to_sign_in(client, for_all_staff):
    response = client.get(read_url(for_all_staff))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
    assert client.get(TO_READ).status_code == 302
