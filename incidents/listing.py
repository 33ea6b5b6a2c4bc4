"""Finding incidents: the list's filters, search and sorting, shared by the CSV export.

The form never decides who sees what: it narrows a queryset that already came from
incidents.access.incidents_for_user.
"""

import re

from django import forms
from django.contrib.auth.models import Group
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from incidents.models import Area, Incident, IncidentPupil, IncidentType, Severity, Status
from safety_portal.forms import DateRangeForm
from safety_portal.school import roles
from safety_portal.school.models import Pupil, User, YearGroup

PAGE_SIZE = 50

# Urgent first: immediate risk that nobody has acknowledged yet.
URGENT_RANK = Case(When(immediate_risk=True, acknowledged_at__isnull=True, then=Value(0)), default=Value(1),
                   output_field=IntegerField())
SEVERITY_RANK = Case(*(When(severity=value, then=Value(rank)) for rank, value in enumerate(Severity.values, 1)),
                     default=Value(0), output_field=IntegerField())

# The only orderings a visitor can ask for: a key in the address never reaches order_by unchecked.
SORTS = {
    "urgent": (_("Urgent first, then newest"), ["urgent_rank", "-reported_at", "-pk"]),
    "-reported": (_("Reported: newest first"), ["-reported_at", "-pk"]),
    "reported": (_("Reported: oldest first"), ["reported_at", "pk"]),
    "-occurred": (_("Happened: newest first"), ["-occurred_at", "-pk"]),
    "occurred": (_("Happened: oldest first"), ["occurred_at", "pk"]),
    "-severity": (_("Severity: highest first"), ["-severity_rank", "-reported_at", "-pk"]),
    "severity": (_("Severity: lowest first"), ["severity_rank", "-reported_at", "-pk"]),
    "reference": (_("Reference"), ["reference", "pk"]),
    "-reference": (_("Reference, descending"), ["-reference", "-pk"]),
    "-activity": (_("Last activity: most recent first"), ["-last_activity_at", "-pk"]),
    "activity": (_("Last activity: longest ago first"), ["last_activity_at", "pk"]),
}
DEFAULT_SORT = "urgent"

REFERENCE_PATTERN = re.compile(r"^OS-(?P<year>\d{4})-(?P<number>\d{1,6})$", re.IGNORECASE)


class DateField(forms.DateField):
    """Typed dd/mm/yyyy or the ISO date a browser's date picker posts."""

    input_formats = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Enter a date such as 03/09/2026.")}


class IncidentFilterForm(DateRangeForm):
    YES, NO, UNDECIDED = "yes", "no", "undecided"

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Reference or pupil's name")}))
    status = forms.ChoiceField(label=_("Status"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    year = forms.TypedChoiceField(label=_("Year group"), required=False, coerce=int, empty_value=None)
    reg_class = forms.ChoiceField(label=_("Class"), required=False)
    date_from = DateField(label=_("Happened from"), required=False)
    date_to = DateField(label=_("Happened to"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    child_protection = forms.ChoiceField(
        label=_("Child protection"), required=False,
        choices=[("", _("Any")), (YES, _("Child-protection concern")), (NO, _("Not child protection")),
                 (UNDECIDED, _("Not decided yet"))])
    sort = forms.ChoiceField(label=_("Sort by"), required=False,
                             choices=[(key, label) for key, (label, _order) in SORTS.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]
        self.fields["area"].choices = [("", _("Any area")), *Area.choices]
        self.fields["type"].choices = [("", _("Any type")), *IncidentType.choices]
        self.fields["severity"].choices = [("", _("Any severity")), *Severity.choices]
        self.fields["year"].choices = [("", _("All year groups")), *YearGroup.choices]
        classes = (Pupil.objects.exclude(reg_class="").values_list("reg_class", "year_group")
                   .order_by("year_group", "reg_class").distinct())
        seen = dict.fromkeys(name for name, _year in classes)  # school order, each class once
        self.fields["reg_class"].choices = [("", _("All classes")), *((name, name) for name in seen)]
        # Owners are the people who work cases, plus anyone who still owns one (a DSL who has left).
        # Neither a join with DISTINCT over every incident nor an EXISTS per person (PostgreSQL scans
        # the incidents for each one who owns none): the owners' ids, read once.
        works_cases = Group.objects.filter(user=OuterRef("pk"), name__in=[roles.DSL, roles.HEADTEACHER])
        owner_ids = Incident.objects.filter(owner__isnull=False).values("owner")
        owners = (User.objects.filter(Q(Exists(works_cases)) | Q(pk__in=owner_ids))
                  .order_by("last_name", "first_name", "email"))
        self.fields["owner"].choices = [("", _("Anyone")), *((user.pk, str(user)) for user in owners)]

    @property
    def sort_key(self):
        self.is_valid()
        return self.cleaned_data.get("sort") or DEFAULT_SORT

    def filter(self, incidents):
        """Apply whatever is valid; an invalid value is shown as an error and ignored, never a crash."""
        self.is_valid()
        data = self.cleaned_data
        for field, lookup in (("status", "status"), ("area", "area"), ("type", "incident_type"),
                              ("severity", "severity"), ("owner", "owner_id")):
            if data.get(field) not in (None, ""):
                incidents = incidents.filter(**{lookup: data[field]})
        flag = data.get("child_protection")
        if flag:
            incidents = incidents.filter(child_protection={self.YES: True, self.NO: False}.get(flag))
        if data.get("date_from"):
            incidents = incidents.filter(occurred_at__date__gte=data["date_from"])
        if data.get("date_to"):
            incidents = incidents.filter(occurred_at__date__lte=data["date_to"])
        # Pupil filters ask "is there such a pupil on it?" so an incident is never listed twice.
        pupils = Pupil.objects.all()
        if data.get("year") is not None:
            pupils = pupils.filter(year_group=data["year"])
        if data.get("reg_class"):
            pupils = pupils.filter(reg_class=data["reg_class"])
        if data.get("year") is not None or data.get("reg_class"):
            incidents = incidents.filter(_has_pupil(pupils))
        text = (data.get("q") or "").strip()
        if text:
            reference = REFERENCE_PATTERN.match(text)
            if reference:
                # "OS-2026-12" finds OS-2026-0012: people do not type the zeros.
                year, number = reference.group("year"), int(reference.group("number"))
                incidents = incidents.filter(reference__iexact=f"OS-{year}-{number:04d}")
            else:
                incidents = incidents.filter(Q(reference__icontains=text) | _has_pupil(Pupil.objects.search(text)))
        return incidents

    def order(self, incidents):
        return incidents.order_by(*SORTS[self.sort_key][1])

    def summary(self):
        """The filters used, for the audit trail. A name typed in the search box is not kept there:
        the trail holds no personal values, so only a reference is recorded as typed."""
        self.is_valid()
        used = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "") or name == "sort":
                continue
            if name == "q":
                value = value.strip().upper() if REFERENCE_PATTERN.match(value.strip()) else "(name, not recorded)"
            used[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return used


def _has_pupil(pupils):
    return Exists(IncidentPupil.objects.filter(incident=OuterRef("pk"), pupil__in=pupils))


def incident_rows(incidents):
    """What one row of the list needs, in a fixed number of queries however many incidents there are."""
    # A subquery, not a join and GROUP BY: PostgreSQL counts for the page's rows only, instead of
    # for every visible incident before picking them (bench/RESULTS.md).
    pupils = (IncidentPupil.objects.filter(incident=OuterRef("pk")).order_by().values("incident")
              .annotate(count=Count("pk")).values("count"))
    return (incidents.select_related("owner")
            .annotate(pupil_count=Coalesce(Subquery(pupils, output_field=IntegerField()), Value(0)),
                      urgent_rank=URGENT_RANK, severity_rank=SEVERITY_RANK))


# What a row of the list shows (templates/incidents/list.html): sorting every visible incident
# for the page's 50 is quicker with these narrow rows than with whole descriptions.
LIST_FIELDS = ("reference", "status", "area", "incident_type", "severity", "immediate_risk", "acknowledged_at",
               "reported_at", "occurred_at", "owner__first_name", "owner__last_name",
               "owner__email")


def incidents_listed(form, incidents):
    """The visible incidents, filtered and sorted as the form asks, with what the list shows."""
    return form.order(incident_rows(form.filter(incidents))).only(*LIST_FIELDS)

