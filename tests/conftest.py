import pytest

from safety_portal.school import roles
from tests.factories import user_with_role


@pytest.fixture
def admin_user(db):
    return user_with_role(roles.ADMINISTRATOR, email="office@school.example")


@pytest.fixture
def dsl_user(db):
    return user_with_role(roles.DSL, email="dsl@school.example")


@pytest.fixture
def staff_user(db):
    return user_with_role(roles.STAFF, email="teacher@school.example")


@pytest.fixture
def governor_user(db):
    return user_with_role(roles.GOVERNOR, email="governor@school.example")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def dsl_client(client, dsl_user):
    client.force_login(dsl_user)
    return client
