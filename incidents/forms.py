"""Forms for reporting a concern (any member of staff) and logging one (the DSL team)."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import MAX_TEXT, Incident, PupilRole
from safety_portal.forms import IdsChoiceField
from safety_portal.school import roles
from safety_portal.school.models import Pupil, User

# Everyone who may report a concern: every member of staff, not governors.
REPORTERS = (roles.STAFF, roles.TECHNICAL, roles.DSL, roles.HEADTEACHER, roles.ONLINE_SAFETY_LEAD,
             roles.ADMINISTRATOR)
MAX_PUPILS = 30


def can_report(user):
    return user.is_authenticated and user.has_role(*REPORTERS)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; it posts 2026-03-02T14:30."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ReportForm(forms.ModelForm):
    """A concern as a member of staff reports it. Pupils come as `pupil` ids with `pupil_role_<id>`."""

    pupils = IdsChoiceField(
        queryset=Pupil.objects.none(), required=False, label=_("Pupils involved"),
        widget=forms.MultipleHiddenInput,
        error_messages={"invalid_choice": _("One of the pupils chosen is no longer on roll: search again."),
                        "invalid_pk_value": _("Choose pupils from the search results.")})
    url = forms.URLField(
        label=_("Web address"), required=False, max_length=2000, assume_scheme="https",
        help_text=_("Needed for a filtering breach."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}))
    pupil_query = forms.CharField(
        label=_("Find a pupil"), required=False, max_length=100,
        help_text=_("Type part of a name or a class, such as 5B."))

    class Meta:
        model = Incident
        fields = ["description", "occurred_at", "location", "other_people", "device_owner",
                  "device_description", "url", "immediate_action", "immediate_risk", "area", "incident_type"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "occurred_at": DateTimeInput(),
            "other_people": forms.Textarea(attrs={"rows": 2}),
            "immediate_action": forms.Textarea(attrs={"rows": 3}),
            "location": forms.RadioSelect,
        }
        help_texts = {
            "description": _("Say what you saw or were told, in the words used where you can. Do not copy, "
                             "forward or save any images."),
            "occurred_at": _("Leave as now if it is happening now."),
            "other_people": _("Staff, parents or carers, adults not known to the school."),
            "device_description": _("For example: school laptop 14, a pupil's own phone."),
            "immediate_action": _("For example: screen turned off, device taken and kept safe, pupil "
                                  "kept with a member of staff."),
            "area": _("Choose 'Not sure' if you do not know: the DSL will decide."),
            "incident_type": _("Choose 'Not sure' if none fits."),
        }
        labels = {"immediate_risk": _("A child is at immediate risk")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = Pupil.objects.on_roll()
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["device_owner"].choices = [("", _("No device, or not relevant")),
                                               *self.fields["device_owner"].choices[1:]]
        self.fields["location"].choices = self.fields["location"].choices[1:]
        for name in ("description", "other_people", "immediate_action"):
            self.fields[name].max_length = MAX_TEXT
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))
            self.fields[name].widget.attrs["maxlength"] = MAX_TEXT

    def role_for(self, pupil_pk):
        value = self.data.get(f"pupil_role_{pupil_pk}", PupilRole.AFFECTED)
        return value if value in PupilRole.values else PupilRole.AFFECTED

    def clean_pupils(self):
        pupils = self.cleaned_data["pupils"]
        if len(pupils) > MAX_PUPILS:
            raise forms.ValidationError(_("Choose at most %(max)s pupils; name any others under 'Other people "
                                          "involved'.") % {"max": MAX_PUPILS})
        return pupils

    def pupil_roles(self):
        """(pupil, role) pairs for the service."""
        return [(pupil, self.role_for(pupil.pk)) for pupil in self.cleaned_data.get("pupils", [])]

    def incident_data(self):
        return {name: value for name, value in self.cleaned_data.items() if name not in ("pupils", "pupil_query")}


class LogForm(ReportForm):
    """The DSL team's full form: also severity, child protection and the owner."""

    child_protection = forms.NullBooleanField(
        label=_("Child-protection concern"), required=False,
        widget=forms.NullBooleanSelect)

    class Meta(ReportForm.Meta):
        fields = [*ReportForm.Meta.fields, "severity", "child_protection", "owner"]
        help_texts = {
            **ReportForm.Meta.help_texts,
            "other_people": _("Include who raised it: a parent's phone call, the filtering provider's alert."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (User.objects.filter(is_active=True,
                                                             groups__name__in=[roles.DSL, roles.HEADTEACHER])
                                         .distinct().order_by("last_name", "first_name"))
        self.fields["owner"].empty_label = _("Nobody yet")
        self.fields["child_protection"].widget.choices = [
            ("unknown", _("Not decided yet")), ("true", _("Yes")), ("false", _("No"))]
        self.fields["severity"].choices = [("", _("Not assessed yet")), *self.fields["severity"].choices[1:]]


def pupil_search(query, limit=20):
    """Pupils on roll whose name or class matches, for the type-ahead."""
    return list(Pupil.objects.on_roll().search(query).order_by("last_name", "first_name", "pk")[:limit])
