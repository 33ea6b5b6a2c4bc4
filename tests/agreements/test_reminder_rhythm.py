"""Staff are reminded at most once in any 7 days, not once per calendar week."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services
from agreements.models import Audience
from tests.agreements.factories import guardian_with_child, publish
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_a_sunday_reminder_is_not_followed_by_another_on_monday():
    teacher = user_with_role("Staff")
    sunday = datetime.date(2026, 11, 22)
    assert services.staff_reminder_claim(user=teacher, today=sunday)
    assert not services.staff_reminder_claim(user=teacher, today=sunday)
    assert not services.staff_reminder_claim(user=teacher, today=sunday + datetime.timedelta(days=1))
    assert not services.staff_reminder_claim(user=teacher, today=sunday + datetime.timedelta(days=6))
    assert services.staff_reminder_claim(user=teacher, today=sunday + datetime.timedelta(days=7))


def _send_queries(families):
    pupils = [guardian_with_child(year_group=5)[0] for _family in range(families)]
    with CaptureQueriesContext(connection) as queries:
        services.pack_send(title=f"{families} families", pupils=pupils, user=None)
    return len(queries)


def test_sending_a_pack_costs_one_insert_per_email_not_several_queries_per_link():
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    few, many = _send_queries(5), _send_queries(50)
    # Each extra family adds its email row only (rendering needs no query).
    assert many - few <= 45 + 2
