import datetime

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from safety_portal.school import roles
from safety_portal.school.validators import validate_phone, validate_urn


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def by_email(self, email):
        """Accounts with this address, whatever its capitals and spaces (at most one)."""
        return self.filter(email__iexact=(email or "").strip()[:254])

    def get_by_natural_key(self, username):
        # Staff type their address with whatever capitals they like.
        return self.by_email(username).get()

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A member of staff or a governor. Staff sign in with their school email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    mis_id = models.CharField(
        _("MIS staff id"), max_length=40, unique=True, null=True, blank=True,
        help_text=_("The staff code or id from your MIS, used to match staff imports."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_any_case"),
            # MIS imports match staff codes in any case; two codes differing only in case would be ambiguous.
            models.UniqueConstraint(Upper("mis_id"), name="user_mis_id_unique_any_case"),
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def held_role_names(self):
        """Portal roles held, whether or not the account is active, in the usual order.

        Reads self.groups.all(), so a list can prefetch "groups".
        """
        if self.pk is None:
            return []
        held = {group.name for group in self.groups.all()}
        return [name for name in roles.ALL if name in held]

    @property
    def held_role_labels(self):
        return [roles.LABELS[name] for name in self.held_role_names]

    @cached_property
    def role_names(self):
        """The roles that count for access: none at all once the account is deactivated."""
        return frozenset(self.held_role_names) if self.is_active else frozenset()

    def has_role(self, *names):
        return bool(self.role_names.intersection(names))

    @property
    def role_labels(self):
        return self.held_role_labels if self.is_active else []


class SchoolProfile(models.Model):
    """The one school this installation serves (always pk=1)."""

    name = models.CharField(_("school name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    urn = models.CharField(_("URN"), max_length=20, blank=True, validators=[validate_urn],
                           help_text=_("Unique reference number from Get Information About Schools."))
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("office email"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="school/", blank=True,
                             help_text=_("PNG or JPEG, shown on reports and emails."))
    headteacher = models.ForeignKey(
        User, verbose_name=_("headteacher"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    dsl = models.ForeignKey(
        User, verbose_name=_("designated safeguarding lead"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    deputy_dsls = models.ManyToManyField(
        User, verbose_name=_("deputy DSLs"), blank=True, related_name="+")
    online_safety_lead = models.ForeignKey(
        User, verbose_name=_("online-safety lead"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    safeguarding_governor = models.ForeignKey(
        User, verbose_name=_("safeguarding governor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    filtering_lead = models.ForeignKey(
        User, verbose_name=_("filtering and monitoring lead"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="school_profile_single_row")]
        verbose_name = _("school profile")

    def __str__(self):
        return self.name

    @classmethod
    def load(cls):
        """The profile, or an unsaved default so pages render before set-up."""
        return cls.objects.filter(pk=1).first() or cls(pk=1, name=str(_("Your school")))


class LocalContact(models.Model):
    """Agencies the DSL contacts when referring: one entry per kind."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police (non-emergency)")
        LADO = "lado", _("Local Authority Designated Officer (LADO)")
        SOCIAL_CARE = "social_care", _("Children's social care front door")
        EDUCATION_SAFEGUARDING = "education_safeguarding", _("Education safeguarding team")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, unique=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True,
                             help_text=_("Out-of-hours numbers, referral forms, opening times."))

    class Meta:
        ordering = ["kind"]
        verbose_name = _("local contact")

    def __str__(self):
        return self.get_kind_display()


class TermQuerySet(models.QuerySet):
    def for_date(self, day):
        """The term whose reporting period contains `day`, or None."""
        terms = list(self.filter(start_date__lte=day).order_by("-start_date")[:1])
        if not terms:
            return None
        term = terms[0]
        return term if day <= term.reporting_end else None

    def current(self):
        return self.for_date(timezone.localdate())

    def previous(self, term):
        return self.filter(start_date__lt=term.start_date).order_by("-start_date")


class Term(models.Model):
    class Name(models.TextChoices):
        AUTUMN = "autumn", _("Autumn")
        SPRING = "spring", _("Spring")
        SUMMER = "summer", _("Summer")

    ORDER = {Name.AUTUMN: 1, Name.SPRING: 2, Name.SUMMER: 3}

    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), help_text=_("The calendar year the academic year starts in, e.g. 2025 for 2025/26."))
    name = models.CharField(_("term"), max_length=10, choices=Name.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="term_unique_per_year"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                   name="term_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_name_display()} {self.year_label}"

    @property
    def year_label(self):
        return academic_year_label(self.academic_year)

    @cached_property
    def next_term(self):
        return Term.objects.filter(start_date__gt=self.start_date).order_by("start_date").first()

    @property
    def reporting_start(self):
        return self.start_date

    @property
    def reporting_end(self):
        """Last day counted in this term's report: the day before the next term starts.

        Holidays belong to the term before them, so nothing falls between reports.
        Until the next term is entered, a summer term runs to 31 August and any
        other term to its last day.
        """
        if self.next_term is not None:
            return self.next_term.start_date - datetime.timedelta(days=1)
        if self.name == self.Name.SUMMER:
            return datetime.date(self.academic_year + 1, 8, 31)
        return self.end_date

    def contains(self, day):
        return self.reporting_start <= day <= self.reporting_end

    def clean(self):
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                raise ValidationError({"end_date": _("The last day must be on or after the first day.")})
            overlapping = Term.objects.filter(
                start_date__lte=self.end_date, end_date__gte=self.start_date
            ).exclude(pk=self.pk)
            clash = overlapping.first()
            if clash:
                raise ValidationError(
                    _("These dates overlap %(term)s (%(start)s to %(end)s).")
                    % {"term": clash, "start": clash.start_date.strftime("%d/%m/%Y"),
                       "end": clash.end_date.strftime("%d/%m/%Y")}
                )


def academic_year_label(start_year):
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def academic_year_for(day):
    """Academic years start on 1 September."""
    return day.year if day.month >= 9 else day.year - 1


class YearGroup(models.IntegerChoices):
    NURSERY = -1, _("Nursery")
    RECEPTION = 0, _("Reception")
    Y1 = 1, _("Year 1")
    Y2 = 2, _("Year 2")
    Y3 = 3, _("Year 3")
    Y4 = 4, _("Year 4")
    Y5 = 5, _("Year 5")
    Y6 = 6, _("Year 6")
    Y7 = 7, _("Year 7")
    Y8 = 8, _("Year 8")
    Y9 = 9, _("Year 9")
    Y10 = 10, _("Year 10")
    Y11 = 11, _("Year 11")
    Y12 = 12, _("Year 12")
    Y13 = 13, _("Year 13")


class KeyStage(models.TextChoices):
    EYFS = "EYFS", _("Early years (EYFS)")
    KS1 = "KS1", _("Key stage 1")
    KS2 = "KS2", _("Key stage 2")
    KS3 = "KS3", _("Key stage 3")
    KS4 = "KS4", _("Key stage 4")
    KS5 = "KS5", _("Key stage 5 (sixth form)")


def key_stage_for(year_group):
    if year_group <= YearGroup.RECEPTION:
        return KeyStage.EYFS
    if year_group <= 2:
        return KeyStage.KS1
    if year_group <= 6:
        return KeyStage.KS2
    if year_group <= 9:
        return KeyStage.KS3
    if year_group <= 11:
        return KeyStage.KS4
    return KeyStage.KS5


class PupilQuerySet(models.QuerySet):
    def on_roll(self, day=None):
        day = day or timezone.localdate()
        return self.filter(Q(leaving_date__isnull=True) | Q(leaving_date__gt=day))

    def search(self, text):
        query = Q()
        # "Smith, Harry" is how lists show names, so a comma separates words too.
        for word in text.replace(",", " ").split():
            query &= (Q(first_name__icontains=word) | Q(last_name__icontains=word)
                      | Q(preferred_name__icontains=word) | Q(reg_class__iexact=word)
                      | Q(mis_id__iexact=word))
        return self.filter(query)


class Pupil(models.Model):
    mis_id = models.CharField(_("MIS id"), max_length=40, unique=True,
                              help_text=_("UPN or admission number from your MIS."))
    first_name = models.CharField(_("legal first name"), max_length=100)
    last_name = models.CharField(_("legal surname"), max_length=100)
    preferred_name = models.CharField(_("preferred first name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    year_group = models.SmallIntegerField(_("year group"), choices=YearGroup.choices)
    reg_class = models.CharField(_("registration class"), max_length=40, blank=True)
    admission_date = models.DateField(_("admission date"), null=True, blank=True)
    leaving_date = models.DateField(_("leaving date"), null=True, blank=True)
    # Used only as counts in reports, never shown beside a name outside the DSL's view.
    send = models.BooleanField(_("SEND"), default=False)
    eal = models.BooleanField(_("EAL"), default=False)
    looked_after = models.BooleanField(_("looked after"), default=False)
    guardians = models.ManyToManyField("Guardian", through="PupilGuardian", related_name="pupils")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["year_group", "reg_class"])]
        constraints = [
            # "a123" and "A123" are the same pupil to the MIS import.
            models.UniqueConstraint(Upper("mis_id"), name="pupil_mis_id_unique_any_case"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def key_stage(self):
        return key_stage_for(self.year_group)

    def get_key_stage_display(self):
        return KeyStage(self.key_stage).label

    def is_on_roll(self, day=None):
        day = day or timezone.localdate()
        return self.leaving_date is None or self.leaving_date > day


class Guardian(models.Model):
    mis_id = models.CharField(_("MIS contact id"), max_length=40, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("surname"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["email"])]
        constraints = [
            models.UniqueConstraint(Upper("mis_id"), name="guardian_mis_id_unique_any_case"),
        ]

    def __str__(self):
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)


class PupilGuardian(models.Model):
    """Relationship and parental responsibility belong to the link, not the person."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="pupil_links")
    relationship = models.CharField(_("relationship"), max_length=60, blank=True)
    parental_responsibility = models.BooleanField(_("parental responsibility"), default=False)
    priority = models.PositiveSmallIntegerField(_("contact priority"), default=1)

    class Meta:
        ordering = ["priority", "guardian__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "guardian"], name="pupil_guardian_unique"),
        ]

    def __str__(self):
        return f"{self.guardian} ({self.relationship}) of {self.pupil}"


class MisImport(models.Model):
    """An uploaded MIS file, kept between preview and commit and as a record afterwards."""

    class Kind(models.TextChoices):
        PUPILS = "pupils", _("Pupils")
        GUARDIANS = "guardians", _("Parents and carers")
        STAFF = "staff", _("Staff")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Awaiting confirmation")
        COMMITTED = "committed", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    kind = models.CharField(_("what the file holds"), max_length=20, choices=Kind.choices)
    full_roll = models.BooleanField(
        _("this is the full roll"), default=False,
        help_text=_("Tick when the file lists every pupil on roll: pupils missing from it are marked as left."))
    full_contacts = models.BooleanField(
        _("this is the full contacts file"), default=False,
        help_text=_("Parents and carers only. Tick when the file lists every contact of each pupil in it: links "
                    "to contacts no longer listed for that pupil are removed."))
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} import {self.file_name}"
