"""Photo consent: the purposes a school asks about, and every decision families make.

Decisions are an append-only history: a change of mind is a new row, never an edit (a database
trigger refuses updates). The answer that counts today is worked out from the history by
consent/effective.py.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety_portal.school.models import Guardian, Pupil, User


class ConsentPurpose(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(
        _("what parents are told"),
        help_text=_("Shown to parents next to the yes/no choice: say where the images appear and who sees them."))
    renew_each_year = models.BooleanField(
        _("ask again each school year"), default=False,
        help_text=_("Answers given before 1 September of this school year no longer count."))
    active = models.BooleanField(_("in use"), default=True,
                                 help_text=_("Untick to stop asking. Its history is kept."))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ConsentSettings(models.Model):
    """The school's consent rule (one row)."""

    every_guardian_must_agree = models.BooleanField(
        _("every parent or carer with parental responsibility must say yes"), default=False,
        help_text=_("Off: one parent's yes is enough, unless another has said no. On: a child counts as "
                    "'yes' only once every parent or carer with parental responsibility has said yes."))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="consent_settings_single_row")]

    def __str__(self):
        return str(_("Photo-consent settings"))

    @classmethod
    def load(cls):
        # Reading never writes: until the school saves its rule, the default applies.
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class DecisionMethod(models.TextChoices):
    ONLINE = "online", _("Online, from their personal link")
    PAPER = "paper", _("Paper form, entered by the office")
    VERBAL = "verbal", _("Told the school (phone or in person), entered by the office")


class ConsentDecision(models.Model):
    """One guardian's yes or no for one child and one purpose, at one moment."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="consent_decisions")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="decisions")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="consent_decisions")
    answer = models.BooleanField(_("answer"))
    method = models.CharField(max_length=10, choices=DecisionMethod.choices)
    note = models.CharField(_("note"), max_length=300, blank=True,
                            help_text=_("For a paper or spoken decision: how it reached the school."))
    decided_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["pupil", "purpose", "guardian", "decided_at"])]

    def __str__(self):
        return f"{self.pupil} · {self.purpose}: {'yes' if self.answer else 'no'}"


class LeaverImageReview(models.Model):
    """A pupil who has left, whose images the office should review and delete."""

    pupil = models.OneToOneField(Pupil, on_delete=models.PROTECT, related_name="image_review")
    listed_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reviewed_at", "-listed_at"]

    def __str__(self):
        return str(self.pupil)
