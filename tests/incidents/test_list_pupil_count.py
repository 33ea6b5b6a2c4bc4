"""The incident list's pupil count, worked out per listed row (bench/RESULTS.md, issue 9).

At 10,000 incidents a join-and-GROUP-BY count ran over every incident the reader may see before
the page's 50 were picked; a per-row subquery is evaluated for the rows shown only.
"""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.incidents.factories import IncidentFactory, IncidentPupilFactory

URL = reverse("incidents:list")
pytestmark = pytest.mark.django_db


def test_each_row_counts_its_own_pupils_including_none(dsl_client):
    none, one, three = IncidentFactory(), IncidentFactory(), IncidentFactory()
    IncidentPupilFactory(incident=one)
    IncidentPupilFactory.create_batch(3, incident=three)
    counts = {incident.pk: incident.pupil_count for incident in dsl_client.get(URL).context["page_obj"]}
    assert counts == {none.pk: 0, one.pk: 1, three.pk: 3}


def test_export_counts_each_incidents_pupils(dsl_client):
    lone, pair = IncidentFactory(), IncidentFactory()
    IncidentPupilFactory(incident=lone)
    IncidentPupilFactory.create_batch(2, incident=pair)
    response = dsl_client.get(reverse("incidents:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    pupils = rows[0].index("Pupils")
    assert {row[0]: row[pupils] for row in rows[1:]} == {lone.reference: "1", pair.reference: "2"}


def test_the_list_does_not_group_every_visible_incident_to_count_pupils(dsl_client):
    IncidentPupilFactory.create_batch(2, incident=IncidentFactory())
    with CaptureQueriesContext(connection) as queries:
        assert dsl_client.get(URL).status_code == 200
    listing = [query["sql"] for query in queries.captured_queries
               if 'FROM "incidents_incident"' in query["sql"] and "LIMIT" in query["sql"]]
    assert listing, "the page's query was not found"
    # The subquery groups one incident's links; the page's own query must not group incidents.
    assert all('GROUP BY "incidents_incident"."id"' not in sql for sql in listing)
