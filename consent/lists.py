"""The queries behind the staff pages: the "do not photograph" list (screen and PDF), coverage
figures, and one pupil's answers.

Every answer comes from consent.effective (answer_states where only the state is shown), over a
queryset of pupils, so a page costs the same few queries for one class or the whole school.
Nothing here re-states the rule.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Min

from consent.effective import AWAITING, NO, YES, Answer, answer_states, effective_answers, latest_decisions
from consent.models import ConsentPurpose
from safety_portal.school.models import Pupil, PupilGuardian, YearGroup

SCHOOL_ORDER = ("year_group", "reg_class", "last_name", "first_name", "pk")
# A pupil who joined between two queries of the same report has no answer yet: list them.
UNKNOWN = Answer(AWAITING)
# Lists and counts show only the state: one shared answer for each.
BY_STATE = {state: Answer(state) for state in (YES, NO, AWAITING)}


def active_purposes():
    return list(ConsentPurpose.objects.filter(active=True))


def pupils_on_roll():
    return Pupil.objects.on_roll()


def year_and_class_choices():
    """(year groups, class names) of pupils on roll, in school order (Reception, Year 1 ... and
    "1A, 2A, 10A", not "10A, 1A"). A mixed-age class comes under its youngest pupils. One query."""
    classes = (pupils_on_roll().order_by().values("reg_class").annotate(year=Min("year_group"))
               .values_list("reg_class", "year"))
    years = pupils_on_roll().order_by().values_list("year_group", flat=True).distinct()
    class_names = [name for name, _year in sorted(classes, key=lambda pair: (pair[1], pair[0])) if name]
    return sorted(years), class_names


@dataclass(frozen=True)
class Reason:
    purpose: ConsentPurpose
    answer: Answer


@dataclass(frozen=True)
class ListRow:
    """A pupil not to photograph for at least one purpose; `reasons` has each purpose that is not yes."""

    pupil: Pupil
    reasons: list
    checked: int = 1  # how many purposes were checked

    @property
    def same_for_all(self):
        """The answer when every purpose checked (more than one) is held back for the same reason:
        "All purposes: awaiting" reads faster than seven lines saying so."""
        states = {reason.answer.state for reason in self.reasons}
        if self.checked > 1 and len(self.reasons) == self.checked and len(states) == 1:
            return self.reasons[0].answer
        return None

    @property
    def first_name(self):
        # The name the child answers to: that is how staff find them in a group.
        return self.pupil.preferred_name or self.pupil.first_name

    @property
    def class_label(self):
        return self.pupil.reg_class or YearGroup(self.pupil.year_group).label


LIST_FIELDS = ("first_name", "preferred_name", "last_name", "year_group", "reg_class")


class DoNotPhotographRows(Sequence):
    """The rows of the list, in school order, made only for the pupils a page shows: the pupils'
    few columns are read as plain values (one query, as before) and a Pupil and its reasons are
    built for a row only when it is asked for. A whole school has 1,500 pupils and a page 50."""

    def __init__(self, pupils, purposes, states):
        self.purposes, self.states = purposes, states
        self.db = pupils.db
        # In the model's own field order, as Pupil.from_db expects them.
        self.fields = [field.attname for field in Pupil._meta.concrete_fields
                       if field.primary_key or field.attname in LIST_FIELDS]
        pk = self.fields.index(Pupil._meta.pk.attname)
        self.values = [values for values in pupils.order_by(*SCHOOL_ORDER).values_list(*self.fields)
                       if any(states.get((values[pk], purpose.pk), AWAITING) != YES for purpose in purposes)]

    def __len__(self):
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(values) for values in self.values[index]]
        return self._row(self.values[index])

    def __iter__(self):
        return (self._row(values) for values in self.values)

    def _row(self, values):
        pupil = Pupil.from_db(self.db, self.fields, values)
        reasons = [Reason(purpose, BY_STATE[state]) for purpose in self.purposes
                   if (state := self.states.get((pupil.pk, purpose.pk), AWAITING)) != YES]
        return ListRow(pupil, reasons, len(self.purposes))


def do_not_photograph(pupils, purposes):
    """Rows for the `pupils` (a queryset) whose effective answer is not yes for at least one of
    `purposes`, by class then surname: a sequence whose rows are made as they are read, so a page
    of the whole school costs its own rows only. Three queries, whatever the number of pupils."""
    purposes = list(purposes)
    if not purposes:
        return []
    # States only: staff lists show the category (refused, awaiting), never who decided.
    return DoNotPhotographRows(pupils, purposes, answer_states(pupils, purposes))


@dataclass
class Tally:
    yes: int = 0
    no: int = 0
    awaiting: int = 0

    @property
    def total(self):
        return self.yes + self.no + self.awaiting

    def add(self, state):
        if state == YES:
            self.yes += 1
        elif state == NO:
            self.no += 1
        else:
            self.awaiting += 1


@dataclass
class CoverageLine:
    """One class (or a year group's pupils without a class): a tally per purpose, in purpose order."""

    year_group: int
    reg_class: str
    tallies: list
    pupils: int = 0

    @property
    def year_label(self):
        return YearGroup(self.year_group).label


@dataclass
class CoverageYear:
    year_group: int
    lines: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    pupils: int = 0

    @property
    def label(self):
        return YearGroup(self.year_group).label


@dataclass
class Coverage:
    purposes: list
    years: list
    totals: list
    pupils: int


def coverage(purposes):
    """How many yes / no / awaiting per purpose, for each class of pupils on roll (grouped by year
    group), each year group and the whole school. Counts only: no names leave this function."""
    purposes = list(purposes)
    pupils = pupils_on_roll()
    states = answer_states(pupils, purposes)  # tallies of states only
    lines, years = {}, {}
    totals = [Tally() for _purpose in purposes]
    count = 0
    for pupil_id, year_group, reg_class in pupils.order_by().values_list("pk", "year_group", "reg_class"):
        year = years.get(year_group)
        if year is None:
            year = years[year_group] = CoverageYear(year_group, totals=[Tally() for _purpose in purposes])
        line = lines.get((year_group, reg_class))
        if line is None:
            line = lines[(year_group, reg_class)] = CoverageLine(year_group, reg_class,
                                                                 [Tally() for _purpose in purposes])
            year.lines.append(line)
        count += 1
        year.pupils += 1
        line.pupils += 1
        for index, purpose in enumerate(purposes):
            state = states.get((pupil_id, purpose.pk), AWAITING)
            line.tallies[index].add(state)
            year.totals[index].add(state)
            totals[index].add(state)
    ordered = [years[key] for key in sorted(years)]
    for year in ordered:
        # Pupils without a class last in their year group.
        year.lines.sort(key=lambda line: (not line.reg_class, line.reg_class))
    return Coverage(purposes, ordered, totals, count)


@dataclass(frozen=True)
class PupilPurpose:
    purpose: ConsentPurpose
    answer: Answer
    guardian_answers: list = field(default_factory=list)  # [(guardian link, decision values or None)]


def pupil_answers(pupil, purposes):
    """Each purpose's effective answer for one pupil. Three queries."""
    answers = effective_answers([pupil], purposes)
    return [PupilPurpose(purpose, answers[(pupil.pk, purpose.pk)]) for purpose in purposes]


def pupil_guardian_links(pupil):
    """Everyone linked to the pupil, those whose answers count (parental responsibility) first."""
    return list(PupilGuardian.objects.filter(pupil=pupil).select_related("guardian")
                .order_by("-parental_responsibility", "priority", "guardian__last_name", "pk"))


def pupil_answers_by_guardian(pupil, purposes, links):
    """Like pupil_answers, with each responsible guardian's latest answer that still counts."""
    responsible = [link for link in links if link.parental_responsibility]
    latest = {(guardian_id, purpose_id): {"answer": answer, "decided_at": decided_at}
              for guardian_id, purpose_id, answer, decided_at in
              latest_decisions([pupil.pk], purposes).filter(guardian__in=[link.guardian_id for link in responsible])
              .values_list("guardian_id", "purpose_id", "answer", "decided_at")}
    return [PupilPurpose(row.purpose, row.answer,
                         [(link, latest.get((link.guardian_id, row.purpose.pk))) for link in responsible])
            for row in pupil_answers(pupil, purposes)]
