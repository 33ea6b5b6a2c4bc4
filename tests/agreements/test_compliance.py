"""The record of who has signed: who may read it, who counts as signed, the breakdowns, filters and CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, Audience, Signature
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.agreements.factories import guardian_with_child, make_link, publish
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("agreements:compliance")


def _url(audience):
    return reverse("agreements:compliance_audience", args=[audience])


def _reader(client, role=roles.ONLINE_SAFETY_LEAD):
    user = user_with_role(role)
    client.force_login(user)
    return user


def _sign(user, audience):
    version = Agreement.objects.get(audience=audience).current_version
    return services.signature_record_for_account(user=user, version=version, typed_name=user.get_full_name())


def _parent_signs(link):
    return services.signature_record_for_guardian(link=link, typed_name="A Parent", discussed_with_child=True)


def _pupil_signs(pupil, *, teacher=None):
    session = services.device_session_start(kind="class", user=teacher or user_with_role(roles.STAFF),
                                            reg_class=pupil.reg_class)
    return services.signature_record_for_pupil(device_session=session, pupil=pupil, typed_name="Me")


def _rows(response):
    """The list's rows as {person pk: status}."""
    return {row.person.pk: ("signed" if row.is_signed else "outstanding") for row in response.context["rows"]}


def _overview_row(response, audience):
    return next(summary for summary in response.context["summaries"] if summary.audience == audience)


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


# --- Who may read it ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL, roles.GOVERNOR])
def test_people_outside_the_compliance_readers_are_refused(client, role):
    _reader(client, role)
    assert client.get(OVERVIEW).status_code == 404
    assert client.get(_url(Audience.PARENT)).status_code == 404
    assert client.get(_url(Audience.PARENT), {"format": "csv"}).status_code == 404
    assert not AuditEvent.objects.filter(action="agreements.compliance.exported").exists()


@pytest.mark.parametrize("role", [roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER])
def test_compliance_readers_may_open_every_audience(client, role):
    _reader(client, role)
    assert client.get(OVERVIEW).status_code == 200
    for audience in Audience:
        assert client.get(_url(audience)).status_code == 200, audience


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(OVERVIEW)
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_audience_is_not_found(client):
    _reader(client)
    assert client.get(_url("everyone")).status_code == 404


# --- The overview -------------------------------------------------------------------------------

def test_overview_counts_each_audience_and_says_plainly_when_nothing_is_published(client):
    _reader(client)  # the online-safety lead is staff too: one of the two who must sign
    publish(Audience.STAFF)
    teacher = user_with_role(roles.STAFF)
    _sign(teacher, Audience.STAFF)
    response = client.get(OVERVIEW)
    staff = _overview_row(response, Audience.STAFF)
    assert (staff.total, staff.signed, staff.outstanding, staff.percent) == (2, 1, 1, 50)
    governors = _overview_row(response, Audience.GOVERNOR)
    assert not governors.is_published
    content = response.content.decode()
    row = content.split('data-audience="governor"')[1].split("</tr>")[0]
    assert "Not published yet" in row and "0%" not in row
    assert "50%" in content.split('data-audience="staff"')[1].split("</tr>")[0]


def test_a_percentage_shows_100_only_when_everyone_has_signed(client):
    _reader(client)
    publish(Audience.STAFF)
    signers = [user_with_role(roles.STAFF) for _n in range(200)]
    for user in signers:
        _sign(user, Audience.STAFF)
    staff = _overview_row(client.get(OVERVIEW), Audience.STAFF)
    assert (staff.signed, staff.total, staff.percent) == (200, 201, 99)  # the reader has not signed


def test_a_signature_counts_until_a_version_asks_everyone_to_sign_again(client):
    _reader(client, roles.DSL)
    publish(Audience.STAFF)
    _sign(user_with_role(roles.STAFF), Audience.STAFF)
    publish(Audience.STAFF, body="Small wording fix.")
    assert _overview_row(client.get(OVERVIEW), Audience.STAFF).signed == 1
    publish(Audience.STAFF, body="New rules on AI tools.", requires_resign=True)
    assert _overview_row(client.get(OVERVIEW), Audience.STAFF).signed == 0


# --- Who counts ---------------------------------------------------------------------------------

def test_staff_are_active_holders_of_any_role_but_governor_and_governors_sign_their_own(client):
    reader = _reader(client, roles.HEADTEACHER)
    publish(Audience.STAFF)
    publish(Audience.GOVERNOR)
    technician = user_with_role(roles.TECHNICAL)
    governor = user_with_role(roles.GOVERNOR)
    both = user_with_role(roles.STAFF, roles.GOVERNOR)
    left = user_with_role(roles.STAFF, is_active=False)
    no_role = user_with_role()
    staff_rows = _rows(client.get(_url(Audience.STAFF)))
    assert set(staff_rows) == {reader.pk, technician.pk, both.pk}
    assert left.pk not in staff_rows and no_role.pk not in staff_rows and governor.pk not in staff_rows
    assert set(_rows(client.get(_url(Audience.GOVERNOR)))) == {governor.pk, both.pk}


def test_the_social_media_agreement_is_for_its_named_signers_only(client):
    _reader(client)
    social = publish(Audience.SOCIAL_MEDIA).agreement
    named, other = user_with_role(roles.STAFF), user_with_role(roles.STAFF)
    social.named_signers.add(named)
    _sign(named, Audience.SOCIAL_MEDIA)
    assert _rows(client.get(_url(Audience.SOCIAL_MEDIA))) == {named.pk: "signed"}
    assert other.pk not in _rows(client.get(_url(Audience.SOCIAL_MEDIA)))


def test_pupils_count_in_their_key_stage_on_roll_and_only_their_own_signature_makes_them_signed(client):
    _reader(client)
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    signed_self = PupilFactory(year_group=3, reg_class="3A")
    parent_only, guardian = guardian_with_child(year_group=6, reg_class="6B")
    link, _token = make_link(pupil=parent_only, guardian=guardian)
    _parent_signs(link)
    _pupil_signs(signed_self)
    year_seven = PupilFactory(year_group=7, reg_class="7A")
    left = PupilFactory(year_group=4, leaving_date=timezone.localdate() - datetime.timedelta(days=1))
    response = client.get(_url(Audience.PUPIL_KS2))
    assert _rows(response) == {signed_self.pk: "signed", parent_only.pk: "outstanding"}
    assert year_seven.pk not in _rows(response) and left.pk not in _rows(response)
    # A parent's signature on the key-stage agreement is shown beside the child, but is not the child's.
    row = response.content.decode().split(f'data-person="{parent_only.pk}"')[1].split("</tr>")[0]
    assert str(guardian) in row


def test_a_child_counts_as_signed_for_parents_when_any_guardian_signed_and_shows_who(client):
    _reader(client, roles.ADMINISTRATOR)
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    pupil, mum = guardian_with_child(year_group=5)
    dad = GuardianFactory(first_name="Tariq", last_name="Varley")
    PupilGuardianFactory(pupil=pupil, guardian=dad)
    waiting, _guardian = guardian_with_child(year_group=5)
    link, _token = make_link(pupil=pupil, guardian=dad)
    _parent_signs(link)
    response = client.get(_url(Audience.PARENT))
    assert _rows(response) == {pupil.pk: "signed", waiting.pk: "outstanding"}
    row = response.content.decode().split(f'data-person="{pupil.pk}"')[1].split("</tr>")[0]
    assert "Tariq Varley" in row and str(mum) not in row
    signature = Signature.objects.get(guardian=dad, version__agreement__audience=Audience.PARENT)
    assert reverse("agreements:signature", args=[signature.pk]) in row


def test_a_parent_signature_on_a_version_before_everyone_must_sign_again_leaves_the_child_outstanding(client):
    _reader(client)
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    link, _token = make_link(year_group=5)
    _parent_signs(link)
    publish(Audience.PARENT, body="Changed.", requires_resign=True)
    assert _rows(client.get(_url(Audience.PARENT))) == {link.pupil.pk: "outstanding"}


def test_outstanding_children_show_where_each_guardians_latest_link_stands(client):
    _reader(client, roles.ADMINISTRATOR)
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    pupil, mum = guardian_with_child(year_group=5)
    dad = GuardianFactory(first_name="Mark", last_name="Thorne")
    PupilGuardianFactory(pupil=pupil, guardian=dad)
    old_link, _token = make_link(pupil=pupil, guardian=mum)
    services.link_revoke(link=old_link, user=None)
    mum_link, _token = make_link(pupil=pupil, guardian=mum)
    services.link_opened(mum_link)
    dad_link, _token = make_link(pupil=pupil, guardian=dad, pack=mum_link.pack,
                                 expires_in=datetime.timedelta(days=-1))
    type(dad_link).objects.filter(pk=dad_link.pk).update(reminders_sent=2)
    nobody, _guardian = guardian_with_child(year_group=5)
    content = client.get(_url(Audience.PARENT)).content.decode()
    row = content.split(f'data-person="{pupil.pk}"')[1].split("</tr>")[0]
    assert f"{mum}: sent" in row and "opened" in row
    assert f"{dad}: last sent" in row and "2 reminders" in row and "expired" in row
    assert "revoked" not in row  # an older pack's link is history
    assert "No link sent" in content.split(f'data-person="{nobody.pk}"')[1].split("</tr>")[0]


# --- Breakdowns ---------------------------------------------------------------------------------

def test_pupil_and_parent_audiences_break_down_by_year_group_and_class(client):
    _reader(client)
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    for reg_class, year, signed in (("5A", 5, True), ("5A", 5, False), ("5B", 5, True), ("6A", 6, False)):
        pupil = PupilFactory(year_group=year, reg_class=reg_class)
        if signed:
            _pupil_signs(pupil)
    response = client.get(_url(Audience.PUPIL_KS2))
    by_year = {str(tally.label): (tally.signed, tally.total, tally.percent) for tally in response.context["by_year"]}
    assert by_year == {"Year 5": (2, 3, 66), "Year 6": (0, 1, 0)}
    by_class = {tally.label: (tally.signed, tally.total) for tally in response.context["by_class"]}
    assert by_class == {"5A": (1, 2), "5B": (1, 1), "6A": (0, 1)}
    assert 'href="?reg_class=5A"' in response.content.decode()
    parent_years = {str(t.label): t.total for t in client.get(_url(Audience.PARENT)).context["by_year"]}
    assert parent_years == {"Year 5": 3, "Year 6": 1}


def test_staff_break_down_by_role(client):
    reader = _reader(client, roles.ONLINE_SAFETY_LEAD)
    publish(Audience.STAFF)
    teacher, technician = user_with_role(roles.STAFF), user_with_role(roles.TECHNICAL)
    _sign(teacher, Audience.STAFF)
    _sign(reader, Audience.STAFF)
    by_role = {str(t.label): (t.signed, t.total) for t in client.get(_url(Audience.STAFF)).context["by_role"]}
    assert by_role == {"Online-safety lead": (1, 1), "Staff": (1, 1), "Technical staff": (0, 1)}
    assert technician.pk in _rows(client.get(_url(Audience.STAFF), {"role": roles.TECHNICAL}))
    assert set(_rows(client.get(_url(Audience.STAFF), {"role": roles.TECHNICAL}))) == {technician.pk}


# --- Filters and pages --------------------------------------------------------------------------

def test_filters_by_status_year_group_class_and_name(client):
    _reader(client)
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    signed = PupilFactory(year_group=5, reg_class="5A", first_name="Isla", last_name="Hughes")
    link, _token = make_link(pupil=signed, guardian=GuardianFactory(first_name="Joanne", last_name="Quinlan"))
    PupilGuardianFactory(pupil=signed, guardian=link.guardian)
    _parent_signs(link)
    waiting = PupilFactory(year_group=5, reg_class="5B", first_name="Noah", last_name="Green")
    other_year = PupilFactory(year_group=6, reg_class="6A", first_name="Leo", last_name="Walker")
    url = _url(Audience.PARENT)
    assert set(_rows(client.get(url, {"status": "signed"}))) == {signed.pk}
    assert set(_rows(client.get(url, {"status": "outstanding"}))) == {waiting.pk, other_year.pk}
    assert set(_rows(client.get(url, {"year": 6}))) == {other_year.pk}
    assert set(_rows(client.get(url, {"reg_class": "5B"}))) == {waiting.pk}
    assert set(_rows(client.get(url, {"q": "noah"}))) == {waiting.pk}
    # The office is often asked by a parent: the parent's name finds their child.
    assert set(_rows(client.get(url, {"q": "Quinlan"}))) == {signed.pk}
    assert set(_rows(client.get(url, {"status": "outstanding", "year": 5}))) == {waiting.pk}


def test_a_filter_that_cannot_be_read_is_shown_as_an_error_not_a_crash(client):
    _reader(client)
    publish(Audience.PARENT)
    pupil = PupilFactory(year_group=5)
    response = client.get(_url(Audience.PARENT), {"year": "not-a-year", "status": "maybe"})
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert set(_rows(response)) == {pupil.pk}  # the bad filters are ignored, not applied


def test_the_list_shows_fifty_at_a_time(client):
    _reader(client)
    publish(Audience.PARENT)
    PupilFactory.create_batch(51, year_group=5)
    first = client.get(_url(Audience.PARENT))
    assert len(first.context["rows"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(_url(Audience.PARENT), {"page": 2}).context["rows"]) == 1


def test_an_unpublished_agreement_says_so_instead_of_a_list(client):
    _reader(client)
    PupilFactory(year_group=5)
    response = client.get(_url(Audience.PUPIL_KS2))
    assert 'data-testid="not-published"' in response.content.decode()
    assert "rows" not in response.context


def test_visitors_show_sign_ins_this_month_and_link_to_the_visitor_log(client):
    _reader(client, roles.ADMINISTRATOR)
    publish(Audience.VISITOR)
    kiosk = services.device_session_start(kind="kiosk", user=user_with_role(roles.ADMINISTRATOR))
    for name in ("Ann Visitor", "Bob Visitor"):
        services.visitor_sign_in(kiosk=kiosk, full_name=name, organisation="", purpose="Meeting", typed_name=name)
    response = client.get(_url(Audience.VISITOR))
    assert response.context["summary"].visits_this_month == 2
    assert reverse("agreements:visitors") in response.content.decode()
    overview = client.get(OVERVIEW).content.decode()
    assert "2 visitors signed in this month" in overview.split('data-audience="visitor"')[1].split("</tr>")[0]


# --- CSV ----------------------------------------------------------------------------------------

def test_export_holds_the_filtered_list_is_audited_and_cannot_run_formulas(client):
    reader = _reader(client, roles.DSL)
    publish(Audience.PARENT)
    publish(Audience.PUPIL_KS2)
    pupil = PupilFactory(year_group=5, reg_class="5A", first_name="=HYPERLINK(1)", last_name="@Sum")
    guardian = GuardianFactory(first_name="+Plus", last_name="-Minus", title="")
    PupilGuardianFactory(pupil=pupil, guardian=guardian)
    link, _token = make_link(pupil=pupil, guardian=guardian)
    _parent_signs(link)
    PupilFactory(year_group=5, reg_class="5B")
    response = client.get(_url(Audience.PARENT), {"reg_class": "5A", "format": "csv"})
    rows = _csv(response)
    assert len(rows) == 1
    assert rows[0]["First name"] == "'=HYPERLINK(1)" and rows[0]["Surname"] == "'@Sum"
    assert rows[0]["Status"] == "Signed" and rows[0]["Signed by"] == "'+Plus -Minus"
    assert rows[0]["How"] == "Typed name" and rows[0]["Class"] == "5A"
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="agreements.compliance.exported")
    assert event.actor == reader
    assert event.detail["audience"] == "parent" and event.detail["rows"] == 1
    assert event.detail["filters"] == {"reg_class": "5A"}


def test_export_of_staff_lists_name_roles_and_evidence(client):
    _reader(client, roles.HEADTEACHER)
    publish(Audience.STAFF)
    teacher = user_with_role(roles.STAFF, first_name="Ruth", last_name="Kendrick")
    _sign(teacher, Audience.STAFF)
    rows = {row["Name"]: row for row in _csv(client.get(_url(Audience.STAFF), {"format": "csv"}))}
    assert rows["Ruth Kendrick"]["Status"] == "Signed" and rows["Ruth Kendrick"]["Roles"] == "Staff"
    assert rows["Ruth Kendrick"]["Version signed"] == "1"
    assert sum(row["Status"] == "Not signed yet" for row in rows.values()) == 1  # the headteacher


def test_export_refuses_filters_it_cannot_read_rather_than_export_everyone(client):
    _reader(client)
    publish(Audience.PARENT)
    PupilFactory(year_group=5)
    response = client.get(_url(Audience.PARENT), {"year": "x", "format": "csv"})
    assert response.status_code == 302 and "format" not in response["Location"]
    assert not AuditEvent.objects.filter(action="agreements.compliance.exported").exists()


def test_office_can_record_a_paper_form_from_the_parents_record_and_others_see_no_such_link(client):
    from agreements.models import Audience
    from safety_portal.school import roles
    from tests.agreements.factories import guardian_with_child, publish
    from tests.factories import user_with_role

    publish(Audience.PARENT)
    pupil, _guardian = guardian_with_child(year_group=5)
    url = reverse("agreements:compliance_audience", args=[Audience.PARENT])
    paper_url = reverse("agreements:paper_new", args=[pupil.pk])
    client.force_login(user_with_role(roles.ADMINISTRATOR))
    assert paper_url in client.get(url).content.decode()
    client.force_login(user_with_role(roles.ONLINE_SAFETY_LEAD))
    assert paper_url not in client.get(url).content.decode()
