"""The agreements' panels on the home page: signing packs for the office, the record for its readers,
and each person's own agreements to sign."""

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Audience
from safety_portal.school import roles
from tests.agreements.factories import guardian_with_child, make_link, publish, publish_all
from tests.factories import PupilFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db


def _panel(response, key):
    return next(panel for panel in response.context["panels"] if panel.key == key)


def _keys(response):
    return {panel.key for panel in response.context["panels"]}


def _rows(panel):
    return {str(row.label): row for row in panel.rows}


def _login(client, *role_names):
    user = user_with_role(*role_names)
    client.force_login(user)
    return user


def test_the_office_sees_its_latest_packs_with_children_signed_and_those_outstanding(client):
    office = _login(client, roles.ADMINISTRATOR)
    publish_all()
    signed, mum = guardian_with_child(year_group=5)
    waiting, dad = guardian_with_child(year_group=5)
    pack, _unreached = services.pack_send(title="Class 5A", pupils=[signed, waiting], user=office)
    link = pack.links.get(pupil=signed)
    services.signature_record_for_guardian(link=link, typed_name="Mum", discussed_with_child=True)
    PupilFactory(year_group=6)  # on roll, in no pack yet
    rows = _rows(_panel(client.get("/"), "signing"))
    assert rows["Class 5A"].value == "1 of 2 children signed"
    assert rows["Class 5A"].url == reverse("agreements:pack", args=[pack.pk])
    outstanding = rows["Children with no parent signature yet"]
    assert outstanding.value == 2
    assert outstanding.url == reverse("agreements:compliance_audience", args=[Audience.PARENT]) + "?status=outstanding"
    assert rows["Send a pack to parents"].url == reverse("agreements:pack_new")


def test_a_child_signed_for_on_paper_counts_as_signed_in_their_pack(client):
    office = _login(client, roles.ADMINISTRATOR)
    publish_all()
    pupil, guardian = guardian_with_child(year_group=5)
    pack, _unreached = services.pack_send(title="Reception", pupils=[pupil], user=office)
    services.signature_record_paper(pupil=pupil, guardian=guardian, signed_on=pack.created_at.date(),
                                    typed_name="On Paper", discussed_with_child=True, recorded_by=office)
    assert _rows(_panel(client.get("/"), "signing"))["Reception"].value == "1 of 1 children signed"


def test_the_signing_panel_is_for_the_office_only(client):
    publish_all()
    _login(client, roles.ONLINE_SAFETY_LEAD)
    assert "signing" not in _keys(client.get("/"))


def test_compliance_readers_see_each_audience_percent_and_what_is_not_published(client):
    reader = _login(client, roles.DSL)
    publish(Audience.STAFF)
    publish(Audience.PARENT)
    services.signature_record_for_account(user=reader, version=services.current_version_for(Audience.STAFF),
                                          typed_name="Dee Ess-Ell")
    user_with_role(roles.STAFF)
    guardian_with_child(year_group=5)
    rows = _rows(_panel(client.get("/"), "aup_compliance"))
    assert rows[str(Audience.STAFF.label)].value == "1 of 2 (50%)"
    assert rows[str(Audience.PARENT.label)].value == "0 of 1 (0%)"
    assert str(rows[str(Audience.GOVERNOR.label)].value) == "not published yet"
    assert rows[str(Audience.STAFF.label)].url == reverse("agreements:compliance_audience", args=["staff"])
    assert rows["Who has signed: the full record"].url == reverse("agreements:compliance")


def test_before_anything_is_published_the_compliance_panel_says_what_it_will_show(client):
    _login(client, roles.ONLINE_SAFETY_LEAD)
    response = client.get("/")
    assert _panel(response, "aup_compliance").rows == []
    assert "Who has signed the current agreement for each audience" in response.content.decode()


@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL, roles.GOVERNOR])
def test_the_compliance_panel_is_for_compliance_readers_only(client, role):
    publish_all()
    _login(client, role)
    assert "aup_compliance" not in _keys(client.get("/"))


def test_everyone_sees_their_own_agreements_to_sign_until_they_sign(client):
    teacher = _login(client, roles.STAFF)
    staff_version = publish(Audience.STAFF)
    publish(Audience.GOVERNOR)
    panel = _panel(client.get("/"), "to_sign")
    assert [(str(row.label), row.url) for row in panel.rows] == [
        (staff_version.title, reverse("agreements:sign", args=["staff"]))]
    services.signature_record_for_account(user=teacher, version=staff_version, typed_name="A Teacher")
    response = client.get("/")
    assert _panel(response, "to_sign").rows == []
    assert "Agreements waiting for your signature will appear here" in response.content.decode()


def test_a_governor_is_asked_to_sign_the_governor_agreement(client):
    _login(client, roles.GOVERNOR)
    publish(Audience.STAFF)
    governor_version = publish(Audience.GOVERNOR)
    rows = _panel(client.get("/"), "to_sign").rows
    assert [row.url for row in rows] == [reverse("agreements:sign", args=["governor"])]
    assert str(rows[0].label) == governor_version.title


def test_home_page_queries_stay_the_same_as_packs_pupils_and_signatures_grow(client, count_queries):
    office = _login(client, roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD, roles.STAFF)
    publish_all()

    def grow(count):
        pupils = []
        for _n in range(count):
            pupil, _guardian = guardian_with_child(year_group=5)
            PupilGuardianFactory(pupil=pupil)
            pupils.append(pupil)
        pack, _unreached = services.pack_send(title=f"Pack of {count}", pupils=pupils, user=office)
        for link in pack.links.all()[: count // 2]:
            try:
                services.signature_record_for_guardian(link=link, typed_name="Parent", discussed_with_child=True)
            except services.AlreadySigned:
                pass
        make_link(year_group=3)

    grow(2)
    few, _response = count_queries(client, "/")
    for size in (10, 12, 14):
        grow(size)
    many, response = count_queries(client, "/")
    assert many == few
    assert len(_panel(response, "signing").rows) == 3 + 2  # the latest three packs, outstanding, send
