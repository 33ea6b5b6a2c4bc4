"""Forms for the policy register: the register's filters, a policy's details, a new version and
bringing a review forward. They validate; policies.services writes."""

import datetime

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies import documents, services
from policies.models import ApprovingBody, Category, Policy, ReviewState, Status, validate_version_number
from safety_portal.forms import CheckboxList, IdsChoiceField
from safety_portal.school import roles
from safety_portal.school.forms import DateInput, short_date
from safety_portal.school.models import User

EARLIEST_APPROVAL = datetime.date(2000, 1, 1)
DOCUMENT_ACCEPT = ".pdf,.docx,application/pdf," + documents.DOCX[0]


# --- The register's filters -----------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    IN_USE, ALL = "", "all"
    NO_OWNER = "none"

    q = forms.CharField(label=_("Search titles"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("For example: online")}))
    state = forms.ChoiceField(label=_("Review"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    show = forms.ChoiceField(
        label=_("Show"), required=False,
        choices=[(IN_USE, _("Policies in use")), (ALL, _("All, with drafts and policies no longer used")),
                 (Status.DRAFT, _("Only drafts")), (Status.RETIRED, _("Only policies no longer used"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "Not in use" is what "Show" is for; the review states here are those of policies in use.
        self.fields["state"].choices = [("", _("Any")), *((state.value, state.label) for state in ReviewState
                                                          if state != ReviewState.NOT_IN_USE)]
        owners = User.objects.filter(owned_policies__isnull=False).distinct().order_by("last_name", "first_name",
                                                                                         "pk")
        self.fields["owner"].choices = [("", _("Anyone")), (self.NO_OWNER, _("No owner")),
                                        *((str(person.pk), str(person)) for person in owners)]

    @property
    def filtered(self):
        return any(self.data.get(name) for name in self.fields)

    def filter(self, policies):
        """Apply whatever is valid to a query annotated with review states; an invalid value is ignored."""
        self.is_valid()
        data = self.cleaned_data
        show = data.get("show") or self.IN_USE
        if show == self.IN_USE:
            policies = policies.in_use()
        elif show != self.ALL:
            policies = policies.filter(status=show)
        for word in (data.get("q") or "").split():
            policies = policies.filter(title__icontains=word)
        if data.get("state"):
            policies = policies.filter(review_state=data["state"])
        if data.get("category"):
            policies = policies.filter(category=data["category"])
        owner = data.get("owner")
        if owner == self.NO_OWNER:
            policies = policies.filter(owner__isnull=True)
        elif owner:
            policies = policies.filter(owner_id=int(owner))
        return policies


# --- A policy's details ---------------------------------------------------------------------


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.job_title})" if obj.job_title else str(obj)


class PolicyForm(forms.ModelForm):
    owner = OwnerChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet"),
        help_text=_("The member of staff who keeps this policy up to date. They get the review reminders and can "
                    "record its new versions."))
    review_cycle_months = forms.IntegerField(
        label=_("Review every (months)"), min_value=1, max_value=60, initial=12,
        help_text=_("Most policies are reviewed every 12 months; some every 24 or 36. Between 1 and 60."),
        error_messages={"min_value": _("Choose a number of months between 1 and 60."),
                        "max_value": _("Choose a number of months between 1 and 60."),
                        "invalid": _("Write a whole number of months, for example 12.")})

    class Meta:
        model = Policy
        fields = ["title", "category", "owner", "approving_body", "committee_name", "review_cycle_months",
                  "linked", "on_website", "status"]
        field_classes = {"linked": IdsChoiceField}
        widgets = {
            "approving_body": forms.RadioSelect,
            "linked": CheckboxList,
        }
        labels = {
            "title": _("Title"),
            "approving_body": _("Who approves it"),
            "committee_name": _("Committee's name"),
            "linked": _("Linked policies"),
            "on_website": _("Published on the school website"),
        }
        help_texts = {
            "title": _("As it appears on the document, for example \"Online safety\"."),
            "owner": _("The person who keeps this policy up to date (a governor can own one). They get the "
                       "review reminders."),
            "approving_body": _("Who signs off each new version."),
            "linked": _("Policies that refer to this one. The link shows on both policies' pages."),
            "status": _("Only policies in use get review reminders. A policy is never deleted: choose \"No longer "
                        "used\" to retire it and keep its history."),
        }
        error_messages = {
            "title": {"unique": _("There is already a policy with this title. Open it from the register, or "
                                  "choose another title."),
                      "required": _("Write the policy's title, for example \"Online safety\".")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People who can sign in with a role, plus whoever owns it now even if they no longer could.
        people = Q(is_active=True, groups__name__in=roles.ALL)
        if self.instance.owner_id:
            people |= Q(pk=self.instance.owner_id)
        self.fields["owner"].queryset = User.objects.filter(people).distinct().order_by("last_name", "first_name",
                                                                                         "pk")
        self.fields["linked"].queryset = Policy.objects.exclude(pk=self.instance.pk).order_by("title")
        self.fields["linked"].required = False

    def clean_title(self):
        title = self.cleaned_data["title"]
        if Policy.objects.filter(title__iexact=title).exclude(pk=self.instance.pk).exists():
            raise ValidationError(self._meta.error_messages["title"]["unique"], code="unique")
        return title

    def clean(self):
        data = super().clean()
        if data.get("approving_body") == ApprovingBody.COMMITTEE:
            if not data.get("committee_name"):
                self.add_error("committee_name", _("Write the committee's name, for example \"Pupils and "
                                                   "curriculum\", or choose another approver."))
        elif "committee_name" in data:
            data["committee_name"] = ""  # only a committee has a name to keep
        return data

    def policy_fields(self):
        """The keyword arguments policies.services takes for a policy's own fields."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name != "linked"}


# --- A new version --------------------------------------------------------------------------


class VersionForm(forms.Form):
    ASK_NOBODY, ASK_ALL_STAFF, ASK_CHOSEN = "no", "all", "chosen"
    # "All staff": everyone who works in the school; governors are asked only when chosen.
    ALL_STAFF_ROLES = [name for name in roles.ALL if name != roles.GOVERNOR]

    number = forms.CharField(
        label=_("Version number"), max_length=20, validators=[validate_version_number],
        error_messages={"required": _("Write the version number, for example 2.1.")},
        help_text=_("Numbers with dots, for example 3 or 2.1. The newest version needs a higher number than the "
                    "one before."))
    approved_on = forms.DateField(
        label=_("Approved on"), widget=DateInput,
        error_messages={"required": _("Write the date it was approved."),
                        "invalid": _("Write a real date, for example 03/09/2026.")},
        help_text=_("The day it was approved. The next review date is counted from this day."))
    approved_by = forms.CharField(
        label=_("Approved by"), max_length=150,
        error_messages={"required": _("Write who approved it.")},
        help_text=_("A name, or the meeting, for example \"Full governing body, 14 March\"."))
    change_summary = forms.CharField(
        label=_("What changed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a line for the revision log about what changed.")},
        help_text=_("A line or two for the revision log, for example \"Updated for KCSIE 2026; new DSL contact "
                    "details\"."))
    document = forms.FileField(
        label=_("Document"), widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        error_messages={"required": _("Choose the approved document (PDF or Word .docx)."),
                        "empty": _("This file is empty. Choose the approved document again.")},
        help_text=_("The approved policy as a PDF or a Word document (.docx)."))
    ask_to_read = forms.ChoiceField(
        label=_("Ask staff to confirm they have read it"), initial=ASK_NOBODY, widget=forms.RadioSelect,
        choices=[(ASK_NOBODY, _("No")),
                 (ASK_ALL_STAFF, _("All staff (everyone except governors)")),
                 (ASK_CHOSEN, _("Chosen roles"))],
        help_text=_("Those asked see it on their home page until they confirm, and you can see who has."))
    read_roles = forms.MultipleChoiceField(
        label=_("Roles to ask"), required=False, widget=CheckboxList,
        choices=[(name, roles.LABELS[name]) for name in roles.ALL],
        help_text=_("Only when you chose \"Chosen roles\" above."))

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.document_type = None
        self.fields["document"].help_text = _(
            "The approved policy as a PDF or a Word document (.docx), up to %(size)s.") % {
            "size": filesizeformat(documents.MAX_DOCUMENT_BYTES)}
        if not self.is_bound:
            self.initial.setdefault("number", policy.next_version_number())
            self.initial.setdefault("approved_on", timezone.localdate())
            self.initial.setdefault("approved_by", policy.approver_label)

    def clean_number(self):
        number = self.cleaned_data["number"]
        if self.policy.versions.filter(number=number).exists():
            raise ValidationError(_("Version %(number)s is already in the revision log. Use the next number, for "
                                    "example %(next)s."),
                                  params={"number": number, "next": self.policy.next_version_number()})
        return number

    def clean_approved_on(self):
        day = self.cleaned_data["approved_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The approval date cannot be in the future. Record the version once it has "
                                    "been approved."))
        if day < EARLIEST_APPROVAL:
            raise ValidationError(_("Check the year: the date must be in 2000 or later."))
        return day

    def clean_document(self):
        upload = self.cleaned_data["document"]
        # Read the limit at call time, so a school's setting (or a test) can change it.
        if upload.size > documents.MAX_DOCUMENT_BYTES:
            raise ValidationError(
                _("This file is %(size)s; the largest you can upload is %(max)s. Save a smaller PDF (for example "
                  "without scanned images) and try again."),
                params={"size": filesizeformat(upload.size), "max": filesizeformat(documents.MAX_DOCUMENT_BYTES)})
        kind = documents.document_kind(upload)
        if kind is None:
            raise ValidationError(
                _("\"%(name)s\" is not a PDF or a Word document (.docx), whatever its name says. Open it and save "
                  "it as PDF, or as a Word document, then upload that."), params={"name": upload.name})
        self.document_type = kind
        return upload

    def clean(self):
        data = super().clean()
        if data.get("ask_to_read") == self.ASK_CHOSEN and not data.get("read_roles"):
            self.add_error("read_roles", _("Tick at least one role to ask, or choose \"No\" above."))
        current = self.policy.current_version
        approved_on = data.get("approved_on")
        if (current and approved_on and approved_on < current.approved_on
                and data.get("ask_to_read") not in (None, "", self.ASK_NOBODY)):
            # Staff are only ever asked to read the version in force.
            self.add_error("ask_to_read", _("This version was approved before the current one (%(date)s), so it "
                                            "goes into the history only and nobody can be asked to read it. "
                                            "Choose \"No\".") % {"date": short_date(current.approved_on)})
        return data

    def read_role_names(self):
        ask = self.cleaned_data["ask_to_read"]
        if ask == self.ASK_ALL_STAFF:
            return self.ALL_STAFF_ROLES
        if ask == self.ASK_CHOSEN:
            return self.cleaned_data["read_roles"]
        return []

    def read_groups(self):
        names = self.read_role_names()
        return list(Group.objects.filter(name__in=names)) if names else []


# --- Bringing a review forward --------------------------------------------------------------


class BringForwardForm(forms.Form):
    to = forms.DateField(label=_("Review by"), widget=DateInput,
                         error_messages={"required": _("Choose the date to review it by."),
                                         "invalid": _("Write a real date, for example 03/09/2026.")},
                         help_text=_("Today or later, and before the review date now due."))
    reason = forms.CharField(
        label=_("Why"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the review is needed sooner.")},
        help_text=_("Shown on the policy's page, for example \"New KCSIE guidance in September\" or \"After the "
                    "incident in March\"."))

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.scheduled = policy.scheduled_review_on()

    def clean_to(self):
        day = self.cleaned_data["to"]
        if day < timezone.localdate():
            raise ValidationError(_("Choose today or a later date."))
        latest = services.bring_forward_latest(self.policy)
        if day > latest and self.policy.current_version_id:
            raise ValidationError(_("Choose a date before %(due)s, when the review is due already."),
                                  params={"due": short_date(latest + datetime.timedelta(days=1))})
        if day > latest:
            raise ValidationError(_("Choose a date no later than %(latest)s, five years from today."),
                                  params={"latest": short_date(latest)})
        return day
