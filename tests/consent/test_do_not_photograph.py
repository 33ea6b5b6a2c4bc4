"""The "do not photograph" list names exactly the pupils whose answer is not yes, with the reason
category only, for every member of staff and nobody else."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from consent import services
from consent.models import ConsentPurpose, DecisionMethod
from safety_portal.school import roles
from safety_portal.school.models import Pupil
from tests.consent.factories import decide, every_guardian_must_agree, purpose, purposes
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("consent:do_not_photograph")


def family(first, last, *, reg_class="5A", year_group=5, parents=1, others=0, **pupil):
    """A pupil with `parents` guardians holding parental responsibility and `others` without."""
    child = PupilFactory(first_name=first, last_name=last, reg_class=reg_class, year_group=year_group, **pupil)
    guardians = []
    for index in range(parents + others):
        guardian = GuardianFactory(first_name="Parent", last_name=f"{last}-Parent{index}")
        PupilGuardianFactory(pupil=child, guardian=guardian, parental_responsibility=index < parents,
                             relationship="Mother" if index == 0 else "Stepfather")
        guardians.append(guardian)
    return child, guardians


def decide_all(child, guardian, answer, *, when=None, only=None, but=None):
    """`guardian` answers `answer` to every purpose in use (or `only` those), and the opposite to `but`."""
    for each in ConsentPurpose.objects.filter(active=True):
        if only and each not in only:
            continue
        decide(child, guardian, each, (not answer) if but and each in but else answer, when=when)


def listed(response):
    """{pupil id: {purpose id: category}} as the page shows it."""
    page = response.content.decode()
    rows = {}
    for pupil_id, cells in re.findall(r'<tr data-pupil="(\d+)">(.*?)</tr>', page, re.S):
        rows[int(pupil_id)] = {purpose_id if purpose_id == "all" else int(purpose_id): category
                               for purpose_id, category in
                               re.findall(r'data-purpose="(\d+|all)" data-category="(\w+)"', cells)}
    return rows


@pytest.fixture
def teacher_client(client):
    client.force_login(user_with_role(roles.STAFF))
    return client


@pytest.fixture
def school():
    """Class 5A with each kind of family, a pupil who has left and a pupil in 5B."""
    purposes()
    website = purpose("School website")
    said_yes, (mum,) = family("Ada", "Lovelock")
    decide_all(said_yes, mum, True)
    refused_website, (mum,) = family("Ben", "Marsh")
    decide_all(refused_website, mum, True, but=[website])
    nobody_answered, _guardians = family("Cara", "Nettle")
    stepfather_said_no, (mum, stepfather) = family("Dev", "Orwin", others=1)
    decide_all(stepfather_said_no, mum, True)
    decide_all(stepfather_said_no, stepfather, False)
    has_left, _guardians = family("Eve", "Quarry", leaving_date=timezone.localdate() - datetime.timedelta(days=1))
    other_class, _guardians = family("Finn", "Rook", reg_class="5B")
    return {"website": website, "yes": said_yes, "refused": refused_website, "awaiting": nobody_answered,
            "stepfather": stepfather_said_no, "left": has_left, "other_class": other_class}


def test_list_for_one_purpose_names_exactly_those_not_yes(teacher_client, school):
    website = school["website"]
    response = teacher_client.get(URL, {"group": "class:5A", "purpose": website.pk})

    assert response.status_code == 200
    assert listed(response) == {school["refused"].pk: {website.pk: "no"},
                                school["awaiting"].pk: {website.pk: "awaiting"}}
    page = strip_tags(response.content.decode())
    assert "refused" in page and "awaiting" in page
    for name in ("Lovelock", "Orwin", "Quarry", "Rook"):
        assert name not in page
    assert "2 pupils must not be photographed" in page


def test_any_purpose_lists_each_purpose_not_yes_with_its_category(teacher_client, school):
    website = school["website"]
    active = list(ConsentPurpose.objects.filter(active=True))
    response = teacher_client.get(URL, {"group": "class:5A"})

    rows = listed(response)
    assert set(rows) == {school["refused"].pk, school["awaiting"].pk}
    assert rows[school["refused"].pk] == {website.pk: "no"}
    # Held back for every purpose for the same reason: said once.
    assert rows[school["awaiting"].pk] == {"all": "awaiting"}
    assert "All purposes: awaiting" in strip_tags(response.content.decode())
    assert len(active) > 1
    assert response.context["filters"].purpose_label == "Any purpose"


def test_any_purpose_names_each_purpose_when_the_reasons_differ(teacher_client):
    purposes()
    website, press = purpose("School website"), purpose("Local press")
    child, (mum,) = family("Rhys", "Zander")
    decide(child, mum, website, False)
    decide(child, mum, press, True)
    others = ConsentPurpose.objects.filter(active=True).exclude(pk__in=[website.pk, press.pk])
    assert listed(teacher_client.get(URL)) == {child.pk: {website.pk: "no", **{each.pk: "awaiting" for each in others}}}


def test_default_is_the_whole_school_for_any_purpose(teacher_client, school):
    response = teacher_client.get(URL)
    assert set(listed(response)) == {school["refused"].pk, school["awaiting"].pk, school["other_class"].pk}
    assert "Whole school · Any purpose" in strip_tags(response.content.decode())


def test_a_pupil_who_has_left_is_not_listed(teacher_client, school):
    assert school["left"].pk not in listed(teacher_client.get(URL))


def test_a_guardian_without_parental_responsibility_saying_no_is_ignored(teacher_client, school):
    assert school["stepfather"].pk not in listed(teacher_client.get(URL, {"purpose": school["website"].pk}))


def test_every_parent_setting_with_one_yes_lists_the_child_as_awaiting(teacher_client):
    website = purpose("School website")
    child, (mum, _dad) = family("Gus", "Sorrel", parents=2)
    decide(child, mum, website, True)
    assert listed(teacher_client.get(URL, {"purpose": website.pk})) == {}

    every_guardian_must_agree(True)
    assert listed(teacher_client.get(URL, {"purpose": website.pk})) == {child.pk: {website.pk: "awaiting"}}


def test_a_later_withdrawal_is_listed_at_once(teacher_client, admin_user):
    website = purpose("School website")
    child, (mum,) = family("Hal", "Tansy")
    decide(child, mum, website, True, when=timezone.now() - datetime.timedelta(days=30))
    assert listed(teacher_client.get(URL, {"purpose": website.pk})) == {}

    services.consent_record_by_office(pupil=child, guardian=mum, purpose=website, answer=False,
                                      method=DecisionMethod.VERBAL, note="Phoned the office", user=admin_user)
    assert listed(teacher_client.get(URL, {"purpose": website.pk})) == {child.pk: {website.pk: "no"}}


def test_a_purpose_no_longer_in_use_is_not_checked(teacher_client):
    purposes()
    website = purpose("School website")
    child, (mum,) = family("Ida", "Umber")
    decide_all(child, mum, True, but=[website])
    ConsentPurpose.objects.filter(pk=website.pk).update(active=False)
    assert listed(teacher_client.get(URL)) == {}
    # And it is not offered as a choice.
    assert str(website.pk) not in dict(teacher_client.get(URL).context["form"].fields["purpose"].choices)


def test_list_shows_no_family_details(teacher_client, school):
    page = teacher_client.get(URL).content.decode()
    assert "Parent" not in page and "Mother" not in page
    assert "withdrawn by" not in page and "refused by" not in page
    assert "Marsh-Parent0" not in page


def test_sorted_by_class_in_school_order_then_surname(teacher_client):
    website = purpose("School website")
    for first, last, reg_class, year in [("Jo", "Young", "10A", 10), ("Kit", "Abbot", "5B", 5),
                                         ("Lia", "Zeal", "5A", 5), ("Max", "Birch", "5A", 5),
                                         ("Ned", "Cole", "4C", 4)]:
        family(first, last, reg_class=reg_class, year_group=year)
    response = teacher_client.get(URL, {"purpose": website.pk})
    surnames = [Pupil.objects.get(pk=pk).last_name for pk in listed(response)]
    assert surnames == ["Cole", "Birch", "Zeal", "Abbot", "Young"]
    # The class choices follow the same order.
    classes = [label for value, label in response.context["form"].fields["group"].choices[1][1]]
    assert classes == ["4C", "5A", "5B", "10A"]


def test_year_group_filter(teacher_client):
    website = purpose("School website")
    in_year_5, _guardians = family("Ola", "Vetch", reg_class="5B")
    family("Pip", "Wren", reg_class="6A", year_group=6)
    response = teacher_client.get(URL, {"group": "year:5", "purpose": website.pk})
    assert set(listed(response)) == {in_year_5.pk}
    assert "Year 5 · School website" in strip_tags(response.content.decode())


def test_empty_class_says_everyone_may_be_photographed(teacher_client):
    purposes()
    child, (mum,) = family("Quin", "Yarrow")
    decide_all(child, mum, True)
    page = strip_tags(teacher_client.get(URL, {"group": "class:5A"}).content.decode())
    assert "Everyone in 5A may be photographed for all purposes." in page
    website = purpose("School website")
    page = strip_tags(teacher_client.get(URL, {"group": "class:5A", "purpose": website.pk}).content.decode())
    assert "Everyone in 5A may be photographed for School website." in page


def test_whole_school_is_paged_by_fifty_and_a_class_is_not(teacher_client):
    website = purpose("School website")
    Pupil.objects.bulk_create([Pupil(mis_id=f"P{n:04d}", first_name=f"Child{n}", last_name=f"Surname{n:03d}",
                                     year_group=5, reg_class="5A") for n in range(55)])
    first = teacher_client.get(URL, {"purpose": website.pk})
    second = teacher_client.get(URL, {"purpose": website.pk, "page": 2})
    assert len(listed(first)) == 50 and len(listed(second)) == 5
    assert set(listed(first)).isdisjoint(listed(second))
    assert "55 pupils must not be photographed" in strip_tags(first.content.decode())
    assert len(listed(teacher_client.get(URL, {"purpose": website.pk, "group": "class:5A"}))) == 55


def test_a_filter_that_cannot_be_read_is_shown_and_ignored(teacher_client, school):
    response = teacher_client.get(URL, {"group": "class:9Z", "purpose": "nonsense"})
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert set(listed(response)) == {school["refused"].pk, school["awaiting"].pk, school["other_class"].pk}


def test_editors_can_open_a_pupil_from_the_list_and_staff_cannot(client, school):
    link = reverse("consent:pupil", args=[school["awaiting"].pk])
    client.force_login(user_with_role(roles.STAFF))
    assert link not in client.get(URL).content.decode()
    client.force_login(user_with_role(roles.ADMINISTRATOR))
    assert link in client.get(URL).content.decode()


@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL, roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER,
                                  roles.ONLINE_SAFETY_LEAD])
def test_every_member_of_staff_may_read_the_list(client, role):
    client.force_login(user_with_role(role))
    assert client.get(URL).status_code == 200


def test_governors_are_refused_the_list_and_its_pdf(client, governor_user):
    client.force_login(governor_user)
    assert client.get(URL).status_code == 404
    assert client.get(reverse("consent:do_not_photograph_pdf")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_pupil_is_listed_by_the_name_they_answer_to(teacher_client):
    website = purpose("School website")
    family("Samuel", "Ashby", preferred_name="Sam")
    rows = teacher_client.get(URL, {"purpose": website.pk}).context["rows"]
    assert [(row.first_name, row.pupil.last_name) for row in rows] == [("Sam", "Ashby")]
