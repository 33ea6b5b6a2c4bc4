"""Forms for devices handed to pupils and visitors, and for the staff who hand them over."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.forms import SignForm
from safety_portal.forms import DateRangeForm
from safety_portal.school.models import Pupil, YearGroup

# A shared device must not offer one person's typing to the next.
NO_AUTOCOMPLETE = {"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"}
# Large enough to tap on a reception tablet.
KIOSK_INPUT = {**NO_AUTOCOMPLETE, "class": "form-control-lg"}


class DeviceSignForm(SignForm):
    """The usual signing form, without the browser remembering what was typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typed_name"].widget.attrs.update(NO_AUTOCOMPLETE)


class PupilSignForm(DeviceSignForm):
    """For pupils: simpler words, and a drawn name is enough (the youngest cannot type yet)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agree"].label = _("I understand these rules and I will follow them")
        self.fields["agree"].error_messages["required"] = _("Tick the box to show you will follow the rules.")
        name = self.fields["typed_name"]
        name.required = False
        name.label = _("Write your name")
        name.help_text = _("Type your name, or draw it in the box below.")
        name.widget.attrs.pop("autocomplete", None)
        name.widget.attrs.update(NO_AUTOCOMPLETE)

    def clean_typed_name(self):
        return " ".join(self.cleaned_data["typed_name"].split())

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("typed_name") and not cleaned.get("drawing") and "drawing" not in self.errors:
            self.add_error("typed_name", _("Type your name, or draw it in the box."))
        return cleaned


class VisitorSignForm(DeviceSignForm):
    full_name = forms.CharField(label=_("Your name"), max_length=150,
                                error_messages={"required": _("Enter your name.")},
                                widget=forms.TextInput(attrs=KIOSK_INPUT))
    organisation = forms.CharField(label=_("Organisation or company"), max_length=150, required=False,
                                   help_text=_("Leave blank if you are visiting on your own behalf."),
                                   widget=forms.TextInput(attrs=KIOSK_INPUT))
    purpose = forms.CharField(label=_("Reason for your visit"), max_length=200,
                              help_text=_("For example: meeting with Mrs Khan, fixing the boiler."),
                              error_messages={"required": _("Tell us why you are visiting.")},
                              widget=forms.TextInput(attrs=KIOSK_INPUT))

    field_order = ["full_name", "organisation", "purpose", "agree", "typed_name", "drawing"]

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_organisation(self):
        return " ".join(self.cleaned_data["organisation"].split())

    def clean_purpose(self):
        return " ".join(self.cleaned_data["purpose"].split())


class EndWithPasswordForm(forms.Form):
    """The teacher who started a class session ends it with their own password."""

    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class EndWithAccountForm(forms.Form):
    """A member of the office ends the kiosk with their own account."""

    email = forms.EmailField(label=_("Your email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


CLASS_PREFIX, YEAR_PREFIX = "class:", "year:"


def group_choices():
    """Registration classes and year groups of the pupils on roll, as one grouped list."""
    on_roll = Pupil.objects.on_roll()
    classes = sorted(set(on_roll.exclude(reg_class="").values_list("reg_class", flat=True)))
    years = sorted(set(on_roll.values_list("year_group", flat=True)))
    return [
        ("", _("Choose a class or year group")),
        (_("Classes"), [(f"{CLASS_PREFIX}{name}", name) for name in classes]),
        (_("Year groups"), [(f"{YEAR_PREFIX}{year}", YearGroup(year).label) for year in years]),
    ]


class ClassSessionStartForm(forms.Form):
    group = forms.ChoiceField(label=_("Class or year group"),
                              error_messages={"required": _("Choose the class or year group who will sign."),
                                              "invalid_choice": _("Choose a class or year group from the list.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = group_choices()

    def session_group(self):
        """Keyword arguments for device_session_start: reg_class or year_group."""
        value = self.cleaned_data["group"]
        if value.startswith(CLASS_PREFIX):
            return {"reg_class": value.removeprefix(CLASS_PREFIX)}
        return {"year_group": int(value.removeprefix(YEAR_PREFIX))}


class DateField(forms.DateField):
    """Typed dd/mm/yyyy or the ISO date a browser's date picker posts."""

    input_formats = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Enter a date such as 03/09/2026.")}


class VisitorFilterForm(DateRangeForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Name, organisation or reason")}))
    date_from = DateField(label=_("From"), required=False)
    date_to = DateField(label=_("To"), required=False)

    def filter(self, visitors):
        """Narrow the visits; a filter that cannot be read narrows nothing (the errors show)."""
        if not self.is_valid():
            return visitors
        data = self.cleaned_data
        for word in data["q"].split():
            visitors = visitors.filter(
                Q(full_name__icontains=word) | Q(organisation__icontains=word) | Q(purpose__icontains=word))
        if data["date_from"]:
            visitors = visitors.filter(arrived_at__date__gte=data["date_from"])
        if data["date_to"]:
            visitors = visitors.filter(arrived_at__date__lte=data["date_to"])
        return visitors

    def summary(self):
        """The filters used, for the audit trail: a name typed in the search box is not kept there."""
        if not self.is_valid():
            return {}
        return {key: "(name, not recorded)" if key == "q" else str(value)
                for key, value in self.cleaned_data.items() if value}

