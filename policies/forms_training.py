"""Forms for the training log: recording a session, and filtering the sessions and the people lists."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies import training
from policies.models import TrainingKind
from safety_portal.forms import CheckboxList, DateRangeForm, IdsChoiceField
from safety_portal.school import roles
from safety_portal.school.forms import DateInput, short_date
from safety_portal.school.models import User

EARLIEST_SESSION = datetime.date(2000, 1, 1)


class DateField(forms.DateField):
    """Typed dd/mm/yyyy or the ISO date a browser's date picker posts."""

    input_formats = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
    widget = DateInput
    default_error_messages = {"invalid": _("Enter a date such as 03/09/2026.")}


def _holds(names):
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=names))


def _by_name(users):
    return users.order_by("last_name", "first_name", "email", "pk")


# --- Sessions -------------------------------------------------------------------------------


class SessionFilterForm(DateRangeForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or provider")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *TrainingKind.choices])
    date_from = DateField(label=_("Held from"), required=False)
    date_to = DateField(label=_("Held to"), required=False)

    def filter(self, sessions):
        """Apply whatever is valid; an invalid value is shown as an error and ignored, never a crash."""
        self.is_valid()
        data = self.cleaned_data
        for word in (data.get("q") or "").split():
            sessions = sessions.filter(Q(title__icontains=word) | Q(provider__icontains=word))
        if data.get("kind"):
            sessions = sessions.filter(kind=data["kind"])
        if data.get("date_from"):
            sessions = sessions.filter(held_on__gte=data["date_from"])
        if data.get("date_to"):
            sessions = sessions.filter(held_on__lte=data["date_to"])
        return sessions


class AttendeesField(IdsChoiceField):
    widget = CheckboxList

    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.email
        labels = [str(label) for label in obj.held_role_labels]
        if not obj.is_active:
            labels.append(str(_("account deactivated")))
        return f"{name} ({', '.join(labels)})" if labels else name


class TrainingSessionForm(forms.Form):
    held_on = DateField(label=_("Date"))
    title = forms.CharField(label=_("Title"), max_length=150,
                            error_messages={"required": _("Write the session's title.")},
                            widget=forms.TextInput(attrs={"placeholder": _("For example: Annual safeguarding update")}))
    provider = forms.CharField(
        label=_("Provider"), max_length=150, required=False,
        help_text=_("Who delivered it, for example the DSL, the local authority or an online course."))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Choose a kind")), *TrainingKind.choices],
        error_messages={"required": _("Choose what kind of training it was.")},
        help_text=_("Induction, annual, DSL and governor training count as the yearly safeguarding refresher; "
                    "\"Other\" is logged but does not."))
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    all_staff = forms.BooleanField(label=_("Everyone on the staff"), required=False,
                                   help_text=_("Adds every active member of staff to the people ticked below."))
    all_governors = forms.BooleanField(label=_("Every governor"), required=False,
                                       help_text=_("Adds every active governor to the people ticked below."))
    attendees = AttendeesField(label=_("Who attended"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, session=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        people = User.objects.filter(is_active=True).filter(_holds(roles.ALL))
        if session is not None:
            # Someone who attended and has since left stays on the list, so saving does not drop them.
            people = User.objects.filter(Q(pk__in=people.values("pk"))
                                         | Q(pk__in=session.attendance.values("user_id")))
            self.initial.update(held_on=session.held_on, title=session.title, provider=session.provider,
                                kind=session.kind, notes=session.notes,
                                attendees=list(session.attendance.values_list("user_id", flat=True)))
        self.fields["attendees"].queryset = _by_name(people).prefetch_related("groups")
        held_on = self.fields["held_on"].widget
        held_on.attrs.update(min=EARLIEST_SESSION.isoformat(), max=self.today.isoformat())

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise ValidationError(_("The date is in the future. Record a session once it has taken place."))
        if held_on < EARLIEST_SESSION:
            raise ValidationError(_("The date must be on or after %(earliest)s. Check the year.")
                                  % {"earliest": short_date(EARLIEST_SESSION)})
        return held_on

    def clean(self):
        data = super().clean()
        chosen = {person.pk: person for person in data.get("attendees") or []}
        groups = []
        if data.get("all_staff"):
            groups.append(training.STAFF_ROLES)
        if data.get("all_governors"):
            groups.append([roles.GOVERNOR])
        for names in groups:
            chosen.update((person.pk, person) for person in User.objects.filter(is_active=True)
                          .filter(_holds(names)))
        if "attendees" not in self.errors and not chosen:
            self.add_error("attendees", _("Tick at least one person who attended, or one of the \"everyone\" "
                                          "boxes."))
        self.chosen_attendees = sorted(chosen.values(),
                                       key=lambda person: (person.last_name, person.first_name, person.email))
        return data

    def session_fields(self):
        """The keyword arguments the training_session_* services take, apart from actor and request."""
        data = self.cleaned_data
        return {"held_on": data["held_on"], "title": data["title"], "provider": data["provider"],
                "kind": data["kind"], "notes": data["notes"], "attendees": self.chosen_attendees}


# --- People ---------------------------------------------------------------------------------


class PeopleFilterForm(forms.Form):
    ALL, DUE, INDUCTION, STAFF, GOVERNORS = "all", "due", "induction", "staff", "governors"
    SHOW_CHOICES = [
        (ALL, _("Everyone")),
        (DUE, _("Due for refresher training")),
        (INDUCTION, _("Induction outstanding")),
        (STAFF, _("Staff only")),
        (GOVERNORS, _("Governors only")),
    ]

    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW_CHOICES)
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or email")}))

    def filter(self, people, today=None):
        """Narrow people_with_training(); a filter that cannot be read narrows nothing (the errors show)."""
        if not self.is_valid():
            return people
        data = self.cleaned_data
        show = data["show"] or self.ALL
        if show == self.DUE:
            people = people.filter(training.due_filter(today))
        elif show == self.INDUCTION:
            people = people.filter(induction_outstanding_filter(today))
        elif show == self.STAFF:
            people = people.filter(is_staff_member=True)
        elif show == self.GOVERNORS:
            people = people.filter(_holds([roles.GOVERNOR]))
        for word in data["q"].split():
            people = people.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
        return people

    def summary(self):
        """The filters used, for the audit trail."""
        if not self.is_valid():
            return {}
        summary = {"show": self.cleaned_data["show"] or self.ALL}
        if self.cleaned_data["q"]:
            summary["q"] = self.cleaned_data["q"]
        return summary


def induction_outstanding_filter(today=None):
    """training.needs_induction() as a condition on people_with_training(), so the list can be filtered and
    paged by the database."""
    return Q(is_staff_member=True, inducted=False,
             date_joined__date__gte=training.refresher_cutoff(today))
