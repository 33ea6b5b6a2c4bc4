"""effective_answers(details=False), used for counts (the dashboard panels and coverage), gives every
child the state and yes-count the full rule gives, in every case the rule knows."""

import datetime
import itertools

import pytest
from django.utils import timezone

from consent.effective import effective_answers
from safety_portal.school.models import Pupil
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


def _states(answers):
    return {key: (answer.state, answer.answered_yes, answer.guardians) for key, answer in answers.items()}


@pytest.mark.parametrize("every_guardian", [False, True])
def test_counts_only_gives_the_full_rules_state_for_every_family(every_guardian):
    website, yearly = purpose(), purpose("Yearbook")
    yearly.renew_each_year = True
    yearly.save()
    if every_guardian:
        every_guardian_must_agree()
    for pair in itertools.product(HISTORIES, repeat=2):
        _family(pair, website)
        _family(pair, yearly, last_year_only=True)
    full = effective_answers(Pupil.objects.all(), [website, yearly])
    counts = effective_answers(Pupil.objects.all(), [website, yearly], details=False)
    assert _states(counts) == _states(full)
    assert {state for state, _yes, _of in _states(full).values()} == {"yes", "no", "awaiting"}
    # Who decided and when are not worked out, so nothing can show a wrong one.
    assert all(answer.decider is None and answer.decided_at is None for answer in counts.values())
