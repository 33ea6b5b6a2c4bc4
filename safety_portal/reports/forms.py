"""Forms for governor reports: asking for a report for a term, and confirming a draft was checked.
They validate; safety_portal.reports.services writes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety_portal.reports.models import Report, State
from safety_portal.school.forms import short_date
from safety_portal.school.models import Term


class ReportRequestForm(forms.Form):
    term = forms.ChoiceField(label=_("Term"))
    reason = forms.CharField(
        label=_("Why the new report replaces the finalised one"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a term that already has a finalised report: the new report replaces it once you "
                    "finalise it, and governors see this reason next to the old one, so name no one and describe "
                    "no case: for example \"Two referrals were recorded late\"."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Two queries however many terms and reports there are.
        # Terms that have begun: a report on a term still to come would print zeros as if they were facts.
        self.terms = {str(term.pk): term for term in
                      Term.objects.filter(start_date__lte=timezone.localdate()).order_by("-start_date")}
        self.finals = {str(report.term_id): report
                       for report in Report.objects.filter(state=State.FINAL).only("pk", "term_id", "finalised_at")}
        choices = [("", _("Choose a term"))]
        for key, term in self.terms.items():
            final = self.finals.get(key)
            label = str(term) if final is None else _("%(term)s (finalised on %(date)s: a new report replaces it)") % {
                "term": term, "date": short_date(timezone.localdate(final.finalised_at))}
            choices.append((key, label))
        self.fields["term"].choices = choices

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("term")
        if not key:
            return cleaned
        cleaned["term_obj"] = self.terms[key]
        cleaned["replaces"] = self.finals.get(key)
        if cleaned["replaces"] is None:
            cleaned["reason"] = ""  # nothing to replace: a reason typed for nothing is not kept
        elif not cleaned.get("reason", "").strip() and "reason" not in self.errors:
            self.add_error("reason", _("%(term)s already has a finalised report. Say why the new report should "
                                       "replace it.") % {"term": cleaned["term_obj"]})
        return cleaned


class FinaliseForm(forms.Form):
    checked = forms.BooleanField(
        label=_("I have checked these figures"),
        error_messages={"required": _("Tick the box to confirm you have checked the figures.")})
