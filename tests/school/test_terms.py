"""Terms: which term a day belongs to for reporting, and the term pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safety_portal.audit.models import AuditEvent
from safety_portal.school.models import Term
from tests.factories import TermFactory, school_year

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years():
    """2024/25 and 2025/26: autumn 3 Sep–19 Dec, spring 6 Jan–27 Mar, summer 14 Apr–22 Jul."""
    autumn24, spring24, summer24 = school_year(2024)
    autumn25, spring25, summer25 = school_year(2025)
    return {"autumn24": autumn24, "spring24": spring24, "summer24": summer24,
            "autumn25": autumn25, "spring25": spring25, "summer25": summer25}


@pytest.fixture
def today(monkeypatch):
    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day
    return set_today


# --- Which term a day belongs to ------------------------------------------------------------


def test_a_day_in_october_half_term_belongs_to_autumn(two_years):
    assert Term.objects.for_date(D(2025, 10, 29)) == two_years["autumn25"]


def test_christmas_day_belongs_to_autumn(two_years):
    assert Term.objects.for_date(D(2025, 12, 25)) == two_years["autumn25"]


def test_the_day_before_spring_starts_still_belongs_to_autumn(two_years):
    assert Term.objects.for_date(D(2026, 1, 5)) == two_years["autumn25"]
    assert Term.objects.for_date(D(2026, 1, 6)) == two_years["spring25"]


def test_a_day_in_the_easter_holiday_belongs_to_spring(two_years):
    assert Term.objects.for_date(D(2026, 4, 6)) == two_years["spring25"]


def test_a_day_in_the_summer_holiday_belongs_to_summer(two_years):
    assert Term.objects.for_date(D(2025, 8, 10)) == two_years["summer24"]


def test_the_day_before_autumn_starts_belongs_to_the_previous_summer(two_years):
    assert Term.objects.for_date(D(2025, 9, 2)) == two_years["summer24"]
    assert Term.objects.for_date(D(2025, 9, 3)) == two_years["autumn25"]


def test_a_day_before_the_first_term_belongs_to_no_term(two_years):
    assert Term.objects.for_date(D(2024, 9, 2)) is None


def test_reporting_period_runs_to_the_day_before_the_next_term(two_years):
    autumn = two_years["autumn25"]
    assert autumn.reporting_start == D(2025, 9, 3)
    assert autumn.reporting_end == D(2026, 1, 5)
    assert two_years["summer24"].reporting_end == D(2025, 9, 2)


def test_summer_reporting_runs_to_31_august_until_the_next_year_is_entered():
    summer = school_year(2025)[2]
    assert summer.reporting_end == D(2026, 8, 31)
    assert Term.objects.for_date(D(2026, 8, 10)) == summer
    assert Term.objects.for_date(D(2026, 9, 1)) is None


def test_other_terms_report_to_their_last_day_until_the_next_term_is_entered():
    autumn = TermFactory(academic_year=2025, name="autumn", start_date=D(2025, 9, 3), end_date=D(2025, 12, 19))
    assert autumn.reporting_end == D(2025, 12, 19)
    assert Term.objects.for_date(D(2025, 12, 25)) is None


def test_current_term_is_the_one_whose_reporting_period_covers_today(two_years, today):
    today(D(2026, 2, 17))  # February half-term
    assert Term.objects.current() == two_years["spring25"]
    today(D(2025, 12, 31))
    assert Term.objects.current() == two_years["autumn25"]


def test_there_is_no_current_term_when_none_covers_today(two_years, today):
    today(D(2030, 1, 1))
    assert Term.objects.current() is None


def test_previous_terms_are_the_earlier_ones_newest_first(two_years):
    previous = list(Term.objects.previous(two_years["spring25"]))
    assert previous == [two_years["autumn25"], two_years["summer24"], two_years["spring24"], two_years["autumn24"]]
    assert list(Term.objects.previous(two_years["autumn24"])) == []


# --- Term.clean() ---------------------------------------------------------------------------


def test_clean_refuses_a_term_overlapping_an_existing_one(two_years):
    term = Term(academic_year=2026, name="autumn", start_date=D(2026, 7, 1), end_date=D(2026, 12, 18))
    with pytest.raises(ValidationError, match="overlap"):
        term.clean()


def test_clean_refuses_a_term_that_ends_before_it_starts():
    term = Term(academic_year=2026, name="autumn", start_date=D(2026, 9, 3), end_date=D(2026, 9, 2))
    with pytest.raises(ValidationError) as error:
        term.clean()
    assert "end_date" in error.value.message_dict


def test_clean_does_not_count_a_term_as_overlapping_itself(two_years):
    autumn = two_years["autumn25"]
    autumn.end_date = D(2025, 12, 18)
    autumn.clean()


# --- Entering a year ------------------------------------------------------------------------

YEAR_URL = reverse("school:term_year_create")


def year_data(year, **overrides):
    data = {
        "academic_year": str(year),
        "autumn_start": f"{year}-09-03", "autumn_end": f"{year}-12-18",
        "spring_start": f"{year + 1}-01-05", "spring_end": f"{year + 1}-03-26",
        "summer_start": f"{year + 1}-04-13", "summer_end": f"{year + 1}-07-21",
    }
    data.update(overrides)
    return data


def test_admin_enters_a_whole_year_in_one_form(admin_client, admin_user):
    response = admin_client.post(YEAR_URL, year_data(2026))
    assert response.status_code == 302
    assert response.url == reverse("school:terms")
    terms = list(Term.objects.order_by("start_date"))
    assert [(t.academic_year, t.name, t.start_date, t.end_date) for t in terms] == [
        (2026, "autumn", D(2026, 9, 3), D(2026, 12, 18)),
        (2026, "spring", D(2027, 1, 5), D(2027, 3, 26)),
        (2026, "summer", D(2027, 4, 13), D(2027, 7, 21)),
    ]
    events = AuditEvent.objects.filter(action="school.term.created").order_by("sequence")
    assert [event.detail["term"] for event in events] == ["autumn", "spring", "summer"]
    assert {event.actor_id for event in events} == {admin_user.pk}


def test_year_form_accepts_dates_typed_the_british_way(admin_client):
    data = year_data(2026, autumn_start="03/09/2026", autumn_end="18/12/2026")
    assert admin_client.post(YEAR_URL, data).status_code == 302
    assert Term.objects.get(name="autumn").start_date == D(2026, 9, 3)


def test_year_form_defaults_to_the_next_year_without_terms(admin_client, two_years, today):
    today(D(2025, 10, 1))
    response = admin_client.get(YEAR_URL)
    assert response.context["form"]["academic_year"].value() == 2026


def test_year_form_defaults_to_this_academic_year_when_none_is_entered(admin_client, today):
    today(D(2026, 3, 1))
    response = admin_client.get(YEAR_URL)
    assert response.context["form"]["academic_year"].value() == 2025


def test_a_year_already_entered_is_refused(admin_client):
    school_year(2026)
    response = admin_client.post(YEAR_URL, year_data(2026))
    assert response.status_code == 200
    assert "already entered" in str(response.context["form"].errors["academic_year"])
    assert Term.objects.count() == 3


def test_a_term_ending_before_it_starts_is_refused_and_what_was_typed_is_kept(admin_client):
    response = admin_client.post(YEAR_URL, year_data(2026, spring_end="2027-01-02"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "must end on or after its first day" in str(form.errors["spring_end"])
    assert Term.objects.count() == 0
    content = response.content.decode()
    assert 'value="2027-01-02"' in content
    assert 'value="2026-09-03"' in content
    assert 'value="2026"' in content


def test_terms_out_of_order_are_refused(admin_client):
    response = admin_client.post(YEAR_URL, year_data(2026, spring_start="2026-12-01"))
    assert "must start after Autumn ends" in str(response.context["form"].errors["spring_start"])
    assert Term.objects.count() == 0


def test_dates_outside_the_academic_year_are_refused(admin_client):
    response = admin_client.post(YEAR_URL, year_data(2026, autumn_start="2025-09-03"))
    assert "must fall between 1 Aug 2026 and 31 Aug 2027" in str(response.context["form"].errors["autumn_start"])
    assert Term.objects.count() == 0


def test_a_year_overlapping_existing_terms_is_refused(admin_client):
    # An unusually late summer term that runs into August.
    TermFactory(academic_year=2025, name="summer", start_date=D(2026, 4, 14), end_date=D(2026, 8, 14))
    response = admin_client.post(YEAR_URL, year_data(2026, autumn_start="2026-08-10"))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("overlap Summer 2025/26" in error for error in errors)
    assert Term.objects.count() == 1


@pytest.mark.parametrize("overrides", [
    {"academic_year": "abc"},
    {"academic_year": "99999"},
    {"autumn_start": "31/02/2026"},
    {"autumn_end": "next week"},
    {"summer_end": ""},
])
def test_bad_values_are_reported_not_crashed_on(admin_client, overrides):
    response = admin_client.post(YEAR_URL, year_data(2026, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Term.objects.count() == 0


def test_year_form_is_for_administrators_only(dsl_client):
    assert dsl_client.get(YEAR_URL).status_code == 404
    assert dsl_client.post(YEAR_URL, year_data(2026)).status_code == 404
    assert Term.objects.count() == 0


# --- Editing one term -----------------------------------------------------------------------


def test_admin_changes_a_terms_dates(admin_client, two_years):
    spring = two_years["spring25"]
    response = admin_client.post(reverse("school:term_edit", args=[spring.pk]),
                                 {"start_date": "2026-01-07", "end_date": "2026-03-27"})
    assert response.status_code == 302
    spring.refresh_from_db()
    assert spring.start_date == D(2026, 1, 7)
    event = AuditEvent.objects.get(action="school.term.updated")
    assert event.detail["fields"] == ["start_date"]
    assert event.detail["before"] == {"start_date": "2026-01-06"}
    assert event.detail["after"] == {"start_date": "2026-01-07"}
    # The term before it now reports up to the new first day.
    assert Term.objects.get(pk=two_years["autumn25"].pk).reporting_end == D(2026, 1, 6)


def test_editing_a_term_to_overlap_its_neighbour_is_refused(admin_client, two_years):
    spring = two_years["spring25"]
    response = admin_client.post(reverse("school:term_edit", args=[spring.pk]),
                                 {"start_date": "2025-12-15", "end_date": "2026-03-27"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="2025-12-15"' in response.content.decode()
    spring.refresh_from_db()
    assert spring.start_date == D(2026, 1, 6)


def test_editing_a_term_to_end_before_it_starts_is_refused(admin_client, two_years):
    spring = two_years["spring25"]
    response = admin_client.post(reverse("school:term_edit", args=[spring.pk]),
                                 {"start_date": "2026-01-06", "end_date": "2026-01-01"})
    assert "end_date" in response.context["form"].errors
    assert not AuditEvent.objects.filter(action="school.term.updated").exists()


def test_editing_an_unknown_term_is_not_found(admin_client):
    assert admin_client.get(reverse("school:term_edit", args=[999])).status_code == 404


# --- The list -------------------------------------------------------------------------------


def test_term_list_groups_terms_by_year_and_marks_the_current_term(admin_client, two_years, today):
    today(D(2025, 12, 25))
    response = admin_client.get(reverse("school:terms"))
    assert response.status_code == 200
    content = response.content.decode()
    assert [year for year, _terms in response.context["years"]] == [2025, 2024]
    assert "2025/26" in content and "2024/25" in content
    assert response.context["current"] == two_years["autumn25"]
    assert f'data-term="{two_years["autumn25"].pk}" class="table-primary" data-current="true"' in content
    assert content.count('data-current="true"') == 1
    # Reporting period of Autumn 2025: first day to the day before Spring starts.
    assert "3 Sep 2025 – 5 Jan 2026" in content
    assert "holidays count in the term before them" in content


def test_term_list_costs_the_same_queries_however_many_terms(admin_client, two_years, count_queries):
    few, _response = count_queries(admin_client, reverse("school:terms"))
    for year in range(2026, 2036):
        school_year(year)
    many, response = count_queries(admin_client, reverse("school:terms"))
    assert many == few
    assert response.content.decode().count("Autumn") >= 12


def test_term_list_explains_what_to_do_when_empty(admin_client):
    response = admin_client.get(reverse("school:terms"))
    assert b'data-testid="empty"' in response.content
    assert b"No terms have been entered yet" in response.content


@pytest.mark.parametrize("data", [
    {"start_date": "not a date", "end_date": "2026-03-27"},
    {"start_date": "2026-01-06", "end_date": "32/13/2026"},
    {"start_date": "", "end_date": ""},
    {"start_date": "9999-01-01", "end_date": "9999-02-01"},
])
def test_bad_term_dates_are_reported_not_crashed_on(admin_client, two_years, data):
    spring = two_years["spring25"]
    response = admin_client.post(reverse("school:term_edit", args=[spring.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    spring.refresh_from_db()
    assert spring.start_date == D(2026, 1, 6)


def test_a_term_entered_by_mistake_can_be_deleted_after_confirming(admin_client):
    autumn, spring, summer = school_year(2030)
    url = reverse("school:term_delete", args=[spring.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and Term.objects.filter(pk=spring.pk).exists()
    assert admin_client.post(url).status_code == 302
    assert not Term.objects.filter(pk=spring.pk).exists()
    event = AuditEvent.objects.get(action="school.term.deleted")
    assert event.detail["start_date"] == spring.start_date.isoformat()
    # Autumn now reports up to the day before summer starts.
    autumn.refresh_from_db()
    assert autumn.reporting_end == summer.start_date - datetime.timedelta(days=1)


def test_only_administrators_delete_terms(client, dsl_user):
    term = school_year(2030)[0]
    client.force_login(dsl_user)
    assert client.post(reverse("school:term_delete", args=[term.pk])).status_code == 404
    assert Term.objects.filter(pk=term.pk).exists()
