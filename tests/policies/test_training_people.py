"""The training log's people page and CSV: each person's standing, induction, filters, summary and export."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from policies import services, training
from policies.models import TrainingKind
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

PEOPLE = reverse("policies:training_people")
CSV = reverse("policies:training_people_csv")


def _long_ago():
    return timezone.now() - datetime.timedelta(days=800)


def person(*role_names, joined=None, **fields):
    """Someone with an account opened long ago unless `joined` says otherwise (new staff need induction)."""
    return user_with_role(*(role_names or [roles.STAFF]), date_joined=joined or _long_ago(), **fields)


@pytest.fixture
def lead(client):
    user = person(roles.ONLINE_SAFETY_LEAD, first_name="Lead", last_name="Zz-Lead")
    services.training_session_record(held_on=timezone.localdate(), title="DSL course", provider="LA",
                                     kind=TrainingKind.DSL, attendees=[user], actor=user)
    client.force_login(user)
    return user


def trained(people, held_on, kind=TrainingKind.ANNUAL, title="Annual safeguarding update"):
    return services.training_session_record(held_on=held_on, title=title, provider="The DSL", kind=kind,
                                            attendees=list(people), actor=people[0])


def _rows(response):
    assert response.status_code == 200
    return {row.person.pk: row for row in response.context["rows"]}


def _standing(client, user, **params):
    return _rows(client.get(PEOPLE, params))[user.pk].standing


def _summary(response):
    return {tally.key: tally for tally in response.context["summary_rows"]}


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


# --- Standing ---------------------------------------------------------------------------------


def test_training_exactly_twelve_months_ago_still_counts(client, lead):
    cutoff = training.refresher_cutoff(timezone.localdate())
    teacher = person()
    trained([teacher], cutoff)
    assert _standing(client, teacher) == training.Standing.TRAINED


def test_training_twelve_months_and_a_day_ago_is_due(client, lead):
    cutoff = training.refresher_cutoff(timezone.localdate())
    teacher = person()
    trained([teacher], cutoff - datetime.timedelta(days=1))
    assert _standing(client, teacher) == training.Standing.DUE


def test_someone_with_no_training_has_never_trained(client, lead):
    teacher = person(first_name="Owen", last_name="Hargreaves")
    assert _standing(client, teacher) == training.Standing.NEVER
    page = client.get(PEOPLE).content.decode()
    assert "Never trained" in page


def test_other_training_is_listed_but_is_not_a_refresher(client, lead):
    teacher = person()
    today = timezone.localdate()
    trained([teacher], today - datetime.timedelta(days=3), kind=TrainingKind.OTHER, title="First aid")
    row = _rows(client.get(PEOPLE))[teacher.pk]
    assert row.standing == training.Standing.NEVER
    assert row.person.last_trained_on is None
    assert row.person.last_any_on == today - datetime.timedelta(days=3)


def test_the_latest_refresher_counts_not_the_first(client, lead):
    teacher = person()
    today = timezone.localdate()
    trained([teacher], today - datetime.timedelta(days=500))
    trained([teacher], today - datetime.timedelta(days=20), kind=TrainingKind.INDUCTION)
    row = _rows(client.get(PEOPLE))[teacher.pk]
    assert row.standing == training.Standing.TRAINED
    assert row.person.last_trained_on == today - datetime.timedelta(days=20)


def test_deactivated_accounts_and_people_without_a_role_are_not_listed(client, lead):
    gone = person(is_active=False)
    nobody = user_with_role(date_joined=_long_ago())
    listed = _rows(client.get(PEOPLE))
    assert gone.pk not in listed
    assert nobody.pk not in listed


# --- Induction --------------------------------------------------------------------------------


def test_new_staff_without_induction_are_flagged(client, lead):
    newcomer = person(joined=timezone.now() - datetime.timedelta(days=30))
    row = _rows(client.get(PEOPLE))[newcomer.pk]
    assert row.induction_outstanding
    assert 'data-testid="induction-outstanding"' in client.get(PEOPLE).content.decode()


def test_new_staff_with_induction_are_not_flagged(client, lead):
    newcomer = person(joined=timezone.now() - datetime.timedelta(days=30))
    trained([newcomer], timezone.localdate() - datetime.timedelta(days=25), kind=TrainingKind.INDUCTION)
    assert not _rows(client.get(PEOPLE))[newcomer.pk].induction_outstanding


def test_annual_training_alone_does_not_count_as_induction(client, lead):
    newcomer = person(joined=timezone.now() - datetime.timedelta(days=30))
    trained([newcomer], timezone.localdate() - datetime.timedelta(days=25))
    row = _rows(client.get(PEOPLE))[newcomer.pk]
    assert row.standing == training.Standing.TRAINED
    assert row.induction_outstanding


def test_a_new_governor_is_never_flagged_for_induction(client, lead):
    governor = person(roles.GOVERNOR, joined=timezone.now() - datetime.timedelta(days=10))
    assert not _rows(client.get(PEOPLE))[governor.pk].induction_outstanding


def test_an_old_account_is_not_flagged_for_induction(client, lead):
    veteran = person()
    assert not _rows(client.get(PEOPLE))[veteran.pk].induction_outstanding


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def school(lead):
    today = timezone.localdate()
    people = {
        "current": person(first_name="Helen", last_name="Ashworth"),
        "due": person(first_name="Marcus", last_name="Bellamy"),
        "never": person(first_name="Priya", last_name="Carrington"),
        "newcomer": person(first_name="Samir", last_name="Delaney", joined=timezone.now()),
        "governor": person(roles.GOVERNOR, first_name="Joanna", last_name="Everett"),
        "staff_governor": person(roles.STAFF, roles.GOVERNOR, first_name="Callum", last_name="Fairbairn"),
    }
    trained([people["current"], people["staff_governor"]], today - datetime.timedelta(days=40))
    trained([people["due"], people["governor"]], today - datetime.timedelta(days=400),
            kind=TrainingKind.GOVERNOR)
    people["lead"] = lead
    return people


def _listed(client, school, **params):
    ids = set(_rows(client.get(PEOPLE, params)))
    return {name for name, user in school.items() if user.pk in ids}


def test_filter_due_lists_those_due_and_those_never_trained(client, school):
    assert _listed(client, school, show="due") == {"due", "never", "newcomer", "governor"}


def test_filter_induction_outstanding(client, school):
    assert _listed(client, school, show="induction") == {"newcomer"}


def test_filter_staff_and_governors(client, school):
    assert _listed(client, school, show="staff") == {"current", "due", "never", "newcomer", "staff_governor",
                                                     "lead"}
    assert _listed(client, school, show="governors") == {"governor", "staff_governor"}


def test_name_search(client, school):
    assert _listed(client, school, q="carrington") == {"never"}
    assert _listed(client, school, q="Helen Ash") == {"current"}


def test_an_unknown_filter_shows_an_error_and_everyone(client, school):
    response = client.get(PEOPLE, {"show": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert _listed(client, school, show="nonsense") == set(school)


def test_summary_counts_staff_and_governors_separately(client, school):
    summary = _summary(client.get(PEOPLE))
    staff, governors, everyone = summary["staff"], summary["governors"], summary["everyone"]
    # Staff: the lead, Helen and Callum trained; Marcus due; Priya and Samir never. Callum is both.
    assert (staff.people, staff.trained, staff.due, staff.never, staff.induction) == (6, 3, 1, 2, 1)
    assert staff.trained_percent == 50
    assert (governors.people, governors.trained, governors.due, governors.never) == (2, 1, 1, 0)
    assert governors.trained_percent == 50
    assert (everyone.people, everyone.trained, everyone.due, everyone.never, everyone.induction) == (7, 3, 2, 2, 1)
    page = client.get(PEOPLE).content.decode()
    assert 'data-testid="share-staff">50%' in page


def test_the_page_links_to_the_sessions_and_the_csv(client, lead):
    page = client.get(PEOPLE, {"show": "due"}).content.decode()
    assert reverse("policies:training") in page
    assert f"{CSV}?show=due" in page


# --- CSV --------------------------------------------------------------------------------------


def test_csv_lists_everyone_with_their_training_and_is_audited(client, school):
    today = timezone.localdate()
    lines = _csv(client.get(CSV))
    assert lines[0] == ["Name", "Email", "Roles", "Last safeguarding training", "Last training of any kind",
                        "Standing", "Induction outstanding"]
    by_name = {line[0]: line for line in lines[1:]}
    assert len(by_name) == 7
    current = school["current"]
    assert by_name["Helen Ashworth"] == [
        "Helen Ashworth", current.email, "Staff", (today - datetime.timedelta(days=40)).isoformat(),
        (today - datetime.timedelta(days=40)).isoformat(), "Trained", "No"]
    assert by_name["Priya Carrington"][3:] == ["", "", "Never trained", "No"]
    assert by_name["Samir Delaney"][5:] == ["Never trained", "Yes"]
    assert by_name["Callum Fairbairn"][2] == "Staff, Governor"
    assert by_name["Marcus Bellamy"][5] == "Due"
    event = AuditEvent.objects.get(action="policies.training.exported")
    assert event.actor == school["lead"]
    assert event.detail == {"rows": 7, "filters": {"show": "all"}}


def test_csv_respects_the_filters(client, school):
    lines = _csv(client.get(CSV, {"show": "governors", "q": "Everett"}))
    assert [line[0] for line in lines[1:]] == ["Joanna Everett"]
    event = AuditEvent.objects.get(action="policies.training.exported")
    assert event.detail == {"rows": 1, "filters": {"show": "governors", "q": "Everett"}}


def test_csv_with_a_filter_that_cannot_be_read_exports_nothing(client, school):
    response = client.get(CSV, {"show": "nonsense"})
    assert response.status_code == 302
    assert response["Location"].startswith(PEOPLE)
    assert not AuditEvent.objects.filter(action="policies.training.exported").exists()


def test_csv_cells_never_run_as_formulas(client, lead):
    sneaky = person(first_name="=HYPERLINK(\"http://evil.example\")", last_name="-1+2")
    trained([sneaky], timezone.localdate() - datetime.timedelta(days=5), title="=cmd|' /C calc'!A0")
    lines = _csv(client.get(CSV))
    row = next(line for line in lines[1:] if line[1] == sneaky.email)
    assert row[0] == "'=HYPERLINK(\"http://evil.example\") -1+2"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


# --- Access and scale -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.STAFF, roles.GOVERNOR, roles.TECHNICAL])
def test_people_outside_the_training_readers_get_404(client, role):
    client.force_login(person(role))
    assert client.get(PEOPLE).status_code == 404
    assert client.get(CSV).status_code == 404
    assert not AuditEvent.objects.filter(action="policies.training.exported").exists()


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD])
def test_training_readers_see_the_people_page_and_csv(client, role):
    client.force_login(person(role))
    assert client.get(PEOPLE).status_code == 200
    assert len(_csv(client.get(CSV))) == 2


def _staff_room(count):
    """`count` people (one in four a governor), each at several sessions of different kinds."""
    today = timezone.localdate()
    people = [person(roles.GOVERNOR if n % 4 == 0 else roles.STAFF, joined=timezone.now() if n % 3 else None)
              for n in range(count)]
    for days, kind in ((20, TrainingKind.ANNUAL), (200, TrainingKind.INDUCTION), (500, TrainingKind.OTHER)):
        trained(people, today - datetime.timedelta(days=days), kind=kind)
    return people


def _count(count_queries, client, url, **params):
    queries, response = count_queries(client, url, **params)
    if url == CSV:
        b"".join(response.streaming_content)
    return queries


@pytest.mark.parametrize("params", [{}, {"show": "due"}, {"show": "induction"}, {"show": "governors"},
                                    {"q": "a"}])
def test_people_page_and_csv_take_the_same_number_of_queries_at_5_and_100_people(client, lead, count_queries,
                                                                                   params):
    _staff_room(5)
    small = (_count(count_queries, client, PEOPLE, **params), _count(count_queries, client, CSV, **params))
    _staff_room(95)
    large = (_count(count_queries, client, PEOPLE, **params), _count(count_queries, client, CSV, **params))
    assert large == small


def test_a_big_school_is_paged(client, lead):
    _staff_room(60)
    first = client.get(PEOPLE)
    assert len(first.context["rows"]) == 50
    second = client.get(PEOPLE, {"page": 2})
    assert len(second.context["rows"]) == 11
    assert len(_csv(client.get(CSV))) == 62
