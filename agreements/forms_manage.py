"""Forms for the online-safety lead's pages: the draft text, social media signers, the visitor note."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import STAFF_AGREEMENT_ROLES, AgreementVersion
from safety_portal.forms import IdsChoiceField
from safety_portal.school.models import User

NOTE_MAX_LENGTH = 1000


def _version_field(name):
    return AgreementVersion._meta.get_field(name)


class DraftForm(forms.Form):
    """The draft's text. Saving goes through services.version_draft_save, never through this form."""

    title = forms.CharField(
        label=_("Title"), max_length=_version_field("title").max_length,
        error_messages={"required": _("Give the agreement a title.")})
    body = forms.CharField(
        label=_("Text"), help_text=_version_field("body").help_text,
        error_messages={"required": _("Write the text of the agreement.")},
        widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace"}))
    change_summary = forms.CharField(
        label=_("What changed"), required=False, max_length=_version_field("change_summary").max_length,
        help_text=_version_field("change_summary").help_text)
    requires_resign = forms.BooleanField(
        label=_("Everyone must sign again"), required=False,
        help_text=_("Tick when the change matters enough that earlier signatures no longer count. Leave it "
                    "unticked for a small wording fix: earlier signatures keep counting."))

    @classmethod
    def for_version(cls, version):
        return cls(initial={"title": version.title, "body": version.body, "change_summary": version.change_summary,
                            "requires_resign": version.requires_resign})

    def make_read_only(self):
        # `readonly`, not `disabled`: a disabled field would show the saved text instead of what was typed.
        for name in ("title", "body", "change_summary"):
            self.fields[name].widget.attrs["readonly"] = True


class NamedSignersForm(forms.Form):
    users = IdsChoiceField(
        label=_("Staff who must sign"), required=False, queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Tick the staff who post on the school's official social media accounts. Only they are asked "
                    "to sign this agreement."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone active who signs the staff agreement may also run the school's accounts; governors do not.
        self.fields["users"].queryset = (
            User.objects.filter(is_active=True, groups__name__in=STAFF_AGREEMENT_ROLES).distinct()
            .order_by("last_name", "first_name", "email"))


class AfterSigningNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note shown after signing"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the reception kiosk once a visitor has signed, for example the guest Wi-Fi name "
                    "and password. Leave blank to show nothing."))
