from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=80,
                             widget=forms.TextInput(attrs={"placeholder": "auth."}))
    who = forms.CharField(label=_("Who (email)"), required=False, max_length=254)

    def filter(self, events):
        if not self.is_valid():
            return events.none()
        if self.cleaned_data["action"]:
            events = events.filter(action__startswith=self.cleaned_data["action"])
        if self.cleaned_data["who"]:
            events = events.filter(actor_label__icontains=self.cleaned_data["who"])
        return events
