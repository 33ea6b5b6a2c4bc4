"""Staff and governor accounts: list, create, edit roles, deactivate."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile, User
from tests.factories import DEFAULT_PASSWORD, UserFactory, user_with_role

LIST_URL = reverse("school:staff")
CREATE_URL = reverse("school:staff_create")
pytestmark = pytest.mark.django_db


def edit_url(user):
    return reverse("school:staff_edit", args=[user.pk])


def user_data(**overrides):
    data = {"email": "new.teacher@school.example", "first_name": "Nia", "last_name": "Jones",
            "job_title": "Year 3 teacher", "roles": [roles.STAFF], "is_active": "on"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def data_for(user, **overrides):
    data = {"email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "job_title": user.job_title, "roles": list(user.groups.values_list("name", flat=True)),
            "is_active": "on" if user.is_active else None}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def role_names(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


# --- Creating -------------------------------------------------------------------------------


def test_admin_creates_an_account_without_a_password_and_sends_nothing(admin_client, admin_user):
    response = admin_client.post(CREATE_URL, user_data(email="Nia.Jones@School.Example",
                                                       roles=[roles.STAFF, roles.TECHNICAL]), follow=True)
    user = User.objects.get(email="nia.jones@school.example")
    # Straight to their page, where the set-password link can be sent.
    assert response.redirect_chain[-1][0] == edit_url(user)
    assert 'data-testid="send-link"' in response.content.decode()
    assert (user.first_name, user.last_name, user.job_title, user.is_active) == ("Nia", "Jones", "Year 3 teacher",
                                                                                  True)
    assert not user.has_usable_password()
    assert role_names(user) == {roles.STAFF, roles.TECHNICAL}
    assert mail.outbox == []
    assert not OutboxEmail.objects.exists()
    assert "Email a link to set a password" in response.content.decode()
    event = AuditEvent.objects.get(action="school.user.created")
    assert event.actor == admin_user
    assert event.object_id == str(user.pk)
    assert event.detail == {"roles": [roles.STAFF, roles.TECHNICAL], "active": True}


def test_the_create_page_explains_how_the_person_sets_a_password(admin_client, settings):
    settings.SITE_URL = "https://portal.school.example"
    content = admin_client.get(CREATE_URL).content.decode()
    assert 'data-testid="password-explanation"' in content
    assert "Forgotten your password?" in content
    # The address people are told is the portal's public one, as in emails.
    assert "https://portal.school.example/accounts/login/" in content


def test_the_create_page_describes_each_role(admin_client):
    content = admin_client.get(CREATE_URL).content.decode()
    for name in roles.ALL:
        assert f'value="{name}"' in content
    assert "plus restricted cases" in content  # the Headteacher's description
    assert "Never sees case details" in content  # the Governor's


def test_a_new_account_can_set_its_password_by_reset(admin_client, client):
    admin_client.post(CREATE_URL, user_data())
    client.post(reverse("password_reset"), {"email": "New.Teacher@school.example"})
    assert any("new.teacher@school.example" in email.to for email in OutboxEmail.objects.all())


def test_an_existing_account_with_a_password_gets_a_reset_email(client, staff_user):
    """Control for the test above: the reset path itself works."""
    client.post(reverse("password_reset"), {"email": staff_user.email})
    assert any(staff_user.email in email.to for email in OutboxEmail.objects.all())


def test_an_email_already_used_is_refused_whatever_its_case(admin_client):
    UserFactory(email="taken@school.example")
    response = admin_client.post(CREATE_URL, user_data(email="TAKEN@School.example", first_name="Typed"))
    assert response.status_code == 200
    assert "Another account already uses this email address" in str(response.context["form"].errors["email"])
    assert User.objects.filter(email__iexact="taken@school.example").count() == 1
    content = response.content.decode()
    assert 'value="TAKEN@School.example"' in content
    assert 'value="Typed"' in content


def test_an_email_used_by_a_legacy_mixed_case_account_is_refused(admin_client):
    legacy = UserFactory()
    User.objects.filter(pk=legacy.pk).update(email="Legacy.Person@School.example")
    response = admin_client.post(CREATE_URL, user_data(email="legacy.person@school.example"))
    assert "email" in response.context["form"].errors


@pytest.mark.parametrize("overrides", [
    {"email": "not-an-email"}, {"email": ""}, {"first_name": ""}, {"last_name": ""},
    {"roles": ["Emperor"]}, {"job_title": "x" * 500},
])
def test_bad_values_are_refused_with_a_message(admin_client, overrides):
    response = admin_client.post(CREATE_URL, user_data(**overrides))
    assert response.status_code == 200
    assert set(overrides) <= set(response.context["form"].errors)
    assert not User.objects.filter(first_name="Nia").exists()


# --- Editing --------------------------------------------------------------------------------


def test_admin_edits_details_and_roles(admin_client, admin_user):
    person = user_with_role(roles.STAFF, roles.TECHNICAL, email="sam@school.example", job_title="Technician")
    response = admin_client.post(edit_url(person), data_for(person, job_title="Network manager",
                                                            roles=[roles.TECHNICAL, roles.ONLINE_SAFETY_LEAD]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.job_title == "Network manager"
    assert role_names(person) == {roles.TECHNICAL, roles.ONLINE_SAFETY_LEAD}
    updated = AuditEvent.objects.get(action="school.user.updated")
    assert updated.detail == {"fields": ["job_title"]}
    changed = AuditEvent.objects.get(action="school.user.roles_changed")
    assert changed.detail == {"added": [roles.ONLINE_SAFETY_LEAD], "removed": [roles.STAFF],
                              "roles": [roles.ONLINE_SAFETY_LEAD, roles.TECHNICAL]}
    assert "Network manager" not in json.dumps(updated.detail)


def test_saving_without_changes_writes_no_event(admin_client):
    person = user_with_role(roles.STAFF)
    admin_client.post(edit_url(person), data_for(person))
    assert not AuditEvent.objects.filter(action__startswith="school.user").exists()


def test_other_groups_are_left_alone_when_roles_change(admin_client):
    person = user_with_role(roles.STAFF)
    person.groups.add(Group.objects.create(name="Trip leaders"))
    admin_client.post(edit_url(person), data_for(person, roles=[roles.GOVERNOR]))
    assert role_names(person) == {roles.GOVERNOR, "Trip leaders"}


def test_the_edit_form_shows_the_roles_held(admin_client):
    person = user_with_role(roles.DSL, roles.STAFF)
    form = admin_client.get(edit_url(person)).context["form"]
    assert form["roles"].value() == [roles.DSL, roles.STAFF]


def test_an_administrator_cannot_remove_their_own_administrator_role(admin_client, admin_user):
    response = admin_client.post(edit_url(admin_user), data_for(admin_user, roles=[roles.STAFF]))
    assert response.status_code == 200
    assert "You cannot remove your own Administrator role" in response.content.decode()
    assert role_names(admin_user) == {roles.ADMINISTRATOR}


def test_an_administrator_may_change_their_own_other_roles(admin_client, admin_user):
    response = admin_client.post(edit_url(admin_user), data_for(admin_user, roles=[roles.ADMINISTRATOR, roles.DSL]))
    assert response.status_code == 302
    assert role_names(admin_user) == {roles.ADMINISTRATOR, roles.DSL}


def test_an_administrator_may_remove_another_administrators_role(admin_client):
    other = user_with_role(roles.ADMINISTRATOR)
    admin_client.post(edit_url(other), data_for(other, roles=[roles.STAFF]))
    assert role_names(other) == {roles.STAFF}


def test_an_administrator_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(edit_url(admin_user), data_for(admin_user, is_active=None,
                                                                confirm_deactivation="on"))
    assert response.status_code == 200
    assert "You cannot deactivate your own account" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_deactivating_asks_for_confirmation_first(admin_client):
    person = user_with_role(roles.STAFF, job_title="Teacher")
    response = admin_client.post(edit_url(person), data_for(person, is_active=None, job_title="Former teacher"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="confirm-deactivation"' in content
    assert "no longer be able to sign in" in content
    assert 'value="Former teacher"' in content
    person.refresh_from_db()
    assert person.is_active and person.job_title == "Teacher"


def test_a_confirmed_deactivation_keeps_the_account_and_stops_sign_in(admin_client, client):
    person = user_with_role(roles.DSL, email="leaver@school.example")
    response = admin_client.post(edit_url(person), data_for(person, is_active=None, confirm_deactivation="on"))
    assert response.status_code == 302
    person = User.objects.get(pk=person.pk)
    assert not person.is_active
    assert role_names(person) == {roles.DSL}  # kept, so reactivating restores them
    assert AuditEvent.objects.get(action="school.user.updated").detail == {"fields": ["is_active"], "active": False}
    assert not client.login(email="leaver@school.example", password=DEFAULT_PASSWORD)


def test_deactivating_a_named_person_warns_about_the_profile(admin_client):
    person = user_with_role(roles.DSL)
    SchoolProfile.objects.create(pk=1, name="Riverside", dsl=person)
    response = admin_client.post(edit_url(person), data_for(person, is_active=None, confirm_deactivation="on"),
                                 follow=True)
    assert "still named on the school profile" in response.content.decode()


def test_a_deactivated_account_can_be_reactivated_with_its_roles(admin_client):
    person = user_with_role(roles.GOVERNOR, is_active=False)
    response = admin_client.get(edit_url(person))
    assert response.context["form"]["roles"].value() == [roles.GOVERNOR]
    admin_client.post(edit_url(person), data_for(person, is_active="on"))
    person = User.objects.get(pk=person.pk)
    assert person.is_active
    assert person.has_role(roles.GOVERNOR)


def test_editing_to_an_email_another_account_uses_is_refused(admin_client):
    UserFactory(email="taken@school.example")
    person = UserFactory(email="mine@school.example")
    response = admin_client.post(edit_url(person), data_for(person, email="Taken@school.example"))
    assert "email" in response.context["form"].errors
    person.refresh_from_db()
    assert person.email == "mine@school.example"


def test_keeping_your_own_email_is_not_a_clash(admin_client):
    person = UserFactory(email="mine@school.example")
    assert admin_client.post(edit_url(person), data_for(person, email="MINE@school.example")).status_code == 302


def test_editing_an_unknown_account_is_not_found(admin_client):
    assert admin_client.get(reverse("school:staff_edit", args=[98765])).status_code == 404


# --- The list -------------------------------------------------------------------------------


def listed(response):
    return [person.pk for person in response.context["page_obj"]]


def test_list_shows_active_accounts_with_their_roles(admin_client, admin_user):
    teacher = user_with_role(roles.STAFF, roles.DSL, first_name="Ada", last_name="Lovelace")
    gone = user_with_role(roles.STAFF, is_active=False)
    response = admin_client.get(LIST_URL)
    assert set(listed(response)) == {admin_user.pk, teacher.pk}
    assert gone.pk not in listed(response)
    content = response.content.decode()
    assert "Designated Safeguarding Lead, Staff" in content
    assert "has not set a password" not in content


def test_list_filters_by_status(admin_client, admin_user):
    gone = user_with_role(roles.STAFF, is_active=False)
    assert listed(admin_client.get(LIST_URL, {"status": "inactive"})) == [gone.pk]
    assert set(listed(admin_client.get(LIST_URL, {"status": "all"}))) == {admin_user.pk, gone.pk}


def test_list_filters_by_role(admin_client, admin_user, governor_user):
    nobody = UserFactory()
    assert listed(admin_client.get(LIST_URL, {"role": roles.GOVERNOR})) == [governor_user.pk]
    assert listed(admin_client.get(LIST_URL, {"role": "none"})) == [nobody.pk]


@pytest.mark.parametrize("query", ["lovelace", "ADA", "countess@", "analyst"])
def test_list_search_matches_name_email_and_job_title(admin_client, query):
    ada = UserFactory(first_name="Ada", last_name="Lovelace", email="countess@school.example", job_title="Analyst")
    UserFactory(first_name="Charles", last_name="Babbage", job_title="Engineer")
    assert listed(admin_client.get(LIST_URL, {"q": query})) == [ada.pk]


def test_list_is_paginated_keeping_filters(admin_client, django_assert_max_num_queries):
    for _ in range(60):
        user_with_role(roles.STAFF, job_title="Teaching assistant")
    first = admin_client.get(LIST_URL, {"q": "assistant"})
    assert len(listed(first)) == 50
    assert 'href="?q=assistant&amp;page=2"' in first.content.decode()
    assert len(listed(admin_client.get(LIST_URL, {"q": "assistant", "page": 2}))) == 10
    with django_assert_max_num_queries(11):  # 10 for the page, 1 for the agreements-to-sign prompt
        admin_client.get(LIST_URL)


@pytest.mark.parametrize("params", [{"role": "Emperor"}, {"status": "x"}, {"page": "-1"}, {"q": "'\""}])
def test_bad_list_parameters_never_crash(admin_client, params):
    assert admin_client.get(LIST_URL, params).status_code == 200


@pytest.mark.parametrize("role", [roles.DSL, roles.ONLINE_SAFETY_LEAD, roles.STAFF, roles.TECHNICAL, roles.GOVERNOR])
def test_staff_pages_are_for_administrators_and_the_headteacher_only(client, role):
    user = user_with_role(role)
    client.force_login(user)
    assert client.get(LIST_URL).status_code == 404
    assert client.get(CREATE_URL).status_code == 404
    assert client.post(CREATE_URL, user_data()).status_code == 404
    assert client.post(edit_url(user), data_for(user, roles=[roles.ADMINISTRATOR])).status_code == 404
    assert role_names(user) == {role}
    assert not User.objects.filter(email="new.teacher@school.example").exists()


def test_new_accounts_start_with_the_staff_role_ticked(admin_client):
    form = admin_client.get(CREATE_URL).context["form"]
    assert form["roles"].value() == [roles.STAFF]
