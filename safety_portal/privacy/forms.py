from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from safety_portal.privacy.models import RetentionSettings

# Plain-English refusals for each period; %(limit_value)d is the limit in the model's validators.
PERIOD_MESSAGES = {
    "child_protection_years": {
        "min_value": ngettext_lazy(
            "Child-protection records must be kept for at least %(limit_value)d year after the pupil's date "
            "of birth.",
            "Child-protection records must be kept for at least %(limit_value)d years after the pupil's date "
            "of birth.", "limit_value"),
        "max_value": ngettext_lazy(
            "Child-protection records can be kept for at most %(limit_value)d year after the pupil's date of "
            "birth.",
            "Child-protection records can be kept for at most %(limit_value)d years after the pupil's date of "
            "birth.", "limit_value"),
    },
    "other_incident_years": {
        "min_value": ngettext_lazy(
            "Other incidents must be kept for at least %(limit_value)d year after the case is closed.",
            "Other incidents must be kept for at least %(limit_value)d years after the case is closed.",
            "limit_value"),
        "max_value": ngettext_lazy(
            "Other incidents can be kept for at most %(limit_value)d year after the case is closed.",
            "Other incidents can be kept for at most %(limit_value)d years after the case is closed.",
            "limit_value"),
    },
    "signature_years": {
        "min_value": ngettext_lazy(
            "Agreement signatures must be kept for at least %(limit_value)d year after the pupil leaves.",
            "Agreement signatures must be kept for at least %(limit_value)d years after the pupil leaves.",
            "limit_value"),
        "max_value": ngettext_lazy(
            "Agreement signatures can be kept for at most %(limit_value)d year after the pupil leaves.",
            "Agreement signatures can be kept for at most %(limit_value)d years after the pupil leaves.",
            "limit_value"),
    },
    "consent_years": {
        "min_value": ngettext_lazy(
            "Photo-consent decisions must be kept for at least %(limit_value)d year after the pupil leaves.",
            "Photo-consent decisions must be kept for at least %(limit_value)d years after the pupil leaves.",
            "limit_value"),
        "max_value": ngettext_lazy(
            "Photo-consent decisions can be kept for at most %(limit_value)d year after the pupil leaves.",
            "Photo-consent decisions can be kept for at most %(limit_value)d years after the pupil leaves.",
            "limit_value"),
    },
}


def period_limits(name):
    """(fewest, most) years the model allows for a period: the one rule for the page and the server."""
    validators = RetentionSettings._meta.get_field(name).validators
    low = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return low, high


def _period_field(name):
    model_field = RetentionSettings._meta.get_field(name)
    low, high = period_limits(name)
    # min_value and max_value also put min and max on the number input, so the browser and the
    # server refuse the same numbers.
    return forms.IntegerField(
        label=capfirst(model_field.verbose_name), help_text=model_field.help_text, min_value=low,
        max_value=high,
        error_messages={"required": _("Enter a number of years."),
                        "invalid": _("Enter a number of years as a whole number, for example 6."),
                        **PERIOD_MESSAGES[name]})


class RetentionSettingsForm(forms.ModelForm):
    child_protection_years = _period_field("child_protection_years")
    other_incident_years = _period_field("other_incident_years")
    signature_years = _period_field("signature_years")
    consent_years = _period_field("consent_years")

    class Meta:
        model = RetentionSettings
        fields = list(RetentionSettings.PERIOD_FIELDS)


class DisposalForm(forms.Form):
    """The reason, asked on the confirmation page; the records travel as hidden `record` values."""

    reason = forms.CharField(
        label=_("Why are these records being disposed of?"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the destruction log, for example 'Annual retention review, summer 2026'. Do not "
                    "write anything about the people in the records."))


class PupilSearchForm(forms.Form):
    q = forms.CharField(label=_("Pupil's name, class or UPN"), max_length=100, required=False)
