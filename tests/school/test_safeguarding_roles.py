"""Only the headteacher decides who holds the Headteacher and DSL roles."""

import pytest
from django.contrib.auth.models import Group

from safety_portal.school import roles
from safety_portal.school.models import User
from tests.factories import UserFactory, user_with_role
from tests.school.test_staff import CREATE_URL, data_for, edit_url, user_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def headteacher():
    return user_with_role(roles.HEADTEACHER, roles.STAFF, email="head@school.example")


def test_administrator_cannot_make_themselves_dsl_once_there_is_a_headteacher(admin_client, admin_user,
                                                                               headteacher):
    response = admin_client.post(edit_url(admin_user),
                                 data_for(admin_user, roles=[roles.ADMINISTRATOR, roles.DSL]))
    assert response.status_code == 200
    assert "Only the headteacher" in str(response.context["form"].errors["roles"])
    assert not User.objects.get(pk=admin_user.pk).has_role(roles.DSL)


def test_administrator_cannot_create_a_dsl_account_once_there_is_a_headteacher(admin_client, headteacher):
    response = admin_client.post(CREATE_URL, user_data(roles=[roles.STAFF, roles.DSL]))
    assert response.status_code == 200
    assert not User.objects.filter(email="new.teacher@school.example").exists()


def test_administrator_cannot_redirect_a_dsls_email(admin_client, headteacher):
    dsl = user_with_role(roles.DSL, email="dsl@school.example")
    response = admin_client.post(edit_url(dsl), data_for(dsl, email="attacker@elsewhere.example"))
    assert response.status_code == 200
    assert "only the headteacher can change their email" in str(response.context["form"].errors["email"])
    assert User.objects.get(pk=dsl.pk).email == "dsl@school.example"


def test_administrator_may_still_manage_everyone_else(admin_client, headteacher):
    teacher = user_with_role(roles.STAFF)
    response = admin_client.post(edit_url(teacher), data_for(teacher, email="renamed@school.example",
                                                              roles=[roles.STAFF, roles.ONLINE_SAFETY_LEAD]))
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.email == "renamed@school.example" and teacher.has_role(roles.ONLINE_SAFETY_LEAD)


def test_headteacher_with_the_administrator_role_can_appoint_a_dsl(client, headteacher):
    headteacher.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.force_login(User.objects.get(pk=headteacher.pk))
    teacher = user_with_role(roles.STAFF)
    response = client.post(edit_url(teacher), data_for(teacher, roles=[roles.STAFF, roles.DSL]))
    assert response.status_code == 302
    assert User.objects.get(pk=teacher.pk).has_role(roles.DSL)


def test_the_headteacher_appoints_a_dsl_without_holding_the_administrator_role(client, headteacher):
    # The office is told to ask the headteacher, so the headteacher must be able to do it.
    client.force_login(headteacher)
    teacher = user_with_role(roles.STAFF)
    assert client.get(edit_url(teacher)).status_code == 200
    response = client.post(edit_url(teacher), data_for(teacher, roles=[roles.STAFF, roles.DSL]))
    assert response.status_code == 302
    assert User.objects.get(pk=teacher.pk).has_role(roles.DSL)


def test_during_set_up_without_a_headteacher_the_administrator_appoints_one(admin_client):
    person = UserFactory(email="new.head@school.example")
    response = admin_client.post(edit_url(person), data_for(person, roles=[roles.HEADTEACHER, roles.STAFF]))
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).has_role(roles.HEADTEACHER)


@pytest.mark.parametrize("role", [roles.HEADTEACHER, roles.DSL])
def test_administrator_cannot_deactivate_a_safeguarding_account_to_reopen_set_up(admin_client, admin_user,
                                                                                 headteacher, role):
    person = headteacher if role == roles.HEADTEACHER else user_with_role(roles.DSL)
    response = admin_client.post(edit_url(person), data_for(person, is_active=None, confirm_deactivation="on"))
    assert response.status_code == 200
    assert "only the headteacher can deactivate" in str(response.context["form"].errors["is_active"])
    assert User.objects.get(pk=person.pk).is_active
    # And so the administrator still cannot make themselves DSL.
    response = admin_client.post(edit_url(admin_user), data_for(admin_user, roles=[roles.ADMINISTRATOR, roles.DSL]))
    assert response.status_code == 200
    assert not User.objects.get(pk=admin_user.pk).has_role(roles.DSL)


def test_headteacher_can_deactivate_a_dsl_who_has_left(client, headteacher):
    headteacher.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.force_login(User.objects.get(pk=headteacher.pk))
    dsl = user_with_role(roles.DSL)
    response = client.post(edit_url(dsl), data_for(dsl, is_active=None, confirm_deactivation="on"))
    assert response.status_code == 302
    assert not User.objects.get(pk=dsl.pk).is_active
