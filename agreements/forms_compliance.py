"""Filters for the record of who has signed, shared by the page and its CSV export.

The form never decides who is on the record: it narrows the list compliance.people() gives.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.compliance import OUTSTANDING, PUPIL_LIST_AUDIENCES, SIGNED, guardian_search, user_search
from agreements.models import STAFF_AGREEMENT_ROLES, Audience
from safety_portal.school import roles
from safety_portal.school.models import Pupil, YearGroup


class ComplianceFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Everyone")), (SIGNED, _("Signed")),
                                        (OUTSTANDING, _("Not signed yet"))])
    year = forms.TypedChoiceField(label=_("Year group"), required=False, coerce=int, empty_value=None)
    reg_class = forms.ChoiceField(label=_("Class"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, data=None, *, audience, year_groups=(), classes=()):
        """`year_groups` and `classes` are those on the list, so the choices need no query of their own."""
        super().__init__(data)
        self.audience = audience
        if audience in PUPIL_LIST_AUDIENCES:
            self.fields["q"].widget.attrs["placeholder"] = (
                _("Child's or parent's name") if audience == Audience.PARENT else _("Pupil's name"))
            self.fields["year"].choices = [("", _("All year groups")),
                                           *((year, YearGroup(year).label) for year in year_groups)]
            self.fields["reg_class"].choices = [("", _("All classes")), *((name, name) for name in classes)]
            del self.fields["role"]
        else:
            self.fields["q"].widget.attrs["placeholder"] = _("Name or email")
            del self.fields["year"], self.fields["reg_class"]
            if audience == Audience.STAFF:
                self.fields["role"].choices = [("", _("All roles")),
                                               *((name, roles.LABELS[name]) for name in roles.ALL
                                                 if name in STAFF_AGREEMENT_ROLES)]
            else:
                del self.fields["role"]

    def filter(self, queryset, signed):
        """Apply whatever is valid; an invalid value is shown as an error and ignored, never a crash."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("status") == SIGNED:
            queryset = queryset.filter(signed)
        elif data.get("status") == OUTSTANDING:
            queryset = queryset.exclude(signed)
        if data.get("year") is not None:
            queryset = queryset.filter(year_group=data["year"])
        if data.get("reg_class"):
            queryset = queryset.filter(reg_class=data["reg_class"])
        if data.get("role"):
            queryset = queryset.filter(groups__name=data["role"])
        text = (data.get("q") or "").strip()
        if text:
            if self.audience == Audience.PARENT:
                queryset = queryset.filter(Q(pk__in=Pupil.objects.search(text).values("pk")) | guardian_search(text))
            elif self.audience in PUPIL_LIST_AUDIENCES:
                queryset = queryset.search(text)
            else:
                queryset = queryset.filter(user_search(text))
        return queryset

    def summary(self):
        """The filters used, for the audit trail: a name typed in the search box is not kept there."""
        self.is_valid()
        used = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            used[name] = "(name, not recorded)" if name == "q" else value
        return used

    @property
    def is_filtered(self):
        return bool(self.summary())
