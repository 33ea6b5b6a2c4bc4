"""The figures of a termly governor report, gathered from the domain apps.

`term_figures(term)` returns the dict stored with a report (the shape written out by hand in
tests/reports/sample.py): counts, shares and labels only, already translated, with dates as ISO
strings, so that it can be stored as JSON and rendered without touching a record again. No pupil,
guardian or staff name, incident reference or description ever reaches it. Every count of
incidents, referrals or pupils goes through `suppression`, so 1 and 2 are never stored; a share of
children (or of their incidents) is withheld when its part, its rest or its whole is 1 or 2
(`share`). Shares of staff and governors are printed as counted.

What each part counts:

- Incidents by the local date they were reported (`reported_at`), within the term's reporting
  period: its first day to the day before the next term starts (holidays count with the term
  before them). "Closed" and "median days to close" go by `closed_at` within the period, whenever
  the incident was reported; "open at the end" is every incident reported by the end and not
  closed by then. A case closed in the term and reopened since has no `closed_at` any more, so a
  report made later counts it as open at the end: the log keeps no closing date once reopened.
- Referrals and decisions not to refer by the date they were made (`made_on`); each counts the
  incidents concerned, so two referrals of one case to the same agency count once.
- Agreements and photo consent are the school's record as it stands when the report is made
  (neither keeps a history of who was on a list at a past date): the document should say so.
  Agreements have data once an audience with a list of people (not visitors) has a published one.
- Policies: reviewed = policies with a version approved in the period; due next term = policies in
  use whose next review falls in the next term's reporting period (or the four months after this
  period, before the next term is entered); overdue = policies in use whose review date has passed
  on the day the report is made (`today`). The register keeps only each policy's current review
  date, so overdue "at the term's end" cannot be worked out once a late review has been done; as
  at the day the report is made, it is exactly what the register shows that day.
- Training: staff and governors (active accounts) with refresher training in the twelve months up
  to the period's last day, by the register's rule (policies.training).

Cost: a fixed number of queries (28 when every part has data) whatever the size of the school or the log. Every
count is an aggregate in the database; the only rows fetched are the (reported, closed) times of
the incidents closed in the period, for the median, and one id per pupil on roll for consent.
"""

import datetime
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, Exists, Min, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from agreements.compliance import PUPIL_LIST_AUDIENCES, audience_summaries
from consent.effective import effective_answers
from consent.lists import UNKNOWN, active_purposes
from consent.models import ConsentDecision
from incidents.models import (
    TYPE_AREA,
    Agency,
    Area,
    DeviceOwner,
    Incident,
    IncidentPupil,
    IncidentType,
    Location,
    ParentContact,
    Referral,
    Sensitivity,
)
from policies.dates import add_months
from policies.models import REFRESHER_KINDS, Policy, PolicyVersion, TrainingAttendance, TrainingSession
from policies.training import STAFF_ROLES, refresher_cutoff
from safety_portal.reports.suppression import breakdown, exact_count, is_small, nested_breakdown, safe_count
from safety_portal.school import roles
from safety_portal.school.models import KeyStage, Pupil, SchoolProfile, Term, User, YearGroup, key_stage_for

VERSION = 1
TREND_TERMS = 3
# Before the next term is entered, "due next term" looks this far past the period's end.
NEXT_PERIOD_MONTHS = 4
ONE_DAY = datetime.timedelta(days=1)
# The areas charted term by term: "not sure" is a triage state, not an area of risk.
TREND_AREAS = [area for area in Area if area != Area.NOT_SURE]


@dataclass(frozen=True)
class Period:
    """Whole local days, `start` to `end` inclusive."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def of(cls, term):
        return cls(term.reporting_start, term.reporting_end)

    @property
    def since(self):
        return _day_start(self.start)

    @property
    def until(self):
        """The first moment after the period: midnight at the start of the next day, local time."""
        return _day_start(self.end + ONE_DAY)

    def moments(self, field):
        """The condition that the date-time `field` falls on one of the period's days, local time."""
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    def days(self, field):
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def as_dict(self):
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Terms:
    """The term reported on and the terms it is compared with, each with its reporting period."""

    term: Term
    period: Period
    previous: Term | None
    previous_period: Period | None
    last_year: Term | None
    last_year_period: Period | None
    trend: list  # [(term, period)], oldest first, ending with this term
    next_period: Period


def _terms(term):
    term = Term.objects.get(pk=term.pk)  # fresh, so the cost does not depend on what the caller cached
    period = Period.of(term)
    earlier = list(Term.objects.previous(term)[:TREND_TERMS - 1])
    # A term's period ends the day before the next term starts; the next term after each earlier
    # one is the one after it in this list, so their periods need no query each.
    trend, following = [(term, period)], term
    for older in earlier:
        trend.insert(0, (older, Period(older.reporting_start, following.start_date - ONE_DAY)))
        following = older
    previous = earlier[0] if earlier else None
    last_year = Term.objects.filter(academic_year=term.academic_year - 1, name=term.name).first()
    following = term.next_term
    if following is not None:
        next_period = Period.of(following)
    else:
        next_period = Period(period.end + ONE_DAY, add_months(period.end, NEXT_PERIOD_MONTHS))
    return Terms(term=term, period=period, previous=previous,
                 previous_period=trend[-2][1] if previous else None,
                 last_year=last_year, last_year_period=Period.of(last_year) if last_year else None,
                 trend=trend, next_period=next_period)


def term_figures(term, *, today=None):
    """Every figure of the report for `term`, as stored with it. `today` is the day it is made."""
    today = today or timezone.localdate()
    terms = _terms(term)
    counts = incident_counts(terms)
    incidents = incident_figures(terms, counts)
    return {
        "version": VERSION,
        "school": SchoolProfile.load().name,
        "term": {"id": terms.term.pk, "label": str(terms.term), **terms.period.as_dict()},
        "previous_term": {"label": str(terms.previous)} if terms.previous else None,
        "same_term_last_year": {"label": str(terms.last_year)} if terms.last_year else None,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "incidents": incidents,
        "referrals": referral_figures(terms.period, counts),
        "filtering": filtering_figures(counts, incidents),
        "agreements": agreement_figures(),
        "consent": consent_figures(today),
        "policies": policy_figures(terms, today),
        "training": training_figures(terms.period),
    }


# --- Shares ------------------------------------------------------------------------------------

def share(part, whole, *, children=False):
    """A share of a group: {"count", "of", "percent"}, the percentage rounded down (100% means everyone).

    For children (or their incidents) small numbers are withheld like any other count: `of` is None
    when the group itself is 1 or 2, and `count` and `percent` are None when either the part or
    the rest of the group is 1 or 2 (the rest follows from the part and the whole)."""
    if children and (is_small(whole) or is_small(part) or is_small(whole - part)):
        return {"count": None, "of": None if is_small(whole) else whole, "percent": None}
    return {"count": part, "of": whole, "percent": 100 * part // whole if whole else None}


# --- Incidents ---------------------------------------------------------------------------------

def counted_incidents():
    """The incidents the report counts: all but restricted cases (allegations against staff). Those are
    the headteacher's to report to the chair of governors under the separate allegations procedure;
    counted here, the DSL preparing the report and governors could learn of a case about a named
    colleague."""
    return Incident.objects.exclude(sensitivity=Sensitivity.RESTRICTED)


def _key(prefix, value):
    return f"{prefix}__{value}"


def incident_counts(terms):
    """Every count of incidents the report needs, in one aggregate query; None when no incident was
    reported by the period's end."""
    period = terms.period
    in_period = period.moments("reported_at")
    informed = ParentContact.objects.filter(incident=OuterRef("pk"), informed=True)
    aggregates = {
        "any": Count("pk"),
        "first": Min("reported_at"),
        "recorded": Count("pk", filter=in_period),
        "open_at_end": Count("pk", filter=Q(closed_at__isnull=True) | Q(closed_at__gte=period.until)),
        "closed": Count("pk", filter=period.moments("closed_at")),
        "urgent": Count("pk", filter=in_period & Q(immediate_risk=True)),
        "parents_informed": Count("pk", filter=in_period & Q(Exists(informed))),
    }
    for name, compared in (("previous", terms.previous_period), ("last_year", terms.last_year_period)):
        if compared is not None:
            aggregates[name] = Count("pk", filter=compared.moments("reported_at"))
    for field, choices in (("area", Area), ("incident_type", IncidentType), ("location", Location)):
        for choice in choices:
            aggregates[_key(field, choice.value)] = Count("pk", filter=in_period & Q(**{field: choice.value}))
    for choice in DeviceOwner:
        # A blank device was not asked about or not known: it counts as "not known".
        values = [choice.value, ""] if choice == DeviceOwner.UNKNOWN else [choice.value]
        aggregates[_key("device_owner", choice.value)] = Count("pk", filter=in_period & Q(device_owner__in=values))
    for index, (_term, trend_period) in enumerate(terms.trend):
        for area in Area:  # "not sure" too: each term's column must add up to its printed total
            aggregates[_key(f"trend{index}", area.value)] = Count(
                "pk", filter=trend_period.moments("reported_at") & Q(area=area.value))
    # Everything counted was reported by the period's end: in it, in a term compared with it, or
    # before it and still open or closed in it.
    counts = counted_incidents().filter(reported_at__lt=period.until).aggregate(**aggregates)
    return counts if counts["any"] else None


def incident_figures(terms, counts):
    """The headline counts, the breakdowns and the trend: four queries besides `incident_counts`."""
    if counts is None:
        return {"has_data": False}
    period = terms.period

    def rows(field, choices):
        return [(choice.label, counts[_key(field, choice.value)]) for choice in choices]

    # Every type, in the usual order; "not sure" only when some are, to keep the table short. Not
    # allegations against staff: restricted cases are not counted (counted_incidents).
    types = [(choice.label, counts[_key("incident_type", choice.value)]) for choice in IncidentType
             if choice != IncidentType.STAFF_MISUSE
             and (choice != IncidentType.NOT_SURE or counts[_key("incident_type", choice.value)])]
    by_area = breakdown(rows("area", Area))
    # A type belongs to one area, so a type's small count could be worked out from its area's.
    area_of_type = {str(choice.label): TYPE_AREA.get(choice, Area.NOT_SURE).label for choice in IncidentType}
    by_key_stage, by_year_group = _pupil_breakdowns(period)
    closed = counts["closed"]
    return {
        "has_data": True,
        "recorded": safe_count(counts["recorded"]),
        "previous": _compared(counts, "previous", terms.previous_period),
        "last_year": _compared(counts, "last_year", terms.last_year_period),
        "open_at_end": safe_count(counts["open_at_end"]),
        "closed": safe_count(closed),
        # The median of one or two cases is their own closing time: not shown.
        "median_days_to_close": None if is_small(closed) else _median_days_to_close(period),
        "urgent": safe_count(counts["urgent"]),
        "by_area": by_area,
        "by_type": nested_breakdown(types, by_area, area_of_type),
        "by_key_stage": by_key_stage,
        "by_year_group": by_year_group,
        "by_location": breakdown(rows("location", Location)),
        "by_device": breakdown(rows("device_owner", DeviceOwner)),
        "trend": _trend(terms, counts),
    }


def _compared(counts, name, period):
    """A compared term's count; None when there is no such term or the log had no incident yet by its
    end (its zero would be a gap in the records, not a fact)."""
    if name not in counts or counts["first"] >= period.until:
        return None
    return safe_count(counts[name])


def _trend(terms, counts):
    """Incidents per 4C area in each of the last three terms, leaving out terms that ended before the
    first incident was logged. Each term's column is suppressed as the area table is, since its total
    (the term's headline) is printed too."""
    shown = [(index, term) for index, (term, period) in enumerate(terms.trend) if counts["first"] < period.until]
    columns = [{row["label"]: row for row in
                breakdown([(area.label, counts[_key(f"trend{index}", area.value)]) for area in Area])["rows"]}
               for index, _term in shown]
    series = []
    for area in TREND_AREAS:
        cells = [column[str(area.label)] for column in columns]
        series.append({"label": str(area.label), "values": [cell["value"] for cell in cells],
                       "display": [cell["display"] for cell in cells]})
    return {"terms": [str(term) for _index, term in shown], "series": series}


def _median_days_to_close(period):
    """Median days from report to closing of the incidents closed in the period, to one decimal place.

    Elapsed time, not calendar days: a case closed the afternoon it was reported took 0.2 days."""
    durations = [max((closed - reported).total_seconds(), 0) / 86400 for reported, closed in
                 counted_incidents().filter(period.moments("closed_at")).order_by()
                 .values_list("reported_at", "closed_at")]
    if not durations:
        return None
    median = Decimal(repr(statistics.median(durations)))
    return float(median.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _stage_of_year():
    """The key stage of the pupil's year group, worked out in the database by the school's rule."""
    whens = []
    for stage in KeyStage:
        years = [year for year in YearGroup.values if key_stage_for(year) == stage]
        if years:
            whens.append(When(pupil__year_group__in=years, then=Value(stage.value)))
    return Case(*whens, output_field=CharField())


def _pupil_breakdowns(period):
    """(by key stage, by year group): incidents reported in the period that involve each, an incident
    counted once in a group however many of its pupils it involves. Rows are the year groups of
    pupils on roll at the period's end, and any other an incident involved, so that a primary
    school's table stops at Year 6. Three queries."""
    links = IncidentPupil.objects.filter(period.moments("incident__reported_at"),
                                         incident__in=counted_incidents()).order_by()
    by_year = dict(links.values("pupil__year_group").annotate(n=Count("incident", distinct=True))
                   .values_list("pupil__year_group", "n"))
    by_stage = dict(links.annotate(stage=_stage_of_year()).values("stage")
                    .annotate(n=Count("incident", distinct=True)).values_list("stage", "n"))
    years = set(Pupil.objects.on_roll(period.end).order_by().values_list("year_group", flat=True).distinct())
    years |= {year for year, count in by_year.items() if count}
    stages = {key_stage_for(year) for year in years}
    by_key_stage = breakdown([(stage.label, by_stage.get(stage.value, 0)) for stage in KeyStage if stage in stages])
    # A year group's small count could be worked out from its key stage's printed one.
    stage_of_year = {str(year.label): key_stage_for(year.value).label for year in YearGroup}
    return by_key_stage, nested_breakdown(
        [(year.label, by_year.get(year.value, 0)) for year in YearGroup if year.value in years],
        by_key_stage, stage_of_year)


# --- Referrals and filtering -------------------------------------------------------------------

def referral_figures(period, counts):
    """Incidents referred to each agency and incidents with a decision not to refer, by the date of the
    decision (one query), and the share of the period's incidents whose parents were informed."""
    if counts is None:
        return {"has_data": False}
    referred = Q(decision=Referral.Decision.REFERRED)
    aggregates = {}
    for agency in Agency:
        # A referral with no agency recorded still went somewhere: it counts as "other".
        values = [agency.value, ""] if agency == Agency.OTHER else [agency.value]
        aggregates[agency.value] = Count("incident", distinct=True, filter=referred & Q(agency__in=values))
    aggregates["not_referred"] = Count("incident", distinct=True, filter=Q(decision=Referral.Decision.NOT_REFERRED))
    decided = Referral.objects.filter(period.days("made_on"), incident__in=counted_incidents()).aggregate(**aggregates)
    return {
        "has_data": True,
        "by_agency": breakdown([(agency.label, decided[agency.value]) for agency in Agency]),
        "not_referred": safe_count(decided["not_referred"]),
        "parents_informed": share(counts["parents_informed"], counts["recorded"], children=True),
    }


def filtering_figures(counts, incidents):
    """Breaches reported: the filtering row of the type table, so suppressed when that table is."""
    if counts is None:
        return {"has_data": False}
    if incidents["by_type"]["suppressed"]:
        return {"has_data": True, "breaches": {"value": None, "display": gettext("suppressed")}}
    return {"has_data": True, "breaches": safe_count(counts[_key("incident_type", IncidentType.FILTERING_BREACH)])}


# --- Agreements, consent -----------------------------------------------------------------------

def agreement_figures():
    """Each audience with a published agreement and a list of people (not visitors): who has signed the
    version that counts. As at the moment the report is made: the record keeps no past lists."""
    audiences = [summary for summary in audience_summaries() if summary.is_published and summary.has_roll]
    if not audiences:
        return {"has_data": False}
    rows = []
    for summary in audiences:
        children = summary.audience in PUPIL_LIST_AUDIENCES
        figures = share(summary.signed, summary.total, children=children)
        outstanding = summary.outstanding
        rows.append({"label": str(summary.audience.label), **figures,
                     "outstanding": None if children and figures["count"] is None else outstanding})
    return {"has_data": True, "audiences": rows}


def consent_figures(today):
    """For each purpose in use, pupils on roll whose effective answer is yes; and the pupils on the
    "do not photograph" list (not yes for at least one purpose in use, as consent.lists has it).
    As at the day the report is made: the answers that count are worked out from today's history."""
    if not ConsentDecision.objects.exists():
        return {"has_data": False}
    purposes = active_purposes()
    answers = effective_answers(Pupil.objects.on_roll(today), purposes, today=today) if purposes else {}
    pupil_ids = {pupil_id for pupil_id, _purpose in answers}
    rows = []
    for purpose in purposes:
        yes = sum(1 for pupil_id in pupil_ids if answers.get((pupil_id, purpose.pk), UNKNOWN).is_yes)
        rows.append({"label": purpose.name, **share(yes, len(pupil_ids), children=True)})
    held_back = sum(1 for pupil_id in pupil_ids
                    if any(not answers.get((pupil_id, purpose.pk), UNKNOWN).is_yes for purpose in purposes))
    return {"has_data": True, "purposes": rows, "do_not_photograph": safe_count(held_back)}


# --- Policies, training ------------------------------------------------------------------------

def policy_figures(terms, today):
    """Policies reviewed in the period (a version approved in it), due in the next term, and overdue on
    the day the report is made. Two queries."""
    period, following = terms.period, terms.next_period
    # Before the register held any approved version, its counts would be zeros, not facts.
    versions = PolicyVersion.objects.filter(approved_on__lte=period.end).aggregate(
        any=Count("pk"), reviewed=Count("policy", distinct=True, filter=period.days("approved_on")))
    if not versions["any"]:
        return {"has_data": False}
    policies = Policy.objects.in_use().aggregate(
        due=Count("pk", filter=following.days("next_review_on")),
        # The register's "overdue" (ReviewState.OVERDUE): in use, and the review date has passed.
        overdue=Count("pk", filter=Q(next_review_on__lt=today)))
    # Counts of policies, not of children: shown in full.
    return {"has_data": True, "reviewed": exact_count(versions["reviewed"]),
            "due_next_term": exact_count(policies["due"]), "overdue": exact_count(policies["overdue"])}


def _holds(names):
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=names))


def training_figures(period):
    """Staff (anyone holding a role other than governor) and governors with safeguarding refresher
    training in the twelve months up to the period's last day (policies.training's rule), among
    active accounts. Training logged after the period does not count. Two queries."""
    if not TrainingSession.objects.filter(held_on__lte=period.end).exists():
        return {"has_data": False}  # the log began after this period: shares would be zeros, not facts
    trained = Q(Exists(TrainingAttendance.objects.filter(
        user=OuterRef("pk"), session__kind__in=REFRESHER_KINDS,
        session__held_on__gte=refresher_cutoff(period.end), session__held_on__lte=period.end)))
    staff, governors = Q(_holds(STAFF_ROLES)), Q(_holds([roles.GOVERNOR]))
    counts = User.objects.filter(is_active=True).aggregate(
        staff=Count("pk", filter=staff), staff_trained=Count("pk", filter=staff & trained),
        governors=Count("pk", filter=governors), governors_trained=Count("pk", filter=governors & trained))
    return {"has_data": True, "staff": share(counts["staff_trained"], counts["staff"]),
            "governors": share(counts["governors_trained"], counts["governors"])}
