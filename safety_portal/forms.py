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


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes whose field, as a whole, has an id (the list's wrapper carries it), so an error
    summary's link leads to the list rather than to the top of the page."""

    def id_for_label(self, id_, index=None):
        return id_ if index is None else super().id_for_label(id_, index)


# The largest id a database column holds; a bigger number posted in a form is simply not a choice.
LARGEST_ID = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several records chosen by id. Anything that is not an id a database can hold is refused as
    an invalid choice before it reaches the query (SQLite would raise OverflowError: a 500)."""

    def _check_values(self, value):
        for key in value:
            text = str(key)
            # The length first: int() refuses a string of over 4,300 digits with a ValueError (a 500).
            if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > LARGEST_ID:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": text[:20]})
        return super()._check_values(value)


def submitted_data(request):
    """The form data of a POST, or None for a GET: the form is unbound only when nothing was sent.

    `request.POST or None` would also treat an empty POST as unbound, showing the form again
    with no error said.
    """
    return request.POST if request.method == "POST" else None
