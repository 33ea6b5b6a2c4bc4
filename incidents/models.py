"""The online-safety incident log.

An incident's record is evidence: the chronology is append-only (a correction is a new
entry pointing at the one it corrects), every status change is kept, and each decision
carries its rationale.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety_portal.school.models import Pupil

# A typed year of 1999 or 0026 is a slip, not a historic disclosure.
EARLIEST_YEAR = 2000
# Long enough for any account of what happened; stops a pasted document swamping the record.
MAX_TEXT = 20_000


class Area(models.TextChoices):
    """KCSIE's four areas of risk."""

    CONTENT = "content", _("Content")
    CONTACT = "contact", _("Contact")
    CONDUCT = "conduct", _("Conduct")
    COMMERCE = "commerce", _("Commerce")
    NOT_SURE = "not_sure", _("Not sure")


class Sensitivity(models.IntegerChoices):
    GENERAL = 1, _("General")
    SAFEGUARDING = 2, _("Safeguarding")
    RESTRICTED = 3, _("Restricted")


class IncidentType(models.TextChoices):
    FILTERING_BREACH = "filtering_breach", _("Filtering breach")
    CYBERBULLYING = "cyberbullying", _("Cyberbullying")
    NUDES = "nudes", _("Sharing nudes or semi-nudes")
    GROOMING = "grooming", _("Online sexual abuse or grooming")
    INDECENT_IMAGES = "indecent_images", _("Indecent images of children")
    ONLINE_HATE = "online_hate", _("Online hate")
    RADICALISATION = "radicalisation", _("Radicalisation or extremism")
    SEXUAL_HARASSMENT = "sexual_harassment", _("Online sexual harassment")
    INAPPROPRIATE_CONTENT = "inappropriate_content", _("Inappropriate content accessed")
    SCAMS_GAMBLING = "scams_gambling", _("Scams or gambling")
    DATA_BREACH = "data_breach", _("Data or privacy breach")
    STAFF_MISUSE = "staff_misuse", _("Staff misuse or allegation against staff")
    NOT_SURE = "not_sure", _("Not sure")


# Each type's usual area and how sensitive it is. Technical staff see the filtering
# types only; restricted types (allegations against staff) only the headteacher and
# the people named on the case.
TYPE_AREA = {
    IncidentType.FILTERING_BREACH: Area.CONTENT,
    IncidentType.CYBERBULLYING: Area.CONDUCT,
    IncidentType.NUDES: Area.CONDUCT,
    IncidentType.GROOMING: Area.CONTACT,
    IncidentType.INDECENT_IMAGES: Area.CONTENT,
    IncidentType.ONLINE_HATE: Area.CONTENT,
    IncidentType.RADICALISATION: Area.CONTENT,
    IncidentType.SEXUAL_HARASSMENT: Area.CONDUCT,
    IncidentType.INAPPROPRIATE_CONTENT: Area.CONTENT,
    IncidentType.SCAMS_GAMBLING: Area.COMMERCE,
    IncidentType.DATA_BREACH: Area.COMMERCE,
    IncidentType.STAFF_MISUSE: Area.CONDUCT,
    IncidentType.NOT_SURE: Area.NOT_SURE,
}
FILTERING_TYPES = frozenset({IncidentType.FILTERING_BREACH})
RESTRICTED_TYPES = frozenset({IncidentType.STAFF_MISUSE})
# Types where imagery must never be uploaded, and any viewing is logged with a justification.
IMAGERY_TYPES = frozenset({IncidentType.NUDES, IncidentType.INDECENT_IMAGES})


def sensitivity_of(incident_type):
    if incident_type in RESTRICTED_TYPES:
        return Sensitivity.RESTRICTED
    if incident_type in FILTERING_TYPES:
        return Sensitivity.GENERAL
    return Sensitivity.SAFEGUARDING


class Status(models.TextChoices):
    NEW = "new", _("New: awaiting triage")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Location(models.TextChoices):
    IN_SCHOOL = "in_school", _("In school")
    OFF_SITE = "off_site", _("Off site (trip, visit)")
    ONLINE_OUTSIDE = "online_outside", _("Online, outside school")


class DeviceOwner(models.TextChoices):
    SCHOOL = "school", _("School device")
    PERSONAL = "personal", _("Personal device")
    UNKNOWN = "unknown", _("Not known")


class ReferenceCounter(models.Model):
    """The last reference number used in a calendar year; locked while a new one is taken."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Status.CLOSED)


class Incident(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    area = models.CharField(_("area"), max_length=10, choices=Area.choices, default=Area.NOT_SURE)
    incident_type = models.CharField(_("type"), max_length=30, choices=IncidentType.choices,
                                     default=IncidentType.NOT_SURE, db_index=True)
    sensitivity = models.PositiveSmallIntegerField(choices=Sensitivity.choices, default=Sensitivity.SAFEGUARDING)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    child_protection = models.BooleanField(_("child-protection concern"), null=True, blank=True)
    immediate_risk = models.BooleanField(_("a child is at immediate risk"), default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="reported_incidents")
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    occurred_at = models.DateTimeField(_("when it happened"))
    location = models.CharField(_("where"), max_length=20, choices=Location.choices)
    description = models.TextField(_("what happened"))
    other_people = models.TextField(_("other people involved"), blank=True)
    device_owner = models.CharField(_("device"), max_length=10, choices=DeviceOwner.choices, blank=True)
    device_description = models.CharField(_("which device"), max_length=200, blank=True)
    url = models.URLField(_("web address"), max_length=2000, blank=True)
    immediate_action = models.TextField(_("action taken straight away"), blank=True)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_incidents", verbose_name=_("owner"))
    # People named on a restricted case may open it; nobody else but the headteacher.
    named_people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="named_incidents")
    pupils = models.ManyToManyField(Pupil, through="IncidentPupil", related_name="incidents")

    outcome = models.TextField(_("outcome"), blank=True)
    lessons_learnt = models.TextField(_("lessons learnt"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Counts the changes made to the case (bumped under the row lock by incidents.casework). A form
    # that changes the case's values carries the revision it was opened at, so a DSL working from
    # an out-of-date page is refused instead of silently overwriting a colleague's change.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["status", "sensitivity"]), models.Index(fields=["occurred_at"])]

    def __str__(self):
        return self.reference

    @property
    def is_closed(self):
        return self.status == Status.CLOSED

    @property
    def is_urgent(self):
        """Pinned on the DSL dashboard until someone acknowledges it."""
        return self.immediate_risk and self.acknowledged_at is None

    @property
    def imagery_rules_apply(self):
        return self.incident_type in IMAGERY_TYPES

    def clean(self):
        if self.incident_type in FILTERING_TYPES and not self.url:
            raise ValidationError({"url": _("Give the web address for a filtering breach, so the filtering can "
                                            "be checked and the site blocked.")})
        if self.occurred_at and self.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError({"occurred_at": _("This is in the future: when did it happen?")})
        if self.occurred_at and self.occurred_at.year < EARLIEST_YEAR:
            raise ValidationError({"occurred_at": _("Check the year: this is before %(year)d.")
                                   % {"year": EARLIEST_YEAR}})


class PupilRole(models.TextChoices):
    AFFECTED = "affected", _("Affected")
    INSTIGATOR = "instigator", _("Instigator")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Other")


class IncidentPupil(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="pupil_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="incident_links")
    role = models.CharField(_("role"), max_length=12, choices=PupilRole.choices, default=PupilRole.AFFECTED)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "pupil"], name="incident_pupil_once")]

    def __str__(self):
        return f"{self.pupil} ({self.get_role_display()}) in {self.incident}"


class StatusChange(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    # Each closing keeps its own outcome and lessons, so a reopened and re-closed case loses neither.
    outcome = models.TextField(blank=True)
    lessons_learnt = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.incident}: {self.from_status} → {self.to_status}"


class StepState(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ProcedureStep(models.Model):
    """One step of the type's response procedure, copied onto the incident when triaged."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=50)
    text = models.TextField()
    state = models.CharField(max_length=16, choices=StepState.choices, default=StepState.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("why not applicable"), blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["incident", "key"], name="procedure_step_once")]

    def __str__(self):
        return self.text


class EntryKind(models.TextChoices):
    NOTE = "note", _("Note")
    PHONE_CALL = "phone_call", _("Phone call")
    MEETING = "meeting", _("Meeting")
    SANCTION = "sanction", _("Sanction")
    SUPPORT = "support", _("Support offered")
    DEVICE_SECURED = "device_secured", _("Device secured")
    ADVICE = "advice", _("Advice sought")
    CORRECTION = "correction", _("Correction")


class ChronologyEntry(models.Model):
    """Never edited in place: a correction is a new entry that points at the one it corrects."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="chronology")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices, default=EntryKind.NOTE)
    happened_at = models.DateTimeField(_("when it happened"))
    recorded_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what happened"))
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")

    class Meta:
        ordering = ["happened_at", "recorded_at", "pk"]
        verbose_name_plural = _("chronology entries")

    def __str__(self):
        return f"{self.incident} {self.get_kind_display()} {self.happened_at:%d/%m/%Y}"


class Agency(models.TextChoices):
    POLICE_101 = "police_101", _("Police (101)")
    POLICE_999 = "police_999", _("Police (999)")
    CEOP = "ceop", _("CEOP")
    IWF = "iwf", _("Internet Watch Foundation")
    LADO = "lado", _("LADO")
    SOCIAL_CARE = "social_care", _("Children's social care")
    EDUCATION_SAFEGUARDING = "education_safeguarding", _("Education safeguarding team")
    PREVENT = "prevent", _("Prevent")
    FILTERING_PROVIDER = "filtering_provider", _("Filtering provider")
    PLATFORM = "platform", _("Platform or service provider")
    OTHER = "other", _("Other")


class Referral(models.Model):
    """A referral or a request for advice, or a recorded decision not to refer."""

    class Decision(models.TextChoices):
        REFERRED = "referred", _("Referred")
        ADVICE = "advice", _("Advice sought")
        NOT_REFERRED = "not_referred", _("Decided not to refer")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="referrals")
    decision = models.CharField(_("decision"), max_length=14, choices=Decision.choices)
    agency = models.CharField(_("agency"), max_length=30, choices=Agency.choices, blank=True)
    agency_other = models.CharField(_("other agency"), max_length=200, blank=True)
    made_on = models.DateField(_("date"))
    external_reference = models.CharField(_("their reference"), max_length=100, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_on", "pk"]

    def __str__(self):
        return f"{self.incident}: {self.get_decision_display()}"


class ParentContact(models.Model):
    """Whether parents or carers were told: when, how and by whom, or why not."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="parent_contacts")
    informed = models.BooleanField(_("parents or carers informed"))
    informed_at = models.DateTimeField(_("when"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, blank=True)
    informed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(_("why not"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return f"{self.incident}: parents informed {self.informed}"


class ImageryView(models.Model):
    """Imagery should not be viewed; when it was, who, when and why is recorded."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="imagery_views")
    viewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(_("when it was viewed"))
    justification = models.TextField(_("why it had to be viewed"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["viewed_at", "pk"]

    def __str__(self):
        return f"{self.incident}: viewed by {self.viewed_by}"


class Attachment(models.Model):
    """Evidence files, stored outside the web root and served only through a checked view."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="incidents/%Y/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class DigestMention(models.Model):
    """An incident named in a day's overdue digest: each incident at most once a day."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "day"], name="digest_once_a_day")]

    def __str__(self):
        return f"{self.incident} on {self.day}"
