"""The policy register: policies, their approved versions, read receipts, review reminders and
the training log.

A policy's next review date is kept on the policy (`next_review_on`) so the register can sort and
filter by it in the database. Services recompute it whenever an approval, the review cycle or a
brought-forward date changes; `Policy.scheduled_review_on()` is the rule they apply.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.dates import add_months
from safety_portal.school import roles

DUE_SOON_DAYS = 30
MAX_REVIEW_CYCLE_MONTHS = 60
REFRESHER_MONTHS = 12


class Category(models.TextChoices):
    SAFEGUARDING = "safeguarding", _("Safeguarding and child protection")
    ONLINE_SAFETY = "online_safety", _("Online safety")
    BEHAVIOUR = "behaviour", _("Behaviour and relationships")
    DATA = "data", _("Data protection and information")
    STAFF = "staff", _("Staff conduct and HR")
    CURRICULUM = "curriculum", _("Curriculum")
    HEALTH_SAFETY = "health_safety", _("Health and safety")
    OTHER = "other", _("Other")


class ApprovingBody(models.TextChoices):
    HEADTEACHER = "headteacher", _("Headteacher")
    GOVERNING_BODY = "governing_body", _("Full governing body")
    COMMITTEE = "committee", _("A governors' committee")


class Status(models.TextChoices):
    ACTIVE = "active", _("In use")
    DRAFT = "draft", _("Being written")
    RETIRED = "retired", _("No longer used")


class ReviewState(models.TextChoices):
    """Where a policy stands against its review date, most urgent first."""

    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due within 30 days")
    NOT_RECORDED = "not_recorded", _("No approved version recorded")
    CURRENT = "current", _("Current")
    NOT_IN_USE = "not_in_use", _("Not in use")


class PolicyQuerySet(models.QuerySet):
    def in_use(self):
        return self.filter(status=Status.ACTIVE)

    def with_review_state(self, today=None):
        """Annotate `review_state` and `urgency` (0 most urgent) in the database, for sorting and filtering."""
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        state = models.Case(
            models.When(~Q(status=Status.ACTIVE), then=models.Value(ReviewState.NOT_IN_USE.value)),
            models.When(next_review_on__isnull=True, then=models.Value(ReviewState.NOT_RECORDED.value)),
            models.When(next_review_on__lt=today, then=models.Value(ReviewState.OVERDUE.value)),
            models.When(next_review_on__lte=soon, then=models.Value(ReviewState.DUE_SOON.value)),
            default=models.Value(ReviewState.CURRENT.value),
            output_field=models.CharField(),
        )
        urgency = models.Case(
            *[models.When(review_state=value, then=models.Value(rank))
              for rank, value in enumerate(ReviewState.values)],
            output_field=models.IntegerField(),
        )
        return self.annotate(review_state=state).annotate(urgency=urgency)

    def by_urgency(self, today=None):
        return self.with_review_state(today).order_by("urgency", models.F("next_review_on").asc(nulls_last=True),
                                                      "title")


class Policy(models.Model):
    title = models.CharField(_("title"), max_length=150, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_policies",
        help_text=_("The member of staff who keeps this policy up to date. They get the review reminders."))
    approving_body = models.CharField(_("approved by"), max_length=20, choices=ApprovingBody.choices,
                                      default=ApprovingBody.GOVERNING_BODY)
    committee_name = models.CharField(
        _("committee"), max_length=100, blank=True,
        help_text=_("Only when a governors' committee approves it, for example \"Pupils and curriculum\"."))
    review_cycle_months = models.PositiveSmallIntegerField(
        _("review every (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_CYCLE_MONTHS)],
        help_text=_("Most policies are reviewed every 12 months; some every 24 or 36."))
    linked = models.ManyToManyField("self", verbose_name=_("linked policies"), blank=True, symmetrical=True)
    on_website = models.BooleanField(
        _("published on the school website"), default=False,
        help_text=_("Listed, with its current document, on the public policies page anyone can open."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    current_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Kept by services: the scheduled date, or the earlier date the review was brought forward to.
    next_review_on = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    review_brought_forward_to = models.DateField(null=True, blank=True)
    review_brought_forward_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.CheckConstraint(condition=Q(review_cycle_months__gte=1, review_cycle_months__lte=60),
                                   name="policy_review_cycle_1_to_60_months"),
        ]

    def __str__(self):
        return self.title

    @property
    def approver_label(self):
        if self.approving_body == ApprovingBody.COMMITTEE and self.committee_name:
            return _("%(committee)s committee") % {"committee": self.committee_name}
        return self.get_approving_body_display()

    def scheduled_review_on(self):
        """The review date that follows from the current approval and the cycle; None before any approval."""
        if self.current_version is None:
            return None
        return add_months(self.current_version.approved_on, self.review_cycle_months)

    def review_date_from_rules(self):
        """What `next_review_on` should hold: the scheduled date, or an earlier brought-forward date."""
        scheduled = self.scheduled_review_on()
        forward = self.review_brought_forward_to
        if scheduled is None:
            return forward
        if forward and forward < scheduled:
            return forward
        return scheduled

    def review_state(self, today=None):
        today = today or timezone.localdate()
        if self.status != Status.ACTIVE:
            return ReviewState.NOT_IN_USE
        if self.next_review_on is None:
            return ReviewState.NOT_RECORDED
        if self.next_review_on < today:
            return ReviewState.OVERDUE
        if self.next_review_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            return ReviewState.DUE_SOON
        return ReviewState.CURRENT

    def next_version_number(self):
        """A suggestion for the next version number: one more in the last part, e.g. 2.3 -> 2.4."""
        if self.current_version is None:
            return "1.0"
        parts = self.current_version.number.split(".")
        parts[-1] = str(int(parts[-1]) + 1)
        return ".".join(parts)


def version_number_key(number):
    """Version numbers compare part by part: 2.10 comes after 2.9."""
    return tuple(int(part) for part in number.split("."))


validate_version_number = RegexValidator(
    r"^[0-9]{1,4}(\.[0-9]{1,4}){0,3}$",
    _("Write the version as numbers with dots, for example 3 or 2.1."))


class PolicyVersion(models.Model):
    """One approved version of a policy, with its revision-log entry and document. Never edited once recorded."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.CharField(_("version"), max_length=20, validators=[validate_version_number])
    change_summary = models.TextField(_("summary of changes"), max_length=2000)
    approved_on = models.DateField(_("approved on"))
    approved_by = models.CharField(
        _("approved by"), max_length=150,
        help_text=_("Who approved it: a name, or the meeting, for example \"Full governing body, 14 March\"."))
    document = models.FileField(_("document"), upload_to="policies/", max_length=200)
    document_name = models.CharField(max_length=200)  # the name it was uploaded with, for downloads
    document_sha256 = models.CharField(max_length=64)
    # The roles publishing asked to confirm they have read it; none when nobody was asked. Whoever
    # holds one of them while this is the current version is asked, so new staff are asked too.
    read_groups = models.ManyToManyField(Group, blank=True, related_name="policy_versions_to_read")
    read_reminded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-approved_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.policy} v{self.number}"

    def read_role_names(self):
        """The roles asked to confirm, in the usual order (reads read_groups.all(), so it can be prefetched)."""
        asked = {group.name for group in self.read_groups.all()}
        return [name for name in roles.ALL if name in asked]

    def read_role_labels(self):
        return [roles.LABELS[name] for name in self.read_role_names()]

    @property
    def document_extension(self):
        return ".docx" if self.document.name.lower().endswith(".docx") else ".pdf"


class ReadReceipt(models.Model):
    """A member of staff's confirmation that they have read one version."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="read_receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="policy_receipts")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="read_receipt_once_per_version"),
        ]

    def __str__(self):
        return f"{self.user} read {self.version}"


class ReviewReminder(models.Model):
    """One reminder sent. The unique key is what makes a second run, or two at once, send nothing new."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    milestone = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "due_on", "milestone"], name="review_reminder_once"),
        ]

    def __str__(self):
        return f"{self.policy} · {self.due_on} · {self.milestone}"


class CalendarFeed(models.Model):
    """A person's secret calendar address. Only a hash of the token is stored; a new one replaces the old."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_calendar")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"calendar for {self.user}"


class TrainingKind(models.TextChoices):
    INDUCTION = "induction", _("Induction")
    ANNUAL = "annual", _("Annual safeguarding and online safety")
    DSL = "dsl", _("DSL training")
    GOVERNOR = "governor", _("Governor training")
    OTHER = "other", _("Other")


# Kinds that count as safeguarding training for the 12-month refresher.
REFRESHER_KINDS = [TrainingKind.INDUCTION, TrainingKind.ANNUAL, TrainingKind.DSL, TrainingKind.GOVERNOR]


class TrainingSession(models.Model):
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=150)
    provider = models.CharField(_("provider"), max_length=150, blank=True,
                                help_text=_("Who delivered it, for example the DSL, the local authority or an "
                                            "online course."))
    kind = models.CharField(_("kind"), max_length=12, choices=TrainingKind.choices)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, through="TrainingAttendance",
                                       related_name="training_sessions")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d %b %Y})"

    @property
    def counts_as_refresher(self):
        return self.kind in REFRESHER_KINDS


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attendance")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="training_attendance_once"),
        ]

    def __str__(self):
        return f"{self.user} at {self.session}"
