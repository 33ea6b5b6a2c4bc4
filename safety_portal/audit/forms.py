from django import forms
from django.utils.translation import gettext_lazy as _

from safety_portal.audit.labels import ACTION_LABELS, OBJECT_TYPES
from safety_portal.forms import DateRangeForm


def is_full_address(text):
    """A whole email address ("dsl@demo.school"), as opposed to part of one ("dsl", "@demo")."""
    local, at, domain = text.partition("@")
    return bool(local and at and "." in domain.strip(".") and " " not in text)


class AuditFilterForm(DateRangeForm):
    action = forms.ChoiceField(label=_("What happened"), required=False)
    who = forms.CharField(label=_("Who (email)"), required=False, max_length=254,
                          help_text=_("A full email address finds that person only; part of one, such as "
                                      "\"dsl\" or \"@school.example\", finds every address containing it."))
    record_type = forms.ChoiceField(label=_("Kind of record"), required=False)
    record_id = forms.CharField(label=_("Record number or reference"), required=False, max_length=64,
                                help_text=_("The number in the Record column, or an incident's reference."))
    date_from = forms.DateField(label=_("From"), required=False, help_text=_("dd/mm/yyyy"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, help_text=_("dd/mm/yyyy"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # References are looked up among the records this reader may open, so the answer never
        # tells them that a case they cannot see exists.
        self.user = user
        choices = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])
        self.fields["action"].choices = [("", _("Anything"))] + choices
        kinds = sorted(((code, str(label)) for code, (label, _url, _roles) in OBJECT_TYPES.items()),
                       key=lambda c: c[1])
        self.fields["record_type"].choices = [("", _("Any record"))] + kinds

    def clean(self):
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        data = super().clean()
        if start and end and end < start:
            # In place of the shared form's wording: say what is wrong with what was typed.
            self.errors.pop("date_to", None)
            self.add_error("date_to", _("The end date is before the start date."))
        record_id = (data.get("record_id") or "").strip()
        if record_id and not data.get("record_type"):
            self.add_error("record_type", _("Choose the kind of record the number belongs to."))
        elif record_id and not record_id.isdigit():
            data["record_id"] = self._id_for_reference(data.get("record_type"), record_id)
        return data

    def _id_for_reference(self, record_type, reference):
        if record_type == "incidents.incident":
            from incidents.access import incidents_for_user

            pk = incidents_for_user(self.user).filter(reference__iexact=reference).values_list("pk", flat=True).first()
            if pk is not None:
                return str(pk)
        self.add_error("record_id", _("No record of that kind has this reference. Use the number shown in "
                                      "the Record column."))
        return reference

    def filter(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        who = data["who"].strip()
        if is_full_address(who):
            events = events.filter(actor_label__iexact=who)
        elif who:
            events = events.filter(actor_label__icontains=who)
        if data["record_type"]:
            events = events.filter(object_type=data["record_type"])
        if data["record_id"]:
            events = events.filter(object_id=data["record_id"])
        # __date compares in the portal's time zone (Europe/London), as people read the dates.
        if data["date_from"]:
            events = events.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(created_at__date__lte=data["date_to"])
        return events
