import datetime

import pytest
from django.utils import timezone

from incidents.models import (
    Area,
    Incident,
    IncidentPupil,
    IncidentType,
    ReferenceCounter,
    Sensitivity,
    Status,
    StatusChange,
)
from incidents.services import incident_report
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import PupilFactory, user_with_role
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "description": "Messages in a group chat calling a pupil names.",
        "occurred_at": timezone.now() - datetime.timedelta(hours=1),
        "location": "in_school",
        "incident_type": IncidentType.CYBERBULLYING,
        "area": Area.NOT_SURE,
    }
    data.update(overrides)
    return data


def _post(**overrides):
    data = {
        "description": "A pupil was shown a violent video on a phone at break.",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "in_school",
        "device_owner": "",
        "area": "not_sure",
        "incident_type": "not_sure",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_references_run_in_sequence_per_calendar_year(staff_user):
    in_2025 = timezone.make_aware(datetime.datetime(2025, 12, 31, 12))
    in_2026 = timezone.make_aware(datetime.datetime(2026, 1, 2, 9))
    first = incident_report(reporter=staff_user, data=_data(reported_at=in_2025), pupils=[])
    second = incident_report(reporter=staff_user, data=_data(reported_at=in_2025), pupils=[])
    new_year = incident_report(reporter=staff_user, data=_data(reported_at=in_2026), pupils=[])
    assert [first.reference, second.reference, new_year.reference] == ["OS-2025-0001", "OS-2025-0002",
                                                                         "OS-2026-0001"]
    assert ReferenceCounter.objects.get(year=2025).last == 2


def test_report_records_status_pupils_area_and_audit(staff_user):
    pupils = PupilFactory.create_batch(2)
    incident = incident_report(reporter=staff_user, data=_data(),
                               pupils=[(pupils[0], "affected"), (pupils[1], "instigator")])
    assert incident.status == Status.NEW
    assert incident.area == Area.CONDUCT  # from the type, as the reporter was not sure
    assert incident.sensitivity == Sensitivity.SAFEGUARDING
    assert dict(IncidentPupil.objects.filter(incident=incident).values_list("pupil_id", "role")) == {
        pupils[0].pk: "affected", pupils[1].pk: "instigator"}
    change = StatusChange.objects.get(incident=incident)
    assert (change.from_status, change.to_status) == ("", Status.NEW)
    event = AuditEvent.objects.get(action="incidents.incident.reported")
    assert event.object_id == str(incident.pk) and event.actor == staff_user
    assert "Messages" not in str(event.detail)


def test_area_chosen_by_the_reporter_is_kept(staff_user):
    incident = incident_report(reporter=staff_user, data=_data(area=Area.CONTACT), pupils=[])
    assert incident.area == Area.CONTACT


def test_staff_member_reports_a_concern_with_pupils_and_sees_the_reference(client, staff_user):
    pupil = PupilFactory()
    client.force_login(staff_user)
    response = client.post("/incidents/report/", _post(pupils=[str(pupil.pk)],
                                                       **{f"pupil_role_{pupil.pk}": "witness"}))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/incidents/report/{incident.pk}/done/"
    assert incident.reported_by == staff_user
    assert incident.pupil_links.get().role == "witness"
    done = client.get(response.url)
    assert incident.reference.encode() in done.content
    assert b"DSL team has been emailed" in done.content


def test_report_form_opens_with_the_time_set_to_now(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/incidents/report/")
    assert response.status_code == 200
    assert timezone.localtime().strftime("%Y-%m-%dT").encode() in response.content
    assert b"incidents/report.js" in response.content


def test_filtering_breach_without_web_address_is_refused_and_input_kept(client, staff_user):
    pupil = PupilFactory()
    client.force_login(staff_user)
    response = client.post("/incidents/report/", _post(
        incident_type="filtering_breach", description="Gambling site opened in ICT suite", url="",
        pupils=[str(pupil.pk)], **{f"pupil_role_{pupil.pk}": "instigator"}))
    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert "url" in response.context["form"].errors
    assert b"Gambling site opened in ICT suite" in response.content
    # The chosen pupil and their role are still there.
    assert f'name="pupil_role_{pupil.pk}"'.encode() in response.content
    assert b'value="instigator" selected' in response.content


def test_time_in_the_future_is_refused(client, staff_user):
    client.force_login(staff_user)
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/incidents/report/", _post(occurred_at=tomorrow))
    assert response.status_code == 200
    assert "occurred_at" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_nonsense_input_is_refused_without_an_error_page(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/incidents/report/", _post(occurred_at="yesterday-ish", location="moon",
                                                       pupils=["x", "999999"], pupil_role_1="boss"))
    assert response.status_code == 200
    assert not Incident.objects.exists()


def test_governor_cannot_report(client, governor_user):
    client.force_login(governor_user)
    # For a governor the incident log does not exist: "not found", not "not for you".
    assert client.get("/incidents/report/").status_code == 404
    assert client.post("/incidents/report/", _post()).status_code == 404
    assert not Incident.objects.exists()


def test_find_button_lists_matching_pupils_without_saving(client, staff_user):
    PupilFactory(first_name="Zara", last_name="Quill", reg_class="6Q")
    client.force_login(staff_user)
    response = client.post("/incidents/report/", _post(description="Kept text", pupil_query="Quill",
                                                       find_pupils="1"))
    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert b"Zara Quill" in response.content
    assert b"Kept text" in response.content
    assert not response.context["form"].errors


def test_only_dsl_and_headteacher_use_the_full_form(client, staff_user, dsl_user):
    client.force_login(staff_user)
    assert client.get("/incidents/new/").status_code == 404
    client.force_login(dsl_user)
    owner = user_with_role(roles.DSL)
    response = client.post("/incidents/new/", _post(
        severity="high", child_protection="true", owner=str(owner.pk),
        other_people="Raised by a parent by phone"))
    incident = Incident.objects.get()
    # Straight to the case, ready to work it.
    assert response.status_code == 302 and response.url == f"/incidents/{incident.pk}/"
    assert (incident.severity, incident.child_protection, incident.owner) == ("high", True, owner)
    assert incident.reported_by == dsl_user


def test_staff_see_their_own_reports_with_status_only(client, staff_user):
    mine = IncidentFactory(reported_by=staff_user, status=Status.OPEN)
    theirs = IncidentFactory()
    client.force_login(staff_user)
    listing = client.get("/incidents/mine/").content
    assert mine.reference.encode() in listing and theirs.reference.encode() not in listing
    page = client.get(f"/incidents/mine/{mine.pk}/")
    assert page.status_code == 200 and b"Open" in page.content
    assert mine.description.encode() not in page.content


def test_staff_member_cannot_open_anothers_report(client, staff_user):
    other = IncidentFactory()
    client.force_login(staff_user)
    assert client.get(f"/incidents/mine/{other.pk}/").status_code == 404
    assert client.get(f"/incidents/report/{other.pk}/done/").status_code == 404


def test_pupil_search_is_limited_to_twenty_on_roll_pupils(client, staff_user):
    PupilFactory.create_batch(25, last_name="Hartley", reg_class="4H")
    PupilFactory(last_name="Hartley", leaving_date=datetime.date(2020, 7, 20))
    client.force_login(staff_user)
    results = client.get("/incidents/pupils.json", {"q": "hartley"}).json()["results"]
    assert len(results) == 20
    assert set(results[0]) == {"id", "name", "class"} and results[0]["class"] == "4H"
    by_class = client.get("/incidents/pupils.json", {"q": "4H"}).json()["results"]
    assert len(by_class) == 20
    assert client.get("/incidents/pupils.json", {"q": "h"}).json()["results"] == []


def test_pupil_search_refuses_those_who_may_not_report(client, governor_user):
    PupilFactory(last_name="Hartley")
    client.force_login(governor_user)
    assert client.get("/incidents/pupils.json", {"q": "Hartley"}).status_code == 404
    client.logout()
    assert client.get("/incidents/pupils.json", {"q": "Hartley"}).status_code == 302


def test_odd_pupil_ids_and_nul_characters_never_break_the_report_form(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/incidents/report/", {"description": "x", "pupils": ["²", "1e3"],
                                                  "pupil_query": "ab\x00c", "find_pupils": "1"})
    assert response.status_code == 200
    assert client.get("/incidents/pupils.json", {"q": "ab\x00c"}).status_code == 200


def test_a_slip_of_the_year_and_a_pasted_document_are_refused_with_input_kept(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/incidents/report/", _post(occurred_at="1999-01-01T10:00"))
    assert response.status_code == 200 and "Check the year" in response.content.decode()
    response = client.post("/incidents/report/", _post(description="x" * 20_001))
    assert response.status_code == 200 and "description" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_teachers_see_the_start_of_what_they_wrote_to_tell_reports_apart(client, staff_user):
    IncidentFactory(reported_by=staff_user, description="Year 4 pupil found a gambling advert on a game site")
    client.force_login(staff_user)
    assert "Year 4 pupil found a gambling" in client.get("/incidents/mine/").content.decode()
