"""Acceptable-use agreements: one per audience, its versions, and the signatures on them.

A published version is frozen: its text and hash never change (a database trigger refuses it
too). A signature is evidence and is never updated or deleted; there is no code path that does
either, and on PostgreSQL a trigger refuses both.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from agreements.markdown import markdown_to_safe_html
from safety_portal.school import roles
from safety_portal.school.models import Guardian, KeyStage, Pupil, User


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff")
    GOVERNOR = "governor", _("Governors")
    VISITOR = "visitor", _("Visitors, volunteers and contractors")
    PUPIL_EARLY = "pupil_early", _("Pupils: early years and key stage 1")
    PUPIL_KS2 = "pupil_ks2", _("Pupils: key stage 2")
    PUPIL_KS3 = "pupil_ks3", _("Pupils: key stage 3")
    PUPIL_KS4 = "pupil_ks4", _("Pupils: key stage 4 and sixth form")
    PARENT = "parent", _("Parents and carers, on behalf of their child")
    SOCIAL_MEDIA = "social_media", _("Staff running official social media")


PUPIL_AUDIENCES = (Audience.PUPIL_EARLY, Audience.PUPIL_KS2, Audience.PUPIL_KS3, Audience.PUPIL_KS4)
# Audiences whose signers are portal accounts.
ACCOUNT_AUDIENCES = (Audience.STAFF, Audience.GOVERNOR, Audience.SOCIAL_MEDIA)

KEY_STAGE_AUDIENCE = {
    KeyStage.EYFS: Audience.PUPIL_EARLY,
    KeyStage.KS1: Audience.PUPIL_EARLY,
    KeyStage.KS2: Audience.PUPIL_KS2,
    KeyStage.KS3: Audience.PUPIL_KS3,
    KeyStage.KS4: Audience.PUPIL_KS4,
    # The sixth form signs the oldest pupils' agreement.
    KeyStage.KS5: Audience.PUPIL_KS4,
}

# Roles whose holders sign the staff agreement: everyone with a role but governors.
STAFF_AGREEMENT_ROLES = frozenset(roles.ALL) - {roles.GOVERNOR}


def pupil_audience(pupil):
    return KEY_STAGE_AUDIENCE[pupil.key_stage]


def audiences_for_user(user):
    """The account audiences whose agreement this person must sign."""
    held = user.role_names
    audiences = []
    if held & STAFF_AGREEMENT_ROLES:
        audiences.append(Audience.STAFF)
    if roles.GOVERNOR in held:
        audiences.append(Audience.GOVERNOR)
    return audiences


def text_hash(title, body):
    """SHA-256 of exactly what a signer read: the title, a blank line, then the Markdown."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


class Agreement(models.Model):
    """The agreement for one audience; its text lives in versions."""

    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, unique=True)
    current_version = models.ForeignKey(
        "AgreementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The published version people sign now."))
    # Signatures on versions numbered from this one count as current; publishing a version that
    # asks everyone to sign again moves it up.
    counts_from_number = models.PositiveIntegerField(default=1)
    # The social-media agreement is for named staff only.
    named_signers = models.ManyToManyField(
        User, blank=True, related_name="named_agreements",
        verbose_name=_("staff who must sign"),
        help_text=_("Only for the official social media agreement: the staff who run the school's accounts."))
    after_signing_note = models.TextField(
        _("note shown after signing"), blank=True,
        help_text=_("For visitors: shown on the kiosk once they have signed, for example how to join the "
                    "guest Wi-Fi. Leave blank to show nothing."))

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.get_audience_display()

    def get_absolute_url(self):
        return reverse("agreements:agreement", args=[self.audience])

    def counts_signature(self, signature):
        """For a signature already loaded: the rule of Signature.objects.counted(), in Python."""
        return signature.version.agreement_id == self.pk and signature.version.number >= self.counts_from_number


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_("Written in Markdown: a blank line between paragraphs, '- ' at the start of a line for a "
                    "bullet, **bold** for emphasis, [words](https://address) for a link. HTML is shown as "
                    "plain text."))
    change_summary = models.CharField(
        _("what changed"), max_length=300, blank=True,
        help_text=_("One line for the record, for example 'Added the rules on AI tools'."))
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    requires_resign = models.BooleanField(
        _("everyone must sign again"), default=False,
        help_text=_("Tick when the change matters enough that earlier signatures no longer count."))
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_unique"),
            models.UniqueConstraint(fields=["agreement"], condition=Q(status="published"),
                                    name="agreement_one_published_version"),
            models.UniqueConstraint(fields=["agreement"], condition=Q(status="draft"),
                                    name="agreement_one_draft_version"),
        ]

    def __str__(self):
        return f"{self.agreement} v{self.number}"

    @property
    def is_draft(self):
        return self.status == VersionStatus.DRAFT

    @property
    def is_frozen(self):
        return self.status != VersionStatus.DRAFT

    def body_html(self):
        # Cleaned against an allowlist (agreements/markdown.py), so safe to show as HTML.
        return mark_safe(markdown_to_safe_html(self.body))  # noqa: S308

    def computed_hash(self):
        return text_hash(self.title, self.body)

    def is_intact(self):
        """A frozen version's text still matches the hash taken when it was published."""
        return not self.is_frozen or self.content_hash == self.computed_hash()


def link_expiry_from(now):
    return now + datetime.timedelta(days=settings.AGREEMENT_LINK_DAYS)


class SigningPack(models.Model):
    """A batch of personal links the office sends to parents and carers."""

    title = models.CharField(_("name"), max_length=120,
                             help_text=_("For your own list, for example 'Reception September 2026'."))
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Pupils in the pack with no guardian to email: they need a paper form.
    unreached_pupils = models.ManyToManyField(Pupil, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("agreements:pack", args=[self.pk])


class SigningLink(models.Model):
    """One guardian's personal link for one pupil in one pack. Only the token's hash is kept."""

    pack = models.ForeignKey(SigningPack, on_delete=models.PROTECT, related_name="links")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="signing_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="signing_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "guardian", "pupil"], name="signing_link_one_per_pack"),
        ]
        indexes = [models.Index(fields=["pupil", "guardian"])]

    def __str__(self):
        return f"{self.pack}: {self.guardian} for {self.pupil}"

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())


class DeviceSession(models.Model):
    """A school device handed over to pupils (a class signing session) or to visitors (the kiosk).

    The member of staff who starts it is signed out on that device; the device can then reach
    only the signing pages until the session ends.
    """

    class Kind(models.TextChoices):
        CLASS = "class", _("Class signing session")
        KIOSK = "kiosk", _("Reception kiosk")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    # Class sessions: the registration class, or a year group when the class is blank.
    reg_class = models.CharField(_("class"), max_length=40, blank=True)
    year_group = models.SmallIntegerField(_("year group"), null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        if self.kind == self.Kind.KIOSK:
            return str(_("Reception kiosk"))
        return self.group_label

    @property
    def group_label(self):
        if self.reg_class:
            return self.reg_class
        if self.year_group is not None:
            from safety_portal.school.models import YearGroup
            return str(YearGroup(self.year_group).label)
        return ""

    def is_live(self, now=None):
        now = now or timezone.now()
        return self.ended_at is None and (self.expires_at is None or self.expires_at > now)

    def pupils(self):
        """The pupils who may pick their name in a class session."""
        pupils = Pupil.objects.on_roll()
        if self.reg_class:
            return pupils.filter(reg_class=self.reg_class)
        return pupils.filter(year_group=self.year_group)


class Visitor(models.Model):
    """One visit signed in at the reception kiosk."""

    full_name = models.CharField(_("full name"), max_length=150)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    purpose = models.CharField(_("purpose of visit"), max_length=200)
    arrived_at = models.DateTimeField(default=timezone.now)
    kiosk = models.ForeignKey(DeviceSession, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-arrived_at", "-pk"]

    def __str__(self):
        return self.full_name


class SignatureMethod(models.TextChoices):
    TYPED = "typed", _("Typed name")
    DRAWN = "drawn", _("Typed name and drawn signature")
    PAPER = "paper", _("Paper form")


# The one rule for which signatures count: those on a version numbered from its agreement's
# counts_from_number. Publishing a version that asks everyone to sign again moves that number up.
COUNTED = Q(version__number__gte=F("version__agreement__counts_from_number"))


class SignatureQuerySet(models.QuerySet):
    def counted(self):
        """Signatures that count now. Everything that asks "has this been signed?" starts here."""
        return self.filter(COUNTED)

    def with_counted(self):
        """Each signature with `is_counted`: whether it counts now (for lists that show old ones too)."""
        return self.annotate(is_counted=ExpressionWrapper(COUNTED, output_field=BooleanField()))


class Signature(models.Model):
    """Immutable evidence that someone agreed to one version.

    Exactly one of user, guardian, visitor is the signer; a pupil signing for themselves has
    only `pupil` set. A guardian signs on behalf of `pupil`.
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    content_hash = models.CharField(max_length=64)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="signatures")
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="signatures")
    typed_name = models.CharField(_("name typed"), max_length=150)
    method = models.CharField(max_length=10, choices=SignatureMethod.choices)
    # A PNG data URL of the drawing, checked on the way in.
    drawing = models.TextField(blank=True)
    discussed_with_child = models.BooleanField(default=False)
    signed_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    help_text=_("For a paper form: who entered it."))
    paper_scan = models.FileField(upload_to="agreements/paper/%Y/", blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    link = models.ForeignKey(SigningLink, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    device_session = models.ForeignKey(DeviceSession, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], condition=Q(user__isnull=False),
                                    name="signature_once_per_account"),
            models.UniqueConstraint(fields=["version", "guardian", "pupil"], condition=Q(guardian__isnull=False),
                                    name="signature_once_per_guardian_and_child"),
            models.UniqueConstraint(fields=["version", "pupil"],
                                    condition=Q(guardian__isnull=True, pupil__isnull=False),
                                    name="signature_once_per_pupil"),
            models.UniqueConstraint(fields=["version", "visitor"], condition=Q(visitor__isnull=False),
                                    name="signature_once_per_visit"),
            models.CheckConstraint(
                name="signature_has_one_signer",
                condition=(Q(user__isnull=False, guardian__isnull=True, pupil__isnull=True, visitor__isnull=True)
                           | Q(user__isnull=True, guardian__isnull=False, pupil__isnull=False,
                               visitor__isnull=True)
                           | Q(user__isnull=True, guardian__isnull=True, pupil__isnull=False,
                               visitor__isnull=True)
                           | Q(user__isnull=True, guardian__isnull=True, pupil__isnull=True,
                               visitor__isnull=False))),
        ]
        indexes = [
            models.Index(fields=["pupil", "version"]),
        ]

    def __str__(self):
        return f"{self.signer_name} · {self.version}"

    def get_absolute_url(self):
        return reverse("agreements:signature", args=[self.pk])

    @property
    def signer_name(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.email
        if self.guardian_id:
            return str(self.guardian)
        if self.visitor_id:
            return self.visitor.full_name
        return self.pupil.display_name

    @property
    def signer_kind(self):
        if self.user_id:
            return _("Staff or governor")
        if self.guardian_id:
            return _("Parent or carer")
        if self.visitor_id:
            return _("Visitor")
        return _("Pupil")

    @property
    def on_behalf_of(self):
        """The child a parent signed for; None when people signed for themselves."""
        return self.pupil if self.guardian_id else None

    @cached_property
    def text_matches(self):
        """The version's text is still exactly what was signed."""
        return self.version.computed_hash() == self.content_hash


class StaffReminder(models.Model):
    """The weekly reminder to one member of staff; the unique key makes a second run send nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # With the 7-day check in services.staff_reminder_claim: two runs at once send one.
            models.UniqueConstraint(fields=["user", "sent_on"], name="agreement_staff_reminder_once_a_day"),
        ]

    def __str__(self):
        return f"{self.user} · {self.sent_on}"
