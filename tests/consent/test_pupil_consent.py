"""A pupil's consent page: what counts and why, each parent's answer, the full history, and the
office's entry of a decision given on paper or in person. For editors only."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from consent.effective import effective_answers
from consent.models import ConsentDecision, DecisionMethod
from consent.pupil_section import pupil_consent_section
from safety_portal.audit.models import AuditEvent
from safety_portal.school import extensions, roles
from tests.consent.factories import decide, purpose, purposes
from tests.consent.test_do_not_photograph import family
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

EDITORS = [roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD, roles.DSL, roles.HEADTEACHER]


def page_url(pupil):
    return reverse("consent:pupil", args=[pupil.pk])


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def days_ago(days, hour=9):
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def office(client):
    user = UserFactory(first_name="Helen", last_name="Ashworth", roles=[roles.ADMINISTRATOR])
    client.force_login(user)
    return user


@pytest.fixture
def khan():
    """A child with a mother and father (parental responsibility) and a stepfather (none)."""
    purposes()
    child, (mum, dad, step) = family("Amira", "Khanum", parents=2, others=1)
    mum.title, mum.first_name, mum.last_name = "Mrs", "Aisha", "Khanum"
    mum.save()
    return child, mum, dad, step


def _form(guardian, purpose_, **overrides):
    data = {"guardian": guardian.pk, "purpose": purpose_.pk, "answer": "no", "method": "paper", "note": "",
            "decided_on": timezone.localdate().isoformat()}
    data.update(overrides)
    return data


def test_page_shows_what_counts_why_each_parents_answer_and_the_history(client, office, khan):
    child, mum, dad, step = khan
    website, press = purpose("School website"), purpose("Local press")
    decide(child, mum, website, True, when=days_ago(20))
    decide(child, mum, website, False, when=days_ago(3))
    decide(child, dad, press, True, when=days_ago(5))
    decide(child, step, press, False, when=days_ago(4))
    response = client.get(page_url(child))

    assert response.status_code == 200
    page = text(response)
    rows = {row.purpose.name: row for row in response.context["rows"]}
    assert rows["School website"].answer.state == "no"
    assert rows["Local press"].answer.state == "yes"
    assert "no: withdrawn by Mrs Khanum (Mother) on" in page
    # Each parent with responsibility and their latest answer per purpose; the stepfather does not count.
    website_answers = {link.guardian_id: latest and latest["answer"] for link, latest in
                       rows["School website"].guardian_answers}
    assert website_answers == {mum.pk: False, dad.pk: None}
    assert {link.guardian_id for link in response.context["responsible"]} == {mum.pk, dad.pk}
    assert "Also linked, without parental responsibility (their answers do not count): Parent Khanum-Parent2" in page
    # The history, newest first, with the stepfather's answer kept but shown as his.
    history = [decision.pk for decision, _relationship, _counts in response.context["history"]]
    assert history == list(ConsentDecision.objects.filter(pupil=child).order_by("-decided_at").values_list(
        "pk", flat=True))
    assert len(history) == 4


def test_opening_the_page_is_audited(client, office, khan):
    child = khan[0]
    client.get(page_url(child))
    event = AuditEvent.objects.get(action="consent.pupil.viewed")
    assert event.actor == office and event.object_id == str(child.pk)


@pytest.mark.parametrize("role", EDITORS)
def test_editors_may_open_the_page(client, khan, role):
    client.force_login(user_with_role(role))
    assert client.get(page_url(khan[0])).status_code == 200


@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL, roles.GOVERNOR])
def test_others_get_404_and_cannot_record_a_decision(client, khan, role):
    child, mum, _dad, _step = khan
    client.force_login(user_with_role(role))
    assert client.get(page_url(child)).status_code == 404
    response = client.post(page_url(child), _form(mum, purpose("School website")))
    assert response.status_code == 404
    assert not ConsentDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.pupil.viewed").exists()


def test_an_unknown_pupil_is_404(client, office):
    assert client.get(reverse("consent:pupil", args=[999999])).status_code == 404


def test_office_records_a_paper_decision_dated_at_noon_that_day(client, office, khan):
    child, mum, _dad, _step = khan
    website = purpose("School website")
    day = timezone.localdate() - datetime.timedelta(days=10)
    response = client.post(page_url(child), _form(mum, website, answer="yes", decided_on=day.isoformat(),
                                                  note="Form returned in book bag"))

    assert response.status_code == 302 and response["Location"] == page_url(child)
    decision = ConsentDecision.objects.get()
    assert (decision.pupil, decision.guardian, decision.purpose, decision.answer) == (child, mum, website, True)
    assert decision.method == DecisionMethod.PAPER and decision.note == "Form returned in book bag"
    assert decision.recorded_by == office
    assert timezone.localtime(decision.decided_at).date() == day
    assert timezone.localtime(decision.decided_at).time() == datetime.time(12)
    event = AuditEvent.objects.get(action="consent.decision.recorded")
    assert event.actor == office and event.detail["method"] == "paper"
    page = text(client.get(page_url(child)))
    assert "Recorded: Mrs Aisha Khanum said yes to School website." in page
    assert "Form returned in book bag" in page and "Helen Ashworth" in page


def test_a_decision_dated_today_is_timed_now(client, office, khan):
    child, mum, _dad, _step = khan
    before = timezone.now()
    client.post(page_url(child), _form(mum, purpose("School website"), method="verbal", note="Phoned on Monday"))
    assert before <= ConsentDecision.objects.get().decided_at <= timezone.now()


def test_withdrawal_by_the_office_counts_at_once(client, office, khan):
    child, mum, _dad, _step = khan
    website = purpose("School website")
    decide(child, mum, website, True, when=days_ago(30))
    assert effective_answers([child], [website])[(child.pk, website.pk)].is_yes

    client.post(page_url(child), _form(mum, website, answer="no", method="verbal",
                                       note="Phoned the office on 3 March"))
    answer = effective_answers([child], [website])[(child.pk, website.pk)]
    assert answer.state == "no" and answer.withdrawn
    listed = client.get(reverse("consent:do_not_photograph"), {"purpose": website.pk}).context["rows"]
    assert [row.pupil for row in listed] == [child]


def test_a_verbal_decision_needs_a_note_and_keeps_what_was_typed(client, office, khan):
    child, mum, _dad, _step = khan
    website = purpose("School website")
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = client.post(page_url(child), _form(mum, website, answer="yes", method="verbal", decided_on=day))

    assert response.status_code == 200
    assert not ConsentDecision.objects.exists()
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page
    assert "Say how they told the school" in page
    form = response.context["form"]
    assert form.data["method"] == "verbal" and form.data["answer"] == "yes" and form.data["decided_on"] == day
    assert re.search(r'<input[^>]*value="verbal"[^>]*checked', page)
    assert f'value="{day}"' in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("decided_on", "2999-01-01", "The date cannot be in the future."),
    ("decided_on", "yesterday", "Enter the date as a date"),
    ("answer", "", "Choose yes or no."),
    ("method", "online", "Select a valid choice"),
    ("purpose", "", "Choose the purpose the answer is about."),
])
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_recorded(client, office, khan, field, value, message):
    child, mum, _dad, _step = khan
    response = client.post(page_url(child), _form(mum, purpose("School website"), **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not ConsentDecision.objects.exists()


def test_only_guardians_with_parental_responsibility_may_be_chosen(client, office, khan):
    child, mum, dad, step = khan
    response = client.get(page_url(child))
    assert {value for value, _label in response.context["form"].fields["guardian"].choices} == {mum.pk, dad.pk}

    response = client.post(page_url(child), _form(step, purpose("School website")))
    assert response.status_code == 200 and "guardian" in response.context["form"].errors
    other_child, (other_mum,) = family("Bea", "Lark")
    response = client.post(page_url(child), _form(other_mum, purpose("School website")))
    assert "guardian" in response.context["form"].errors
    assert not ConsentDecision.objects.exists()


def test_a_purpose_no_longer_in_use_cannot_be_chosen(client, office, khan):
    child, mum, _dad, _step = khan
    retired = purpose("School website")
    retired.active = False
    retired.save()
    response = client.post(page_url(child), _form(mum, retired))
    assert "purpose" in response.context["form"].errors
    assert not ConsentDecision.objects.exists()


def test_the_office_is_told_when_a_backdated_answer_does_not_change_what_counts(client, office, khan):
    child, mum, _dad, _step = khan
    website = purpose("School website")
    # A back-dated "yes" sits behind her later "no" (a back-dated "no" always counts at once:
    # see test_a_withdrawal_entered_a_day_late_still_counts_over_that_days_online_yes).
    decide(child, mum, website, False, when=days_ago(1))
    response = client.post(page_url(child), _form(mum, website, answer="yes", decided_on=(
        timezone.localdate() - datetime.timedelta(days=20)).isoformat()), follow=True)
    assert "Recorded, but it does not change what counts" in text(response)
    assert effective_answers([child], [website])[(child.pk, website.pk)].state == "no"


def test_a_child_with_nobody_holding_parental_responsibility_has_no_form(client, office):
    purposes()
    child, _guardians = family("Cal", "Moss", parents=0, others=1)
    response = client.get(page_url(child))
    assert 'data-testid="office-decision-form"' not in response.content.decode()
    assert "No one has parental responsibility" in text(response)


@pytest.fixture
def section_registered():
    """The pupil-page section, registered as consent/apps.py will register it."""
    added = pupil_consent_section not in extensions.pupil_section_providers
    if added:
        extensions.pupil_section_providers.append(pupil_consent_section)
    yield
    if added:
        extensions.pupil_section_providers.remove(pupil_consent_section)


def test_pupil_page_section_shows_each_answer_and_why(client, office, khan, section_registered):
    child, mum, _dad, _step = khan
    website = purpose("School website")
    decide(child, mum, website, False, when=days_ago(2))
    response = client.get(reverse("school:pupil", args=[child.pk]))
    page = response.content.decode()
    section = page[page.index('data-testid="pupil-consent"'):]
    assert re.search(rf'data-purpose="{website.pk}" data-state="no"', section)
    assert "no: refused by Mrs Khanum (Mother)" in section
    assert page_url(child) in section
    assert len(re.findall(r'<tr data-purpose=', section)) == len(purposes())


@pytest.mark.parametrize("role", [roles.STAFF, roles.TECHNICAL, roles.GOVERNOR])
def test_pupil_page_section_is_for_editors_only(khan, role):
    assert pupil_consent_section(user_with_role(role), khan[0]) is None


def test_pupil_page_section_costs_a_few_queries(office, khan, django_assert_max_num_queries):
    child, mum, _dad, _step = khan
    for each in purposes():
        decide(child, mum, each, True)
    assert office.has_role(roles.ADMINISTRATOR)  # the page has read the user's roles already
    with django_assert_max_num_queries(4):
        template, context = pupil_consent_section(office, child)
        assert all(row.answer.is_yes for row in context["consent_rows"])
    assert template == "consent/pupil_consent_section.html"


def test_a_withdrawal_entered_a_day_late_still_counts_over_that_days_online_yes(client):
    """Mum says yes online at 15:00, phones to withdraw at 16:30; the office enters it next morning."""
    import datetime

    from django.utils import timezone

    from consent.effective import NO, effective_answers
    from tests.consent.factories import decide, purpose
    from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory, user_with_role

    website = purpose()
    pupil, mum = PupilFactory(), GuardianFactory()
    PupilGuardianFactory(pupil=pupil, guardian=mum, parental_responsibility=True)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    decide(pupil, mum, website, True,
           when=timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(15))))
    client.force_login(user_with_role("Administrator"))
    response = client.post(reverse("consent:pupil", args=[pupil.pk]), {
        "guardian": mum.pk, "purpose": website.pk, "answer": "no", "method": "verbal",
        "note": "Phoned the office at 16:30", "decided_on": yesterday.isoformat()})
    assert response.status_code == 302
    assert effective_answers([pupil], [website])[(pupil.pk, website.pk)].state == NO
    assert "given on" in pupil.consent_decisions.get(answer=False).note
