"""A pupil's online-safety history on their page: only the incidents the reader may open."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import IncidentType, PupilRole, Status
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role
from tests.incidents.factories import IncidentFactory, IncidentPupilFactory

pytestmark = pytest.mark.django_db


def _history(response):
    assert response.status_code == 200
    return [link.incident.reference for link in response.context.get("incident_history", [])]


def _page(client, pupil):
    return client.get(reverse("school:pupil", args=[pupil.pk]))


def test_history_lists_each_incident_with_the_pupils_role_newest_first(dsl_client):
    pupil = PupilFactory()
    older = IncidentFactory(occurred_at=timezone.make_aware(datetime.datetime(2026, 1, 12, 10, 0)),
                            status=Status.CLOSED)
    newer = IncidentFactory(occurred_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 10, 0)),
                            incident_type=IncidentType.ONLINE_HATE)
    IncidentPupilFactory(incident=older, pupil=pupil, role=PupilRole.INSTIGATOR)
    IncidentPupilFactory(incident=newer, pupil=pupil, role=PupilRole.WITNESS)
    IncidentPupilFactory(incident=IncidentFactory())  # another pupil's
    response = _page(dsl_client, pupil)
    assert _history(response) == [newer.reference, older.reference]
    content = response.content.decode()
    row = re.search(rf'<tr data-incident="{newer.pk}">(.*?)</tr>', content, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == [newer.reference, "4 Mar 2026", "Online hate", "New: awaiting triage", "Witness"]
    assert f'href="{reverse("incidents:detail", args=[newer.pk])}"' in row


def test_dsl_does_not_see_a_restricted_case_in_the_history_unless_named(dsl_client, dsl_user):
    pupil = PupilFactory()
    restricted = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    IncidentPupilFactory(incident=restricted, pupil=pupil)
    response = _page(dsl_client, pupil)
    assert _history(response) == []
    assert restricted.reference.encode() not in response.content
    restricted.named_people.add(dsl_user)
    assert _history(_page(dsl_client, pupil)) == [restricted.reference]


def test_headteacher_sees_restricted_cases_in_the_history(client):
    client.force_login(user_with_role(roles.HEADTEACHER))
    pupil = PupilFactory()
    restricted = IncidentFactory(incident_type=IncidentType.STAFF_MISUSE)
    IncidentPupilFactory(incident=restricted, pupil=pupil)
    assert _history(_page(client, pupil)) == [restricted.reference]


def test_office_staff_see_no_history_section_and_no_incident(admin_client):
    pupil = PupilFactory()
    incident = IncidentFactory()
    IncidentPupilFactory(incident=incident, pupil=pupil)
    response = _page(admin_client, pupil)
    assert _history(response) == []
    assert b'data-testid="incident-history"' not in response.content
    assert incident.reference.encode() not in response.content


def test_empty_history_says_what_will_appear(dsl_client):
    response = _page(dsl_client, PupilFactory())
    assert b"Any incident that names them will appear here" in response.content


def test_pupil_page_queries_do_not_grow_with_the_history(dsl_client, count_queries):
    pupil = PupilFactory()
    IncidentPupilFactory(incident=IncidentFactory(), pupil=pupil)
    url = reverse("school:pupil", args=[pupil.pk])
    few, _response = count_queries(dsl_client, url)
    for incident in IncidentFactory.create_batch(40):
        IncidentPupilFactory(incident=incident, pupil=pupil)
    many, response = count_queries(dsl_client, url)
    assert len(response.context["incident_history"]) == 41
    assert many == few
