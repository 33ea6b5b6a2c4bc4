"""The office and the online-safety lead keep the purposes parents are asked about and the school's
rule; purposes are never deleted, and nobody else may change either."""

import pytest
from django.urls import reverse

from consent.models import ConsentPurpose, ConsentSettings
from safety_portal.audit.models import AuditEvent
from safety_portal.school import roles
from tests.consent.factories import purpose, purposes
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

LIST = reverse("consent:purposes")
NEW = reverse("consent:purpose_new")


def edit_url(pk):
    return reverse("consent:purpose_edit", args=[pk])


def _login(client, *role_names):
    user = user_with_role(*role_names)
    client.force_login(user)
    return user


@pytest.fixture
def office(client):
    return _login(client, roles.ADMINISTRATOR)


def purpose_data(**changes):
    data = {"name": "School trips blog", "description": "Photos from trips on the class blog, seen by parents.",
            "renew_each_year": "", "active": "on", "position": "8"}
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD])
def test_the_office_and_the_online_safety_lead_see_the_purposes_and_the_rule(client, role):
    _login(client, role)
    website = purpose("School website")
    yearly = purpose("School photographer", renew_each_year=True)
    retired = purpose("Old blog")
    retired.active = False
    retired.save()
    response = client.get(LIST)
    assert response.status_code == 200
    content = response.content.decode()
    for item in (website, yearly, retired):
        assert f'data-purpose="{item.pk}"' in content
        assert edit_url(item.pk) in content
    assert "No longer asked" in content
    assert NEW in content and "Add a purpose" in content
    assert "both parents must agree" in content
    assert response.context["rule_form"]["rule"].value() == "one"


@pytest.mark.parametrize("role", [roles.DSL, roles.HEADTEACHER, roles.STAFF, roles.TECHNICAL, roles.GOVERNOR])
def test_no_one_else_may_open_or_change_the_settings(client, role):
    _login(client, role)
    website = purpose()
    names = sorted(ConsentPurpose.objects.values_list("name", flat=True))
    for address in (LIST, NEW, edit_url(website.pk), reverse("consent:leavers")):
        assert client.get(address).status_code == 404, address
    assert client.post(LIST, {"rule": "every"}).status_code == 404
    assert client.post(edit_url(website.pk), purpose_data(name="Hacked")).status_code == 404
    assert client.post(NEW, purpose_data()).status_code == 404
    assert ConsentSettings.load().every_guardian_must_agree is False
    assert sorted(ConsentPurpose.objects.values_list("name", flat=True)) == names


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_choosing_every_parent_changes_the_rule_once_and_audits_it(client, office):
    response = client.post(LIST, {"rule": "every"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert ConsentSettings.load().every_guardian_must_agree is True
    event = AuditEvent.objects.get(action="consent.settings.changed")
    assert (event.actor, event.detail) == (office, {"every_guardian_must_agree": True})
    assert client.get(LIST).context["rule_form"]["rule"].value() == "every"
    client.post(LIST, {"rule": "every"})  # already so: nothing to record
    assert AuditEvent.objects.filter(action="consent.settings.changed").count() == 1
    client.post(LIST, {"rule": "one"})
    assert ConsentSettings.load().every_guardian_must_agree is False
    assert AuditEvent.objects.filter(action="consent.settings.changed").count() == 2


@pytest.mark.parametrize("posted", [{}, {"rule": "both"}])
def test_a_bad_rule_choice_changes_nothing_and_says_why(client, office, posted):
    response = client.post(LIST, posted)
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert ConsentSettings.load().every_guardian_must_agree is False
    assert not AuditEvent.objects.filter(action="consent.settings.changed").exists()


def test_adding_a_purpose_saves_it_and_audits_it(client, office):
    response = client.post(NEW, purpose_data(name="  School   trips blog "))
    assert response.status_code == 302 and response["Location"] == LIST
    added = ConsentPurpose.objects.get(name="School trips blog")  # spaces tidied
    assert (added.active, added.renew_each_year, added.position) == (True, False, 8)
    event = AuditEvent.objects.get(action="consent.purpose.created")
    assert (event.actor, event.object_id) == (office, str(added.pk))
    assert f'data-purpose="{added.pk}"' in client.get(LIST).content.decode()


def test_a_duplicate_name_is_refused_clearly_and_keeps_what_was_typed(client, office):
    purpose("School website")
    before = ConsentPurpose.objects.count()
    typed = "Our new website, with a gallery for each class."
    response = client.post(NEW, purpose_data(name="school WEBSITE", description=typed))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="form-errors"' in content
    assert "There is already a purpose called" in content and "School website" in content
    assert typed in content and 'value="school WEBSITE"' in content
    assert ConsentPurpose.objects.count() == before
    assert not AuditEvent.objects.filter(action__startswith="consent.purpose").exists()


@pytest.mark.parametrize("changes", [{"name": ""}, {"description": ""}, {"position": "-1"}, {"position": "lots"}])
def test_missing_or_bad_fields_are_shown_next_to_the_form_without_saving(client, office, changes):
    response = client.post(NEW, purpose_data(**changes))
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not ConsentPurpose.objects.filter(name__in=["School trips blog", ""]).exists()


def test_unticking_in_use_stops_asking_but_keeps_the_purpose(client, office):
    press = purpose("Local press")
    page = client.get(edit_url(press.pk))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Untick to stop asking" in content and "Delete" not in content
    response = client.post(edit_url(press.pk), purpose_data(name="Local press", description=press.description,
                                                            active=""))
    assert response.status_code == 302
    press.refresh_from_db()
    assert press.active is False
    event = AuditEvent.objects.get(action="consent.purpose.changed")
    assert event.detail == {"active": False}


def test_renaming_a_purpose_to_its_own_name_is_not_a_duplicate(client, office):
    press = purpose("Local press")
    response = client.post(edit_url(press.pk), purpose_data(name="Local press", description="New words."))
    assert response.status_code == 302
    press.refresh_from_db()
    assert press.description == "New words."


def test_an_unknown_purpose_is_not_found(client, office):
    assert client.get(edit_url(99999)).status_code == 404


def test_the_starter_purposes_are_listed_in_their_order(client, office):
    starters = purposes()
    names = [purpose.name for purpose in client.get(LIST).context["purposes"]]
    assert names == [purpose.name for purpose in sorted(starters, key=lambda item: (item.position, item.name))]


def test_a_new_purpose_comes_after_the_others_unless_told_otherwise(client, office):
    last = max(ConsentPurpose.objects.values_list("position", flat=True), default=-1)
    assert client.get(NEW).context["form"]["position"].value() == last + 1
