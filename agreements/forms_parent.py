"""The form on a parent's personal-link page: the shared signing fields plus the declaration."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.forms import SignForm


class ParentSignForm(SignForm):
    discussed = forms.BooleanField(
        label=_("I have discussed the pupils' agreement with my child"), required=True,
        error_messages={"required": _("Tick the box to confirm you have talked the pupils' agreement through with "
                                      "your child.")})
    # The versions the page showed, so a text published while the parent was reading is never
    # signed unseen.
    shown = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["discussed", "agree", "typed_name", "drawing", "shown"]

    @staticmethod
    def shown_value(versions):
        return ",".join(str(version.pk) for version in versions)
