"""The register lists every policy with its review state, most urgent first, and filters; each
policy's page shows its details, current version, revision log and reminders. Everyone with a
role reads it; nobody else can tell it exists."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from policies import services
from policies.models import Category, Policy, ReadReceipt, ReviewReminder, Status
from safety_portal.school import roles
from tests.factories import UserFactory, user_with_role
from tests.policies.factories import make_policy, record_version

pytestmark = pytest.mark.django_db

REGISTER = reverse("policies:register")


@pytest.fixture(autouse=True)
def empty_register(db):
    """Start without the starter entries the migration installs, so each test sees only its own."""
    Policy.objects.all().delete()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def lead(client):
    user = user_with_role(roles.ONLINE_SAFETY_LEAD, first_name="Priya", last_name="Carrington")
    client.force_login(user)
    return user


def register_of_every_state(today):
    overdue = make_policy("Behaviour", category=Category.BEHAVIOUR)
    record_version(overdue, approved_on=today - datetime.timedelta(days=400))
    due_soon = make_policy("Anti-bullying", category=Category.BEHAVIOUR)
    record_version(due_soon, approved_on=today - datetime.timedelta(days=350))
    current = make_policy("Online safety", category=Category.ONLINE_SAFETY)
    record_version(current, approved_on=today - datetime.timedelta(days=30))
    not_recorded = make_policy("Social media", category=Category.ONLINE_SAFETY)
    retired = make_policy("Old ICT policy", status=Status.RETIRED)
    draft = make_policy("Artificial intelligence", status=Status.DRAFT)
    return {"overdue": overdue, "due_soon": due_soon, "current": current, "not_recorded": not_recorded,
            "retired": retired, "draft": draft}


def _listed(response):
    return [policy.title for policy in response.context["page_obj"]]


# --- The register -----------------------------------------------------------------------------


def test_register_lists_policies_in_use_most_urgent_first_with_their_state(client, lead, today):
    register_of_every_state(today)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert _listed(response) == ["Behaviour", "Anti-bullying", "Social media", "Online safety"]
    content = response.content.decode()
    for label, colour in (("Overdue", "text-bg-danger"), ("Due within 30 days", "text-bg-warning"),
                          ("No approved version recorded", "text-bg-secondary"), ("Current", "text-bg-success")):
        assert f'<span class="badge {colour}">{label}</span>' in content
    assert "Old ICT policy" not in content and "Artificial intelligence" not in content


def test_policies_not_in_use_show_when_asked_with_a_muted_badge(client, lead, today):
    register_of_every_state(today)
    response = client.get(REGISTER, {"show": "all"})
    assert _listed(response)[-2:] == ["Artificial intelligence", "Old ICT policy"]
    assert '<span class="badge bg-light text-secondary border">Not in use</span>' in response.content.decode()
    assert _listed(client.get(REGISTER, {"show": "retired"})) == ["Old ICT policy"]
    assert _listed(client.get(REGISTER, {"show": "draft"})) == ["Artificial intelligence"]


def test_the_earliest_review_date_comes_first_within_a_state(client, lead, today):
    later = make_policy("A later one")
    record_version(later, approved_on=today - datetime.timedelta(days=380))
    earlier = make_policy("Z earlier one")
    record_version(earlier, approved_on=today - datetime.timedelta(days=500))
    assert _listed(client.get(REGISTER)) == ["Z earlier one", "A later one"]


def test_register_filters_by_state_category_owner_and_title(client, lead, today):
    policies = register_of_every_state(today)
    owner = UserFactory(first_name="Ruth", last_name="Everett", roles=[roles.STAFF])
    Policy.objects.filter(pk__in=[policies["current"].pk, policies["overdue"].pk]).update(owner=owner)

    assert _listed(client.get(REGISTER, {"state": "overdue"})) == ["Behaviour"]
    assert _listed(client.get(REGISTER, {"state": "due_soon"})) == ["Anti-bullying"]
    assert _listed(client.get(REGISTER, {"state": "current"})) == ["Online safety"]
    assert _listed(client.get(REGISTER, {"state": "not_recorded"})) == ["Social media"]
    assert _listed(client.get(REGISTER, {"category": Category.ONLINE_SAFETY})) == ["Social media", "Online safety"]
    assert _listed(client.get(REGISTER, {"owner": owner.pk})) == ["Behaviour", "Online safety"]
    assert _listed(client.get(REGISTER, {"owner": "none"})) == ["Anti-bullying", "Social media"]
    assert _listed(client.get(REGISTER, {"q": "SAFETY"})) == ["Online safety"]
    assert _listed(client.get(REGISTER, {"q": "bull anti"})) == ["Anti-bullying"]
    assert _listed(client.get(REGISTER, {"q": "intelligence", "show": "all"})) == ["Artificial intelligence"]
    response = client.get(REGISTER, {"owner": owner.pk})
    assert f'<option value="{owner.pk}" selected>Ruth Everett</option>' in response.content.decode()


def test_nonsense_filters_are_ignored_not_an_error(client, lead, today):
    register_of_every_state(today)
    response = client.get(REGISTER, {"state": "bogus", "owner": "abc", "category": "<script>", "show": "x",
                                     "page": "abc", "q": "x" * 500})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_an_empty_register_and_an_empty_search_say_so(client, lead):
    response = client.get(REGISTER)
    assert "The register is empty" in response.content.decode()
    make_policy("Behaviour")
    response = client.get(REGISTER, {"q": "nothing like it"})
    assert "No policies match" in response.content.decode()


def test_register_pages_by_fifty_keeping_filters(client, lead):
    for number in range(55):
        make_policy(f"Policy {number:02d}", category=Category.CURRICULUM)
    response = client.get(REGISTER, {"category": Category.CURRICULUM})
    assert len(response.context["page_obj"]) == 50
    assert "category=curriculum&amp;page=2" in response.content.decode()
    assert len(client.get(REGISTER, {"category": Category.CURRICULUM, "page": 2}).context["page_obj"]) == 5


def _fill_register(count, today):
    """`count` policies, each with an owner, an approved version and a link to the first one."""
    first = None
    for number in range(Policy.objects.count(), count):
        owner = user_with_role(roles.STAFF)
        policy = make_policy(f"Policy {number:03d}", owner=owner, category=Category.SAFEGUARDING)
        record_version(policy, approved_on=today - datetime.timedelta(days=number * 9), actor=owner)
        first = first or Policy.objects.order_by("pk").first()
        if policy != first:
            policy.linked.add(first)


def test_register_queries_do_not_grow_with_the_register(client, lead, today, count_queries,
                                                        django_assert_max_num_queries):
    _fill_register(5, today)
    few, response = count_queries(client, REGISTER)
    assert len(response.context["page_obj"]) == 5
    _fill_register(60, today)
    many, response = count_queries(client, REGISTER)
    assert len(response.context["page_obj"]) == 50
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(REGISTER, {"show": "all", "q": "Policy", "state": "overdue", "page": "2"})


@pytest.mark.parametrize("role", roles.ALL)
def test_every_role_reads_the_register_and_each_policy(client, role, today):
    policy = make_policy("Behaviour")
    version = record_version(policy, approved_on=today)
    client.force_login(user_with_role(role))
    assert client.get(REGISTER).status_code == 200
    assert client.get(reverse("policies:detail", args=[policy.pk])).status_code == 200
    assert client.get(reverse("policies:document", args=[version.pk])).status_code == 200


def test_someone_without_a_role_gets_404_everywhere(client, today):
    policy = make_policy("Behaviour")
    version = record_version(policy, approved_on=today)
    client.force_login(UserFactory())
    for address in (REGISTER, reverse("policies:new"), reverse("policies:detail", args=[policy.pk]),
                    reverse("policies:edit", args=[policy.pk]), reverse("policies:version_new", args=[policy.pk]),
                    reverse("policies:bring_forward", args=[policy.pk]),
                    reverse("policies:document", args=[version.pk])):
        assert client.get(address).status_code == 404, address


def test_a_deactivated_account_gets_404(client):
    person = user_with_role(roles.ONLINE_SAFETY_LEAD, is_active=False)
    client.force_login(person)
    # Signed out at once: a deactivated account has no session to read the register with.
    assert client.get(REGISTER).status_code == 302


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(REGISTER)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role, sees", [(roles.ONLINE_SAFETY_LEAD, True), (roles.HEADTEACHER, True),
                                        (roles.STAFF, False), (roles.GOVERNOR, False), (roles.DSL, False)])
def test_only_editors_are_offered_add_a_policy(client, role, sees):
    client.force_login(user_with_role(role))
    content = client.get(REGISTER).content.decode()
    assert ("Add a policy" in content) is sees
    # The calendar holds the policies a person owns (editors: every one), so only they are offered it.
    assert ("Add review dates to your calendar" in content) is sees


def test_an_owner_is_offered_the_calendar(client):
    owner = user_with_role(roles.STAFF)
    make_policy("Remote learning", owner=owner)
    client.force_login(owner)
    assert "Add review dates to your calendar" in client.get(REGISTER).content.decode()


# --- A policy's page --------------------------------------------------------------------------


def test_policy_page_shows_details_current_version_and_revision_log_newest_first(client, lead, today):
    owner = UserFactory(first_name="Owen", last_name="Delaney", roles=[roles.STAFF])
    policy = make_policy("Online safety", owner=owner, category=Category.ONLINE_SAFETY, review_cycle_months=24,
                         approving_body="committee", committee_name="Pupils and curriculum", on_website=True)
    behaviour = make_policy("Behaviour")
    policy.linked.add(behaviour)
    first = record_version(policy, approved_on=today - datetime.timedelta(days=800), number="1.0",
                           change_summary="First written.")
    second = record_version(policy, approved_on=today - datetime.timedelta(days=60), number="2.0",
                            change_summary="Updated for new guidance.", actor=lead)

    response = client.get(reverse("policies:detail", args=[policy.pk]))
    content = response.content.decode()
    assert "Owen Delaney" in content
    assert "Pupils and curriculum committee" in content
    assert "Every 24 months" in content
    assert "Online safety" in content and "In use" in content
    assert reverse("policies:detail", args=[behaviour.pk]) in content
    assert reverse("policies:document", args=[second.pk]) in content
    assert "Download version 2.0" in content
    assert content.index("Updated for new guidance.") < content.index("First written.")
    assert reverse("policies:document", args=[first.pk]) in content
    assert "Priya Carrington" in content  # recorded by
    assert f"Next review: {policy_next(policy):%-d %B %Y}" in content
    assert '<span class="badge text-bg-success' in content


def policy_next(policy):
    policy.refresh_from_db()
    return policy.next_review_on


def test_a_policy_links_back_to_the_policies_linking_to_it(client, lead):
    online = make_policy("Online safety")
    behaviour = make_policy("Behaviour")
    online.linked.add(behaviour)
    content = client.get(reverse("policies:detail", args=[behaviour.pk])).content.decode()
    assert reverse("policies:detail", args=[online.pk]) in content


def test_policy_page_says_when_and_why_the_review_was_brought_forward(client, lead, today):
    policy = make_policy("Behaviour")
    record_version(policy, approved_on=today - datetime.timedelta(days=30))
    services.review_bring_forward(policy=policy, to=today + datetime.timedelta(days=20),
                                  reason="New guidance from the local authority", actor=lead)
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "Brought forward from" in content
    assert "New guidance from the local authority" in content
    assert "Due within 30 days" in content


@pytest.mark.parametrize("role", [roles.GOVERNOR, roles.STAFF, roles.DSL])
def test_readers_see_no_editing_buttons(client, role, today):
    policy = make_policy("Behaviour")
    record_version(policy, approved_on=today, read_roles=[roles.STAFF])
    client.force_login(user_with_role(role))
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    for words in ("Record a new version", "Edit details", "Bring the review forward", "confirmed"):
        assert words not in content


def test_the_owner_sees_the_editing_buttons_on_their_own_policy(client, today):
    owner = user_with_role(roles.STAFF)
    mine = make_policy("Behaviour", owner=owner)
    theirs = make_policy("Anti-bullying")
    client.force_login(owner)
    assert "Record a new version" in client.get(reverse("policies:detail", args=[mine.pk])).content.decode()
    assert "Record a new version" not in client.get(reverse("policies:detail", args=[theirs.pk])).content.decode()


def test_editors_see_how_many_have_confirmed_reading_the_current_version(client, lead, today):
    policy = make_policy("Behaviour")
    version = record_version(policy, approved_on=today, read_roles=[roles.STAFF, roles.TECHNICAL])
    readers = [user_with_role(roles.STAFF), user_with_role(roles.STAFF), user_with_role(roles.TECHNICAL),
               user_with_role(roles.STAFF, roles.TECHNICAL)]
    user_with_role(roles.STAFF, is_active=False)
    user_with_role(roles.GOVERNOR)
    ReadReceipt.objects.create(version=version, user=readers[0])
    ReadReceipt.objects.create(version=version, user=readers[3])
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "2 of 4 confirmed" in content
    assert reverse("policies:receipts", args=[version.pk]) in content
    assert "Staff, Technical staff" in content


def test_no_read_receipt_link_when_nobody_was_asked(client, lead, today):
    policy = make_policy("Behaviour")
    version = record_version(policy, approved_on=today)
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert reverse("policies:receipts", args=[version.pk]) not in content


def test_policy_page_lists_the_reminders_sent_for_the_current_review_date(client, lead, today):
    policy = make_policy("Behaviour")
    record_version(policy, approved_on=today - datetime.timedelta(days=380))
    policy.refresh_from_db()
    ReviewReminder.objects.create(policy=policy, due_on=policy.next_review_on, milestone="before_30")
    ReviewReminder.objects.create(policy=policy, due_on=policy.next_review_on, milestone="overdue_2")
    ReviewReminder.objects.create(policy=policy, due_on=policy.next_review_on - datetime.timedelta(days=365),
                                  milestone="before_7")
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "30 days before the review date" in content
    assert "2 weeks overdue" in content
    assert "7 days before" not in content


def test_policy_page_queries_do_not_grow_with_versions(client, lead, today, count_queries):
    policy = make_policy("Behaviour")
    record_version(policy, approved_on=today - datetime.timedelta(days=100), read_roles=[roles.STAFF])
    user_with_role(roles.STAFF)
    url = reverse("policies:detail", args=[policy.pk])
    few, _response = count_queries(client, url)
    for days in range(101, 120):
        record_version(policy, approved_on=today - datetime.timedelta(days=days), number=f"0.{days}")
    for _number in range(10):
        policy.linked.add(make_policy(f"Linked {_number}"))
        user_with_role(roles.STAFF)
    many, response = count_queries(client, url)
    assert len(response.context["versions"]) == 20
    assert many == few


def test_a_policy_with_nothing_recorded_explains_what_to_do(client, lead):
    policy = make_policy("Behaviour")
    content = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "No approved version has been recorded" in content
    assert "Record the approved version to start the review cycle." in content


def test_an_unknown_policy_is_404(client, lead):
    assert client.get(reverse("policies:detail", args=[987654])).status_code == 404
