from django import forms
from django.utils.translation import gettext_lazy as _


class DateRangeForm(forms.Form):
    """A filter form with date_from and date_to fields: the end may not come before the start."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned
