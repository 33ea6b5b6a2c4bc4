"""Who may use the data-protection pages: the DSL and the headteacher. Anyone else gets 404."""

from safety_portal.school import roles
from safety_portal.school.access import role_required

DATA_PROTECTION_ROLES = (roles.DSL, roles.HEADTEACHER)

data_protection_required = role_required(*DATA_PROTECTION_ROLES)


def can_manage_data_protection(user):
    return user.is_authenticated and user.has_role(*DATA_PROTECTION_ROLES)


# Audit events of subject access exports point at the pupil under this type, not school.pupil,
# whose events the office can read.
SUBJECT_ACCESS_RECORD = "privacy.subject_access"


def subject_access_pupils_for_user(user):
    """Pupils whose subject access events the user may see (for the audit trail's visibility rule)."""
    from safety_portal.school.models import Pupil

    if not can_manage_data_protection(user):
        return Pupil.objects.none()
    return Pupil.objects.all()


def disposals_for_user(user):
    """The disposal log (for the audit trail's visibility rule)."""
    from safety_portal.privacy.models import Disposal

    if not can_manage_data_protection(user):
        return Disposal.objects.none()
    return Disposal.objects.all()
