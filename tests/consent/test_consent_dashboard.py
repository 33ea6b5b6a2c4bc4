"""Photo consent on the home page: those who change consent see how many pupils must not be
photographed and why, the office also its leavers' images, governors whole-school percentages only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.dashboard import EDITORS_POSITION, GOVERNORS_POSITION, consent_panels
from consent.models import ConsentPurpose, LeaverImageReview
from safety_portal.school import extensions, roles
from tests.agreements.factories import guardian_with_child
from tests.consent.factories import decide, every_guardian_must_agree, purposes
from tests.factories import GuardianFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The panels on the home page, whether or not consent's AppConfig has registered them yet."""
    providers = list(extensions.dashboard_panel_providers)
    if consent_panels not in providers:
        providers.append(consent_panels)
    monkeypatch.setattr(extensions, "dashboard_panel_providers", providers)


def _login(client, *role_names):
    user = user_with_role(*role_names)
    client.force_login(user)
    return user


def _panel(response, key):
    return next(panel for panel in response.context["panels"] if panel.key == key)


def _keys(response):
    return {panel.key for panel in response.context["panels"]}


def _rows(panel):
    return {str(row.label): row for row in panel.rows}


def _answer_all(pupil, guardian, answer=True, **exceptions):
    """The guardian answers every purpose in use; `exceptions` by purpose name (underscored)."""
    for purpose in ConsentPurpose.objects.filter(active=True):
        decide(pupil, guardian, purpose, exceptions.get(purpose.name.replace(" ", "_"), answer))


@pytest.fixture
def school(db):
    """Five pupils on roll: yes to all, no to social media, not answered, one parent of two, and one who left."""
    purposes()
    every_guardian_must_agree()
    happy, mum = guardian_with_child()
    _answer_all(happy, mum)
    refusing, dad = guardian_with_child()
    _answer_all(refusing, dad, Official_school_social_media=False)
    silent, _carer = guardian_with_child()
    halfway, first = guardian_with_child()
    PupilGuardianFactory(pupil=halfway, guardian=GuardianFactory(), relationship="Father")
    _answer_all(halfway, first)
    left, leaver_mum = guardian_with_child()
    left.leaving_date = timezone.localdate() - datetime.timedelta(days=3)
    left.save()
    LeaverImageReview.objects.create(pupil=left)
    return {"happy": happy, "refusing": refusing, "silent": silent, "halfway": halfway, "left": left}


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD])
def test_the_office_sees_who_not_to_photograph_why_and_leavers_images(client, school, role):
    _login(client, role)
    panel = _panel(client.get("/"), "consent")
    rows = _rows(panel)
    not_yes = rows["Pupils not to photograph for at least one purpose"]
    assert not_yes.value == 3  # refusing, silent, halfway; the leaver is off roll
    assert not_yes.url == reverse("consent:do_not_photograph")
    assert rows['Pupils with a "no" from a parent'].value == 1
    assert rows["Pupils with answers still awaited"].value == 2
    assert rows["Coverage by purpose and class"].url == reverse("consent:coverage")
    leavers = rows["Leavers whose images need deleting"]
    assert (leavers.value, leavers.url) == (1, reverse("consent:leavers"))


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER])
def test_the_dsl_and_head_see_the_counts_but_not_the_leavers_list(client, school, role):
    _login(client, role)
    rows = _rows(_panel(client.get("/"), "consent"))
    assert rows["Pupils not to photograph for at least one purpose"].value == 3
    assert "Leavers whose images need deleting" not in rows
    assert reverse("consent:leavers") not in client.get("/").content.decode()


def test_the_one_parent_rule_changes_the_counts_at_once(client, school):
    _login(client, roles.ADMINISTRATOR)
    every_guardian_must_agree(False)
    rows = _rows(_panel(client.get("/"), "consent"))
    assert rows["Pupils not to photograph for at least one purpose"].value == 2  # halfway now counts as yes
    assert rows["Pupils with answers still awaited"].value == 1


def test_governors_see_whole_school_percentages_only(client, school):
    governor = _login(client, roles.GOVERNOR)
    assert consent_panels(governor)[0][0] == GOVERNORS_POSITION
    response = client.get("/")
    assert "consent" not in _keys(response)
    panel = _panel(response, "consent_coverage")
    rows = _rows(panel)
    assert rows["School website"].value == "50% yes"  # happy and refusing of four on roll
    assert rows["Official school social media"].value == "25% yes"
    assert rows["Coverage by purpose and class"].url == reverse("consent:coverage")
    content = response.content.decode()
    for pupil in school.values():
        assert pupil.last_name not in content
    assert reverse("consent:do_not_photograph") not in content and reverse("consent:leavers") not in content


@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL])
def test_staff_and_technicians_have_no_consent_panel(client, school, role):
    _login(client, role)
    assert not {"consent", "consent_coverage"} & _keys(client.get("/"))


def test_an_editor_who_is_also_a_governor_sees_the_fuller_panel_once(school):
    user = user_with_role(roles.HEADTEACHER, roles.GOVERNOR)
    assert [(position, panel.key) for position, panel in consent_panels(user)] == [(EDITORS_POSITION, "consent")]


def test_with_no_pupils_the_panels_say_what_will_appear(client):
    _login(client, roles.DSL)
    panel = _panel(client.get("/"), "consent")
    assert panel.rows == [] and "will appear here" in panel.empty_text
    _login(client, roles.GOVERNOR)
    assert _panel(client.get("/"), "consent_coverage").rows == []


def _add_families(count):
    for index in range(count):
        pupil, guardian = guardian_with_child()
        PupilGuardianFactory(pupil=pupil, guardian=GuardianFactory(), relationship="Father")
        _answer_all(pupil, guardian, index % 2 == 0)


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.GOVERNOR])
def test_the_panels_cost_the_same_queries_however_many_pupils(client, count_queries, role):
    purposes()
    _login(client, role)
    _add_families(2)
    few, _response = count_queries(client, "/")
    _add_families(25)
    many, response = count_queries(client, "/")
    assert few == many
    assert {"consent", "consent_coverage"} & _keys(response)


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.GOVERNOR])
def test_the_panels_take_a_handful_of_queries(django_assert_max_num_queries, role):
    purposes()
    _add_families(10)
    user = user_with_role(role)
    assert user.has_role(role)  # loads the roles, which the home page has already done
    with django_assert_max_num_queries(6):
        consent_panels(user)
