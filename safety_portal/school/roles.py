"""The portal's roles. Each is a Django group; a user may hold several."""

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrator"
DSL = "DSL"
HEADTEACHER = "Headteacher"
ONLINE_SAFETY_LEAD = "Online-safety lead"
STAFF = "Staff"
TECHNICAL = "Technical staff"
GOVERNOR = "Governor"

ALL = [ADMINISTRATOR, DSL, HEADTEACHER, ONLINE_SAFETY_LEAD, STAFF, TECHNICAL, GOVERNOR]

LABELS = {
    ADMINISTRATOR: _("Administrator"),
    DSL: _("Designated Safeguarding Lead"),
    HEADTEACHER: _("Headteacher"),
    ONLINE_SAFETY_LEAD: _("Online-safety lead"),
    STAFF: _("Staff"),
    TECHNICAL: _("Technical staff"),
    GOVERNOR: _("Governor"),
}

# Who may list pupils by name, year group and class.
PUPIL_RECORDS = {ADMINISTRATOR, DSL, HEADTEACHER, ONLINE_SAFETY_LEAD}
# Who may open a pupil's record: date of birth and the family's contact details.
PUPIL_DETAILS = {ADMINISTRATOR, DSL, HEADTEACHER}
# Roles that open every child-protection record: only the headteacher decides who holds them.
SAFEGUARDING = frozenset({HEADTEACHER, DSL})
# Roles an MIS file can never grant: these are decided in the portal.
PORTAL_ONLY = (ADMINISTRATOR, DSL, HEADTEACHER)
# Who may open staff and governor accounts: the office, and the headteacher, who alone gives the
# Headteacher and DSL roles once the school has one.
STAFF_ACCOUNTS = {ADMINISTRATOR, HEADTEACHER}
# Who may read the audit trail.
AUDIT_READERS = {ADMINISTRATOR, HEADTEACHER, DSL}
