"""Forms on the case page. Rules that need the case itself live in incidents.casework;
the views copy its ValidationErrors back onto these forms so what was typed is kept."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    Agency,
    Area,
    EntryKind,
    IncidentType,
    ParentContact,
    Referral,
    Severity,
    StepState,
)
from safety_portal.forms import IdsChoiceField
from safety_portal.school import roles
from safety_portal.school.forms import DateInput
from safety_portal.school.models import User

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (it posts 2026-03-02T14:30)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def now_for_input():
    return timezone.localtime().replace(second=0, microsecond=0)


def case_workers():
    """Active DSL team members and headteachers: who may own or be named on a case."""
    return (User.objects.filter(is_active=True, groups__name__in=[roles.DSL, roles.HEADTEACHER])
            .distinct().order_by("last_name", "first_name", "pk"))


def active_staff():
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "pk")


class CaseRevisionForm(forms.Form):
    """A form that changes the case's own values: it carries the revision of the case it was
    opened on, and incidents.casework refuses it if a colleague has changed the case since."""

    # Not required: a post without it (a script, not a page) is simply not checked.
    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = incident.revision

    def revision_refresh(self, incident):
        """After a stale refusal: keep what was typed, but against the case as it is now, so the
        DSL can check it and send the same change again."""
        self.data = self.data.copy()
        self.data[self.add_prefix("revision")] = str(incident.revision)


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect, **kwargs)


class TriageForm(CaseRevisionForm):
    area = forms.ChoiceField(label=_("Area (the 4 Cs)"), choices=Area.choices)
    incident_type = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices,
                                      help_text=_("Changing the type adds its procedure steps; steps already "
                                                  "decided are kept."))
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *Severity.choices],
                                 error_messages={"required": _("Choose how severe this is.")})
    child_protection = YesNoField(label=_("Is this a child-protection concern?"),
                                  error_messages={"required": _("Say whether this is a child-protection concern.")})
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False,
                                   empty_label=_("Nobody yet"))
    named_people = IdsChoiceField(
        label=_("People named on the case"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("On a restricted case (an allegation against staff) only the headteacher and the people named "
                    "here can open it."))

    def __init__(self, *args, incident, user, **kwargs):
        initial = {
            "area": incident.area, "incident_type": incident.incident_type, "severity": incident.severity,
            "child_protection": {True: "yes", False: "no"}.get(incident.child_protection),
            "owner": incident.owner_id,
        }
        self.may_name = user.has_role(roles.HEADTEACHER)
        if self.may_name:
            initial["named_people"] = [person.pk for person in incident.named_people.all()]
        super().__init__(*args, incident=incident, initial=initial, prefix="triage", **kwargs)
        self.fields["owner"].queryset = case_workers()
        if self.may_name:
            self.fields["named_people"].queryset = case_workers()
        else:
            del self.fields["named_people"]

    def clean(self):
        data = super().clean()
        incident_type = data.get("incident_type")
        # "Not sure" of the type is allowed in the area too; otherwise a type belongs to its usual area.
        if incident_type and incident_type != IncidentType.NOT_SURE and data.get("area") == Area.NOT_SURE:
            self.add_error("area", _("Choose the area this type belongs to."))
        return data


class StepForm(CaseRevisionForm):
    state = forms.ChoiceField(choices=StepState.choices)
    reason = forms.CharField(required=False, max_length=2000)


class ChronologyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[c for c in EntryKind.choices if c[0] != EntryKind.CORRECTION])
    happened_at = forms.DateTimeField(label=_("When it happened"), widget=DateTimeInput(),
                                      help_text=_("Now, or earlier if you are writing it down afterwards."))
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write what happened.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="chronology", initial={"happened_at": now_for_input()}, **kwargs)


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Write the correction.")})


class ReferralForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Referral.Decision.choices, widget=forms.RadioSelect,
                                 initial=Referral.Decision.REFERRED)
    agency = forms.ChoiceField(label=_("Agency"), choices=[("", "—"), *Agency.choices], required=False)
    agency_other = forms.CharField(label=_("Other agency"), max_length=200, required=False,
                                   help_text=_("Only if you chose “Other”."))
    made_on = forms.DateField(label=_("Date"), widget=DateInput())
    external_reference = forms.CharField(label=_("Their reference"), max_length=100, required=False)
    outcome = forms.CharField(label=_("Outcome or advice given"), widget=forms.Textarea(attrs={"rows": 2}),
                              required=False)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                help_text=_("Required for a decision not to refer."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="referral", initial={"made_on": timezone.localdate()}, **kwargs)


class ParentsForm(CaseRevisionForm):
    informed = YesNoField(label=_("Were the parents or carers told?"),
                          error_messages={"required": _("Say whether the parents or carers were told.")})
    informed_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput(), required=False)
    method = forms.ChoiceField(label=_("How"), choices=[("", "—"), *ParentContact.Method.choices], required=False)
    informed_by = forms.ModelChoiceField(label=_("By whom"), queryset=User.objects.none(),
                                         help_text=_("Who told them, or who decided not to."))
    rationale = forms.CharField(label=_("Why not"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                help_text=_("Required if they were not told, for example because telling them "
                                            "would put the child at risk."))

    def __init__(self, *args, user, incident, **kwargs):
        super().__init__(*args, incident=incident, prefix="parents",
                         initial={"informed_at": now_for_input(), "informed_by": user.pk}, **kwargs)
        self.fields["informed_by"].queryset = active_staff()


class ImageryViewForm(forms.Form):
    viewed_by = forms.ModelChoiceField(label=_("Who viewed it"), queryset=User.objects.none())
    viewed_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    justification = forms.CharField(label=_("Why it had to be viewed"), widget=forms.Textarea(attrs={"rows": 2}),
                                    error_messages={"required": _("Say why the imagery had to be viewed.")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, prefix="imagery", initial={"viewed_at": now_for_input(), "viewed_by": user.pk},
                         **kwargs)
        self.fields["viewed_by"].queryset = active_staff()


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, plain text or Word (.docx), up to 10 MB."),
                           error_messages={"required": _("Choose a file to attach.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="attachment", **kwargs)


class CloseForm(CaseRevisionForm):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("Summarise the outcome before closing the case.")})
    lessons_learnt = forms.CharField(
        label=_("Lessons learnt"), widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Record the lessons learnt before closing the case (write “none” and why, "
                                      "if there were none).")})

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, incident=incident, prefix="close", initial={"outcome": incident.outcome,
                                                         "lessons_learnt": incident.lessons_learnt}, **kwargs)


class ReopenForm(CaseRevisionForm):
    reason = forms.CharField(label=_("Why reopen the case?"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for reopening the case.")})

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, incident=incident, prefix="reopen", **kwargs)
