"""With 10,000 incidents and 1,500 pupils, the dashboard and a case page cost what they cost with 20."""

import pytest

from incidents.models import Incident
from safety_portal.school import roles
from tests.factories import user_with_role
from tests.incidents.factories import bulk_school

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.TECHNICAL])
def test_dashboard_queries_do_not_grow_with_ten_thousand_incidents(client, count_queries, role):
    user = user_with_role(role, roles.STAFF)
    client.force_login(user)
    bulk_school(20, 30, user, batch=1)
    few, _response = count_queries(client, "/")
    bulk_school(10_000, 1_500, user, batch=2)
    many, response = count_queries(client, "/")
    assert many == few
    assert b'data-panel="my_concerns"' in response.content


def test_case_page_queries_do_not_grow_with_ten_thousand_incidents(dsl_client, dsl_user, count_queries):
    bulk_school(20, 30, dsl_user, batch=1)
    case = Incident.objects.filter(sensitivity__lt=3).order_by("pk").first()
    few, _response = count_queries(dsl_client, f"/incidents/{case.pk}/")
    bulk_school(10_000, 1_500, dsl_user, batch=2)
    many, response = count_queries(dsl_client, f"/incidents/{case.pk}/")
    assert many == few
    assert case.reference in response.content.decode()
