"""Adding a policy to the register and changing its details: the online-safety lead and the
headteacher for any policy, an owner for their own; clear errors, never a 500, what was typed kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from policies.models import ApprovingBody, Category, Policy, Status
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.factories import UserFactory, user_with_role
from tests.policies.factories import make_policy, record_version

pytestmark = pytest.mark.django_db

NEW = reverse("policies:new")


def edit_url(policy):
    return reverse("policies:edit", args=[policy.pk])


@pytest.fixture
def lead(client):
    user = user_with_role(roles.ONLINE_SAFETY_LEAD)
    client.force_login(user)
    return user


def policy_data(**changes):
    data = {"title": "Remote learning", "category": Category.CURRICULUM, "owner": "",
            "approving_body": ApprovingBody.GOVERNING_BODY, "committee_name": "", "review_cycle_months": "12",
            "on_website": "", "status": Status.ACTIVE}
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize("role", [roles.ONLINE_SAFETY_LEAD, roles.HEADTEACHER])
def test_editors_add_a_policy_with_its_links_and_it_is_audited(client, role):
    editor = user_with_role(role)
    client.force_login(editor)
    owner = user_with_role(roles.STAFF)
    behaviour = Policy.objects.get(title="Behaviour")  # a starter entry
    response = client.post(NEW, policy_data(owner=owner.pk, linked=[behaviour.pk], on_website="on",
                                            review_cycle_months="24"))
    policy = Policy.objects.get(title="Remote learning")
    assert response.status_code == 302 and response["Location"] == reverse("policies:detail", args=[policy.pk])
    assert (policy.owner, policy.review_cycle_months, policy.on_website) == (owner, 24, True)
    assert policy.next_review_on is None
    assert list(policy.linked.all()) == [behaviour]
    assert policy in behaviour.linked.all()  # links go both ways
    event = AuditEvent.objects.get(action="policies.policy.created")
    assert event.actor == editor and event.object_id == str(policy.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Record its approved version" in page


def test_the_form_offers_people_with_a_role_by_name_and_every_other_policy(client, lead):
    zara = UserFactory(first_name="Zara", last_name="Ashworth", roles=[roles.STAFF])
    abel = UserFactory(first_name="Abel", last_name="Bellamy", roles=[roles.GOVERNOR])
    no_role = UserFactory(first_name="Nora", last_name="Norole")
    gone = UserFactory(first_name="Gail", last_name="Gone", roles=[roles.STAFF], is_active=False)
    policy = make_policy("Remote learning")
    form = client.get(edit_url(policy)).context["form"]
    offered = list(form.fields["owner"].queryset)
    assert offered.index(zara) < offered.index(abel)  # Ashworth before Bellamy
    assert no_role not in offered and gone not in offered
    linked = list(form.fields["linked"].queryset)
    assert policy not in linked and Policy.objects.get(title="Behaviour") in linked


def test_a_departed_owner_stays_on_the_policy_when_other_details_change(client, lead):
    gone = UserFactory(roles=[roles.STAFF], is_active=False)
    policy = make_policy("Remote learning", owner=gone)
    response = client.post(edit_url(policy), policy_data(owner=gone.pk, category=Category.STAFF))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.owner, policy.category) == (gone, Category.STAFF)


def test_a_committee_needs_its_name(client, lead):
    response = client.post(NEW, policy_data(approving_body=ApprovingBody.COMMITTEE, title="Charging"))
    assert response.status_code == 200
    assert "Write the committee&#x27;s name" in response.content.decode()
    assert not Policy.objects.filter(title="Charging").exists()
    assert response.context["form"]["title"].value() == "Charging"

    client.post(NEW, policy_data(approving_body=ApprovingBody.COMMITTEE, committee_name="Resources",
                                 title="Charging"))
    assert Policy.objects.get(title="Charging").approver_label == "Resources committee"


def test_a_committee_name_is_dropped_when_someone_else_approves(client, lead):
    client.post(NEW, policy_data(approving_body=ApprovingBody.HEADTEACHER, committee_name="Resources"))
    policy = Policy.objects.get(title="Remote learning")
    assert policy.committee_name == "" and policy.approver_label == "Headteacher"


@pytest.mark.parametrize("title", ["Behaviour", "behaviour", "  BEHAVIOUR "])
def test_a_title_already_in_the_register_is_a_field_error_not_a_crash(client, lead, title):
    response = client.post(NEW, policy_data(title=title))
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "There is already a policy with this title. Open it from the register, or choose another title."]
    assert Policy.objects.filter(title__iexact="behaviour").count() == 1


def test_renaming_onto_another_title_is_refused_but_keeping_ones_own_is_fine(client, lead):
    policy = make_policy("Remote learning")
    response = client.post(edit_url(policy), policy_data(title="Behaviour"))
    assert response.status_code == 200 and "title" in response.context["form"].errors
    assert "Edit Remote learning" in response.content.decode()  # the heading keeps the saved title
    assert client.post(edit_url(policy), policy_data(title="Remote learning")).status_code == 302


@pytest.mark.parametrize("cycle, message", [("0", "between 1 and 60"), ("999", "between 1 and 60"),
                                            ("-3", "between 1 and 60"), ("twelve", "whole number"),
                                            ("", "required")])
def test_a_review_cycle_outside_1_to_60_months_is_explained(client, lead, cycle, message):
    response = client.post(NEW, policy_data(review_cycle_months=cycle, title="Charging"))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["review_cycle_months"])
    assert response.context["form"]["title"].value() == "Charging"
    assert not Policy.objects.filter(title="Charging").exists()


def test_nonsense_choices_are_errors_not_crashes(client, lead):
    response = client.post(NEW, policy_data(owner="abc", category="nope", status="gone", linked=["x", "99999"],
                                            approving_body="king"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"owner", "category", "status", "linked", "approving_body"}


def test_a_policy_cannot_link_to_itself(client, lead):
    policy = make_policy("Remote learning")
    response = client.post(edit_url(policy), policy_data(linked=[policy.pk]))
    assert response.status_code == 200 and "linked" in response.context["form"].errors
    assert not policy.linked.exists()


def test_changing_the_cycle_moves_the_next_review_date_and_is_audited(client, lead):
    policy = make_policy("Remote learning")
    record_version(policy, approved_on=datetime.date(2026, 1, 31))
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2027, 1, 31)
    response = client.post(edit_url(policy), policy_data(review_cycle_months="1", category=Category.OTHER))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2026, 2, 28)
    event = AuditEvent.objects.get(action="policies.policy.changed")
    assert event.detail == {"fields": ["review_cycle_months"]}


def test_the_edit_form_starts_from_the_saved_details(client, lead):
    behaviour = Policy.objects.get(title="Behaviour")
    policy = make_policy("Remote learning", review_cycle_months=36, category=Category.CURRICULUM)
    policy.linked.add(behaviour)
    form = client.get(edit_url(policy)).context["form"]
    assert form["review_cycle_months"].value() == 36
    assert form["category"].value() == Category.CURRICULUM
    assert [int(pk) for pk in form["linked"].value()] == [behaviour.pk]


@pytest.mark.parametrize("role", [roles.GOVERNOR, roles.STAFF, roles.DSL, roles.ADMINISTRATOR, roles.TECHNICAL])
def test_readers_get_404_on_adding_and_editing(client, role):
    client.force_login(user_with_role(role))
    policy = make_policy("Remote learning")
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, policy_data(title="Hacked")).status_code == 404
    assert client.get(edit_url(policy)).status_code == 404
    assert client.post(edit_url(policy), policy_data(title="Hacked")).status_code == 404
    assert not Policy.objects.filter(title="Hacked").exists()


def test_an_owner_edits_their_own_policy_but_not_anothers_nor_adds_one(client):
    owner = user_with_role(roles.STAFF)
    client.force_login(owner)
    mine = make_policy("Remote learning", owner=owner)
    theirs = make_policy("Charging")
    assert client.get(NEW).status_code == 404
    assert client.post(edit_url(mine), policy_data(owner=owner.pk, review_cycle_months="24")).status_code == 302
    mine.refresh_from_db()
    assert mine.review_cycle_months == 24
    assert client.get(edit_url(theirs)).status_code == 404


def test_a_governor_owning_a_policy_by_mistake_still_cannot_add_policies(client):
    governor = user_with_role(roles.GOVERNOR)
    client.force_login(governor)
    make_policy("Remote learning", owner=governor)
    assert client.get(NEW).status_code == 404


def test_retiring_a_policy_takes_it_out_of_the_register(client, lead):
    policy = make_policy("Remote learning")
    record_version(policy, approved_on=timezone.localdate())
    client.post(edit_url(policy), policy_data(status=Status.RETIRED))
    titles = [row.title for row in client.get(reverse("policies:register")).context["page_obj"]]
    assert "Remote learning" not in titles
