"""Forms for the consent settings: a purpose, and the school's rule for when a child counts as "yes"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentPurpose

ONE_IS_ENOUGH, EVERY_GUARDIAN = "one", "every"


class PurposeForm(forms.ModelForm):
    """Saved through consent.services.purpose_save (commit=False), which audits the change."""

    class Meta:
        model = ConsentPurpose
        fields = ["name", "description", "renew_each_year", "active", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "name": _("Short and plain, as parents will read it: for example \"School website\"."),
            "position": _("Purposes are listed to parents in this order, lowest number first."),
        }
        error_messages = {
            "name": {"required": _("Give the purpose a name.")},
            "description": {"required": _("Tell parents where the images appear and who sees them.")},
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        # "School website" and "school website" would look like the same question to a parent.
        clash = ConsentPurpose.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if clash:
            raise forms.ValidationError(
                _("There is already a purpose called \"%(name)s\". Choose another name, or edit that one."),
                params={"name": clash.name}, code="duplicate")
        return name


class RuleForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("A child counts as \"yes\" when:"),
        choices=[
            (ONE_IS_ENOUGH, _("one parent or carer with parental responsibility says yes (and none says no)")),
            (EVERY_GUARDIAN, _("every parent or carer with parental responsibility says yes")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose when a child counts as \"yes\"."),
                        "invalid_choice": _("Choose one of the two rules.")})

    @classmethod
    def for_settings(cls, settings):
        return cls(initial={"rule": EVERY_GUARDIAN if settings.every_guardian_must_agree else ONE_IS_ENOUGH})

    @property
    def every_guardian_must_agree(self):
        return self.cleaned_data["rule"] == EVERY_GUARDIAN
