"""The signing form every audience uses: read, tick, type your name, optionally draw."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.drawing import drawing_clean


class SignForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read and agree"), required=True,
        error_messages={"required": _("Tick the box to show you have read and agree to the agreement.")})
    typed_name = forms.CharField(
        label=_("Type your full name"), max_length=150,
        help_text=_("Typing your name is your signature."),
        error_messages={"required": _("Type your full name to sign.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}))
    drawing = forms.CharField(label=_("Drawn signature"), required=False, widget=forms.HiddenInput)

    def clean_typed_name(self):
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Type your full name: at least two letters."), code="too_short")
        return name

    def clean_drawing(self):
        return drawing_clean(self.cleaned_data.get("drawing"))
