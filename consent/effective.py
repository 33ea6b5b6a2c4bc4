"""The answer that counts for a child and a purpose, worked out from the history.

The rule (DESIGN.md): "yes" only if a guardian with parental responsibility said yes, no such
guardian's latest answer is no, and, where the school requires every such guardian, each of them
said yes. Guardians without parental responsibility are ignored. For a purpose asked again each
school year, answers from before 1 September of this school year no longer count.

Two queries for any number of pupils: the guardians with parental responsibility, and each
guardian's latest decision per purpose (with whether they had said yes before). Everything
else is one pass in Python.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consent.models import ConsentDecision, ConsentSettings
from safety_portal.school.models import PupilGuardian, academic_year_for

YES, NO, AWAITING = "yes", "no", "awaiting"


@dataclass(frozen=True)
class Decider:
    guardian_id: int
    name: str  # "Mrs Khan (Mother)"


@dataclass(frozen=True)
class Answer:
    state: str  # YES, NO or AWAITING
    decider: Decider | None = None  # who made the deciding answer, for yes and no
    decided_at: datetime.datetime | None = None
    withdrawn: bool = False  # a no from someone who had said yes before
    answered_yes: int = 0
    guardians: int = 0

    @property
    def is_yes(self):
        return self.state == YES

    @property
    def category(self):
        """For staff lists: refused or awaiting, without family details."""
        return {YES: _("yes"), NO: _("refused"), AWAITING: _("awaiting")}[self.state]

    @property
    def reason(self):
        """Why, for those who may see family details: "no: withdrawn by Mrs Khan (Mother) on 3 March"."""
        when = date_format(timezone.localtime(self.decided_at), "j F Y") if self.decided_at else ""
        if self.state == NO:
            if self.withdrawn:
                return _("no: withdrawn by %(who)s on %(when)s") % {"who": self.decider.name, "when": when}
            return _("no: refused by %(who)s on %(when)s") % {"who": self.decider.name, "when": when}
        if self.state == YES:
            if self.guardians > 1 and self.answered_yes == self.guardians:
                return _("yes: all %(count)d parents and carers said yes") % {"count": self.guardians}
            return _("yes: %(who)s on %(when)s") % {"who": self.decider.name, "when": when}
        if not self.guardians:
            return _("awaiting: no parent or carer with parental responsibility is recorded")
        if self.answered_yes:
            return _("awaiting: %(answered)d of %(count)d parents and carers have said yes") % {
                "answered": self.answered_yes, "count": self.guardians}
        return _("awaiting: no answer yet")


def school_year_start(today):
    start = datetime.date(academic_year_for(today), 9, 1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def counting_decisions(pupils, purposes, today=None):
    """Decisions that still count: within this school year for purposes asked again yearly."""
    start = school_year_start(today or timezone.localdate())
    return ConsentDecision.objects.filter(pupil__in=pupils, purpose__in=purposes).filter(
        Q(purpose__renew_each_year=False) | Q(decided_at__gte=start))


def latest_decisions(pupils, purposes, today=None):
    """Each guardian's latest counting decision per child and purpose, with `had_said_yes`."""
    counting = counting_decisions(pupils, purposes, today)
    same = {"pupil": OuterRef("pupil"), "purpose": OuterRef("purpose"), "guardian": OuterRef("guardian")}
    # A later decision for the same child, purpose and guardian counts whenever this one does, so the
    # check needs only the (pupil, purpose, guardian, decided_at) index: PostgreSQL plans it well even
    # before its statistics catch up with a bulk load.
    later = ConsentDecision.objects.filter(**same).filter(
        Q(decided_at__gt=OuterRef("decided_at")) | Q(decided_at=OuterRef("decided_at"), pk__gt=OuterRef("pk")))
    start = school_year_start(today or timezone.localdate())
    earlier_yes = ConsentDecision.objects.filter(**same, answer=True, decided_at__lt=OuterRef("decided_at")).filter(
        Q(purpose__renew_each_year=False) | Q(decided_at__gte=start))
    return counting.exclude(Exists(later)).annotate(had_said_yes=Exists(earlier_yes))


def guardian_label(title, first_name, last_name, relationship):
    name = " ".join(part for part in (title or first_name, last_name) if part)
    return f"{name} ({relationship})" if relationship else name


def effective_answers(pupils, purposes, *, today=None, every_guardian=None, details=True):
    """{(pupil id, purpose id): Answer} for every pupil and purpose given.

    `pupils`: a queryset (used as a subquery) or a list of pupils or ids; `purposes`: purposes.
    `details=False` is for counts: each answer has its state and how many said yes, not who decided
    or when. It skips reading every latest decision's time and earlier yes, which for a whole
    school is most of the cost (bench/RESULTS.md).
    """
    purposes = list(purposes)
    if every_guardian is None:
        every_guardian = ConsentSettings.load().every_guardian_must_agree
    if hasattr(pupils, "values_list"):  # a queryset: the database does the filtering
        pupil_ids, pupil_ref = list(pupils.values_list("pk", flat=True)), pupils.values("pk")
    else:
        pupil_ids = [getattr(pupil, "pk", pupil) for pupil in pupils]
        pupil_ref = pupil_ids
    responsible = {}
    links = (PupilGuardian.objects.filter(pupil__in=pupil_ref, parental_responsibility=True)
             .values_list("pupil_id", "guardian_id", "guardian__title", "guardian__first_name",
                          "guardian__last_name", "relationship"))
    for pupil_id, guardian_id, title, first, last, relationship in links:
        responsible.setdefault(pupil_id, {})[guardian_id] = Decider(
            guardian_id, guardian_label(title, first, last, relationship))
    latest = {}
    decisions = latest_decisions(pupil_ref, purposes, today)
    if details:
        rows = decisions.values_list("pupil_id", "purpose_id", "guardian_id", "answer", "decided_at", "had_said_yes")
    else:
        # Without times every latest answer ties, so the rule's choice of decider is meaningless: dropped below.
        rows = ((*row, None, False) for row in decisions.values_list("pupil_id", "purpose_id", "guardian_id", "answer"))
    for pupil_id, purpose_id, guardian_id, answer, decided_at, had_said_yes in rows:
        latest.setdefault((pupil_id, purpose_id), {})[guardian_id] = (answer, decided_at, had_said_yes)
    answers, bare = {}, {}
    for pupil_id in pupil_ids:
        guardians = responsible.get(pupil_id, {})
        for purpose in purposes:
            answer = _answer(guardians, latest.get((pupil_id, purpose.pk), {}), every_guardian)
            if not details:
                # Only the counts: the same few answers, shared rather than one object per child.
                key = (answer.state, answer.answered_yes, answer.guardians)
                answer = bare.get(key) or bare.setdefault(key, Answer(key[0], answered_yes=key[1], guardians=key[2]))
            answers[(pupil_id, purpose.pk)] = answer
    return answers


def _answer(guardians, latest, every_guardian):
    """One child and purpose: `guardians` {id: Decider} with parental responsibility, `latest`
    {guardian id: (answer, decided_at, had_said_yes)} (anyone else's decisions are ignored)."""
    mine = {gid: latest[gid] for gid in guardians if gid in latest}
    noes = [(decided_at, gid, had_yes) for gid, (answer, decided_at, had_yes) in mine.items() if not answer]
    yeses = [(decided_at, gid) for gid, (answer, decided_at, _had_yes) in mine.items() if answer]
    total = len(guardians)
    if noes:
        decided_at, gid, had_yes = max(noes)
        return Answer(NO, guardians[gid], decided_at, withdrawn=had_yes, answered_yes=len(yeses), guardians=total)
    if yeses and (not every_guardian or len(yeses) == total):
        decided_at, gid = max(yeses)
        return Answer(YES, guardians[gid], decided_at, answered_yes=len(yeses), guardians=total)
    return Answer(AWAITING, answered_yes=len(yeses), guardians=total)
