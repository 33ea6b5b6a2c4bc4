from django import forms
from django.utils.translation import gettext_lazy as _

from safety_portal.audit.labels import ACTION_LABELS
from safety_portal.forms import DateRangeForm


class AuditFilterForm(DateRangeForm):
    action = forms.ChoiceField(label=_("What happened"), required=False)
    who = forms.CharField(label=_("Who (email)"), required=False, max_length=254)
    date_from = forms.DateField(label=_("From"), required=False, help_text=_("dd/mm/yyyy"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, help_text=_("dd/mm/yyyy"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])
        self.fields["action"].choices = [("", _("Anything"))] + choices

    def filter(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["who"]:
            events = events.filter(actor_label__icontains=data["who"])
        # __date compares in the portal's time zone (Europe/London), as people read the dates.
        if data["date_from"]:
            events = events.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(created_at__date__lte=data["date_to"])
        return events
