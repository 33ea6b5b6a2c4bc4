"""The pupil list and a pupil's page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safety_portal.school import roles
from safety_portal.school.models import YearGroup
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, user_with_role

URL = reverse("school:pupils")
pytestmark = pytest.mark.django_db


def listed(response):
    return [pupil.pk for pupil in response.context["page_obj"]]


def test_list_shows_pupils_on_roll_by_default(admin_client):
    present = PupilFactory(last_name="Present")
    PupilFactory(last_name="Gone", leaving_date=datetime.date(2020, 7, 20))
    leaving_soon = PupilFactory(last_name="Leaving", leaving_date=datetime.date(2999, 7, 20))
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert set(listed(response)) == {present.pk, leaving_soon.pk}


def test_list_shows_leavers_or_everyone_on_request(admin_client):
    present = PupilFactory()
    gone = PupilFactory(leaving_date=datetime.date(2020, 7, 20))
    assert listed(admin_client.get(URL, {"status": "left"})) == [gone.pk]
    assert set(listed(admin_client.get(URL, {"status": "all"}))) == {present.pk, gone.pk}


def test_list_shows_name_year_group_key_stage_and_class(admin_client):
    pupil = PupilFactory(first_name="Oliver", preferred_name="Ollie", last_name="Twist", year_group=YearGroup.Y8,
                         reg_class="8H")
    PupilGuardianFactory(pupil=pupil)
    PupilGuardianFactory(pupil=pupil)
    content = admin_client.get(URL).content.decode()
    row = re.search(rf'<tr data-pupil="{pupil.pk}">(.*?)</tr>', content, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == ["Twist, Ollie", "Year 8", "KS3", "8H", "2"]


@pytest.mark.parametrize("query", ["Hermione", "granger", "3G", "A000000999"])
def test_search_finds_a_pupil_by_name_class_or_mis_id(admin_client, query):
    wanted = PupilFactory(first_name="Hermione", last_name="Granger", reg_class="3G", mis_id="A000000999",
                          year_group=YearGroup.Y3)
    PupilFactory(first_name="Ron", last_name="Weasley", reg_class="3W", mis_id="A000000111")
    assert listed(admin_client.get(URL, {"q": query})) == [wanted.pk]


def test_search_finds_nobody_and_says_so(admin_client):
    PupilFactory(first_name="Ron")
    response = admin_client.get(URL, {"q": "Voldemort"})
    assert listed(response) == []
    assert b"No pupils match" in response.content


def test_filters_by_year_group_and_class(admin_client):
    y5b = PupilFactory(year_group=YearGroup.Y5, reg_class="5B")
    y5a = PupilFactory(year_group=YearGroup.Y5, reg_class="5A")
    reception = PupilFactory(year_group=YearGroup.RECEPTION, reg_class="RA")
    nursery = PupilFactory(year_group=YearGroup.NURSERY, reg_class="")
    assert set(listed(admin_client.get(URL, {"year": "5"}))) == {y5b.pk, y5a.pk}
    assert listed(admin_client.get(URL, {"year": "0"})) == [reception.pk]
    assert listed(admin_client.get(URL, {"year": "-1"})) == [nursery.pk]
    assert listed(admin_client.get(URL, {"reg_class": "5A"})) == [y5a.pk]
    assert listed(admin_client.get(URL, {"year": "5", "reg_class": "RA"})) == []


@pytest.mark.parametrize("params", [
    {"year": "abc"}, {"year": "42"}, {"reg_class": "no such class"}, {"status": "bogus"},
    {"page": "zzz"}, {"page": "999"}, {"q": "%_'\"<script>"},
])
def test_bad_filter_values_never_crash(admin_client, params):
    PupilFactory()
    response = admin_client.get(URL, params)
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_list_is_paginated_fifty_a_page_keeping_filters(admin_client):
    PupilFactory.create_batch(120, year_group=YearGroup.Y2, reg_class="2K")
    PupilFactory.create_batch(5, year_group=YearGroup.Y6, reg_class="6J")
    first = admin_client.get(URL, {"year": "2", "q": "2K"})
    assert len(listed(first)) == 50
    assert first.context["page_obj"].paginator.count == 120
    assert 'href="?year=2&amp;q=2K&amp;page=2"' in first.content.decode()
    third = admin_client.get(URL, {"year": "2", "q": "2K", "page": "3"})
    assert len(listed(third)) == 20
    assert 'href="?year=2&amp;q=2K&amp;page=2"' in third.content.decode()
    everyone = set()
    for page in (1, 2, 3):
        everyone.update(listed(admin_client.get(URL, {"year": "2", "page": page})))
    assert len(everyone) == 120


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), len(listed(response))


def test_list_costs_the_same_queries_however_many_pupils_and_guardians(admin_client,
                                                                        django_assert_max_num_queries):
    for pupil in PupilFactory.create_batch(3):
        PupilGuardianFactory(pupil=pupil)
    few, shown = _list_queries(admin_client)
    assert shown == 3
    for index, pupil in enumerate(PupilFactory.create_batch(300)):
        PupilGuardianFactory(pupil=pupil, relationship="Mother")
        PupilGuardianFactory(pupil=pupil, guardian=GuardianFactory(), relationship="Father")
        pupil.reg_class = f"C{index % 12}"
        pupil.year_group = index % 14
        pupil.save()
    many, shown = _list_queries(admin_client)
    assert shown == 50
    assert many == few
    with django_assert_max_num_queries(11):  # 10 for the page, 1 for the agreements-to-sign prompt
        admin_client.get(URL, {"page": 4})


# --- A pupil's page -------------------------------------------------------------------------


def test_pupil_page_shows_details_and_guardians(admin_client):
    pupil = PupilFactory(first_name="Amelia", last_name="Pond", preferred_name="Amy", year_group=YearGroup.RECEPTION,
                         reg_class="RB", date_of_birth=datetime.date(2020, 11, 5), mis_id="K123456789012")
    PupilGuardianFactory(pupil=pupil, guardian=GuardianFactory(first_name="Tabetha", last_name="Pond",
                                                               email="tabetha@home.example", phone="07700 900123"),
                         relationship="Mother", parental_responsibility=True, priority=1)
    PupilGuardianFactory(pupil=pupil, guardian=GuardianFactory(first_name="Rory", last_name="Williams", email="",
                                                               phone="07700 900456"),
                         relationship="Family friend", parental_responsibility=False, priority=2)
    response = admin_client.get(reverse("school:pupil", args=[pupil.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Amy Pond", "Amelia Pond", "K123456789012", "5 November 2020", "Reception", "Early years (EYFS)",
                 "RB", "tabetha@home.example", "07700 900123", "Mother", "Rory Williams", "Family friend"):
        assert text in content, text
    rows = re.findall(r"<tr data-guardian=.*?</tr>", content, re.S)
    assert len(rows) == 2
    assert "Tabetha" in rows[0] and ">Yes<" in rows[0]
    assert "Rory" in rows[1] and ">No<" in rows[1]
    assert "change them in the MIS and import again" in content


def test_flags_are_shown_only_to_the_dsl_team(client):
    pupil = PupilFactory(send=True)
    client.force_login(user_with_role(roles.ADMINISTRATOR))
    assert b"SEND" not in client.get(reverse("school:pupil", args=[pupil.pk])).content
    client.force_login(user_with_role(roles.DSL))
    assert b"SEND" in client.get(reverse("school:pupil", args=[pupil.pk])).content


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER])
def test_pupil_roles_may_open_a_pupil(client, role):
    pupil = PupilFactory()
    client.force_login(user_with_role(role))
    assert client.get(reverse("school:pupil", args=[pupil.pk])).status_code == 200
    assert client.get(URL).status_code == 200


def test_online_safety_lead_lists_pupils_but_cannot_open_their_records(client):
    # Names and classes are enough for agreements; dates of birth and family contacts are not.
    pupil = PupilFactory(date_of_birth=datetime.date(2015, 5, 23))
    client.force_login(user_with_role(roles.ONLINE_SAFETY_LEAD))
    listing = client.get(URL)
    assert listing.status_code == 200
    assert pupil.last_name in listing.content.decode()
    assert reverse("school:pupil", args=[pupil.pk]) not in listing.content.decode()
    assert "Parents and carers" not in listing.content.decode()
    assert client.get(reverse("school:pupil", args=[pupil.pk])).status_code == 404


@pytest.mark.parametrize("role", [roles.STAFF, roles.GOVERNOR, roles.TECHNICAL])
def test_a_pupil_page_is_not_found_for_staff_governors_and_technicians(client, role):
    pupil = PupilFactory()
    client.force_login(user_with_role(role))
    response = client.get(reverse("school:pupil", args=[pupil.pk]))
    assert response.status_code == 404
    assert pupil.last_name.encode() not in response.content
    assert client.get(URL).status_code == 404


def test_an_unknown_pupil_is_not_found(admin_client):
    assert admin_client.get(reverse("school:pupil", args=[424242])).status_code == 404
    assert admin_client.get("/school/pupils/99999999999999999999999/").status_code == 404


def test_pupil_pages_need_sign_in(client):
    pupil = PupilFactory()
    for url in (URL, reverse("school:pupil", args=[pupil.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_pupil_search_understands_the_lists_own_name_format(admin_client):
    PupilFactory(first_name="Harry", last_name="Smith")
    PupilFactory(first_name="Harriet", last_name="Okonkwo")
    content = admin_client.get(URL, {"q": "Smith, Harry"}).content.decode()
    assert "Smith, Harry" in content and "Okonkwo" not in content


def test_class_filter_lists_classes_in_school_order(admin_client):
    for year, name in [(10, "10A"), (1, "1A"), (0, "RA"), (11, "11B"), (2, "2B")]:
        PupilFactory(year_group=year, reg_class=name)
    choices = [value for value, _label in admin_client.get(URL).context["form"]
               .fields["reg_class"].choices][1:]
    assert choices == ["RA", "1A", "2B", "10A", "11B"]
