"""Recording an approved version moves the next review date on from its approval; an earlier
version goes into the history; a review can be brought forward until the next approval. Bad
input is explained on the form, with what was typed kept and no stray file left behind."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from policies import services
from policies.dates import add_months
from policies.models import Policy, PolicyVersion
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from safety_portal.school.forms import short_date
from tests.factories import user_with_role
from tests.policies.factories import make_policy, pdf_upload, record_version

pytestmark = pytest.mark.django_db


def version_url(policy):
    return reverse("policies:version_new", args=[policy.pk])


def forward_url(policy):
    return reverse("policies:bring_forward", args=[policy.pk])


@pytest.fixture
def lead(client):
    user = user_with_role(roles.ONLINE_SAFETY_LEAD)
    client.force_login(user)
    return user


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def policy(db):
    return make_policy("Remote learning")


def version_data(**changes):
    data = {"number": "2.0", "approved_on": "2024-01-31", "approved_by": "Full governing body, 30 January",
            "change_summary": "Updated for the new guidance.", "document": pdf_upload(), "ask_to_read": "no"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Recording a version ----------------------------------------------------------------------


def test_the_form_starts_with_the_next_number_today_and_the_approver(client, lead, policy, today):
    policy.approving_body, policy.committee_name = "committee", "Resources"
    policy.save()
    record_version(policy, approved_on=today - datetime.timedelta(days=30), number="2.3")
    form = client.get(version_url(policy)).context["form"]
    assert form["number"].value() == "2.4"
    assert form["approved_on"].value() == today
    assert form["approved_by"].value() == "Resources committee"
    assert form["ask_to_read"].value() == "no"


def test_a_first_version_starts_the_review_cycle_and_the_message_says_when(client, lead, policy, media_root):
    policy.review_cycle_months = 1
    policy.save()
    response = client.post(version_url(policy), version_data(number="1.0"))
    assert response.status_code == 302 and response["Location"] == reverse("policies:detail", args=[policy.pk])
    policy.refresh_from_db()
    version = policy.current_version
    assert (version.number, version.approved_on) == ("1.0", datetime.date(2024, 1, 31))
    assert version.approved_by == "Full governing body, 30 January"
    assert version.recorded_by == lead and version.document_name == "policy.pdf"
    assert policy.next_review_on == datetime.date(2024, 2, 29)  # 31 January + 1 month, in a leap year
    assert "The next review is due on 29 Feb 2024." in " ".join(_messages(response))
    assert len(stored_files(media_root)) == 1
    event = AuditEvent.objects.get(action="policies.version.recorded")
    assert event.actor == lead and event.detail["next_review_on"] == "2024-02-29"


def test_a_twelve_month_cycle_from_29_february_ends_on_28_february(client, lead, policy):
    response = client.post(version_url(policy), version_data(number="1.0", approved_on="2024-02-29"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2025, 2, 28)


def test_next_review_dates_in_2028_follow_month_ends_and_the_leap_day(policy):
    # Recorded through the service: the form refuses approval dates still in the future.
    policy.review_cycle_months = 1
    policy.save()
    record_version(policy, approved_on=datetime.date(2028, 1, 31), number="1.0")
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2028, 2, 29)
    policy.review_cycle_months = 12
    policy.save()
    record_version(policy, approved_on=datetime.date(2028, 2, 29), number="2.0")
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2029, 2, 28)


def test_a_new_approval_makes_an_overdue_policy_current(client, lead, policy, today):
    record_version(policy, approved_on=today - datetime.timedelta(days=400), number="1.0")
    assert Policy.objects.with_review_state().get(pk=policy.pk).review_state == "overdue"
    response = client.post(version_url(policy), version_data(number="1.1", approved_on=today.isoformat()))
    assert response.status_code == 302
    assert Policy.objects.with_review_state().get(pk=policy.pk).review_state == "current"
    content = client.get(response["Location"]).content.decode()
    assert "Current" in content and "1.1" in content


def test_an_older_version_goes_into_the_history_without_becoming_current(client, lead, policy):
    current = record_version(policy, approved_on=datetime.date(2025, 9, 1), number="3.0")
    policy.refresh_from_db()
    review_before = policy.next_review_on
    response = client.post(version_url(policy), version_data(number="1.0", approved_on="2022-09-01",
                                                              change_summary="First version, from the archive."))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.current_version == current and policy.next_review_on == review_before
    assert policy.versions.count() == 2
    assert "is in the revision log as an earlier version" in " ".join(_messages(response))
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert content.index("3.0") < content.index("First version, from the archive.")


def test_a_number_not_newer_than_the_current_one_is_refused_and_nothing_is_kept(client, lead, policy, media_root):
    record_version(policy, approved_on=datetime.date(2025, 9, 1), number="2.10")
    files_before = stored_files(media_root)
    response = client.post(version_url(policy), version_data(number="2.9", approved_on="2025-10-01"))
    assert response.status_code == 200
    assert "The current version is 2.10" in " ".join(response.context["form"].errors["number"])
    assert policy.versions.count() == 1
    assert stored_files(media_root) == files_before
    assert not AuditEvent.objects.filter(action="policies.version.recorded", actor=lead).exists()
    assert response.context["form"]["change_summary"].value() == "Updated for the new guidance."
    assert "Choose the file again" in response.content.decode()


def test_a_number_already_in_the_log_is_refused_even_for_an_older_version(client, lead, policy, media_root):
    record_version(policy, approved_on=datetime.date(2025, 9, 1), number="2.0")
    record_version(policy, approved_on=datetime.date(2023, 9, 1), number="1.0")
    files_before = stored_files(media_root)
    response = client.post(version_url(policy), version_data(number="1.0", approved_on="2022-01-01"))
    assert response.status_code == 200
    assert "already in the revision log" in " ".join(response.context["form"].errors["number"])
    assert policy.versions.count() == 2
    assert stored_files(media_root) == files_before


@pytest.mark.parametrize("field, value, words", [
    ("number", "abc", "numbers with dots"),
    ("number", "1..2", "numbers with dots"),
    ("number", "", "Write the version number"),
    ("approved_on", "31/02/2026", "Write a real date"),
    ("approved_on", "yesterday", "Write a real date"),
    ("approved_on", "1999-12-31", "2000 or later"),
    ("approved_by", "", "Write who approved it"),
    ("change_summary", "", "Write a line for the revision log"),
    ("change_summary", "x" * 2001, "at most 2000"),
    ("ask_to_read", "everyone", "Select a valid choice"),
    ("document", None, "Choose the approved document"),
])
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, lead, policy, media_root, field, value, words):
    data = version_data(**{field: value})
    if value is None:
        data.pop(field, None)
    response = client.post(version_url(policy), data)
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert not policy.versions.exists() and stored_files(media_root) == []
    form = response.context["form"]
    for kept in ("number", "approved_on", "approved_by", "change_summary"):
        if kept != field:
            assert form[kept].value() == version_data()[kept]
    assert "Nothing was saved" in response.content.decode()


def test_an_approval_date_in_the_future_is_refused(client, lead, policy, today):
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = client.post(version_url(policy), version_data(approved_on=tomorrow))
    assert "cannot be in the future" in " ".join(response.context["form"].errors["approved_on"])
    assert not policy.versions.exists()


def test_all_staff_are_asked_to_read_it_except_governors(client, lead, policy):
    client.post(version_url(policy), version_data(ask_to_read="all"))
    policy.refresh_from_db()
    asked = set(policy.current_version.read_groups.values_list("name", flat=True))
    assert asked == set(roles.ALL) - {roles.GOVERNOR}


def test_chosen_roles_are_asked_to_read_it(client, lead, policy):
    client.post(version_url(policy), version_data(ask_to_read="chosen", read_roles=[roles.STAFF, roles.GOVERNOR]))
    policy.refresh_from_db()
    assert set(policy.current_version.read_groups.values_list("name", flat=True)) == {roles.STAFF, roles.GOVERNOR}
    assert policy.current_version.read_role_labels() == ["Staff", "Governor"]


def test_nobody_is_asked_when_the_answer_is_no_even_with_roles_ticked(client, lead, policy):
    client.post(version_url(policy), version_data(ask_to_read="no", read_roles=[roles.STAFF]))
    policy.refresh_from_db()
    assert not policy.current_version.read_groups.exists()


def test_chosen_roles_with_none_ticked_is_explained(client, lead, policy):
    response = client.post(version_url(policy), version_data(ask_to_read="chosen"))
    assert response.status_code == 200
    assert "Tick at least one role" in " ".join(response.context["form"].errors["read_roles"])
    assert response.context["form"]["ask_to_read"].value() == "chosen"
    assert not policy.versions.exists()


def test_an_unknown_role_is_refused(client, lead, policy):
    response = client.post(version_url(policy), version_data(ask_to_read="chosen", read_roles=["Pupils"]))
    assert response.status_code == 200 and "read_roles" in response.context["form"].errors
    assert Group.objects.filter(name="Pupils").count() == 0


@pytest.mark.parametrize("role", [roles.GOVERNOR, roles.STAFF, roles.DSL, roles.ADMINISTRATOR])
def test_readers_get_404_on_the_version_page(client, role, policy):
    client.force_login(user_with_role(role))
    assert client.get(version_url(policy)).status_code == 404
    assert client.post(version_url(policy), version_data()).status_code == 404
    assert not PolicyVersion.objects.exists()


def test_a_member_of_staff_records_a_version_of_their_own_policy_only(client, policy):
    owner = user_with_role(roles.STAFF)
    client.force_login(owner)
    theirs = make_policy("Charging")
    policy.owner = owner
    policy.save()
    assert client.post(version_url(policy), version_data()).status_code == 302
    assert policy.versions.get().recorded_by == owner
    assert client.get(version_url(theirs)).status_code == 404
    assert client.post(version_url(theirs), version_data()).status_code == 404
    assert not theirs.versions.exists()


def test_the_headteacher_records_a_version_of_any_policy(client, policy):
    client.force_login(user_with_role(roles.HEADTEACHER))
    assert client.post(version_url(policy), version_data()).status_code == 302


# --- Bringing a review forward ----------------------------------------------------------------


@pytest.fixture
def reviewed(policy, today):
    """Approved 30 days ago on a 12-month cycle: the review is about 11 months away."""
    record_version(policy, approved_on=today - datetime.timedelta(days=30), number="1.0")
    policy.refresh_from_db()
    return policy


def test_bringing_the_review_forward_moves_the_date_until_the_next_approval(client, lead, reviewed, today):
    scheduled = reviewed.next_review_on
    soon = today + datetime.timedelta(days=10)
    response = client.post(forward_url(reviewed), {"to": soon.isoformat(), "reason": "New KCSIE guidance"})
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.next_review_on == soon and reviewed.review_brought_forward_reason == "New KCSIE guidance"
    assert "is now due on" in " ".join(_messages(response))
    event = AuditEvent.objects.get(action="policies.review.brought_forward")
    assert event.detail == {"to": soon.isoformat(), "scheduled": scheduled.isoformat()}
    assert Policy.objects.with_review_state().get(pk=reviewed.pk).review_state == "due_soon"

    client.post(version_url(reviewed), version_data(number="1.1", approved_on=today.isoformat()))
    reviewed.refresh_from_db()
    assert reviewed.review_brought_forward_to is None and reviewed.review_brought_forward_reason == ""
    assert reviewed.next_review_on == add_months(today, 12)


def test_the_page_says_what_bringing_forward_does(client, lead, reviewed):
    content = client.get(forward_url(reviewed)).content.decode()
    assert "The review cycle says the next review is due on" in content
    assert "Recording the next approved version clears it" in content


@pytest.mark.parametrize("days, words", [(-1, "today or a later date"), (400, "when the review is due already")])
def test_a_date_in_the_past_or_not_earlier_than_scheduled_is_refused(client, lead, reviewed, today, days, words):
    to = today + datetime.timedelta(days=days)
    response = client.post(forward_url(reviewed), {"to": to.isoformat(), "reason": "Because"})
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["to"])
    assert response.context["form"]["reason"].value() == "Because"
    before = reviewed.next_review_on
    reviewed.refresh_from_db()
    assert reviewed.next_review_on == before and reviewed.review_brought_forward_to is None


def test_today_is_allowed(client, lead, reviewed, today):
    assert client.post(forward_url(reviewed), {"to": today.isoformat(), "reason": "Ofsted"}).status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.next_review_on == today


@pytest.mark.parametrize("data, field", [({"to": "31/02/2026", "reason": "Because"}, "to"),
                                         ({"to": "", "reason": "Because"}, "to"),
                                         ({"to": "2099-01-01", "reason": ""}, "reason"),
                                         ({"to": "2099-01-01", "reason": "x" * 301}, "reason")])
def test_bad_bring_forward_input_is_explained(client, lead, reviewed, data, field):
    response = client.post(forward_url(reviewed), data)
    assert response.status_code == 200 and field in response.context["form"].errors


def test_a_date_that_stopped_being_earlier_meanwhile_is_explained(client, lead, reviewed, today, monkeypatch):
    def refuse(**kwargs):
        raise services.NothingToBringForward(today + datetime.timedelta(days=5))

    monkeypatch.setattr(services, "review_bring_forward", refuse)
    response = client.post(forward_url(reviewed), {"to": (today + datetime.timedelta(days=10)).isoformat(),
                                                   "reason": "Because"})
    assert response.status_code == 200
    assert response.context["form"].errors["to"] == [
        f"Choose a date on or before {short_date(today + datetime.timedelta(days=5))}."]


def test_a_policy_without_an_approval_can_be_given_a_review_date(client, lead, policy, today):
    to = today + datetime.timedelta(days=60)
    assert client.post(forward_url(policy), {"to": to.isoformat(), "reason": "Write it by then"}).status_code == 302
    policy.refresh_from_db()
    assert policy.next_review_on == to
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "Set by hand: no approved version is recorded yet." in content and "Write it by then" in content


@pytest.mark.parametrize("role", [roles.GOVERNOR, roles.STAFF])
def test_readers_get_404_on_bringing_forward(client, role, reviewed, today):
    client.force_login(user_with_role(role))
    assert client.get(forward_url(reviewed)).status_code == 404
    to = (today + datetime.timedelta(days=3)).isoformat()
    assert client.post(forward_url(reviewed), {"to": to, "reason": "x"}).status_code == 404
    reviewed.refresh_from_db()
    assert reviewed.review_brought_forward_to is None


def test_a_review_already_brought_forward_cannot_be_pushed_later_from_the_form(client, lead, reviewed, today):
    first = today + datetime.timedelta(days=20)
    assert client.post(forward_url(reviewed), {"to": first.isoformat(), "reason": "Guidance"}).status_code == 302
    page = client.get(forward_url(reviewed)).content.decode()
    assert "It has already been brought forward to" in page and "Guidance" in page
    later = today + datetime.timedelta(days=40)
    response = client.post(forward_url(reviewed), {"to": later.isoformat(), "reason": "Later"})
    assert response.status_code == 200 and "to" in response.context["form"].errors
    reviewed.refresh_from_db()
    assert reviewed.next_review_on == first
