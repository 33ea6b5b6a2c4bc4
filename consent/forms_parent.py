"""A parent's photo choices: one yes/no per purpose in use, nothing chosen for them in advance."""

from django import forms
from django.utils.translation import gettext_lazy as _

YES, NO = "yes", "no"
CHOICES = [(YES, _("Yes")), (NO, _("No"))]
CHOOSE = _("Choose yes or no")


class ParentConsentForm(forms.Form):
    """`purposes`: the purposes in use, in order; `current`: {purpose id: (answer, decided_at)}
    for this guardian's answers that still count.

    A purpose never answered needs a choice. One already answered starts on that answer and may
    be left out of the post: it then stays as it is.
    """

    def __init__(self, data=None, *, purposes, current, **kwargs):
        self.purposes = list(purposes)
        if data is not None:
            data = data.copy()
            for purpose in self.purposes:
                name = self.field_name(purpose)
                if purpose.pk in current and not data.get(name):
                    data[name] = YES if current[purpose.pk][0] else NO
        kwargs.setdefault("auto_id", "consent_%s")
        super().__init__(data, **kwargs)
        for purpose in self.purposes:
            answered = purpose.pk in current
            self.fields[self.field_name(purpose)] = forms.ChoiceField(
                label=purpose.name, choices=CHOICES, widget=forms.RadioSelect, required=not answered,
                initial=(YES if current[purpose.pk][0] else NO) if answered else None,
                error_messages={"required": CHOOSE, "invalid_choice": CHOOSE})

    @staticmethod
    def field_name(purpose):
        return f"purpose_{purpose.pk}"

    def answers(self):
        """{purpose: True/False} for every purpose with a choice."""
        return {purpose: self.cleaned_data[self.field_name(purpose)] == YES for purpose in self.purposes
                if self.cleaned_data.get(self.field_name(purpose)) in (YES, NO)}
