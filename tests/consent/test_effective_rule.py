"""The effective answer for a child and a purpose, in every case the rule knows."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from consent.effective import AWAITING, NO, YES, effective_answers
from consent.models import ConsentDecision
from tests.consent.factories import decide, every_guardian_must_agree, purpose
from tests.factories import GuardianFactory, PupilFactory, PupilGuardianFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _family(parents=2, *, without_responsibility=0):
    pupil = PupilFactory()
    guardians = []
    for index in range(parents + without_responsibility):
        guardian = GuardianFactory()
        PupilGuardianFactory(pupil=pupil, guardian=guardian, parental_responsibility=index < parents,
                             relationship="Mother" if index == 0 else "Father")
        guardians.append(guardian)
    return pupil, guardians


def _answer(pupil, website, **kwargs):
    return effective_answers([pupil], [website], **kwargs)[(pupil.pk, website.pk)]


def _ago(days):
    return NOW - datetime.timedelta(days=days)


def test_one_guardian_yes_no_and_unanswered():
    website = purpose()
    pupil, (mum,) = _family(1)
    assert _answer(pupil, website).state == AWAITING
    decide(pupil, mum, website, True, when=_ago(3))
    assert _answer(pupil, website).state == YES
    decide(pupil, mum, website, False, when=_ago(1))
    answer = _answer(pupil, website)
    assert answer.state == NO and answer.withdrawn
    assert answer.reason.startswith("no: withdrawn by") and "(Mother)" in answer.reason


# (mum, dad) answers: True yes, False no, None unanswered -> (any one may agree, every one must agree)
CASES = [
    ((None, None), (AWAITING, AWAITING)),
    ((True, None), (YES, AWAITING)),
    ((None, True), (YES, AWAITING)),
    ((True, True), (YES, YES)),
    ((False, None), (NO, NO)),
    ((True, False), (NO, NO)),
    ((False, True), (NO, NO)),
    ((False, False), (NO, NO)),
]


@pytest.mark.parametrize(("answers", "expected"), CASES)
@pytest.mark.parametrize("every", [False, True])
def test_two_guardians_every_combination_with_the_setting_off_and_on(answers, expected, every):
    website = purpose()
    pupil, guardians = _family(2)
    for guardian, answer in zip(guardians, answers, strict=True):
        if answer is not None:
            decide(pupil, guardian, website, answer, when=_ago(2))
    every_guardian_must_agree(every)
    assert _answer(pupil, website).state == expected[1 if every else 0]


def test_awaiting_says_how_many_have_answered_when_every_parent_must_agree():
    website = purpose()
    pupil, (mum, _dad) = _family(2)
    decide(pupil, mum, website, True)
    every_guardian_must_agree(True)
    assert _answer(pupil, website).reason == "awaiting: 1 of 2 parents and carers have said yes"


def test_a_later_withdrawal_wins_and_a_later_yes_restores():
    website = purpose()
    pupil, (mum, dad) = _family(2)
    decide(pupil, mum, website, True, when=_ago(10))
    decide(pupil, dad, website, True, when=_ago(9))
    decide(pupil, dad, website, False, when=_ago(2))
    assert _answer(pupil, website).state == NO
    decide(pupil, dad, website, True, when=_ago(1))
    assert _answer(pupil, website).state == YES


def test_a_guardian_without_parental_responsibility_is_ignored():
    website = purpose()
    pupil, (mum, step) = _family(1, without_responsibility=1)
    decide(pupil, mum, website, True)
    decide(pupil, step, website, False)
    assert _answer(pupil, website).state == YES
    every_guardian_must_agree(True)
    assert _answer(pupil, website).state == YES  # "every" means every guardian with responsibility


def test_no_guardian_with_responsibility_means_awaiting():
    website = purpose()
    pupil, _guardians = _family(0, without_responsibility=1)
    answer = _answer(pupil, website)
    assert answer.state == AWAITING and "no parent or carer" in answer.reason


def test_a_purpose_asked_each_year_forgets_answers_from_last_school_year():
    photographer = purpose("School photographer", renew_each_year=True)
    website = purpose()
    pupil, (mum,) = _family(1)
    today = datetime.date(2026, 11, 22)
    last_year = timezone.make_aware(datetime.datetime(2026, 6, 1, 12))
    decide(pupil, mum, photographer, True, when=last_year)
    decide(pupil, mum, website, True, when=last_year)
    answers = effective_answers([pupil], [photographer, website], today=today)
    assert answers[(pupil.pk, photographer.pk)].state == AWAITING
    assert answers[(pupil.pk, website.pk)].state == YES


def test_answers_for_one_child_never_affect_another():
    website = purpose()
    amelia, (amelia_mum,) = _family(1)
    ben, (ben_mum,) = _family(1)
    decide(amelia, amelia_mum, website, False)
    decide(ben, ben_mum, website, True)
    answers = effective_answers([amelia, ben], [website])
    assert answers[(amelia.pk, website.pk)].state == NO and answers[(ben.pk, website.pk)].state == YES


def test_a_decision_in_the_history_cannot_be_changed():
    website = purpose()
    pupil, (mum,) = _family(1)
    decision = decide(pupil, mum, website, False)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        ConsentDecision.objects.filter(pk=decision.pk).update(answer=True)
    decision.refresh_from_db()
    assert decision.answer is False


def test_the_rule_costs_the_same_queries_for_one_pupil_or_many(django_assert_max_num_queries):
    from safety_portal.school.models import Pupil

    website, press = purpose(), purpose("Local press")
    for _index in range(30):
        pupil, (mum, dad) = _family(2)
        decide(pupil, mum, website, True)
        decide(pupil, dad, press, False)
    with django_assert_max_num_queries(4):
        answers = effective_answers(Pupil.objects.all(), [website, press])
    assert len(answers) == 60
