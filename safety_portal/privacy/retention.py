"""Which records are past their retention period. Reading only: disposal is in services.py.

- Child-protection incidents (the DSL said so, or has not yet decided: the longer period when unsure):
  closed, and the youngest pupil named was born at least `child_protection_years` ago. When any pupil
  named has no date of birth, or none is named, the date cannot be worked out: such incidents are
  counted apart and never listed as due.
- Other incidents (the DSL recorded "not a child-protection concern"): closed at least
  `other_incident_years` ago.
- Allegations against staff (restricted incidents) follow their own rule (kept to the person's normal
  retirement age or ten years, whichever is longer) and are never listed here.
- Signatures by a pupil or by a parent on a pupil's behalf, and photo-consent decisions: the pupil
  left at least `signature_years` / `consent_years` ago.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.models import Signature
from consent.models import ConsentDecision
from incidents.access import incidents_for_user
from incidents.models import Sensitivity, Status
from safety_portal.privacy.models import RecordKind


def years_before(day, years):
    """The same day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day, years):
    return years_before(day, -years)


def _closed_incidents(user):
    return (incidents_for_user(user).filter(status=Status.CLOSED)
            .exclude(sensitivity=Sensitivity.RESTRICTED))


def _with_dates_of_birth(incidents):
    return incidents.annotate(
        youngest_birth=Max("pupil_links__pupil__date_of_birth"),
        pupils_named=Count("pupil_links", distinct=True),
        births_missing=Count("pupil_links", filter=Q(pupil_links__pupil__date_of_birth__isnull=True),
                             distinct=True),
    )


def child_protection_incidents(user):
    return _closed_incidents(user).exclude(child_protection=False)


def undatable_incidents(user):
    """Closed child-protection incidents whose due date cannot be worked out (no date of birth)."""
    return (_with_dates_of_birth(child_protection_incidents(user))
            .filter(Q(pupils_named=0) | Q(births_missing__gt=0)).order_by("reported_at", "pk"))


def due_queryset(kind, periods, user, today=None):
    """The records of `kind` past their period today, in the order the report lists them."""
    today = today or timezone.localdate()
    if kind == RecordKind.CHILD_PROTECTION_INCIDENT:
        cutoff = years_before(today, periods["child_protection_years"])
        return (_with_dates_of_birth(child_protection_incidents(user))
                .filter(pupils_named__gt=0, births_missing=0, youngest_birth__lte=cutoff)
                .order_by("youngest_birth", "pk"))
    if kind == RecordKind.OTHER_INCIDENT:
        cutoff = years_before(today, periods["other_incident_years"])
        # A case closed before closed_at was recorded: its last activity is when it was closed.
        ended = Coalesce("closed_at", "last_activity_at", output_field=DateTimeField())
        end_of_cutoff = timezone.make_aware(datetime.datetime.combine(cutoff + datetime.timedelta(days=1),
                                                                      datetime.time.min))
        return (_closed_incidents(user).filter(child_protection=False).annotate(ended_at=ended)
                .filter(ended_at__lt=end_of_cutoff).order_by("ended_at", "pk"))
    if kind == RecordKind.SIGNATURE:
        cutoff = years_before(today, periods["signature_years"])
        return (Signature.objects.filter(pupil__isnull=False, pupil__leaving_date__lte=cutoff)
                .select_related("pupil", "version__agreement")
                .order_by("pupil__leaving_date", "pk"))
    if kind == RecordKind.CONSENT_DECISION:
        cutoff = years_before(today, periods["consent_years"])
        return (ConsentDecision.objects.filter(pupil__leaving_date__lte=cutoff)
                .select_related("pupil", "purpose")
                .order_by("pupil__leaving_date", "pk"))
    raise ValueError(kind)


@dataclass
class DueRecord:
    kind: str
    pk: int
    reference: str  # no names: this goes into the disposal log and the audit trail
    description: str  # for the DSL's screen only
    why: str
    due_since: datetime.date
    url: str = ""  # the page showing the record (the case, or the pupil for signatures and consent)

    @property
    def choice(self):
        return f"{self.kind}:{self.pk}"


DATE_STYLE = "j F Y"  # "13 September 2026", as the rest of the retention pages show dates


def _day(day):
    return date_format(day, DATE_STYLE)


def rule_text(kind, periods):
    if kind == RecordKind.CHILD_PROTECTION_INCIDENT:
        years = periods["child_protection_years"]
        return ngettext("Child protection: %(years)d year after the youngest pupil's date of birth",
                        "Child protection: %(years)d years after the youngest pupil's date of birth",
                        years) % {"years": years}
    if kind == RecordKind.OTHER_INCIDENT:
        years = periods["other_incident_years"]
        return ngettext("Other incident: %(years)d year after the case was closed",
                        "Other incident: %(years)d years after the case was closed", years) % {"years": years}
    if kind == RecordKind.SIGNATURE:
        years = periods["signature_years"]
        return ngettext("Agreement signature: %(years)d year after the pupil left",
                        "Agreement signature: %(years)d years after the pupil left", years) % {"years": years}
    years = periods["consent_years"]
    return ngettext("Photo consent: %(years)d year after the pupil left",
                    "Photo consent: %(years)d years after the pupil left", years) % {"years": years}


def describe(kind, record, periods):
    """One due record as the report and the disposal log show it."""
    if kind == RecordKind.CHILD_PROTECTION_INCIDENT:
        years = periods["child_protection_years"]
        return DueRecord(kind, record.pk, record.reference, record.get_incident_type_display(),
                         _("The youngest pupil named turned %(years)d") % {"years": years},
                         years_after(record.youngest_birth, years), reverse("incidents:detail", args=[record.pk]))
    if kind == RecordKind.OTHER_INCIDENT:
        years = periods["other_incident_years"]
        closed_on = timezone.localdate(record.ended_at)
        return DueRecord(kind, record.pk, record.reference, record.get_incident_type_display(),
                         _("Closed on %(date)s") % {"date": _day(closed_on)},
                         years_after(closed_on, years), reverse("incidents:detail", args=[record.pk]))
    left = record.pupil.leaving_date
    why = _("%(name)s left on %(date)s") % {"name": record.pupil.display_name, "date": _day(left)}
    pupil_url = reverse("school:pupil", args=[record.pupil_id])
    if kind == RecordKind.SIGNATURE:
        version = record.version
        return DueRecord(kind, record.pk, _("Signature #%(pk)d (%(agreement)s, version %(number)d)") % {
                             "pk": record.pk, "agreement": version.agreement.get_audience_display(),
                             "number": version.number},
                         _("Signed on %(date)s by %(signer)s") % {
                             "date": _day(timezone.localdate(record.signed_at)),
                             "signer": _("a parent or carer") if record.guardian_id else _("the pupil")},
                         why, years_after(left, periods["signature_years"]), pupil_url)
    return DueRecord(kind, record.pk, _("Consent decision #%(pk)d (%(purpose)s)") % {
                         "pk": record.pk, "purpose": record.purpose.name},
                     _("%(answer)s, given on %(date)s") % {
                         "answer": _("Yes") if record.answer else _("No"),
                         "date": _day(timezone.localdate(record.decided_at))},
                     why, years_after(left, periods["consent_years"]), pupil_url)


def due_counts(periods, user, today=None):
    return {kind: due_queryset(kind, periods, user, today).count() for kind in RecordKind}
