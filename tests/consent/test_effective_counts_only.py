"""answer_states, the rule worked out in SQL for the pages that show only states (the dashboard
panels, the "do not photograph" list, coverage), gives every child and purpose the state the full
rule in Python (effective_answers, _answer) gives, in every case the rule knows, with the school's
"every guardian must agree" setting on and off, on SQLite and PostgreSQL alike."""

import datetime
import itertools
import random

import pytest
from django.utils import timezone

from consent import lists
from consent.effective import AWAITING, answer_states, effective_answers, school_year_start
from consent.models import ConsentDecision
from safety_portal.school.models import Pupil, YearGroup
from tests.consent.factories import decide, every_guardian_must_agree, purpose
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
# Each guardian's history, oldest first: True yes, False no.
HISTORIES = [(), (True,), (False,), (True, False), (False, True), (True, True, False)]


def _family(histories, website, last_year_only=False):
    pupil = PupilFactory()
    for index, history in enumerate(histories):
        guardian = GuardianFactory()
        PupilGuardianFactory(pupil=pupil, guardian=guardian, parental_responsibility=True)
        for step, answer in enumerate(history):
            days = 400 + 10 * step if last_year_only else 30 - 5 * step - index
            decide(pupil, guardian, website, answer, when=NOW - datetime.timedelta(days=days))
    # Someone without parental responsibility is ignored by both.
    outsider = GuardianFactory()
    PupilGuardianFactory(pupil=pupil, guardian=outsider, parental_responsibility=False)
    decide(pupil, outsider, website, False, when=NOW)
    return pupil


def _python_states(purposes, every_guardian):
    answers = effective_answers(Pupil.objects.all(), purposes, every_guardian=every_guardian)
    return {key: answer.state for key, answer in answers.items()}


def _sql_states(purposes, every_guardian=None):
    states = answer_states(Pupil.objects.all(), purposes, every_guardian=every_guardian)
    assert AWAITING not in states.values()  # awaiting is what is left out
    return {(pupil_id, purpose.pk): states.get((pupil_id, purpose.pk), AWAITING)
            for pupil_id in Pupil.objects.values_list("pk", flat=True) for purpose in purposes}


@pytest.mark.parametrize("every_guardian", [False, True])
def test_sql_states_are_the_full_rules_for_every_family(every_guardian):
    website, yearly = purpose(), purpose("Yearbook", renew_each_year=True)
    for pair in itertools.product(HISTORIES, repeat=2):
        _family(pair, website)
        _family(pair, yearly, last_year_only=True)
    python = _python_states([website, yearly], every_guardian)
    assert _sql_states([website, yearly], every_guardian) == python
    assert set(python.values()) == {"yes", "no", "awaiting"}


@pytest.mark.parametrize("every_guardian", [False, True])
def test_the_schools_setting_is_read_when_not_given(every_guardian):
    website = purpose()
    for pair in itertools.product(HISTORIES, repeat=2):
        _family(pair, website)
    every_guardian_must_agree(every_guardian)
    assert _sql_states([website]) == _python_states([website], every_guardian)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_states_match_the_rule_over_random_histories(seed):
    """Families of none to three responsible guardians (some also someone else's, some without
    responsibility for one child), histories of any length with ties in time, decisions before this
    school year on a yearly purpose, and pupils nobody answered for."""
    rng = random.Random(seed)
    website, yearly, trips = purpose(), purpose("Yearbook", renew_each_year=True), purpose("Trips")
    purposes = [website, yearly, trips]
    start = school_year_start(timezone.localdate())
    moments = [start - datetime.timedelta(days=200), start - datetime.timedelta(seconds=1), start,
               start + datetime.timedelta(days=3), NOW - datetime.timedelta(days=2), NOW]
    guardians = [GuardianFactory() for _ in range(40)]
    decisions = []
    for _child in range(60):
        pupil = PupilFactory()
        family = rng.sample(guardians, rng.randint(0, 4))
        for index, guardian in enumerate(family):
            # The last one, if there are several, may lack parental responsibility.
            responsible = index < 3 and not (index == len(family) - 1 and index and rng.random() < 0.4)
            PupilGuardianFactory(pupil=pupil, guardian=guardian, parental_responsibility=responsible)
            for chosen in purposes:
                for _step in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
                    decisions.append(ConsentDecision(
                        pupil=pupil, guardian=guardian, purpose=chosen, answer=rng.random() < 0.7,
                        method="online", decided_at=rng.choice(moments)))
    # Shuffled, so the ids do not follow the times and ties are settled as the rule settles them.
    rng.shuffle(decisions)
    ConsentDecision.objects.bulk_create(decisions)
    for every_guardian in (False, True):
        python = _python_states(purposes, every_guardian)
        assert _sql_states(purposes, every_guardian) == python
        assert set(python.values()) == {"yes", "no", "awaiting"}


@pytest.mark.parametrize("every_guardian", [False, True])
def test_sql_states_are_one_query_for_any_number_of_pupils(django_assert_num_queries, every_guardian):
    website, yearly = purpose(), purpose("Yearbook", renew_each_year=True)
    for pair in itertools.product(HISTORIES, repeat=2):
        _family(pair, website)
    with django_assert_num_queries(1):
        answer_states(Pupil.objects.all(), [website, yearly], every_guardian=every_guardian)


@pytest.mark.parametrize("every_guardian", [False, True])
def test_the_do_not_photograph_rows_are_those_of_the_full_rule_made_as_read(django_assert_num_queries,
                                                                              every_guardian):
    """The list builds a row only when it is read (a page of the whole school): the same pupils,
    order, names and reasons as the full rule gives for every pupil, whole or in slices, and reading
    a row's names and class costs no query."""
    website, yearly = purpose(), purpose("Yearbook", renew_each_year=True)
    rng = random.Random(7)
    for pair in itertools.product(HISTORIES, repeat=2):
        for chosen in (website, yearly):
            pupil = _family(pair, chosen, last_year_only=chosen is yearly)
            if chosen is website:  # a yes to the yearbook too, so some pupils are off the list
                for link in pupil.guardian_links.filter(parental_responsibility=True):
                    decide(pupil, link.guardian, yearly, True, when=NOW - datetime.timedelta(days=1))
            Pupil.objects.filter(pk=pupil.pk).update(
                year_group=rng.choice([7, 8]), reg_class=rng.choice(["7A", "8B", ""]),
                last_name=rng.choice(["Ames", "Bell"]), preferred_name=rng.choice(["", "Sam"]))
    every_guardian_must_agree(every_guardian)
    purposes = [website, yearly]
    answers = effective_answers(Pupil.objects.all(), purposes, every_guardian=every_guardian)
    expected = []
    for pupil in Pupil.objects.order_by(*lists.SCHOOL_ORDER):
        reasons = [(chosen.pk, answers[(pupil.pk, chosen.pk)].state) for chosen in purposes
                   if answers[(pupil.pk, chosen.pk)].state != "yes"]
        if reasons:
            expected.append((pupil.pk, pupil.preferred_name or pupil.first_name, pupil.last_name,
                             pupil.reg_class or YearGroup(pupil.year_group).label, reasons))

    def seen(rows):
        return [(row.pupil.pk, row.first_name, row.pupil.last_name, row.class_label,
                 [(reason.purpose.pk, reason.answer.state) for reason in row.reasons]) for row in rows]

    rows = lists.do_not_photograph(Pupil.objects.all(), purposes)
    assert 0 < len(rows) < Pupil.objects.count()
    with django_assert_num_queries(0):
        assert seen(rows) == expected
        assert seen(rows[5:17]) == expected[5:17]
        assert seen(rows[len(rows) - 3:len(rows) + 50]) == expected[-3:]
        assert seen([rows[4]]) == [expected[4]]
        assert [row.checked for row in rows[:3]] == [2, 2, 2]
