"""Chasing outstanding agreements: parents at most weekly and three times a link, staff weekly, never twice."""

import datetime
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agreements import reminders, services
from agreements.models import Audience, SigningLink
from agreements.tasks import agreement_reminders
from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from safety_portal.school.models import PupilGuardian, SchoolProfile
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db

WEEK = datetime.timedelta(days=7)


@pytest.fixture
def published(db):
    return {audience: publish(audience) for audience in (Audience.PARENT, Audience.PUPIL_KS2)}


def _sent_days_ago(link, days, now=None):
    """Back-date a link's last email, as if the pack went out `days` ago."""
    sent_at = (now or timezone.now()) - datetime.timedelta(days=days)
    SigningLink.objects.filter(pk=link.pk).update(sent_at=sent_at)
    link.refresh_from_db()
    return link


def _parent_emails():
    return list(OutboxEmail.objects.filter(template="agreement_reminder").order_by("pk"))


def _tokens(email):
    return re.findall(r"/p/([A-Za-z0-9_-]+)/", email.body_text)


def _parent_signs(link):
    services.signature_record_for_guardian(link=link, typed_name="A Parent", discussed_with_child=True)


# --- Parents ------------------------------------------------------------------------------------

def test_an_outstanding_parent_gets_a_fresh_link_and_the_old_one_stops_working(client, published, settings):
    settings.SITE_URL = "https://portal.school.example"
    link, old_token = make_link(year_group=5)
    _sent_days_ago(link, 8)
    assert reminders.parent_reminders_send() == 1
    [email] = _parent_emails()
    assert email.to == [link.guardian.email]
    [token] = _tokens(email)
    assert "https://portal.school.example/p/" in email.body_text and token != old_token
    link.refresh_from_db()
    assert link.reminders_sent == 1 and link.token_hash == SigningLink.hash_token(token)
    assert client.get(reverse("parent_pack", args=[token])).status_code == 200
    assert client.get(reverse("parent_pack", args=[old_token])).status_code == 404
    assert AuditEvent.objects.filter(action="agreements.link.reminded", object_id=str(link.pk)).count() == 1


def test_a_reminder_names_the_child_by_first_name_only(published):
    pupil = PupilFactory(year_group=5, first_name="Freya", last_name="Ashbourne-Quill")
    pupil, guardian = guardian_with_child(pupil=pupil)
    link, _token = make_link(pupil=pupil, guardian=guardian)
    _sent_days_ago(link, 8)
    reminders.parent_reminders_send()
    [email] = _parent_emails()
    for part in (email.subject, email.body_text, email.body_html):
        assert "Ashbourne" not in part
    assert "Freya" in email.body_text and "Freya" in email.body_html


def test_a_second_run_straight_after_sends_nothing_new(published):
    link, _token = make_link(year_group=5)
    _sent_days_ago(link, 8)
    teacher = user_with_role(roles.STAFF)
    publish(Audience.STAFF)
    first = agreement_reminders()
    assert first == {"parents": 1, "staff": 1}
    emails = OutboxEmail.objects.count()
    assert agreement_reminders() == {"parents": 0, "staff": 0}
    assert OutboxEmail.objects.count() == emails
    assert OutboxEmail.objects.filter(template="agreement_staff_reminder", to=[teacher.email]).count() == 1


def test_a_link_is_reminded_at_most_once_a_week_and_three_times_in_all(published):
    start = timezone.now()
    link, _token = make_link(year_group=5)
    _sent_days_ago(link, 6, now=start)
    assert reminders.parent_reminders_send(start) == 0  # not a week since the pack went out
    moments = [start + datetime.timedelta(days=1)]
    assert reminders.parent_reminders_send(moments[0]) == 1
    assert reminders.parent_reminders_send(moments[0] + datetime.timedelta(days=6)) == 0
    for week in (1, 2):
        assert reminders.parent_reminders_send(moments[0] + week * WEEK) == 1
    assert reminders.parent_reminders_send(moments[0] + 3 * WEEK) == 0  # three is the most
    assert reminders.parent_reminders_send(moments[0] + 10 * WEEK) == 0
    link.refresh_from_db()
    assert link.reminders_sent == 3 and len(_parent_emails()) == 3


def test_an_expired_link_is_brought_back_by_its_reminder(client, published):
    link, _token = make_link(year_group=5, expires_in=datetime.timedelta(days=-1))
    _sent_days_ago(link, 31)
    assert reminders.parent_reminders_send() == 1
    [token] = _tokens(_parent_emails()[0])
    assert client.get(reverse("parent_pack", args=[token])).status_code == 200


def test_nobody_is_reminded_once_a_parent_has_signed_for_the_child(published):
    pupil, mum = guardian_with_child(year_group=5)
    dad = GuardianFactory()
    PupilGuardianFactory(pupil=pupil, guardian=dad)
    mum_link, _token = make_link(pupil=pupil, guardian=mum)
    dad_link, _token = make_link(pupil=pupil, guardian=dad, pack=mum_link.pack)
    _parent_signs(mum_link)
    for link in (mum_link, dad_link):
        _sent_days_ago(link, 8)
    assert reminders.parent_reminders_send() == 0


def test_a_signature_before_everyone_must_sign_again_does_not_stop_reminders(published):
    link, _token = make_link(year_group=5)
    _parent_signs(link)
    publish(Audience.PARENT, body="New rules.", requires_resign=True)
    _sent_days_ago(link, 8)
    assert reminders.parent_reminders_send() == 1


@pytest.mark.parametrize("change", ["revoked", "left", "no_responsibility", "no_email"])
def test_revoked_links_and_families_whose_circumstances_changed_get_nothing(published, change):
    link, _token = make_link(year_group=5)
    _sent_days_ago(link, 8)
    if change == "revoked":
        services.link_revoke(link=link, user=None)
    elif change == "left":
        link.pupil.leaving_date = timezone.localdate()
        link.pupil.save()
    elif change == "no_responsibility":
        PupilGuardian.objects.filter(pupil=link.pupil, guardian=link.guardian).update(parental_responsibility=False)
    else:
        link.guardian.email = ""
        link.guardian.save()
    assert reminders.parent_reminders_send() == 0
    assert not _parent_emails()


def test_only_the_newest_link_for_a_parent_and_child_is_reminded(published):
    old, _token = make_link(year_group=5)
    new, _token = make_link(pupil=old.pupil, guardian=old.guardian)
    for link in (old, new):
        _sent_days_ago(link, 8)
    assert reminders.parent_reminders_send() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.reminders_sent, new.reminders_sent) == (0, 1)


def test_a_parent_of_two_children_gets_one_email_with_a_link_for_each(published):
    first, guardian = guardian_with_child(year_group=5)
    second = PupilFactory(year_group=3, first_name="Arthur")
    PupilGuardianFactory(pupil=second, guardian=guardian)
    pack_link, _token = make_link(pupil=first, guardian=guardian)
    second_link, _token = make_link(pupil=second, guardian=guardian, pack=pack_link.pack)
    for link in (pack_link, second_link):
        _sent_days_ago(link, 8)
    assert reminders.parent_reminders_send() == 1
    [email] = _parent_emails()
    assert len(_tokens(email)) == 2
    assert first.first_name in email.body_text and second.first_name in email.body_text


def test_a_parent_with_links_from_two_packs_hears_from_the_school_at_most_once_a_week(published):
    now = timezone.now()
    first, guardian = guardian_with_child(year_group=5)
    second = PupilFactory(year_group=3, first_name="Arthur")
    PupilGuardianFactory(pupil=second, guardian=guardian)
    first_link, _token = make_link(pupil=first, guardian=guardian)
    second_link, _token = make_link(pupil=second, guardian=guardian)  # a pack of its own, sent later
    assert first_link.pack_id != second_link.pack_id
    _sent_days_ago(first_link, 8, now=now)
    _sent_days_ago(second_link, 5, now=now)
    # The second pack reached them 5 days ago: nothing yet, not even for the first child.
    assert reminders.parent_reminders_send(now) == 0
    # Once both are due, both children's links go together in one email.
    later = now + datetime.timedelta(days=2)
    assert reminders.parent_reminders_send(later) == 1
    [email] = _parent_emails()
    assert len(_tokens(email)) == 2 and "Arthur" in email.body_text
    assert [SigningLink.objects.get(pk=link.pk).reminders_sent for link in (first_link, second_link)] == [1, 1]
    assert reminders.parent_reminders_send(later + datetime.timedelta(days=6)) == 0
    assert reminders.parent_reminders_send(later + WEEK) == 1


def test_a_new_pack_for_one_child_holds_back_the_reminder_for_another(published):
    now = timezone.now()
    first, guardian = guardian_with_child(year_group=5)
    second = PupilFactory(year_group=3)
    PupilGuardianFactory(pupil=second, guardian=guardian)
    first_link, _token = make_link(pupil=first, guardian=guardian)
    _sent_days_ago(first_link, 8, now=now)
    make_link(pupil=second, guardian=guardian)  # emailed just now
    assert reminders.parent_reminders_send(now) == 0
    assert reminders.parent_links_due(now + WEEK + datetime.timedelta(minutes=1)).count() == 2


def test_two_runs_claiming_the_same_link_at_once_send_one_reminder(published):
    link, _token = make_link(year_group=5)
    _sent_days_ago(link, 8)
    now = timezone.now()
    # Both runs read the link before either claims it.
    run_a, run_b = SigningLink.objects.get(pk=link.pk), SigningLink.objects.get(pk=link.pk)
    assert services.parent_reminder_claim(link=run_a, now=now) is not None
    assert services.parent_reminder_claim(link=run_b, now=now) is None
    link.refresh_from_db()
    assert link.reminders_sent == 1
    assert AuditEvent.objects.filter(action="agreements.link.reminded").count() == 1


def test_claiming_twice_with_the_same_link_object_gives_one_reminder(published):
    link, _token = make_link(year_group=5)
    _sent_days_ago(link, 8)
    now = timezone.now()
    tokens = [services.parent_reminder_claim(link=link, now=now) for _attempt in range(2)]
    assert tokens[0] is not None and tokens[1] is None
    assert SigningLink.objects.get(pk=link.pk).reminders_sent == 1


def test_a_run_whose_links_were_claimed_by_another_run_sends_nothing(published):
    link, _token = make_link(year_group=5)
    _sent_days_ago(link, 8)
    now = timezone.now()
    seen_by_slow_run = list(reminders.parent_links_due(now))
    assert reminders.parent_reminders_send(now) == 1  # the other run finishes first
    assert [services.parent_reminder_claim(link=stale, now=now) for stale in seen_by_slow_run] == [None]
    assert len(_parent_emails()) == 1


def test_no_parent_reminders_before_the_parent_agreement_is_published():
    link, _token = make_link(year_group=5)
    _sent_days_ago(link, 8)
    assert reminders.parent_reminders_send() == 0


# --- Staff and governors ------------------------------------------------------------------------

def test_staff_are_reminded_once_a_week_until_they_sign(settings):
    settings.SITE_URL = "https://portal.school.example"
    publish(Audience.STAFF)
    teacher = user_with_role(roles.STAFF)
    monday = timezone.make_aware(datetime.datetime(2026, 11, 16, 9, 0))
    assert reminders.staff_reminders_send(monday) == 1
    assert reminders.staff_reminders_send(monday + datetime.timedelta(days=4)) == 0  # Friday, same week
    assert reminders.staff_reminders_send(monday + WEEK) == 1
    emails = OutboxEmail.objects.filter(template="agreement_staff_reminder")
    assert emails.count() == 2 and all(email.to == [teacher.email] for email in emails)
    assert "https://portal.school.example" + reverse("agreements:sign_list") in emails.first().body_text
    services.signature_record_for_account(
        user=teacher, version=services.current_version_for(Audience.STAFF), typed_name="A Teacher")
    assert reminders.staff_reminders_send(monday + 2 * WEEK) == 0


def test_governors_and_named_social_media_staff_are_reminded_of_each_agreement_in_one_email():
    publish(Audience.STAFF)
    publish(Audience.GOVERNOR)
    social = publish(Audience.SOCIAL_MEDIA)
    governor = user_with_role(roles.GOVERNOR)
    comms = user_with_role(roles.STAFF)
    social.agreement.named_signers.add(comms)
    inactive = user_with_role(roles.STAFF, is_active=False)
    signed = user_with_role(roles.STAFF)
    services.signature_record_for_account(user=signed, version=services.current_version_for(Audience.STAFF),
                                          typed_name="Signed Already")
    assert reminders.staff_reminders_send() == 2
    by_recipient = {email.to[0]: email for email in OutboxEmail.objects.filter(template="agreement_staff_reminder")}
    assert set(by_recipient) == {governor.email, comms.email}
    assert inactive.email not in by_recipient and signed.email not in by_recipient
    body = by_recipient[comms.email].body_text
    assert services.current_version_for(Audience.STAFF).title in body
    assert social.title in body


def test_nobody_is_reminded_of_an_agreement_that_is_not_published():
    user_with_role(roles.STAFF)
    assert agreement_reminders() == {"parents": 0, "staff": 0}
    assert not OutboxEmail.objects.exists()


# --- Two scheduler runs at once ------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_whole_job_at_the_same_moment_send_each_reminder_once():
    """Two threads, each with its own database connection, released together by a barrier."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises all writers, so two "
                    "runs can never race there")
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    for audience in (Audience.PARENT, Audience.PUPIL_KS2, Audience.STAFF):
        publish(audience)
    first, guardian = guardian_with_child(year_group=5)
    second = PupilFactory(year_group=3)
    PupilGuardianFactory(pupil=second, guardian=guardian)
    links = [make_link(pupil=pupil, guardian=guardian)[0] for pupil in (first, second)]
    other_link, _token = make_link(year_group=4)
    for link in (*links, other_link):
        _sent_days_ago(link, 8)
    teachers = [user_with_role(roles.STAFF) for _teacher in range(3)]
    now = timezone.now()
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = reminders.agreement_reminders_send(now)
        except Exception as error:  # noqa: BLE001 - handed back to the test to assert on
            results[index] = error
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a reminder run hung"
    assert not any(isinstance(result, Exception) for result in results), results

    assert sum(result["parents"] for result in results) == 2
    assert sum(result["staff"] for result in results) == len(teachers)
    parent_emails = _parent_emails()
    assert sorted(email.to[0] for email in parent_emails) == sorted([guardian.email, other_link.guardian.email])
    # One email for both children (its text is wiped once sent, so the links are counted on the links).
    assert [link.reminders_sent for link in SigningLink.objects.order_by("pk")] == [1, 1, 1]
    staff_emails = OutboxEmail.objects.filter(template="agreement_staff_reminder")
    assert sorted(email.to[0] for email in staff_emails) == sorted(teacher.email for teacher in teachers)
    assert AuditEvent.objects.filter(action="agreements.link.reminded").count() == 3
