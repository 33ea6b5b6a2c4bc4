"""Staff forms for photo consent: the filters of the "do not photograph" list (shared by the page and
its PDF), and the office's entry of a decision a parent gave on paper or in person."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from consent.models import DecisionMethod
from safety_portal.school.forms import DateInput, offer_responsible_guardians
from safety_portal.school.models import YearGroup

YEAR_PREFIX, CLASS_PREFIX = "year:", "class:"


class DoNotPhotographFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("Class or year group"), required=False)
    purpose = forms.TypedChoiceField(label=_("Purpose"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, purposes, years, classes):
        """`purposes` active; `years` and `classes` those of pupils on roll (lists.year_and_class_choices)."""
        super().__init__(data)
        self.purposes = {purpose.pk: purpose for purpose in purposes}
        self.fields["group"].choices = [
            ("", _("Whole school")),
            (_("Classes"), [(f"{CLASS_PREFIX}{name}", name) for name in classes]),
            (_("Year groups"), [(f"{YEAR_PREFIX}{year}", YearGroup(year).label) for year in years]),
        ]
        self.fields["purpose"].choices = [("", _("Any purpose")), *((purpose.pk, purpose.name)
                                                                    for purpose in purposes)]

    def _data(self):
        # An invalid value is shown as an error and ignored on the page, never a crash.
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    @property
    def year(self):
        group = self._data().get("group") or ""
        return int(group.removeprefix(YEAR_PREFIX)) if group.startswith(YEAR_PREFIX) else None

    @property
    def reg_class(self):
        group = self._data().get("group") or ""
        return group.removeprefix(CLASS_PREFIX) if group.startswith(CLASS_PREFIX) else ""

    @property
    def is_whole_school(self):
        return self.year is None and not self.reg_class

    @property
    def chosen_purpose(self):
        """The chosen purpose, or None for "any purpose"."""
        return self.purposes.get(self._data().get("purpose"))

    def filter(self, pupils):
        if self.year is not None:
            return pupils.filter(year_group=self.year)
        if self.reg_class:
            return pupils.filter(reg_class=self.reg_class)
        return pupils

    def chosen_purposes(self):
        return [self.chosen_purpose] if self.chosen_purpose else list(self.purposes.values())

    @property
    def group_label(self):
        if self.reg_class:
            return _("Class %(name)s") % {"name": self.reg_class}
        if self.year is not None:
            return YearGroup(self.year).label
        return _("Whole school")

    @property
    def group_name(self):
        """"5A" or "Year 5" for "Everyone in 5A ..."; "" for the whole school."""
        if self.reg_class:
            return self.reg_class
        return YearGroup(self.year).label if self.year is not None else ""

    @property
    def purpose_label(self):
        return self.chosen_purpose.name if self.chosen_purpose else _("Any purpose")

    def summary(self):
        """The filters used, for the audit trail."""
        return {"group": self._data().get("group") or "whole school",
                "purpose": self.chosen_purpose.pk if self.chosen_purpose else "any"}


ANSWER_CHOICES = [("yes", _("Yes: they agree")), ("no", _("No: they do not agree, or they withdraw their consent"))]
OFFICE_METHODS = [(DecisionMethod.PAPER, _("On a paper form")),
                  (DecisionMethod.VERBAL, _("Told the school: by phone or in person"))]


class OfficeDecisionForm(forms.Form):
    """A decision a parent or carer gave on paper or in person, entered by the office."""

    guardian = forms.TypedChoiceField(
        label=_("Who decided"), coerce=int, widget=forms.RadioSelect,
        help_text=_("Only parents and carers with parental responsibility: nobody else's answer counts."),
        error_messages={"required": _("Choose the parent or carer who gave the answer.")})
    purpose = forms.TypedChoiceField(
        label=_("Purpose"), coerce=int,
        error_messages={"required": _("Choose the purpose the answer is about."),
                        "invalid_choice": _("Choose a purpose from the list.")})
    answer = forms.TypedChoiceField(
        label=_("Their answer"), choices=ANSWER_CHOICES, coerce=lambda value: value == "yes",
        widget=forms.RadioSelect, error_messages={"required": _("Choose yes or no.")})
    method = forms.ChoiceField(
        label=_("How they told the school"), choices=OFFICE_METHODS, widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the answer reached the school.")})
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.TextInput,
        help_text=_("Needed when they told the school by phone or in person, for example "
                    "'Phoned the office on 3 March'."))
    decided_on = forms.DateField(
        label=_("Date they decided"), widget=DateInput(),
        error_messages={"required": _("Enter the date they gave their answer."),
                        "invalid": _("Enter the date as a date, such as 03/09/2026.")})

    def __init__(self, *args, pupil, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.guardians = offer_responsible_guardians(self.fields["guardian"], pupil)
        self.purposes = {purpose.pk: purpose for purpose in purposes}
        self.fields["purpose"].choices = [("", _("Choose a purpose")),
                                          *((purpose.pk, purpose.name) for purpose in purposes)]
        self.fields["decided_on"].initial = timezone.localdate()

    @property
    def has_guardians(self):
        return bool(self.guardians)

    def clean_guardian(self):
        return self.guardians[self.cleaned_data["guardian"]]

    def clean_purpose(self):
        return self.purposes[self.cleaned_data["purpose"]]

    def clean_decided_on(self):
        day = self.cleaned_data["decided_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == DecisionMethod.VERBAL and not cleaned.get("note"):
            self.add_error("note", _("Say how they told the school, for example 'Phoned the office on 3 March'."))
        return cleaned

    def decided_at(self):
        """Today's answer, and any "no", is timed now; an earlier day's "yes" at noon that day.

        A "no" entered late must still count at once: timed on the day it was given, it could sit
        behind a "yes" the same parent gave online later that day and leave the child off the
        do-not-photograph list. The day they gave it is kept in the note.
        """
        day = self.cleaned_data["decided_on"]
        if day == timezone.localdate() or self.cleaned_data["answer"] is False:
            return timezone.now()
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    def note_with_day(self):
        note, day = self.cleaned_data.get("note", ""), self.cleaned_data["decided_on"]
        if self.cleaned_data["answer"] is False and day != timezone.localdate():
            given = _("given on %(day)s") % {"day": date_format(day, "j F Y")}
            return f"{note} ({given})" if note else given
        return note
