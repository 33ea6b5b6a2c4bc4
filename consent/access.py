"""Who may see and change photo consent. Views ask here.

- Changing consent on a family's behalf, and a pupil's full history (which names the family):
  administrators, the online-safety lead, the DSL and the headteacher.
- The "do not photograph" list: every member of staff (no family details on it).
- Coverage figures: all of the above and governors.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from safety_portal.school import roles
from safety_portal.school.models import Pupil

EDITORS = frozenset({roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD, roles.DSL, roles.HEADTEACHER})
LIST_READERS = frozenset(roles.ALL) - {roles.GOVERNOR}
COVERAGE_READERS = frozenset(roles.ALL)
# Purposes, the school's rule and the leavers' images list are the office's to run.
SETTINGS_EDITORS = frozenset({roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD})


def can_edit_consent(user):
    return user.is_authenticated and user.has_role(*EDITORS)


def can_read_list(user):
    return user.is_authenticated and user.has_role(*LIST_READERS)


def can_read_coverage(user):
    return user.is_authenticated and user.has_role(*COVERAGE_READERS)


def can_edit_settings(user):
    return user.is_authenticated and user.has_role(*SETTINGS_EDITORS)


def pupil_consent_for_user(user, pk):
    """A pupil's consent page: names their family, so for editors only; 404 for anyone else."""
    if not can_edit_consent(user):
        raise Http404
    return get_object_or_404(Pupil, pk=pk)
