from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=20, strip=True,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "autocapitalize": "off", "spellcheck": "false"}),
    )


def proof_field():
    """A code from the app already set up, or a recovery code: fresh proof before changing either."""
    return forms.CharField(
        label=_("A code from your current app"), max_length=20, strip=True,
        help_text=_("The 6-digit code your current authenticator app shows now, or one of your recovery "
                    "codes. Lost both? Ask the school office to reset your two-factor sign-in."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off",
                                      "spellcheck": "false"}),
    )


class SetupCodeForm(CodeForm):
    def __init__(self, *args, replacing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
        if replacing:
            self.fields["code"].label = _("Code from the new app")
            self.fields["code"].widget.attrs.pop("autofocus", None)
            self.fields = {"proof": proof_field(), **self.fields}
            self.fields["proof"].widget.attrs["autofocus"] = True


class ProofForm(forms.Form):
    proof = proof_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proof"].widget.attrs["autofocus"] = True


class UnlockForm(forms.Form):
    """Which count to clear: an account's (by its address) or a network address's."""

    account = forms.EmailField(required=False, max_length=254)
    address = forms.GenericIPAddressField(required=False)
