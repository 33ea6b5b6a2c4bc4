"""Training sessions: recording, correcting and deleting them, the list, and who may do what."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from policies import services
from policies.models import TrainingAttendance, TrainingKind, TrainingSession
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SESSIONS = reverse("policies:training")
NEW = reverse("policies:training_new")


def _lead(client, role=roles.ONLINE_SAFETY_LEAD):
    user = user_with_role(role)
    client.force_login(user)
    return user


def make_session(*, attendees, held_on=None, kind=TrainingKind.ANNUAL, title="Annual safeguarding update",
                 provider="The DSL", actor=None):
    return services.training_session_record(
        held_on=held_on or timezone.localdate() - datetime.timedelta(days=7), title=title, provider=provider,
        kind=kind, notes="", attendees=list(attendees), actor=actor or user_with_role(roles.ONLINE_SAFETY_LEAD))


def _form(*, attendees=(), **fields):
    data = {"held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "title": "Prevent duty refresher", "provider": "Local authority", "kind": TrainingKind.ANNUAL,
            "notes": "Held in the hall after school.", "attendees": [person.pk for person in attendees]}
    data.update(fields)
    return data


def _attendee_ids(session):
    return set(TrainingAttendance.objects.filter(session=session).values_list("user_id", flat=True))


# --- Recording --------------------------------------------------------------------------------


def test_lead_records_a_session_with_its_attendees_and_it_is_audited(client):
    lead = _lead(client)
    teacher, governor = user_with_role(roles.STAFF), user_with_role(roles.GOVERNOR)
    response = client.post(NEW, _form(attendees=[teacher, governor]))
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("policies:training_session", args=[session.pk])
    assert (session.title, session.provider, session.kind, session.recorded_by) == (
        "Prevent duty refresher", "Local authority", TrainingKind.ANNUAL, lead)
    assert _attendee_ids(session) == {teacher.pk, governor.pk}
    event = AuditEvent.objects.get(action="policies.training.recorded")
    assert (event.actor, event.object_id, event.detail) == (lead, str(session.pk),
                                                            {"kind": "annual", "attendees": 2})


def test_the_form_offers_active_people_with_a_role_labelled_with_their_roles(client):
    _lead(client)
    teacher = user_with_role(roles.STAFF, first_name="Priya", last_name="Carrington")
    user_with_role(roles.STAFF, first_name="Gone", last_name="Away", is_active=False)
    user_with_role(first_name="No", last_name="Role")
    page = client.get(NEW)
    assert page.status_code == 200
    offered = set(page.context["form"].fields["attendees"].queryset)
    assert teacher in offered
    assert {person.last_name for person in offered}.isdisjoint({"Away", "Role"})
    assert "Priya Carrington (Staff)" in page.content.decode()


def test_everyone_on_the_staff_box_adds_every_active_member_of_staff_but_not_governors(client):
    lead = _lead(client)
    teachers = [user_with_role(roles.STAFF), user_with_role(roles.TECHNICAL)]
    governor = user_with_role(roles.GOVERNOR)
    user_with_role(roles.STAFF, is_active=False)
    response = client.post(NEW, _form(all_staff="on"))
    assert response.status_code == 302
    assert _attendee_ids(TrainingSession.objects.get()) == {lead.pk, *(person.pk for person in teachers)}
    assert governor.pk not in _attendee_ids(TrainingSession.objects.get())


def test_every_governor_box_adds_the_governors(client):
    _lead(client)
    governors = [user_with_role(roles.GOVERNOR), user_with_role(roles.GOVERNOR)]
    user_with_role(roles.STAFF)
    client.post(NEW, _form(all_governors="on", kind=TrainingKind.GOVERNOR))
    assert _attendee_ids(TrainingSession.objects.get()) == {person.pk for person in governors}


def _refused(response):
    assert response.status_code == 200
    assert not TrainingSession.objects.exists()
    assert not AuditEvent.objects.filter(action="policies.training.recorded").exists()
    return response.content.decode()


def test_a_session_in_the_future_is_refused_and_what_was_typed_is_kept(client):
    _lead(client)
    teacher = user_with_role(roles.STAFF)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = _refused(client.post(NEW, _form(attendees=[teacher], held_on=tomorrow)))
    assert "The date is in the future" in page
    assert f'value="{tomorrow}"' in page
    assert 'value="Prevent duty refresher"' in page
    assert re.search(rf'value="{teacher.pk}" id="id_attendees_\d+" checked', page)
    assert "Held in the hall after school." in page


def test_a_session_before_2000_is_refused(client):
    _lead(client)
    page = _refused(client.post(NEW, _form(attendees=[user_with_role(roles.STAFF)], held_on="1999-12-31")))
    assert "must be on or after" in page


def test_a_date_that_cannot_be_read_is_refused_without_a_crash(client):
    _lead(client)
    page = _refused(client.post(NEW, _form(attendees=[user_with_role(roles.STAFF)], held_on="31/02/2026")))
    assert "Enter a date such as 03/09/2026." in page
    assert 'value="31/02/2026"' in page


def test_a_typed_british_date_is_accepted(client):
    _lead(client)
    client.post(NEW, _form(attendees=[user_with_role(roles.STAFF)], held_on="03/09/2024"))
    assert TrainingSession.objects.get().held_on == datetime.date(2024, 9, 3)


def test_a_session_needs_at_least_one_attendee(client):
    _lead(client)
    page = _refused(client.post(NEW, _form(attendees=[])))
    assert "Tick at least one person who attended" in page
    assert 'value="Prevent duty refresher"' in page


def test_an_unknown_attendee_or_kind_is_refused_without_a_crash(client):
    _lead(client)
    data = _form(kind="made-up")
    data["attendees"] = ["999999"]
    page = _refused(client.post(NEW, data))
    assert "Select a valid choice" in page
    data["attendees"] = ["x"]
    assert "is not a valid value" in _refused(client.post(NEW, data))


def test_a_person_without_a_role_cannot_be_posted_as_an_attendee(client):
    _lead(client)
    outsider = user_with_role()
    _refused(client.post(NEW, _form(attendees=[outsider])))


# --- Editing ----------------------------------------------------------------------------------


def test_editing_adds_and_removes_attendees_and_is_audited(client):
    lead = _lead(client)
    stays, leaves, joins = (user_with_role(roles.STAFF) for _ in range(3))
    session = make_session(attendees=[stays, leaves])
    url = reverse("policies:training_edit", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert set(page.context["form"].initial["attendees"]) == {stays.pk, leaves.pk}
    response = client.post(url, _form(attendees=[stays, joins], title="Corrected title", kind=TrainingKind.DSL))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.kind) == ("Corrected title", TrainingKind.DSL)
    assert _attendee_ids(session) == {stays.pk, joins.pk}
    event = AuditEvent.objects.get(action="policies.training.changed")
    assert (event.actor, event.detail) == (lead, {"kind": "dsl", "added": 1, "removed": 1})


def test_editing_keeps_an_attendee_who_has_since_left(client):
    _lead(client)
    stays = user_with_role(roles.STAFF)
    leaver = user_with_role(roles.STAFF)
    session = make_session(attendees=[stays, leaver])
    leaver.is_active = False
    leaver.save()
    url = reverse("policies:training_edit", args=[session.pk])
    assert "account deactivated" in client.get(url).content.decode()
    client.post(url, _form(attendees=[stays, leaver], title="Renamed"))
    assert _attendee_ids(session) == {stays.pk, leaver.pk}


def test_an_edit_with_errors_changes_nothing_and_keeps_the_typing(client):
    _lead(client)
    teacher = user_with_role(roles.STAFF)
    session = make_session(attendees=[teacher])
    url = reverse("policies:training_edit", args=[session.pk])
    response = client.post(url, _form(attendees=[], title="Half-typed new title"))
    assert response.status_code == 200
    assert 'value="Half-typed new title"' in response.content.decode()
    session.refresh_from_db()
    assert session.title == "Annual safeguarding update"
    assert _attendee_ids(session) == {teacher.pk}


# --- Detail and delete ------------------------------------------------------------------------


def test_the_session_page_lists_attendees_with_their_roles(client):
    _lead(client)
    head = user_with_role(roles.HEADTEACHER, roles.GOVERNOR, first_name="Ruth", last_name="Everett")
    session = make_session(attendees=[head])
    page = client.get(reverse("policies:training_session", args=[session.pk])).content.decode()
    assert "Ruth Everett" in page
    assert "Headteacher, Governor" in page
    assert reverse("policies:training_edit", args=[session.pk]) in page
    assert reverse("policies:training_delete", args=[session.pk]) in page


def test_delete_asks_for_confirmation_first(client):
    _lead(client)
    session = make_session(attendees=[user_with_role(roles.STAFF)])
    url = reverse("policies:training_delete", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, delete this session" in page.content.decode()
    assert TrainingSession.objects.filter(pk=session.pk).exists()
    assert not AuditEvent.objects.filter(action="policies.training.deleted").exists()


def test_delete_by_post_removes_the_session_and_is_audited(client):
    lead = _lead(client)
    session = make_session(attendees=[user_with_role(roles.STAFF), user_with_role(roles.STAFF)])
    response = client.post(reverse("policies:training_delete", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"] == SESSIONS
    assert not TrainingSession.objects.exists()
    assert not TrainingAttendance.objects.exists()
    event = AuditEvent.objects.get(action="policies.training.deleted")
    assert (event.actor, event.object_id, event.detail["attendees"]) == (lead, str(session.pk), 2)


# --- The list ---------------------------------------------------------------------------------


def test_sessions_are_listed_newest_first_with_their_attendee_counts(client):
    _lead(client)
    today = timezone.localdate()
    people = [user_with_role(roles.STAFF) for _ in range(3)]
    older = make_session(attendees=people, held_on=today - datetime.timedelta(days=60), title="Older")
    newer = make_session(attendees=people[:1], held_on=today - datetime.timedelta(days=2), title="Newer")
    page = client.get(SESSIONS)
    listed = list(page.context["page_obj"])
    assert listed == [newer, older]
    assert [session.attendee_count for session in listed] == [1, 3]
    assert "Record a training session" in page.content.decode()


def test_sessions_filter_by_kind_date_range_and_title(client):
    _lead(client)
    today = timezone.localdate()
    person = [user_with_role(roles.STAFF)]
    induction = make_session(attendees=person, kind=TrainingKind.INDUCTION, title="Induction for new staff",
                             held_on=today - datetime.timedelta(days=100))
    annual = make_session(attendees=person, title="Annual update", held_on=today - datetime.timedelta(days=10))

    def listed(**params):
        return list(client.get(SESSIONS, params).context["page_obj"])

    assert listed(kind="induction") == [induction]
    assert listed(date_from=(today - datetime.timedelta(days=20)).isoformat()) == [annual]
    assert listed(date_to=(today - datetime.timedelta(days=20)).strftime("%d/%m/%Y")) == [induction]
    assert listed(q="new staff") == [induction]


def test_a_backwards_date_range_or_bad_date_shows_an_error_not_a_crash(client):
    _lead(client)
    response = client.get(SESSIONS, {"date_from": "2025-06-01", "date_to": "2025-01-01"})
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    response = client.get(SESSIONS, {"date_from": "yesterday", "kind": "nonsense"})
    assert response.status_code == 200
    assert "Enter a date such as 03/09/2026." in response.content.decode()


def test_an_empty_log_says_so(client):
    _lead(client)
    assert 'data-testid="empty"' in client.get(SESSIONS).content.decode()


def test_the_sessions_list_takes_the_same_number_of_queries_however_many_sessions(client, count_queries):
    _lead(client)
    people = [user_with_role(roles.STAFF) for _ in range(4)]
    for _ in range(3):
        make_session(attendees=people)
    small, _response = count_queries(client, SESSIONS)
    for _ in range(40):
        make_session(attendees=people)
    large, response = count_queries(client, SESSIONS)
    assert len(response.context["page_obj"]) == 43
    assert large == small


# --- Who may do what --------------------------------------------------------------------------


def _every_url(session):
    return [SESSIONS, NEW, reverse("policies:training_session", args=[session.pk]),
            reverse("policies:training_edit", args=[session.pk]),
            reverse("policies:training_delete", args=[session.pk]),
            reverse("policies:training_people"), reverse("policies:training_people_csv")]


@pytest.mark.parametrize("role", [roles.STAFF, roles.GOVERNOR, roles.TECHNICAL])
def test_staff_and_governors_get_404_everywhere_in_the_training_log(client, role):
    teacher = user_with_role(roles.STAFF)
    session = make_session(attendees=[teacher])
    _lead(client, role)
    for url in _every_url(session):
        assert client.get(url).status_code == 404, url
    assert client.post(NEW, _form(attendees=[teacher])).status_code == 404
    assert client.post(reverse("policies:training_delete", args=[session.pk])).status_code == 404
    assert TrainingSession.objects.count() == 1
    assert not AuditEvent.objects.filter(action="policies.training.exported").exists()


def test_dsl_reads_the_log_but_cannot_record_change_or_delete(client):
    teacher = user_with_role(roles.STAFF)
    session = make_session(attendees=[teacher])
    _lead(client, roles.DSL)
    for url in [SESSIONS, reverse("policies:training_session", args=[session.pk]),
                reverse("policies:training_people"), reverse("policies:training_people_csv")]:
        assert client.get(url).status_code == 200, url
    for url in [NEW, reverse("policies:training_edit", args=[session.pk]),
                reverse("policies:training_delete", args=[session.pk])]:
        assert client.get(url).status_code == 404, url
    assert client.post(NEW, _form(attendees=[teacher])).status_code == 404
    assert client.post(reverse("policies:training_delete", args=[session.pk])).status_code == 404
    assert TrainingSession.objects.count() == 1
    session_page = client.get(reverse("policies:training_session", args=[session.pk])).content.decode()
    assert reverse("policies:training_edit", args=[session.pk]) not in session_page
    assert "Record a training session" not in client.get(SESSIONS).content.decode()


@pytest.mark.parametrize("role", [roles.HEADTEACHER, roles.ADMINISTRATOR])
def test_headteacher_and_office_may_record_sessions(client, role):
    _lead(client, role)
    assert client.get(NEW).status_code == 200
    assert client.post(NEW, _form(attendees=[user_with_role(roles.STAFF)])).status_code == 302
    assert TrainingSession.objects.count() == 1


def test_a_missing_session_is_404(client):
    _lead(client)
    assert client.get(reverse("policies:training_session", args=[999999])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(SESSIONS)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_form_takes_the_same_number_of_queries_however_many_staff(client, count_queries):
    _lead(client)
    session = make_session(attendees=[user_with_role(roles.STAFF) for _ in range(3)])
    edit = reverse("policies:training_edit", args=[session.pk])
    small = (count_queries(client, NEW)[0], count_queries(client, edit)[0])
    for n in range(60):
        user_with_role(roles.GOVERNOR if n % 5 == 0 else roles.STAFF)
    large = (count_queries(client, NEW)[0], count_queries(client, edit)[0])
    assert large == small
