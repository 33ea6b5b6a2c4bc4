"""Office forms: choosing the pupils a signing pack goes to, and entering a paper form."""

import datetime

from django import forms
from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.compliance import counting_signatures
from agreements.models import Audience, SigningLink
from safety_portal.school.forms import DateInput, offer_responsible_guardians, short_date
from safety_portal.school.models import Pupil, PupilGuardian, YearGroup

MAX_SCAN_BYTES = 10 * 1024 * 1024
# What a scan may be, told by its first bytes (the name it arrived with counts for nothing).
SCAN_KINDS = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
]
PAPER_OLDEST_DAYS = 365


def scan_kind(head):
    """(content type, extension) for the first bytes of a PDF, PNG or JPEG; None for anything else."""
    for magic, content_type, extension in SCAN_KINDS:
        if head.startswith(magic):
            return content_type, extension
    return None


def parent_signed(pupil_ref="pk", guardian_ref=None):
    """Counted signatures on the parent agreement for the outer pupil (and by the outer guardian, if given)."""
    signatures = counting_signatures(Audience.PARENT).filter(pupil=OuterRef(pupil_ref))
    if guardian_ref:
        signatures = signatures.filter(guardian=OuterRef(guardian_ref))
    return signatures


def pupils_outstanding(pupils):
    """Pupils with no parent or carer's signature on a counted version of the parent agreement."""
    return pupils.exclude(Exists(parent_signed()))


def reachable_guardians():
    """Guardians a pack can reach for the outer pupil: parental responsibility and an email address."""
    return PupilGuardian.objects.filter(pupil=OuterRef("pk"), parental_responsibility=True).exclude(
        guardian__email="")


def class_choices():
    """Classes of pupils on roll, in school order (Reception, Year 1 ... Year 13), not "10A, 1A"."""
    classes = (Pupil.objects.on_roll().exclude(reg_class="").values("reg_class")
               .annotate(year=Min("year_group")).order_by("year", "reg_class").values_list("reg_class", flat=True))
    return [(name, name) for name in classes]


class PackChooseForm(forms.Form):
    """Which pupils on roll a pack goes to. The choices narrow each other down, except that a
    year group and a class add up (Year 3 and class 5A means both)."""

    years = forms.TypedMultipleChoiceField(
        label=_("Year groups"), required=False, coerce=int, choices=YearGroup.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    classes = forms.MultipleChoiceField(label=_("Classes"), required=False,
                                        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    admitted_since = forms.DateField(
        label=_("New admissions since"), required=False, widget=DateInput(),
        help_text=_("Only pupils whose admission date is on or after this day."))
    outstanding = forms.BooleanField(
        label=_("Only pupils whose parents or carers have not signed yet"), required=False,
        help_text=_("Leaves out pupils for whom a parent or carer has already signed the current parent agreement."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].choices = class_choices()

    def clean_admitted_since(self):
        day = self.cleaned_data.get("admitted_since")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        chosen = (cleaned.get("years") or cleaned.get("classes") or cleaned.get("admitted_since")
                  or cleaned.get("outstanding"))
        if not self.errors and not chosen:
            raise forms.ValidationError(
                _("Choose a year group, a class, new admissions or only those who have not signed."),
                code="nothing_chosen")
        return cleaned

    def pupils(self):
        """The chosen pupils on roll; call after is_valid()."""
        data = self.cleaned_data
        pupils = Pupil.objects.on_roll()
        groups = Q()
        if data.get("years"):
            groups |= Q(year_group__in=data["years"])
        if data.get("classes"):
            groups |= Q(reg_class__in=data["classes"])
        if groups:
            pupils = pupils.filter(groups)
        if data.get("admitted_since"):
            pupils = pupils.filter(admission_date__gte=data["admitted_since"])
        if data.get("outstanding"):
            pupils = pupils_outstanding(pupils)
        return pupils.order_by("last_name", "first_name", "pk")

    def suggested_title(self):
        data = self.cleaned_data
        parts = [str(YearGroup(year).label) for year in sorted(data.get("years") or [])]
        parts += list(data.get("classes") or [])
        if data.get("admitted_since"):
            parts.append(str(_("admitted since %(day)s") % {"day": short_date(data["admitted_since"])}))
        if data.get("outstanding"):
            parts.append(str(_("not yet signed")))
        title = ", ".join(parts) or str(_("Pupils"))
        return f"{title} · {short_date(timezone.localdate())}"[:120]


class PackSendForm(forms.Form):
    title = forms.CharField(
        label=_("Name for this pack"), max_length=120,
        help_text=_("For your own list, for example 'Reception September 2026'."),
        error_messages={"required": _("Give the pack a name for your list.")})
    # A fresh key per preview: a second click on Send finds it used and sends nothing more.
    send_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class LinkFilterForm(forms.Form):
    SIGNED, OUTSTANDING = "signed", "outstanding"

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Child or parent's name")}))
    status = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("All")), (SIGNED, _("Signed")), (OUTSTANDING, _("Not signed yet"))])

    def filter(self, links):
        """Apply whatever is valid; an invalid value is ignored, never a crash."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for word in (data.get("q") or "").replace(",", " ").split():
            links = links.filter(
                Q(pupil__first_name__icontains=word) | Q(pupil__last_name__icontains=word)
                | Q(pupil__preferred_name__icontains=word) | Q(guardian__first_name__icontains=word)
                | Q(guardian__last_name__icontains=word))
        if data.get("status") == self.SIGNED:
            links = links.filter(signed_at__isnull=False)
        elif data.get("status") == self.OUTSTANDING:
            links = links.filter(signed_at__isnull=True)
        return links


def links_with_status(links):
    """Links with `signed_at`: when the link's guardian last signed a counted parent agreement for its child."""
    signed = parent_signed("pupil", "guardian").order_by("-signed_at").values("signed_at")[:1]
    return links.annotate(signed_at=Subquery(signed))


def signed_links(pack_ref="pk"):
    """The outer pack's links whose guardian has signed for the child."""
    return SigningLink.objects.filter(pack=OuterRef(pack_ref)).filter(Exists(parent_signed("pupil", "guardian")))


class PaperForm(forms.Form):
    guardian = forms.TypedChoiceField(
        label=_("Who signed"), coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Choose the parent or carer who signed the form.")})
    signed_on = forms.DateField(
        label=_("Date on the form"), widget=DateInput(),
        error_messages={"required": _("Enter the date the form was signed."),
                        "invalid": _("Enter the date as a date, such as 03/09/2026.")})
    typed_name = forms.CharField(
        label=_("Name as written on the form"), max_length=150,
        error_messages={"required": _("Enter the name as the parent or carer wrote it.")})
    discussed_with_child = forms.BooleanField(
        label=_("On the form, they ticked that they have discussed the agreement with their child"), required=False,
        help_text=_("Leave it unticked if they did not: the record will say so."))
    scan = forms.FileField(
        label=_("Scan of the form (optional)"), required=False,
        help_text=_("PDF, JPEG or PNG, up to 10 MB."))

    def __init__(self, *args, pupil, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil = pupil
        self.guardians = offer_responsible_guardians(self.fields["guardian"], pupil)

    def clean_guardian(self):
        return self.guardians[self.cleaned_data["guardian"]]

    def clean_signed_on(self):
        day = self.cleaned_data["signed_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("The date cannot be in the future."))
        if day < today - datetime.timedelta(days=PAPER_OLDEST_DAYS):
            raise forms.ValidationError(_("The date is more than a year ago. A form that old should be signed "
                                          "again."))
        return day

    def clean_typed_name(self):
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Enter the name as the parent or carer wrote it."))
        return name

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if not scan:
            return None
        if scan.size > MAX_SCAN_BYTES:
            raise forms.ValidationError(_("The file is %(size)s MB; the largest allowed is 10 MB.")
                                        % {"size": f"{scan.size / (1024 * 1024):.1f}"})
        scan.seek(0)
        kind = scan_kind(scan.read(16))
        scan.seek(0)
        if kind is None:
            raise forms.ValidationError(_("This file is not a PDF, JPEG or PNG. Scan the form as one of those."))
        scan.kind = kind
        return scan
