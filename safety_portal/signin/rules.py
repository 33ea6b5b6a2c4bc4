"""Who must use two-factor sign-in, and who is signed out when idle."""

from safety_portal.school import roles

# These roles open child-protection records or every account: a password alone is not enough.
TWO_FACTOR_REQUIRED = frozenset({roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER})

# The same roles are signed out after 30 minutes without a request: a DSL's or the office's
# unattended screen shows children's records or everyone's accounts. Other staff keep the
# 8-hour session (SESSION_COOKIE_AGE), so a teacher is not signed out mid-lesson.
IDLE_SIGN_OUT_ROLES = TWO_FACTOR_REQUIRED
IDLE_LIMIT_SECONDS = 30 * 60
# Last activity is written at most this often, so most requests do not save the session.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60

RECOVERY_CODE_COUNT = 10
