"""The answer that counts for a child and a purpose, worked out from the history.

The rule (DESIGN.md): "yes" only if a guardian with parental responsibility said yes, no such
guardian's latest answer is no, and, where the school requires every such guardian, each of them
said yes. Guardians without parental responsibility are ignored. For a purpose asked again each
school year, answers from before 1 September of this school year no longer count.

Two queries for any number of pupils: the guardians with parental responsibility, and each
guardian's latest decision per purpose (with whether they had said yes before). Everything
else is one pass in Python.

Pages that need only the states (yes, no, awaiting) for a whole school, not who decided or when,
use answer_states: the same rule in SQL, one query.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
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


SAME_CHOICE = {"pupil": OuterRef("pupil"), "purpose": OuterRef("purpose"), "guardian": OuterRef("guardian")}


def _latest_only(decisions):
    """Of `decisions` (counting ones), each guardian's latest per child and purpose."""
    # A later decision for the same child, purpose and guardian counts whenever this one does, so the
    # check needs only the (pupil, purpose, guardian, decided_at) index: PostgreSQL plans it well even
    # before its statistics catch up with a bulk load.
    later = ConsentDecision.objects.filter(**SAME_CHOICE).filter(
        Q(decided_at__gt=OuterRef("decided_at")) | Q(decided_at=OuterRef("decided_at"), pk__gt=OuterRef("pk")))
    return decisions.exclude(Exists(later))


def latest_decisions(pupils, purposes, today=None):
    """Each guardian's latest counting decision per child and purpose, with `had_said_yes`."""
    start = school_year_start(today or timezone.localdate())
    earlier_yes = ConsentDecision.objects.filter(
        **SAME_CHOICE, answer=True, decided_at__lt=OuterRef("decided_at")).filter(
        Q(purpose__renew_each_year=False) | Q(decided_at__gte=start))
    return _latest_only(counting_decisions(pupils, purposes, today)).annotate(had_said_yes=Exists(earlier_yes))


def answer_states(pupils, purposes, *, today=None, every_guardian=None):
    """{(pupil id, purpose id): YES or NO} for the `pupils` (a queryset) and `purposes`; any pair
    not in it is AWAITING.

    The rule of _answer, worked out by the database in one query: each guardian's latest counting
    decision is picked by a window function (one sort of the decisions, rather than a "later
    decision?" probe for each of them), then the responsible guardians' answers are counted per
    child and purpose. For pages that show states only: tests/consent/test_effective_counts_only.py
    checks it gives the state effective_answers gives.
    """
    purposes = list(purposes)
    if every_guardian is None:
        every_guardian = ConsentSettings.load().every_guardian_must_agree
    newest_first = Window(RowNumber(), partition_by=[F("pupil"), F("purpose"), F("guardian")],
                          order_by=[F("decided_at").desc(), F("pk").desc()])
    latest = counting_decisions(pupils, purposes, today).annotate(newest=newest_first).filter(newest=1)
    responsible = PupilGuardian.objects.filter(parental_responsibility=True)
    counted = (ConsentDecision.objects.filter(pk__in=latest.values("pk"))
               # Anyone else's decisions are ignored.
               .filter(Exists(responsible.filter(pupil=OuterRef("pupil"), guardian=OuterRef("guardian"))))
               .order_by().values("pupil", "purpose")
               .annotate(noes=Count("pk", filter=Q(answer=False)), yeses=Count("pk", filter=Q(answer=True))))
    said_yes = Q(yeses__gt=0)
    if every_guardian:
        guardians = (responsible.filter(pupil=OuterRef("pupil")).order_by().values("pupil")
                     .annotate(count=Count("pk")).values("count"))
        counted = counted.annotate(guardians=Subquery(guardians, output_field=IntegerField()))
        said_yes &= Q(yeses=F("guardians"))
    # A no from any of them outweighs every yes; pairs left awaiting are not returned.
    state = Case(When(noes__gt=0, then=Value(NO)), When(said_yes, then=Value(YES)), default=Value(AWAITING))
    rows = counted.annotate(state=state).values_list("pupil", "purpose", "state")
    return {(pupil_id, purpose_id): state for pupil_id, purpose_id, state in rows if state != AWAITING}


def guardian_label(title, first_name, last_name, relationship):
    name = " ".join(part for part in (title or first_name, last_name) if part)
    return f"{name} ({relationship})" if relationship else name


def effective_answers(pupils, purposes, *, today=None, every_guardian=None):
    """{(pupil id, purpose id): Answer} for every pupil and purpose given, with who decided and when.

    `pupils`: a queryset (used as a subquery) or a list of pupils or ids; `purposes`: purposes.
    For states only (counts, staff lists) answer_states is far cheaper for a whole school.
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
    rows = latest_decisions(pupil_ref, purposes, today).values_list(
        "pupil_id", "purpose_id", "guardian_id", "answer", "decided_at", "had_said_yes")
    for pupil_id, purpose_id, guardian_id, answer, decided_at, had_said_yes in rows:
        latest.setdefault((pupil_id, purpose_id), {})[guardian_id] = (answer, decided_at, had_said_yes)
    answers = {}
    for pupil_id in pupil_ids:
        guardians = responsible.get(pupil_id, {})
        for purpose in purposes:
            answers[(pupil_id, purpose.pk)] = _answer(guardians, latest.get((pupil_id, purpose.pk), {}), every_guardian)
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
