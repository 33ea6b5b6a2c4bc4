"""Leavers' images: a weekly digest tells the office once about each pupil who has left, and the
office marks each one done on its list when their images are reviewed and deleted."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consent.models import LeaverImageReview
from consent.services import leaver_review_done
from consent.tasks import leavers_digest
from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role

pytestmark = pytest.mark.django_db

LEAVERS = reverse("consent:leavers")


def reviewed_url(review):
    return reverse("consent:leaver_reviewed", args=[review.pk])


def _ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def office(db):
    return user_with_role(roles.ADMINISTRATOR, email="office@school.example")


@pytest.fixture
def others(db):
    return [user_with_role(role, email=f"{role.split()[0].lower()}@school.example")
            for role in (roles.DSL, roles.HEADTEACHER, roles.ONLINE_SAFETY_LEAD, roles.STAFF, roles.GOVERNOR)]


def run_digest(capture):
    with capture(execute=True):
        return leavers_digest.delay().get()


def test_the_digest_lists_only_pupils_who_have_left_and_goes_to_the_office_only(
        office, others, django_capture_on_commit_callbacks):
    leaver = PupilFactory(first_name="Amelia", last_name="Smith", reg_class="6B", leaving_date=_ago(3))
    on_roll = PupilFactory(first_name="Oliver", last_name="Patel")
    leaving_next_week = PupilFactory(first_name="Isla", last_name="Jones", leaving_date=_ago(-7))
    user_with_role(roles.ADMINISTRATOR, email="former@school.example", is_active=False)

    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["office@school.example"]
    assert "Amelia Smith (6B)" in message.body and _ago(3).strftime("%-d %B %Y") in message.body
    assert f"{settings.SITE_URL.rstrip('/')}{LEAVERS}" in message.body
    for absent in (on_roll, leaving_next_week):
        assert absent.last_name not in message.body
    assert "1 pupil" in message.subject
    review = LeaverImageReview.objects.get()
    assert review.pupil == leaver and review.notified_at is not None and review.reviewed_at is None


def test_running_the_digest_again_sends_nothing_new_and_a_new_leaver_gets_their_own(
        office, django_capture_on_commit_callbacks):
    PupilFactory(last_name="Smith", leaving_date=_ago(10))
    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert run_digest(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1 and OutboxEmail.objects.count() == 1
    PupilFactory(last_name="Khan", leaving_date=_ago(1))
    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert "Khan" in mail.outbox[1].body and "Smith" not in mail.outbox[1].body


def test_a_leaver_reviewed_before_the_digest_is_not_listed(office, django_capture_on_commit_callbacks):
    reviewed = PupilFactory(last_name="Taylor", leaving_date=_ago(20))
    waiting = PupilFactory(last_name="Brown", leaving_date=_ago(20))
    LeaverImageReview.objects.create(pupil=reviewed)
    leaver_review_done(review=LeaverImageReview.objects.get(pupil=reviewed), user=office)

    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert "Brown" in mail.outbox[0].body and "Taylor" not in mail.outbox[0].body
    assert LeaverImageReview.objects.get(pupil=reviewed).notified_at is None
    assert LeaverImageReview.objects.get(pupil=waiting).notified_at is not None


def test_with_no_one_to_tell_nothing_is_sent_and_the_office_hears_later(others, django_capture_on_commit_callbacks):
    PupilFactory(last_name="Evans", leaving_date=_ago(5))
    assert run_digest(django_capture_on_commit_callbacks) == 0
    assert not mail.outbox and not OutboxEmail.objects.exists()
    assert LeaverImageReview.objects.get().notified_at is None  # still to be told
    user_with_role(roles.ADMINISTRATOR, email="new.office@school.example")
    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert mail.outbox[0].to == ["new.office@school.example"] and "Evans" in mail.outbox[0].body


def test_with_no_leavers_no_email_is_sent(office, django_capture_on_commit_callbacks):
    PupilFactory()
    assert run_digest(django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_the_digest_is_scheduled_weekly():
    entry = settings.CELERY_BEAT_SCHEDULE["consent-leavers-digest"]
    assert entry["task"] == "consent.tasks.leavers_digest"
    schedule = entry["schedule"]
    period = schedule if isinstance(schedule, float | int) else schedule.run_every.total_seconds()
    assert period == 7 * 24 * 3600


# --- The office's list ------------------------------------------------------------------------

def listed(pupil, *, listed_days_ago=0):
    return LeaverImageReview.objects.create(pupil=pupil,
                                            listed_at=timezone.now() - datetime.timedelta(days=listed_days_ago))


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD])
def test_the_list_shows_leavers_to_review_newest_first_and_those_recently_done(client, office, role):
    client.force_login(user_with_role(role))
    older = listed(PupilFactory(first_name="Freya", last_name="Green", reg_class="11A", leaving_date=_ago(40)),
                   listed_days_ago=35)
    newer = listed(PupilFactory(first_name="Noah", last_name="Hughes", reg_class="6B", leaving_date=_ago(2)))
    done = listed(PupilFactory(first_name="Mia", last_name="Walker", reg_class="3A", leaving_date=_ago(60)))
    leaver_review_done(review=done, user=office)

    response = client.get(LEAVERS)
    assert response.status_code == 200
    assert list(response.context["leavers"]) == [newer, older]
    content = response.content.decode()
    assert "Hughes, Noah" in content and "6B" in content and _ago(2).strftime("%-d %b %Y") in content
    assert reviewed_url(newer) in content and reviewed_url(older) in content
    assert reviewed_url(done) not in content
    recent = content[content.index('data-testid="reviewed"'):]
    assert "Mia Walker (3A): reviewed by" in recent and office.get_full_name() in recent


def test_marking_images_reviewed_asks_first_then_records_who_and_audits(client, office):
    client.force_login(office)
    review = listed(PupilFactory(first_name="Leo", last_name="Wright", leaving_date=_ago(4)))
    confirm = client.get(reviewed_url(review))
    assert confirm.status_code == 200
    assert "Have you deleted the images of Leo Wright?" in confirm.content.decode()
    review.refresh_from_db()
    assert review.reviewed_at is None  # opening the question changes nothing

    response = client.post(reviewed_url(review))
    assert response.status_code == 302 and response["Location"] == LEAVERS
    review.refresh_from_db()
    assert review.reviewed_at is not None and review.reviewed_by == office
    event = AuditEvent.objects.get(action="consent.leaver_images.reviewed")
    assert (event.actor, event.object_type, event.object_id) == (office, "school.pupil", str(review.pupil_id))
    assert list(client.get(LEAVERS).context["leavers"]) == []

    client.post(reviewed_url(review))  # a second click, or a colleague's: nothing more is recorded
    assert AuditEvent.objects.filter(action="consent.leaver_images.reviewed").count() == 1
    assert "Already marked as reviewed" in client.get(reviewed_url(review)).content.decode()


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.STAFF, roles.GOVERNOR])
def test_only_the_office_and_the_online_safety_lead_may_mark_images_reviewed(client, role):
    client.force_login(user_with_role(role))
    review = listed(PupilFactory(leaving_date=_ago(4)))
    assert client.get(reviewed_url(review)).status_code == 404
    assert client.post(reviewed_url(review)).status_code == 404
    review.refresh_from_db()
    assert review.reviewed_at is None


def test_an_unknown_review_is_not_found(client, office):
    client.force_login(office)
    assert client.get(reverse("consent:leaver_reviewed", args=[99999])).status_code == 404
    assert client.post(reverse("consent:leaver_reviewed", args=[99999])).status_code == 404


def test_the_list_costs_the_same_queries_however_many_leavers(client, office, count_queries):
    client.force_login(office)

    def add(count):
        for index in range(count):
            review = listed(PupilFactory(leaving_date=_ago(5)))
            if index % 2:
                leaver_review_done(review=review, user=office)

    add(2)
    few, _response = count_queries(client, LEAVERS)
    add(30)
    many, response = count_queries(client, LEAVERS)
    assert few == many
    assert len(response.context["leavers"]) == 16
