"""Forms for the school administration pages: profile, terms, pupils' filters, staff, MIS import."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Exists, Min, OuterRef, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from safety_portal.forms import IdsChoiceField
from safety_portal.school import roles
from safety_portal.school.mis_import import MAX_UPLOAD_BYTES, MisFileError, decode_csv_bytes
from safety_portal.school.models import (
    LocalContact,
    MisImport,
    Pupil,
    PupilGuardian,
    SchoolProfile,
    Term,
    User,
    YearGroup,
    academic_year_for,
    academic_year_label,
)
from safety_portal.school.services import account_change_errors

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 4000  # per side: a logo never needs more, and huge images exhaust memory in PDFs
LOGO_FORMATS = {"PNG", "JPEG"}

ROLE_DESCRIPTIONS = {
    roles.ADMINISTRATOR: _("School office: people, terms, MIS import, the school profile and signing packs. "
                           "Sees pupil records and the audit trail."),
    roles.DSL: _("Triages and manages incidents, referrals and chronologies; sees every pupil's "
                 "online-safety history."),
    roles.HEADTEACHER: _("Everything the DSL can do, plus restricted cases such as allegations against staff."),
    roles.ONLINE_SAFETY_LEAD: _("Acceptable-use agreements, the policy register, the training log and "
                                "compliance dashboards."),
    roles.STAFF: _("Reports concerns, signs the staff agreement and confirms they have read policies."),
    roles.TECHNICAL: _("Reports filtering breaches and sees filtering incidents only."),
    roles.GOVERNOR: _("Reads the policy register, downloads finalised termly reports and signs the governor "
                      "agreement. Never sees case details."),
}


def short_date(day):
    return date_format(day, "j M Y")


class DateInput(forms.DateInput):
    """A browser date picker; it posts ISO dates, and typed dd/mm/yyyy is accepted too."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"title": _("A date such as 03/09/2026"), **(attrs or {})}, format="%Y-%m-%d")


# --- School profile -------------------------------------------------------------------------


class LogoField(forms.ImageField):
    default_error_messages = {
        "too_big": _("The logo is %(size)s MB; the largest allowed is 2 MB. Save a smaller PNG or JPEG and "
                     "try again."),
        "format": _("The logo must be a PNG or JPEG image."),
        "dimensions": _("The logo is %(width)s × %(height)s pixels; it can be at most 4000 pixels on each side."),
    }

    def to_python(self, data):
        # Check the size before Pillow reads the file.
        if isinstance(data, UploadedFile) and data.size > MAX_LOGO_BYTES:
            raise ValidationError(self.error_messages["too_big"], code="too_big",
                                  params={"size": f"{data.size / (1024 * 1024):.1f}"})
        result = super().to_python(data)
        image = getattr(result, "image", None)
        if image is not None:
            if image.format not in LOGO_FORMATS:
                raise ValidationError(self.error_messages["format"], code="format")
            width, height = image.size
            if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
                raise ValidationError(self.error_messages["dimensions"], code="dimensions",
                                      params={"width": width, "height": height})
        return result


class PersonChoiceMixin:
    """Active users only, those holding a relevant role listed first and their roles shown."""

    def label_from_instance(self, obj):
        labels = obj.role_labels
        name = obj.get_full_name() or obj.email
        return f"{name} ({', '.join(str(label) for label in labels)})" if labels else name


class PersonChoiceField(PersonChoiceMixin, forms.ModelChoiceField):
    pass


class PeopleChoiceField(PersonChoiceMixin, IdsChoiceField):
    pass


def people_for(role_names):
    in_role = User.groups.through.objects.filter(user=OuterRef("pk"), group__name__in=role_names)
    return (User.objects.filter(is_active=True)
            .annotate(relevant=Exists(in_role))
            .order_by("-relevant", "last_name", "first_name", "email")
            .prefetch_related("groups"))


# Who is listed first for each named person.
PERSON_ROLES = {
    "headteacher": [roles.HEADTEACHER],
    "dsl": [roles.DSL],
    "deputy_dsls": [roles.DSL],
    "online_safety_lead": [roles.ONLINE_SAFETY_LEAD],
    "safeguarding_governor": [roles.GOVERNOR],
    "filtering_lead": [roles.DSL, roles.TECHNICAL, roles.ONLINE_SAFETY_LEAD],
}


class SchoolProfileForm(forms.ModelForm):
    class Meta:
        model = SchoolProfile
        fields = ["name", "address", "urn", "phone", "email", "logo", "headteacher", "dsl", "deputy_dsls",
                  "online_safety_lead", "safeguarding_governor", "filtering_lead"]
        field_classes = {
            "logo": LogoField,
            "headteacher": PersonChoiceField,
            "dsl": PersonChoiceField,
            "deputy_dsls": PeopleChoiceField,
            "online_safety_lead": PersonChoiceField,
            "safeguarding_governor": PersonChoiceField,
            "filtering_lead": PersonChoiceField,
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "deputy_dsls": forms.SelectMultiple(attrs={"size": 6}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }
        help_texts = {
            "logo": _("PNG or JPEG, at most 2 MB and 4000 pixels on each side. Shown on the school's reports."),
            "deputy_dsls": _("Hold Ctrl (Cmd on a Mac) to choose more than one."),
        }

    person_fields = list(PERSON_ROLES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, role_names in PERSON_ROLES.items():
            self.fields[name].queryset = people_for(role_names)
        self.fields["name"].widget.attrs["autofocus"] = True
        self.inactive_named = self._inactive_named()

    def clean(self):
        data = super().clean()
        dsl, deputies = data.get("dsl"), data.get("deputy_dsls")
        if dsl is not None and deputies and dsl in deputies:
            self.add_error("deputy_dsls", _("%(name)s is the designated safeguarding lead, so cannot also be a "
                                            "deputy. Choose the deputies without them.") % {"name": dsl})
        return data

    def _inactive_named(self):
        """People named in the saved profile whose accounts have since been deactivated."""
        if self.instance.pk is None or self.instance._state.adding:
            return []
        found = []
        for name in self.person_fields:
            field = self.fields[name]
            if name == "deputy_dsls":
                people = list(self.instance.deputy_dsls.filter(is_active=False))
            else:
                person = getattr(self.instance, name)
                people = [person] if person is not None and not person.is_active else []
            found += [(field.label, person) for person in people]
        return found


class LocalContactForm(forms.ModelForm):
    class Meta:
        model = LocalContact
        fields = ["organisation", "phone", "email", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


def local_contact_forms(*, data=None):
    """One form per kind of local contact, each with its own prefix, on the profile page."""
    saved = {contact.kind: contact for contact in LocalContact.objects.all()}
    return [
        LocalContactForm(data, prefix=kind, instance=saved.get(kind) or LocalContact(kind=kind))
        for kind in LocalContact.Kind.values
    ]


# --- Terms ----------------------------------------------------------------------------------

TERM_NAMES = [Term.Name.AUTUMN, Term.Name.SPRING, Term.Name.SUMMER]


def year_bounds(academic_year):
    """Term dates for an academic year fall from 1 August to the following 31 August."""
    return datetime.date(academic_year, 8, 1), datetime.date(academic_year + 1, 8, 31)


def add_year_bounds_errors(form, academic_year, days):
    """Add an error to each of `days` ({field name: date or None}) outside the academic year's bounds."""
    first, last = year_bounds(academic_year)
    for key, day in days.items():
        if day and not first <= day <= last:
            form.add_error(key, _("Dates for %(year)s must fall between %(first)s and %(last)s.") % {
                "year": academic_year_label(academic_year), "first": short_date(first), "last": short_date(last)})


def next_year_without_terms(today=None):
    entered = set(Term.objects.values_list("academic_year", flat=True))
    year = academic_year_for(today or timezone.localdate())
    while year in entered:
        year += 1
    return year


def _term_error(term_label, error):
    """Term.clean() errors, named after the term they belong to."""
    return [f"{term_label}: {message}" for message in error.messages]


class TermYearForm(forms.Form):
    academic_year = forms.IntegerField(
        label=_("Academic year starting in"), min_value=2000, max_value=2100,
        help_text=_("The calendar year the academic year starts in: 2026 means 2026/27."),
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )
    autumn_start = forms.DateField(label=_("Autumn: first day"), widget=DateInput)
    autumn_end = forms.DateField(label=_("Autumn: last day"), widget=DateInput)
    spring_start = forms.DateField(label=_("Spring: first day"), widget=DateInput)
    spring_end = forms.DateField(label=_("Spring: last day"), widget=DateInput)
    summer_start = forms.DateField(label=_("Summer: first day"), widget=DateInput)
    summer_end = forms.DateField(label=_("Summer: last day"), widget=DateInput)

    def term_fields(self):
        """(term label, first-day field, last-day field) for the template's grid."""
        return [(Term.Name(name).label, self[f"{name}_start"], self[f"{name}_end"]) for name in TERM_NAMES]

    def term_dates(self):
        data = self.cleaned_data
        return {name: (data[f"{name}_start"], data[f"{name}_end"]) for name in TERM_NAMES}

    def clean_academic_year(self):
        year = self.cleaned_data["academic_year"]
        if Term.objects.filter(academic_year=year).exists():
            raise ValidationError(
                _("Terms for %(year)s are already entered. Change their dates from the terms page."),
                params={"year": academic_year_label(year)})
        return year

    def clean(self):
        data = super().clean()
        year = data.get("academic_year")
        previous_end, previous_label = None, None
        for name in TERM_NAMES:
            label = Term.Name(name).label
            start, end = data.get(f"{name}_start"), data.get(f"{name}_end")
            if year:
                add_year_bounds_errors(self, year, {f"{name}_start": start, f"{name}_end": end})
            if start and end and end < start:
                self.add_error(f"{name}_end", _("%(term)s must end on or after its first day.") % {"term": label})
            if start and previous_end and start <= previous_end:
                self.add_error(f"{name}_start", _("%(term)s must start after %(previous)s ends (%(end)s).") % {
                    "term": label, "previous": previous_label, "end": short_date(previous_end)})
            previous_end, previous_label = end or previous_end, label
        if not self.errors:
            self._check_against_saved_terms(year)
        return data

    def _check_against_saved_terms(self, year):
        for name, (start, end) in self.term_dates().items():
            term = Term(academic_year=year, name=name, start_date=start, end_date=end)
            try:
                term.clean()
            except ValidationError as error:
                for message in _term_error(str(term), error):
                    self.add_error(None, message)


class TermForm(forms.ModelForm):
    """One term's dates. Its year and name stay as entered."""

    class Meta:
        model = Term
        fields = ["start_date", "end_date"]
        widgets = {"start_date": DateInput, "end_date": DateInput}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        term = self.instance
        add_year_bounds_errors(self, term.academic_year, {"start_date": start, "end_date": end})
        if start and end:
            position = Term.ORDER[term.name]
            siblings = Term.objects.filter(academic_year=term.academic_year).exclude(pk=term.pk)
            for other in siblings:
                if Term.ORDER[other.name] < position and other.end_date >= start:
                    self.add_error("start_date", _("%(term)s must start after %(other)s ends (%(end)s).") % {
                        "term": term.get_name_display(), "other": other.get_name_display(),
                        "end": short_date(other.end_date)})
                if Term.ORDER[other.name] > position and other.start_date <= end:
                    self.add_error("end_date", _("%(term)s must end before %(other)s starts (%(start)s).") % {
                        "term": term.get_name_display(), "other": other.get_name_display(),
                        "start": short_date(other.start_date)})
        return data


# --- Pupils ---------------------------------------------------------------------------------


class PupilFilterForm(forms.Form):
    ON_ROLL, LEFT, ALL = "on_roll", "left", "all"
    STATUS_CHOICES = [(ON_ROLL, _("On roll")), (LEFT, _("Left")), (ALL, _("All"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, class or MIS id")}))
    year = forms.TypedChoiceField(label=_("Year group"), required=False, coerce=int, empty_value=None)
    reg_class = forms.ChoiceField(label=_("Class"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All year groups")), *YearGroup.choices]
        # In school order (Nursery, Reception, Year 1 ... Year 13), not alphabetical "10A, 1A".
        classes = (Pupil.objects.exclude(reg_class="").values("reg_class")
                   .annotate(year=Min("year_group")).order_by("year", "reg_class")
                   .values_list("reg_class", flat=True))
        self.fields["reg_class"].choices = [("", _("All classes"))] + [(name, name) for name in classes]

    def filter(self, pupils, today=None):
        """Apply whatever is valid; an invalid value is ignored (and shown as an error), never a crash."""
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or self.ON_ROLL
        today = today or timezone.localdate()
        if status == self.ON_ROLL:
            pupils = pupils.on_roll(today)
        elif status == self.LEFT:
            pupils = pupils.filter(leaving_date__lte=today)
        if data.get("q"):
            pupils = pupils.search(data["q"])
        if data.get("year") is not None:
            pupils = pupils.filter(year_group=data["year"])
        if data.get("reg_class"):
            pupils = pupils.filter(reg_class=data["reg_class"])
        return pupils


# --- Staff and governors --------------------------------------------------------------------


class StaffFilterForm(forms.Form):
    ACTIVE, INACTIVE, ALL = "active", "inactive", "all"
    NO_ROLE = "none"

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Name, email or job title")}))
    role = forms.ChoiceField(label=_("Role"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[(ACTIVE, _("Active")), (INACTIVE, _("Deactivated")), (ALL, _("All"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any role")), *((name, roles.LABELS[name]) for name in roles.ALL),
                                       (self.NO_ROLE, _("No role"))]

    def filter(self, users):
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or self.ACTIVE
        if status == self.ACTIVE:
            users = users.filter(is_active=True)
        elif status == self.INACTIVE:
            users = users.filter(is_active=False)
        for word in (data.get("q") or "").split():
            users = users.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word)
                | Q(email__icontains=word) | Q(job_title__icontains=word))
        role = data.get("role")
        if role == self.NO_ROLE:
            users = users.exclude(groups__name__in=roles.ALL)
        elif role:
            users = users.filter(groups__name=role)
        return users


class StaffUserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=[(name, roles.LABELS[name]) for name in roles.ALL],
        help_text=_("A person may hold several roles. Without a role they can sign in but see only their home "
                    "page. Only the headteacher gives or takes away the Headteacher and DSL roles."),
    )
    confirm_deactivation = forms.BooleanField(
        label=_("Yes, deactivate this account"), required=False,
        help_text=_("They will no longer be able to sign in. Everything they recorded is kept, and the account "
                    "can be reactivated later."),
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "job_title", "is_active"]
        labels = {
            "is_active": _("Active: can sign in"),
        }
        help_texts = {
            "email": _("Their school email address: they sign in with it and password-reset links go to it."),
            "is_active": _("Accounts are never deleted. Untick to deactivate someone who has left."),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if self.instance.pk is None:
            self.fields["is_active"].initial = True
            self.fields["roles"].initial = [roles.STAFF]
        else:
            self.initial.setdefault("roles", self.instance.held_role_names)

    def role_options(self):
        """(checkbox, description) pairs so the template can explain each role."""
        return [(checkbox, ROLE_DESCRIPTIONS[checkbox.data["value"]]) for checkbox in self["roles"]]

    @property
    def needs_deactivation_confirmation(self):
        return "confirm_deactivation" in self.errors or bool(self["confirm_deactivation"].value())

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        clash = User.objects.by_email(email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another account already uses this email address. Each person needs their "
                                    "own address; search the staff list to find the existing account."))
        return email

    def clean(self):
        data = super().clean()
        is_active = data.get("is_active", False)
        role_names = data["roles"] if "roles" in data else self.instance.held_role_names
        for field, message in account_change_errors(user=self.instance, actor=self.actor, role_names=role_names,
                                                     is_active=is_active, email=data.get("email")).items():
            if field not in self.errors:
                self.add_error(field, message)
        was_active = self.instance.pk is not None and self.initial.get("is_active", True)
        if was_active and not is_active and "is_active" not in self.errors and not data.get("confirm_deactivation"):
            self.add_error("confirm_deactivation", _("Tick the box to confirm that you want to deactivate this "
                                                     "account."))
        return data


# --- MIS import -----------------------------------------------------------------------------

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".tsv")


class MisUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=MisImport.Kind.choices,
                             initial=MisImport.Kind.PUPILS)
    full_roll = forms.BooleanField(
        label=_("This is the full school roll"), required=False,
        help_text=_("Pupils only. Tick this when the file lists every pupil currently on roll: anyone not in it "
                    "is marked as having left today. Nobody is ever deleted. Leave it unticked for a part of the "
                    "school, such as one year group or new starters."))
    full_contacts = forms.BooleanField(
        label=_("This is the full contacts file"), required=False,
        help_text=_("Parents and carers only. Tick this when the file lists every parent and carer of each pupil "
                    "in it: a contact no longer listed for a pupil is unlinked from that pupil (their details are "
                    "kept), so they are no longer sent that pupil's signing and consent links. Pupils not in the "
                    "file keep their links. Leave it unticked for a file of new or changed contacts."))
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Up to 5 MB. From Excel, choose File > Save As and “CSV UTF-8 (Comma delimited)”."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.txt"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("This file is %(size)s. The largest file you can upload is %(max)s: export one kind of record "
                  "at a time (pupils, parents and carers, or staff)."),
                params={"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_BYTES)})
        if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise ValidationError(
                _("“%(name)s” is not a CSV file. Export the report from your MIS as CSV (a file ending .csv) and "
                  "upload that."), params={"name": upload.name})
        try:
            self.cleaned_data["content"] = decode_csv_bytes(upload.read())
        except MisFileError as error:
            raise ValidationError(str(error)) from error
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("full_roll") and cleaned.get("kind") != MisImport.Kind.PUPILS:
            self.add_error("full_roll", _("Only a pupils file can be the full roll. Untick this box, or choose "
                                          "“Pupils” above."))
        if cleaned.get("full_contacts") and cleaned.get("kind") != MisImport.Kind.GUARDIANS:
            self.add_error("full_contacts", _("Only a parents and carers file can be the full contacts file. Untick "
                                              "this box, or choose “Parents and carers” above."))
        return cleaned


def offer_responsible_guardians(field, pupil):
    """Offer the pupil's parents and carers with parental responsibility as `field`'s choices.

    Returns {guardian id: guardian}, for the form's clean method to turn the choice back into one.
    """
    links = (PupilGuardian.objects.filter(pupil=pupil, parental_responsibility=True)
             .select_related("guardian").order_by("priority", "guardian__last_name", "pk"))
    field.choices = [
        (link.guardian_id, f"{link.guardian} ({link.relationship})" if link.relationship else str(link.guardian))
        for link in links]
    if len(links) == 1:
        field.initial = links[0].guardian_id
    return {link.guardian_id: link.guardian for link in links}
