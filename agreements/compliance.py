"""The record of who has agreed: for each audience, who has signed the version that counts and who has not.

This is the "current record of all staff and pupils who have been granted access" the school keeps.
Every function runs a fixed number of queries however large the school is: counts are aggregates,
and the details of a page of people are fetched for the whole page in one query each.

Which signatures count is decided in two places only: Signature.objects.counted() (the version is
numbered from its agreement's `counts_from_number`) and counting_signatures() below (whose
signature it must be). A pupil counts as signed for their key stage's agreement only by their own
signature; a parent's signature on it is extra information. Parents sign per child: a pupil counts
as signed for the parent audience when any guardian has a counted signature on the parent
agreement on their behalf.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.models import (
    ACCOUNT_AUDIENCES,
    KEY_STAGE_AUDIENCE,
    PUPIL_AUDIENCES,
    STAFF_AGREEMENT_ROLES,
    Agreement,
    Audience,
    Signature,
    SigningLink,
    Visitor,
)
from safety_portal.school import roles
from safety_portal.school.models import Pupil, PupilGuardian, Term, User, YearGroup, key_stage_for

SIGNED, OUTSTANDING = "signed", "outstanding"
# Audiences whose list is pupils on roll: their own key stage's agreement, or their parents' one.
PUPIL_LIST_AUDIENCES = (*PUPIL_AUDIENCES, Audience.PARENT)


def year_groups_for(audience):
    """The year groups whose pupils sign a pupil audience's agreement."""
    return [year for year in YearGroup.values if KEY_STAGE_AUDIENCE[key_stage_for(year)] == audience]


def counted_signatures(agreement):
    """Signatures on the versions of this agreement that count now, whoever signed them."""
    return Signature.objects.counted().filter(version__agreement_id=agreement.pk)


def _whose_signature_counts(audience):
    """A pupil signs their key stage's agreement themselves; parents sign theirs on behalf of a child."""
    if audience == Audience.PARENT:
        return Q(guardian__isnull=False)
    if audience in PUPIL_AUDIENCES:
        return Q(guardian__isnull=True)
    return Q()


def counting_signatures(*audiences):
    """Counted signatures that make their signer (or, for parents, the child) signed for any of `audiences`."""
    condition = Q(pk__in=[])  # no audiences, no signatures
    for audience in audiences:
        condition |= Q(version__agreement__audience=audience) & _whose_signature_counts(audience)
    return Signature.objects.counted().filter(condition)


def signed_pupil_ids(pupils):
    """Ids of `pupils` whose own signature on their key stage's agreement counts now: one query."""
    rows = (counting_signatures(*PUPIL_AUDIENCES).filter(pupil__in=pupils)
            .values_list("pupil_id", "pupil__year_group", "version__agreement__audience"))
    return {pupil_id for pupil_id, year_group, audience in rows
            if KEY_STAGE_AUDIENCE[key_stage_for(year_group)] == audience}


def _holds_role(names):
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=names))


def _base(audience):
    """Everyone an audience is drawn from: active accounts, or pupils on roll."""
    if audience in ACCOUNT_AUDIENCES:
        return User.objects.filter(is_active=True)
    if audience in PUPIL_LIST_AUDIENCES:
        return Pupil.objects.on_roll()
    raise ValueError(f"{audience} has no list of people to sign")


def belongs(agreement):
    """The condition, on _base(), of being asked to sign `agreement`; None for everyone (parents sign for
    every child on roll)."""
    audience = agreement.audience
    if audience == Audience.STAFF:
        return _holds_role(STAFF_AGREEMENT_ROLES)
    if audience == Audience.GOVERNOR:
        return _holds_role([roles.GOVERNOR])
    if audience == Audience.SOCIAL_MEDIA:
        return Exists(Agreement.named_signers.through.objects.filter(agreement_id=agreement.pk,
                                                                      user_id=OuterRef("pk")))
    if audience in PUPIL_AUDIENCES:
        return Q(year_group__in=year_groups_for(audience))
    return None


def people(agreement):
    """Everyone who must sign `agreement`, and the condition that they have: (queryset, Exists)."""
    people = _base(agreement.audience)
    condition = belongs(agreement)
    return (people if condition is None else people.filter(condition)), has_signed(agreement)


def has_signed(agreement, person="pk"):
    """The condition that the person (or child, for parents) in the outer query's `person` column has signed."""
    signer = "user" if agreement.audience in ACCOUNT_AUDIENCES else "pupil"
    return Exists(counting_signatures(agreement.audience).filter(**{signer: OuterRef(person)}))


def percent(part, whole):
    # Rounded down, so 100% means everyone: 1,499 of 1,500 is 99%.
    return 100 * part // whole if whole else None


class SignedCounts:
    """What follows from `total` and `signed`."""

    @property
    def outstanding(self):
        return self.total - self.signed

    @property
    def percent(self):
        return percent(self.signed, self.total)


@dataclass
class Tally(SignedCounts):
    label: object
    total: int
    signed: int
    filter_name: str = ""  # the list filtered to this group: ?filter_name=key
    key: object = ""


@dataclass
class AudienceSummary(SignedCounts):
    audience: Audience
    agreement: Agreement | None
    total: int = 0
    signed: int = 0
    # Visitors have no roll: how many signed in at the kiosk.
    visits_this_term: int | None = None
    visits_this_month: int | None = None

    @property
    def version(self):
        return self.agreement.current_version if self.agreement else None

    @property
    def is_published(self):
        return self.version is not None

    @property
    def has_roll(self):
        return self.audience != Audience.VISITOR


def agreements_by_audience():
    return {agreement.audience: agreement
            for agreement in Agreement.objects.select_related("current_version")}


def audience_summary(agreement, audience=None):
    """Counts for one audience: one aggregate, two for visitors."""
    summary = AudienceSummary(audience=Audience(agreement.audience if agreement else audience), agreement=agreement)
    _count([summary])
    return summary


def audience_summaries():
    """One summary per audience, in the order of Audience: four queries however many audiences."""
    agreements = agreements_by_audience()
    summaries = [AudienceSummary(audience=audience, agreement=agreements.get(audience.value)) for audience in Audience]
    _count(summaries)
    return summaries


def _count(summaries):
    """Fill in the counts: one aggregate for the pupil audiences, one for the accounts, and the visits."""
    published = [summary for summary in summaries if summary.is_published and summary.has_roll]
    for audiences in (PUPIL_LIST_AUDIENCES, ACCOUNT_AUDIENCES):
        group = [summary for summary in published if summary.audience in audiences]
        if not group:
            continue
        aggregates = {}
        for summary in group:
            condition = belongs(summary.agreement)
            signed = has_signed(summary.agreement)
            aggregates[f"{summary.audience}_total"] = Count("pk", filter=condition)
            aggregates[f"{summary.audience}_signed"] = Count(
                "pk", filter=signed if condition is None else Q(condition) & Q(signed))
        counts = _base(group[0].audience).aggregate(**aggregates)
        for summary in group:
            summary.total, summary.signed = counts[f"{summary.audience}_total"], counts[f"{summary.audience}_signed"]
    for summary in summaries:
        if not summary.has_roll:
            summary.visits_this_term, summary.visits_this_month = visit_counts()


def term_start(today):
    """The first day of the latest term to have started: holidays count with the term before them."""
    term = Term.objects.filter(start_date__lte=today).order_by("-start_date").only("start_date").first()
    return term.start_date if term else None


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def visit_counts(now=None):
    """Visitors signed in at the kiosk this term and this calendar month."""
    today = timezone.localdate(now)
    starts = {"month": today.replace(day=1)}
    started = term_start(today)
    if started:
        starts["term"] = started
    counts = Visitor.objects.aggregate(**{
        key: Count("pk", filter=Q(arrived_at__gte=_day_start(day))) for key, day in starts.items()})
    return counts.get("term"), counts["month"]


# --- Breakdowns -------------------------------------------------------------------------------

def class_tallies(queryset, signed):
    """(by year group, by class) for a pupil list: one query grouped by year group and class."""
    grouped = (queryset.order_by().values("year_group", "reg_class")
               .annotate(total=Count("pk"), signed=Count("pk", filter=signed))
               .order_by("year_group", "reg_class"))
    by_year, by_class = {}, []
    for row in grouped:
        year = row["year_group"]
        if year not in by_year:
            by_year[year] = Tally(YearGroup(year).label, 0, 0, "year", year)
        by_year[year].total += row["total"]
        by_year[year].signed += row["signed"]
        if row["reg_class"]:
            by_class.append(Tally(row["reg_class"], row["total"], row["signed"], "reg_class", row["reg_class"]))
    return list(by_year.values()), by_class


def role_tallies(agreement, queryset):
    """For the staff list: holders of each role and how many signed. Someone with two roles counts in both."""
    counts = (User.groups.through.objects.filter(group__name__in=STAFF_AGREEMENT_ROLES, user__in=queryset)
              .values("group__name")
              .annotate(total=Count("user_id"), signed=Count("user_id", filter=has_signed(agreement, "user_id"))))
    by_name = {row["group__name"]: row for row in counts}
    return [Tally(roles.LABELS[name], by_name[name]["total"], by_name[name]["signed"], "role", name)
            for name in roles.ALL if name in by_name]


# --- The list of people -----------------------------------------------------------------------

@dataclass
class LinkState:
    """Where one guardian's latest link for a child stands."""

    link: SigningLink
    now: datetime.datetime

    @property
    def guardian(self):
        return self.link.guardian

    @property
    def state(self):
        if self.link.is_revoked:
            return "revoked"
        if self.link.is_expired(self.now):
            return "expired"
        if self.link.first_opened_at:
            return "opened"
        return "sent"

    @property
    def description(self):
        """For example "last sent 3 Mar, opened, 1 reminder": what the office needs to decide what to do next."""
        link = self.link
        if link.sent_at:
            # A reminder sends the link again, so after one the date is of the latest email.
            sent = _("last sent %(date)s") if link.reminders_sent else _("sent %(date)s")
            parts = [sent % {"date": date_format(timezone.localtime(link.sent_at), "j M")}]
        else:
            parts = [_("not sent")]
        if link.first_opened_at:
            parts.append(_("opened"))
        if link.reminders_sent:
            parts.append(ngettext("%(count)d reminder", "%(count)d reminders", link.reminders_sent)
                         % {"count": link.reminders_sent})
        if self.state == "revoked":
            parts.append(_("revoked"))
        elif self.state == "expired":
            parts.append(_("expired"))
        return ", ".join(str(part) for part in parts)


@dataclass
class RecordRow:
    """One person on the record, and the evidence behind their status."""

    person: object  # a User or a Pupil
    signature: Signature | None = None  # their own latest counted signature (or, for parents, a guardian's)
    guardian_signatures: list = field(default_factory=list)  # guardians who signed on the child's behalf
    links: list = field(default_factory=list)  # of LinkState: the latest pack's links, parents only

    @property
    def is_signed(self):
        return self.signature is not None


def record_rows(agreement, people_list, *, ids=None, now=None):
    """A RecordRow for each person in `people_list`, with two queries for the lot at most.

    `ids` selects the evidence to fetch: the people's primary keys by default, or for a long list
    (an export) a subquery giving them.
    """
    now = now or timezone.now()
    rows = [RecordRow(person) for person in people_list]
    if not rows:
        return rows
    by_pk = {row.person.pk: row for row in rows}
    ids = list(by_pk) if ids is None else ids
    signatures = counted_signatures(agreement).order_by("signed_at", "pk")
    audience = agreement.audience
    if audience in ACCOUNT_AUDIENCES:
        for signature in signatures.select_related("version").only(*SIGNATURE_FIELDS).filter(user_id__in=ids):
            by_pk[signature.user_id].signature = signature  # the latest wins
        return rows
    signatures = signatures.select_related("version", "guardian").only(*SIGNATURE_FIELDS, *GUARDIAN_NAME)
    for signature in signatures.filter(pupil_id__in=ids):
        row = by_pk[signature.pupil_id]
        if signature.guardian_id is None:
            row.signature = signature
        else:
            row.guardian_signatures.append(signature)
    if audience == Audience.PARENT:
        for row in rows:
            row.signature = row.guardian_signatures[-1] if row.guardian_signatures else None
        _attach_links(by_pk, ids, now)
    return rows


# Only what the record shows: a drawn signature's image alone can be tens of kilobytes.
SIGNATURE_FIELDS = ("user", "pupil", "guardian", "signed_at", "method", "version__number")
GUARDIAN_NAME = ("guardian__title", "guardian__first_name", "guardian__last_name")


def _attach_links(by_pk, ids, now):
    """For children not signed for yet: each guardian's link from the latest pack that included them."""
    latest_pack = {}
    links = (SigningLink.objects.filter(pupil_id__in=ids).select_related("guardian")
             .only("pack", "pupil", "guardian", "sent_at", "reminders_sent", "first_opened_at", "revoked_at",
                   "expires_at", *GUARDIAN_NAME)
             .order_by("pack_id", "guardian__last_name", "guardian__first_name", "pk"))
    for link in links:
        row = by_pk.get(link.pupil_id)
        if row is None or row.is_signed:
            continue
        if link.pack_id > latest_pack.get(link.pupil_id, 0):
            latest_pack[link.pupil_id] = link.pack_id
            row.links = []
        row.links.append(LinkState(link, now))


def ordered(agreement, queryset):
    if agreement.audience in ACCOUNT_AUDIENCES:
        return queryset.order_by("last_name", "first_name", "email")
    return queryset.order_by("year_group", "reg_class", "last_name", "first_name", "pk")


def guardian_search(text):
    """Children with a guardian matching every word typed: the office is often asked by a parent."""
    words = Q()
    for word in text.replace(",", " ").split():
        words &= Q(guardian__first_name__icontains=word) | Q(guardian__last_name__icontains=word)
    return Exists(PupilGuardian.objects.filter(words, pupil=OuterRef("pk")))


def user_search(text):
    words = Q()
    for word in text.replace(",", " ").split():
        words &= (Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
                  | Q(job_title__icontains=word))
    return words
