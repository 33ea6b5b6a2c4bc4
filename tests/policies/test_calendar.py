"""The personal calendar of review dates: making, replacing and switching off its secret address,
and the iCalendar feed itself."""

import datetime
import re

import pytest
from django.urls import reverse

from policies import services
from policies.models import CalendarFeed, Policy, Status
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.policies.factories import make_policy

pytestmark = pytest.mark.django_db

SETTINGS = "/policies/calendar/"
ADDRESS = re.compile(r"http://testserver/policies/calendar/([A-Za-z0-9_-]+)\.ics")


def feed_url(token):
    return reverse("policies:calendar_feed", args=[token])


def review_policy(title, on, **fields):
    fields.setdefault("status", Status.ACTIVE)
    return make_policy(title, next_review_on=on, **fields)


def unfolded(text):
    """The feed's logical lines: folded continuation lines joined back on."""
    return text.replace("\r\n ", "").split("\r\n")


def events(text):
    """{SUMMARY: {property: value}} for each event in the feed."""
    found, current = {}, None
    for line in unfolded(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found[current["SUMMARY"]] = current
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return found


# --- The settings page --------------------------------------------------------------------------

def test_making_an_address_shows_it_once_and_stores_only_its_hash(client, staff_user):
    client.force_login(staff_user)
    page = client.get(SETTINGS).content.decode()
    assert "Make my calendar address" in page
    assert "the policies you own" in page

    response = client.post(SETTINGS, {"action": "create"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    token = ADDRESS.search(response.content.decode()).group(1)
    assert "Outlook" in response.content.decode() and "Google Calendar" in response.content.decode()
    feed = CalendarFeed.objects.get(user=staff_user)
    assert token not in feed.token_hash
    assert AuditEvent.objects.filter(action="policies.calendar.created").count() == 1

    later = client.get(SETTINGS).content.decode()
    assert token not in later
    assert not ADDRESS.search(later)
    assert "Made on" in later
    assert "Make a new address" in later and "Switch off my calendar address" in later
    assert client.get(feed_url(token)).status_code == 200


def test_the_leads_page_says_their_calendar_has_every_policy(client):
    head = user_with_role(roles.HEADTEACHER)
    client.force_login(head)
    assert "every policy in use" in client.get(SETTINGS).content.decode()


def test_a_new_address_replaces_the_old_one(client, staff_user):
    client.force_login(staff_user)
    old = ADDRESS.search(client.post(SETTINGS, {"action": "create"}).content.decode()).group(1)
    new = ADDRESS.search(client.post(SETTINGS, {"action": "create"}).content.decode()).group(1)
    assert old != new
    assert CalendarFeed.objects.filter(user=staff_user).count() == 1
    client.logout()
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200


def test_switching_off_stops_the_address_working(client, staff_user):
    client.force_login(staff_user)
    token = ADDRESS.search(client.post(SETTINGS, {"action": "create"}).content.decode()).group(1)
    response = client.post(SETTINGS, {"action": "revoke"}, follow=True)
    assert "switched off" in response.content.decode()
    assert "Make my calendar address" in response.content.decode()
    assert not CalendarFeed.objects.exists()
    assert AuditEvent.objects.filter(action="policies.calendar.revoked").count() == 1
    assert client.get(feed_url(token)).status_code == 404


# --- The feed -----------------------------------------------------------------------------------

def test_the_feed_is_valid_icalendar_with_escaped_titles_and_folded_lines(client):
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD)
    review_policy("Visitors, volunteers; and contractors", datetime.date(2026, 2, 28))
    long_title = "Relationships, sex and health education " + "é" * 30 + " and a very long title indeed"
    review_policy(long_title, datetime.date(2026, 12, 31))
    token = services.calendar_feed_create(user=lead)

    response = client.get(feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    raw = response.content
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # folding never splits a character
    text = raw.decode()
    assert unfolded(text)[0] == "BEGIN:VCALENDAR"
    assert "VERSION:2.0" in unfolded(text)

    found = events(text)
    escaped = "Review due: Visitors\\, volunteers\\; and contractors"
    assert found[escaped]["DTSTART;VALUE=DATE"] == "20260228"
    assert "DTEND;VALUE=DATE" not in found[escaped]  # a date alone is a one-day event
    long_event = found[f"Review due: {long_title.replace(',', chr(92) + ',')}"]
    assert long_event["DTSTART;VALUE=DATE"] == "20261231"

    # The last day a date can be, and a title with control characters, still make a valid feed.
    review_policy("Tab\tand bell\x07 policy", datetime.date(9999, 12, 31))
    text = client.get(feed_url(token)).content.decode()
    assert "DTSTART;VALUE=DATE:99991231" in text
    assert "SUMMARY:Review due: Taband bell policy" in unfolded(text)


def test_an_event_keeps_its_uid_when_the_review_date_moves(client):
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD)
    policy = review_policy("Remote learning", datetime.date(2026, 5, 1))
    token = services.calendar_feed_create(user=lead)
    before = events(client.get(feed_url(token)).content.decode())["Review due: Remote learning"]
    again = events(client.get(feed_url(token)).content.decode())["Review due: Remote learning"]
    assert before["UID"] == again["UID"] == f"policy-{policy.pk}-review@testserver"

    Policy.objects.filter(pk=policy.pk).update(next_review_on=datetime.date(2026, 3, 2))
    moved = events(client.get(feed_url(token)).content.decode())["Review due: Remote learning"]
    assert moved["UID"] == before["UID"]
    assert moved["DTSTART;VALUE=DATE"] == "20260302"


def test_a_staff_owner_sees_only_their_own_policies_in_use_with_a_date(client, staff_user):
    other = user_with_role(roles.STAFF)
    review_policy("Remote learning", datetime.date(2026, 5, 1), owner=staff_user)
    review_policy("Lettings", datetime.date(2026, 6, 1), owner=other)
    review_policy("Old drafts", datetime.date(2026, 6, 1), owner=staff_user, status=Status.DRAFT)
    review_policy("Retired rules", datetime.date(2026, 6, 1), owner=staff_user, status=Status.RETIRED)
    make_policy("Not yet approved", owner=staff_user)
    token = services.calendar_feed_create(user=staff_user)
    assert list(events(client.get(feed_url(token)).content.decode())) == ["Review due: Remote learning"]


def test_the_online_safety_lead_and_headteacher_see_every_policy_in_use(client, staff_user):
    review_policy("Remote learning", datetime.date(2026, 5, 1), owner=staff_user)
    review_policy("Lettings", datetime.date(2026, 6, 1))
    review_policy("Old drafts", datetime.date(2026, 6, 1), status=Status.DRAFT)
    for role in (roles.ONLINE_SAFETY_LEAD, roles.HEADTEACHER):
        token = services.calendar_feed_create(user=user_with_role(role))
        assert sorted(events(client.get(feed_url(token)).content.decode())) == [
            "Review due: Lettings", "Review due: Remote learning"]


def test_a_deactivated_persons_address_stops_working(client, staff_user):
    token = services.calendar_feed_create(user=staff_user)
    staff_user.is_active = False
    staff_user.save()
    assert client.get(feed_url(token)).status_code == 404


def test_unknown_and_revoked_addresses_give_404(client, staff_user):
    assert client.get(feed_url("not-a-real-token")).status_code == 404
    assert client.get(feed_url("x" * 200)).status_code == 404
    token = services.calendar_feed_create(user=staff_user)
    services.calendar_feed_revoke(user=staff_user)
    assert client.get(feed_url(token)).status_code == 404


def test_the_feed_runs_the_same_queries_however_many_policies(client, count_queries, django_assert_max_num_queries):
    lead = user_with_role(roles.ONLINE_SAFETY_LEAD)
    token = services.calendar_feed_create(user=lead)
    for n in range(2):
        review_policy(f"Policy {n}", datetime.date(2026, 5, 1) + datetime.timedelta(days=n))
    small, _response = count_queries(client, feed_url(token))
    for n in range(2, 30):
        review_policy(f"Policy {n}", datetime.date(2026, 5, 1) + datetime.timedelta(days=n))
    large, response = count_queries(client, feed_url(token))
    assert len(events(response.content.decode())) == 30
    assert small == large
    # The feed and its account, their roles, the school's name, the policies, and the request's savepoint.
    with django_assert_max_num_queries(6):
        client.get(feed_url(token))
