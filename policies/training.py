"""Who is trained, and who is due: one query for everyone, however many sessions are logged.

Safeguarding and online-safety training is refreshed at least every 12 months. Induction, annual,
DSL and governor training all count as refreshers; "other" training is logged but does not.
New staff (accounts opened in the last 12 months, other than governors) also need induction.
"""

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from policies.dates import add_months
from policies.models import REFRESHER_KINDS, REFRESHER_MONTHS, TrainingAttendance, TrainingKind
from safety_portal.school import roles
from safety_portal.school.models import User

STAFF_ROLES = [name for name in roles.ALL if name != roles.GOVERNOR]


class Standing:
    TRAINED = "trained"
    DUE = "due"  # trained, but more than 12 months ago
    NEVER = "never"


def _holds(names):
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=names))


def people_with_training(today=None):
    """Active staff and governors, annotated with `last_trained_on` (latest refresher), `last_any_on`,
    `inducted` and `is_staff_member` (holds a role other than governor), ordered by name."""
    today = today or timezone.localdate()
    return (User.objects.filter(is_active=True).filter(_holds(roles.ALL))
            .annotate(
                last_trained_on=Max("training_attendance__session__held_on",
                                    filter=Q(training_attendance__session__kind__in=REFRESHER_KINDS)),
                last_any_on=Max("training_attendance__session__held_on"),
                inducted=Exists(TrainingAttendance.objects.filter(user=OuterRef("pk"),
                                                                  session__kind=TrainingKind.INDUCTION)),
                is_staff_member=_holds(STAFF_ROLES),
            )
            .order_by("last_name", "first_name", "pk"))


def refresher_cutoff(today=None):
    """Training on or after this date is within the last 12 months."""
    return add_months(today or timezone.localdate(), -REFRESHER_MONTHS)


def standing(person, today=None):
    if person.last_trained_on is None:
        return Standing.NEVER
    if person.last_trained_on < refresher_cutoff(today):
        return Standing.DUE
    return Standing.TRAINED


def needs_induction(person, today=None):
    """A member of staff whose account opened in the last 12 months and has no induction logged."""
    opened = timezone.localdate(person.date_joined)
    return person.is_staff_member and not person.inducted and opened >= refresher_cutoff(today)


def due_filter(today=None):
    """The condition, on people_with_training(), of being due a refresher (more than 12 months ago, or never)."""
    return Q(last_trained_on__isnull=True) | Q(last_trained_on__lt=refresher_cutoff(today))
