from django import forms
from django.utils.translation import gettext_lazy as _

from safety_portal.privacy.models import RetentionSettings


class RetentionSettingsForm(forms.ModelForm):
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
