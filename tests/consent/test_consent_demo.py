"""The demo photo consent: the "every parent must say yes" rule, families who said yes, no, withdrew
later, and one parent of two who has not answered, all through the services, once."""

import datetime

import pytest
from django.utils import timezone

from consent.demo import LINK_CLASS, LOCAL_PRESS, SOCIAL_MEDIA, consent_demo_load
from consent.effective import AWAITING, NO, YES, effective_answers
from consent.models import ConsentDecision, ConsentPurpose, ConsentSettings, DecisionMethod, LeaverImageReview
from safety_portal.audit.models import AuditEvent
from safety_portal.outbox.models import OutboxEmail
from safety_portal.school.demo import demo_load
from safety_portal.school.models import Pupil, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    demo_load()  # the school and the apps' demo data, with the agreements' links for class 5A
    consent_demo_load()  # creates nothing if the school's demo already ran it


def _answers():
    purposes = list(ConsentPurpose.objects.filter(active=True))
    return {purpose.name: purpose for purpose in purposes}, effective_answers(Pupil.objects.on_roll(), purposes)


def test_the_rule_is_every_parent_and_most_families_said_yes_to_most_purposes(demo):
    assert ConsentSettings.load().every_guardian_must_agree is True
    purposes, answers = _answers()
    states = [answer.state for answer in answers.values()]
    assert states.count(YES) > 0.6 * len(states)
    assert {YES, NO, AWAITING} <= set(states)
    refused = {name: sum(1 for (_pupil, purpose_id), answer in answers.items()
                         if purpose_id == purpose.pk and answer.state == NO) for name, purpose in purposes.items()}
    assert refused[SOCIAL_MEDIA] >= 3 and refused[LOCAL_PRESS] >= 3
    assert refused["School website"] == 0  # a family said no to social media or the press, not to everything
    both = {pupil_id for (pupil_id, purpose_id), answer in answers.items()
            if purpose_id == purposes[SOCIAL_MEDIA].pk and answer.state == NO} & {
        pupil_id for (pupil_id, purpose_id), answer in answers.items()
        if purpose_id == purposes[LOCAL_PRESS].pk and answer.state == NO}
    assert both  # some families refused both


def test_a_family_said_yes_and_withdrew_social_media_days_later_and_is_not_to_be_photographed(demo):
    purposes, answers = _answers()
    social_media = purposes[SOCIAL_MEDIA]
    withdrawals = [(pupil_id, answer) for (pupil_id, purpose_id), answer in answers.items()
                   if purpose_id == social_media.pk and answer.state == NO and answer.withdrawn]
    assert len(withdrawals) == 1
    pupil_id, answer = withdrawals[0]
    history = list(ConsentDecision.objects.filter(pupil_id=pupil_id, purpose=social_media,
                                                  guardian_id=answer.decider.guardian_id).order_by("decided_at"))
    assert [decision.answer for decision in history] == [True, False]
    assert history[1].decided_at - history[0].decided_at >= datetime.timedelta(days=2)
    assert history[1].decided_at <= timezone.now()
    assert "withdrawn by" in answer.reason
    # The "do not photograph" data for social media names the child; the rest of their answers are yes.
    assert not answers[(pupil_id, social_media.pk)].is_yes
    assert all(answers[(pupil_id, purpose.pk)].is_yes for name, purpose in purposes.items() if name != SOCIAL_MEDIA)


def test_one_parent_of_two_has_answered_so_the_child_is_awaiting_every_purpose(demo):
    purposes, answers = _answers()
    halfway = {pupil_id for (pupil_id, _purpose), answer in answers.items()
               if answer.state == AWAITING and answer.guardians == 2 and answer.answered_yes == 1}
    assert len(halfway) == 1
    pupil_id = halfway.pop()
    assert all(answers[(pupil_id, purpose.pk)].state == AWAITING for purpose in purposes.values())
    assert ConsentDecision.objects.filter(pupil_id=pupil_id).values("guardian").distinct().count() == 1
    assert "1 of 2" in answers[(pupil_id, purposes[SOCIAL_MEDIA].pk)].reason


def test_class_5a_answered_online_through_their_links_and_other_forms_were_entered_by_the_office(demo):
    office = User.objects.get(email="office@demo.school")
    online = ConsentDecision.objects.filter(method=DecisionMethod.ONLINE)
    assert online.exists()
    assert set(online.values_list("pupil__reg_class", flat=True)) == {LINK_CLASS}
    assert not online.filter(recorded_by__isnull=False).exists()
    paper = ConsentDecision.objects.filter(method=DecisionMethod.PAPER)
    assert paper.exclude(pupil__reg_class=LINK_CLASS).exists()
    assert set(paper.values_list("recorded_by", flat=True)) == {office.pk}
    # Every decision went through the services, so each has its audit event.
    assert AuditEvent.objects.filter(action="consent.decision.recorded").count() == ConsentDecision.objects.count()
    assert AuditEvent.objects.filter(action="consent.settings.changed").count() == 1
    assert max(ConsentDecision.objects.values_list("decided_at", flat=True)) <= timezone.now()


def test_loading_the_demo_consent_twice_creates_nothing(demo):
    counts = {model: model.objects.count() for model in (ConsentDecision, AuditEvent, OutboxEmail,
                                                          LeaverImageReview)}
    assert consent_demo_load() == 0
    assert demo_load() == 0
    assert {model: model.objects.count() for model in counts} == counts


def test_a_demo_pupil_who_has_left_is_put_on_the_leavers_list(demo):
    leaver = Pupil.objects.filter(mis_id__startswith="DEMO").order_by("mis_id").last()
    leaver.leaving_date = timezone.localdate() - datetime.timedelta(days=3)
    leaver.save()
    assert consent_demo_load() == 1
    review = LeaverImageReview.objects.get()
    assert (review.pupil, review.reviewed_at) == (leaver, None)


def test_without_the_demo_school_nothing_is_created(db):
    assert consent_demo_load(today=datetime.date(2026, 11, 20)) == 0
    assert not ConsentDecision.objects.exists()
    assert ConsentSettings.load().every_guardian_must_agree is False
