"""Forms for read receipts: confirming a version was read, and filtering who has confirmed."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safety_portal.school import roles


class ReadConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read this version of the policy"), required=True,
        error_messages={"required": _("Tick the box to confirm you have read this version.")})


class ReceiptFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or email")}))
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args, role_names, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles the version asks: any other would always show nobody.
        self.fields["role"].choices = [("", _("All roles asked"))] + [
            (name, roles.LABELS[name]) for name in role_names]

    def filter(self, people):
        """Apply whatever is valid; an invalid value is ignored, never a crash."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for word in (data.get("q") or "").replace(",", " ").split():
            people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                                   | Q(email__icontains=word))
        if data.get("role"):
            people = people.filter(groups__name=data["role"])
        return people

    @property
    def filtered(self):
        return bool(self.is_valid() and (self.cleaned_data.get("q") or self.cleaned_data.get("role")))
