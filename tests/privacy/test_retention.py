"""The retention report: what is due, under which rule, and who may see it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import IncidentType
from safety_portal.audit.models import AuditEvent
from safety_portal.privacy.models import RetentionSettings
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role
from tests.privacy.factories import (
    RECENTLY,
    closed_incident,
    consent_decision,
    grown_up_pupil,
    leaver,
    pupil_signature,
)

pytestmark = pytest.mark.django_db

REPORT = reverse("privacy:retention")
PERIODS = reverse("privacy:retention_periods")
BUDGET = 25


@pytest.fixture
def head_client(client):
    client.force_login(user_with_role(roles.HEADTEACHER))
    return client


def listed(response):
    return {row.split('"')[0] for row in response.content.decode().split('data-record="')[1:]}


def test_child_protection_incident_is_due_when_the_youngest_pupil_named_turns_25(dsl_client):
    due = closed_incident(pupils=[grown_up_pupil(), grown_up_pupil()])
    young_too = closed_incident(pupils=[grown_up_pupil(), PupilFactory(date_of_birth=RECENTLY)])
    still_open = closed_incident(pupils=[grown_up_pupil()])
    still_open.status = "open"
    still_open.save()
    response = dsl_client.get(REPORT, {"kind": "incident_cp"})
    assert listed(response) == {f"incident_cp:{due.pk}"}
    assert young_too.reference not in response.content.decode()


def test_an_incident_with_no_date_of_birth_is_counted_apart_and_never_due(dsl_client):
    no_birth = closed_incident(pupils=[grown_up_pupil(), PupilFactory(date_of_birth=None)])
    no_pupil = closed_incident(pupils=[])
    response = dsl_client.get(REPORT, {"kind": "incident_cp"})
    assert listed(response) == set()
    assert 'data-testid="undatable"' in response.content.decode()
    assert response.context["undatable_count"] == 2
    assert f">{no_birth.reference}</a></li>" in response.content.decode()
    assert f">{no_pupil.reference}</a></li>" in response.content.decode()


def test_other_incidents_are_due_a_set_number_of_years_after_closing(dsl_client):
    now = timezone.now()
    old = closed_incident(child_protection=False, closed_at=now - datetime.timedelta(days=365 * 6 + 5))
    recent = closed_incident(child_protection=False, closed_at=now - datetime.timedelta(days=365 * 5))
    response = dsl_client.get(REPORT, {"kind": "incident_other"})
    assert listed(response) == {f"incident_other:{old.pk}"}
    RetentionSettings.objects.create(pk=1, other_incident_years=4)
    response = dsl_client.get(REPORT, {"kind": "incident_other"})
    assert listed(response) == {f"incident_other:{old.pk}", f"incident_other:{recent.pk}"}


def test_undecided_incidents_take_the_child_protection_rule(dsl_client):
    # Closed without the DSL recording "not a child-protection concern": the longer period applies.
    undecided = closed_incident(child_protection=None, pupils=[PupilFactory(date_of_birth=RECENTLY)],
                                closed_at=timezone.now() - datetime.timedelta(days=365 * 10))
    assert f"incident_other:{undecided.pk}" not in listed(dsl_client.get(REPORT, {"kind": "incident_other"}))
    # ...and the pupil is still a child, so it is not due under that rule either.
    assert listed(dsl_client.get(REPORT, {"kind": "incident_cp"})) == set()


def test_allegations_against_staff_are_never_listed(head_client):
    closed_incident(pupils=[grown_up_pupil()], incident_type=IncidentType.STAFF_MISUSE)
    closed_incident(child_protection=False, incident_type=IncidentType.STAFF_MISUSE,
                    closed_at=timezone.now() - datetime.timedelta(days=365 * 30))
    response = head_client.get(REPORT, {"kind": "incident_cp"})
    assert response.context["kinds"][0]["count"] == 0 and response.context["kinds"][1]["count"] == 0


def test_signatures_and_consent_are_due_a_set_time_after_the_pupil_left(dsl_client):
    gone = leaver(2)
    just_gone = leaver(0)
    on_roll = PupilFactory()
    due_signature = pupil_signature(gone)
    pupil_signature(just_gone, version=due_signature.version)
    pupil_signature(on_roll, version=due_signature.version)
    due_decision = consent_decision(gone)
    consent_decision(just_gone)
    assert listed(dsl_client.get(REPORT, {"kind": "signature"})) == {f"signature:{due_signature.pk}"}
    assert listed(dsl_client.get(REPORT, {"kind": "consent"})) == {f"consent:{due_decision.pk}"}


def test_counts_per_kind(dsl_client):
    closed_incident(pupils=[grown_up_pupil()])
    closed_incident(pupils=[grown_up_pupil()])
    consent_decision(leaver(3))
    counts = {item["value"]: item["count"] for item in dsl_client.get(REPORT).context["kinds"]}
    assert counts == {"incident_cp": 2, "incident_other": 0, "signature": 0, "consent": 1}


def _make_due(n):
    version = None
    for _i in range(n):
        closed_incident(pupils=[grown_up_pupil(), grown_up_pupil()])
        closed_incident(child_protection=False, closed_at=timezone.now() - datetime.timedelta(days=365 * 8))
        closed_incident(pupils=[PupilFactory(date_of_birth=None)])
        gone = leaver(3)
        version = pupil_signature(gone, version=version).version
        consent_decision(gone)


@pytest.mark.parametrize("kind", ["incident_cp", "incident_other", "signature", "consent"])
def test_report_queries_do_not_grow_with_the_records(dsl_client, django_assert_max_num_queries, kind):
    _make_due(2)
    # The budget covers the session, the sign-in checks and the menu; the page's own part is small.
    with django_assert_max_num_queries(BUDGET) as few:
        assert dsl_client.get(REPORT, {"kind": kind}).status_code == 200
    _make_due(25)
    with django_assert_max_num_queries(len(few)):
        response = dsl_client.get(REPORT, {"kind": kind})
    assert len(listed(response)) == 27


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.STAFF, roles.GOVERNOR, roles.ONLINE_SAFETY_LEAD,
                                  roles.TECHNICAL])
def test_only_the_dsl_and_headteacher_reach_the_pages(client, role):
    client.force_login(user_with_role(role))
    for url in (REPORT, PERIODS, reverse("privacy:dispose"), reverse("privacy:subject_access")):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(REPORT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_periods_are_saved_and_audited(dsl_client, dsl_user):
    response = dsl_client.post(PERIODS, {"child_protection_years": 30, "other_incident_years": 7,
                                         "signature_years": 2, "consent_years": 3})
    assert response.status_code == 302
    saved = RetentionSettings.load()
    assert saved.periods() == {"child_protection_years": 30, "other_incident_years": 7, "signature_years": 2,
                               "consent_years": 3}
    assert saved.updated_by == dsl_user
    event = AuditEvent.objects.get(action="privacy.retention.changed")
    assert event.detail["periods"]["child_protection_years"] == {"before": 25, "after": 30}


def test_a_child_protection_period_under_25_years_is_refused_and_what_was_typed_kept(dsl_client):
    response = dsl_client.post(PERIODS, {"child_protection_years": 10, "other_incident_years": 7,
                                         "signature_years": "two", "consent_years": 3})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"child_protection_years", "signature_years"}
    content = response.content.decode()
    assert 'value="10"' in content and 'value="two"' in content
    assert not RetentionSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="privacy.retention.changed").exists()


def test_each_due_record_links_to_its_case_or_its_pupil(dsl_client):
    case = closed_incident(pupils=[grown_up_pupil()])
    other = closed_incident(child_protection=False, closed_at=timezone.now() - datetime.timedelta(days=365 * 8))
    undatable = closed_incident(pupils=[PupilFactory(date_of_birth=None)])
    gone = leaver(3)
    pupil_signature(gone)
    consent_decision(gone)
    content = dsl_client.get(REPORT, {"kind": "incident_cp"}).content.decode()
    case_url = reverse("incidents:detail", args=[case.pk])
    assert f'<a href="{case_url}" data-testid="record-link">{case.reference}</a>' in content
    undatable_url = reverse("incidents:detail", args=[undatable.pk])
    assert f'<a href="{undatable_url}">{undatable.reference}</a>' in content
    other_url = reverse("incidents:detail", args=[other.pk])
    assert f'href="{other_url}"' in dsl_client.get(REPORT, {"kind": "incident_other"}).content.decode()
    pupil_url = reverse("school:pupil", args=[gone.pk])
    for kind in ("signature", "consent"):
        content = dsl_client.get(REPORT, {"kind": kind}).content.decode()
        assert f'<a href="{pupil_url}" data-testid="record-link">' in content, kind
    # The DSL can follow each link.
    assert dsl_client.get(case_url).status_code == 200
    assert dsl_client.get(pupil_url).status_code == 200


def test_periods_of_one_year_read_in_the_singular(dsl_client):
    RetentionSettings.objects.create(pk=1, other_incident_years=1, signature_years=1, consent_years=2)
    content = dsl_client.get(REPORT).content.decode()
    assert "1 years" not in content
    assert "Other incident: 1 year after the case was closed" in content
    assert "Agreement signature: 1 year after the pupil left" in content
    assert "Photo consent: 2 years after the pupil left" in content


def test_the_page_writes_every_date_in_one_style(dsl_client):
    import re

    gone = leaver(3)
    pupil_signature(gone)
    consent_decision(gone)
    closed_incident(child_protection=False, closed_at=timezone.now() - datetime.timedelta(days=365 * 8))
    left = gone.leaving_date
    for kind in ("signature", "consent", "incident_other"):
        content = dsl_client.get(REPORT, {"kind": kind}).content.decode()
        assert not re.search(r"\d\d/\d\d/\d{4}", content), kind
    content = dsl_client.get(REPORT, {"kind": "signature"}).content.decode()
    assert f"left on {left.day} {left:%B} {left.year}" in content


def test_pressing_dispose_with_nothing_ticked_asks_for_a_tick_and_keeps_the_list(dsl_client):
    gone = leaver(3)
    pupil_signature(gone)
    response = dsl_client.get(reverse("privacy:dispose"), {"kind": "signature"})
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?kind=signature"
    page = dsl_client.get(response["Location"])
    content = page.content.decode()
    assert "Tick the records you want to dispose of." in content
    assert "none of those chosen is due" not in content
    assert page.context["kind"] == "signature"
    # The list's form carries the kind, so the button comes back to the same list.
    assert '<input type="hidden" name="kind" value="signature">' in content


def test_the_period_inputs_take_their_limits_from_the_rules_the_server_applies(dsl_client):
    content = dsl_client.get(PERIODS).content.decode()
    limits = {"child_protection_years": (25, 100), "other_incident_years": (1, 50), "signature_years": (0, 50),
              "consent_years": (0, 50)}
    for name, (low, high) in limits.items():
        tag = content.split(f'name="{name}"')[0].rsplit("<input", 1)[1] + content.split(f'name="{name}"')[1]
        tag = tag.split(">")[0]
        assert f'min="{low}"' in tag and f'max="{high}"' in tag, (name, tag)


@pytest.mark.parametrize(("posted", "field", "message"), [
    ({"child_protection_years": 24}, "child_protection_years",
     "Child-protection records must be kept for at least 25 years after the pupil's date of birth."),
    ({"child_protection_years": 101}, "child_protection_years",
     "Child-protection records can be kept for at most 100 years after the pupil's date of birth."),
    ({"other_incident_years": 0}, "other_incident_years",
     "Other incidents must be kept for at least 1 year after the case is closed."),
    ({"signature_years": -1}, "signature_years",
     "Agreement signatures must be kept for at least 0 years after the pupil leaves."),
    ({"consent_years": 51}, "consent_years",
     "Photo-consent decisions can be kept for at most 50 years after the pupil leaves."),
])
def test_a_period_out_of_range_is_refused_in_plain_english(dsl_client, posted, field, message):
    data = {"child_protection_years": 25, "other_incident_years": 6, "signature_years": 1, "consent_years": 1,
            **posted}
    response = dsl_client.post(PERIODS, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert "Ensure this value" not in response.content.decode()


def test_an_empty_post_of_the_periods_is_refused_with_errors_not_shown_as_a_fresh_form(head_client):
    response = head_client.post(PERIODS, {})
    assert response.status_code == 200
    assert response.context["form"].is_bound and response.context["form"].errors
