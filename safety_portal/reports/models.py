"""The termly governor report.

A report is generated for one term by a background task: the figures are worked out once and kept
(`figures`, anonymised, with small numbers already suppressed), and the PDF is rendered from them.
The preview and the PDF therefore always show the same numbers, however the records change later.

A finalised report is evidence of what governors were told: its file and checksum never change
(the database refuses it), and it is never regenerated. A new report for the same term supersedes
it, with a reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety_portal.school.models import Term


class State(models.TextChoices):
    GENERATING = "generating", _("Being prepared")
    FAILED = "failed", _("Could not be prepared")
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finalised")
    SUPERSEDED = "superseded", _("Replaced")


class ReportQuerySet(models.QuerySet):
    def finalised(self):
        """What governors may see: reports finalised, including those later superseded."""
        return self.filter(state__in=[State.FINAL, State.SUPERSEDED])


class Report(models.Model):
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="governor_reports")
    state = models.CharField(max_length=12, choices=State.choices, default=State.GENERATING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for the waiting page
    error = models.CharField(max_length=300, blank=True)  # why generating failed, in words for the DSL
    figures = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to="reports/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # A new report for a term that already has a finalised one says which it replaces and why.
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    replace_reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")  # empty when the term-end task made it
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-term__start_date", "-requested_at", "-pk"]
        constraints = [
            # One report in force per term: a new one must supersede the old.
            models.UniqueConstraint(fields=["term"], condition=Q(state="final"), name="report_one_final_per_term"),
            models.CheckConstraint(
                condition=~Q(state__in=["final", "superseded"]) | (
                    Q(finalised_at__isnull=False) & ~Q(pdf="") & ~Q(pdf_sha256="")),
                name="report_final_has_file_and_checksum"),
        ]

    def __str__(self):
        return f"{self.term} ({self.get_state_display()})"

    @property
    def is_finalised(self):
        return self.state in (State.FINAL, State.SUPERSEDED)

    @property
    def is_ready(self):
        return self.state in (State.DRAFT, State.FINAL, State.SUPERSEDED)

    def covers_whole_period(self):
        """Prepared after the term's reporting period ended (the holiday counts with the term), so no
        incident of the period can be missing. Only such a draft may be finalised."""
        return self.generated_at is not None and timezone.localdate(self.generated_at) > self.term.reporting_end

    def download_name(self):
        term = self.term
        status = "" if self.is_finalised else "-draft"
        return f"online-safety-report-{term.academic_year}-{term.name}{status}.pdf"
