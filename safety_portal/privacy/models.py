"""Data protection: how long the school keeps each kind of record, and the log of what it destroyed.

The retention rules themselves (which records are past their period) live in retention.py; disposal
goes through services.py only.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RetentionSettings(models.Model):
    """The school's retention periods (one row, pk=1), set by the DSL or the headteacher."""

    child_protection_years = models.PositiveSmallIntegerField(
        _("child-protection incidents: years after the youngest pupil's date of birth"), default=25,
        # Statutory guidance (and the IRMS toolkit) keep child-protection records to the child's 25th
        # birthday at least; a school may keep them longer, never shorter.
        validators=[MinValueValidator(25), MaxValueValidator(100)],
        help_text=_("At least 25: child-protection records are kept until the youngest pupil named is 25. "
                    "Counted from that pupil's date of birth, and only once the case is closed."))
    other_incident_years = models.PositiveSmallIntegerField(
        _("other incidents: years after the case was closed"), default=6,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Incidents the DSL recorded as not a child-protection concern. Counted from the day "
                    "the case was closed; open cases are never due."))
    signature_years = models.PositiveSmallIntegerField(
        _("agreement signatures: years after the pupil left"), default=1,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("A pupil's own signatures and their parents' signatures on their behalf stop being "
                    "needed when the pupil leaves: counted from the leaving date in the MIS. Staff and "
                    "visitor signatures are not covered here."))
    consent_years = models.PositiveSmallIntegerField(
        _("photo-consent decisions: years after the pupil left"), default=1,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("The whole history of a pupil's consent answers is kept while they are on roll (it "
                    "explains the answer that counts), and for this long after they leave, while images "
                    "taken with that consent may still be in use."))
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    PERIOD_FIELDS = ("child_protection_years", "other_incident_years", "signature_years", "consent_years")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="retention_settings_single_row")]
        verbose_name = _("retention periods")

    def __str__(self):
        return str(_("Retention periods"))

    @classmethod
    def load(cls):
        # Reading never writes: until the school saves its periods, the defaults apply.
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def periods(self):
        return {name: getattr(self, name) for name in self.PERIOD_FIELDS}


class RecordKind(models.TextChoices):
    CHILD_PROTECTION_INCIDENT = "incident_cp", _("Child-protection incident")
    OTHER_INCIDENT = "incident_other", _("Other incident")
    SIGNATURE = "signature", _("Agreement signature")
    CONSENT_DECISION = "consent", _("Photo-consent decision")


class Disposal(models.Model):
    """One record destroyed at the end of its retention period: the school's destruction log.

    Holds what was destroyed, under which rule, why, when and by whom; never the record's content
    (and no names: a reference or a record number only).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField(_("record number"))
    reference = models.CharField(_("reference"), max_length=120)
    rule = models.CharField(_("rule"), max_length=200)
    reason = models.TextField(_("reason"))
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disposed_at = models.DateTimeField()

    class Meta:
        ordering = ["-disposed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "record_id"], name="disposal_once_per_record")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"
