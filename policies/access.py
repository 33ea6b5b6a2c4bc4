"""Who may see and change the policy register and the training log. Views ask here.

- The register, each policy's page and its documents: every signed-in member of staff and every
  governor (policies are the school's rules for everyone; many are public anyway).
- Adding and changing policies, recording versions, bringing a review forward: the online-safety
  lead and the headteacher, and a policy's own owner for that policy.
- The training log: the online-safety lead, the headteacher and the office record it; the DSL
  reads it too.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from policies.models import Policy, PolicyVersion, TrainingSession
from safety_portal.school import roles

REGISTER_READERS = frozenset(roles.ALL)
REGISTER_EDITORS = frozenset({roles.ONLINE_SAFETY_LEAD, roles.HEADTEACHER})
TRAINING_EDITORS = frozenset({roles.ONLINE_SAFETY_LEAD, roles.HEADTEACHER, roles.ADMINISTRATOR})
TRAINING_READERS = TRAINING_EDITORS | {roles.DSL}


def can_read_register(user):
    return user.is_authenticated and user.has_role(*REGISTER_READERS)


def can_edit_register(user):
    """Add policies and change any of them."""
    return user.is_authenticated and user.has_role(*REGISTER_EDITORS)


def can_edit_policy(user, policy):
    """Change this policy, record its versions, see its read receipts and send reminders."""
    if can_edit_register(user):
        return True
    return user.is_authenticated and bool(user.role_names) and policy.owner_id == user.pk


def can_read_training(user):
    return user.is_authenticated and user.has_role(*TRAINING_READERS)


def can_edit_training(user):
    return user.is_authenticated and user.has_role(*TRAINING_EDITORS)


def policy_for_reader(user, pk):
    if not can_read_register(user):
        raise Http404
    return get_object_or_404(Policy.objects.select_related("owner", "current_version"), pk=pk)


def policy_for_editor(user, pk):
    policy = policy_for_reader(user, pk)
    if not can_edit_policy(user, policy):
        raise Http404
    return policy


def version_for_reader(user, pk):
    if not can_read_register(user):
        raise Http404
    return get_object_or_404(PolicyVersion.objects.select_related("policy"), pk=pk)


def version_for_editor(user, pk):
    version = version_for_reader(user, pk)
    if not can_edit_policy(user, version.policy):
        raise Http404
    return version


def public_version(pk):
    """A document anyone may download: the current version of a policy in use on the website."""
    version = get_object_or_404(PolicyVersion.objects.select_related("policy"), pk=pk)
    policy = version.policy
    if not (policy.on_website and policy.status == "active" and policy.current_version_id == version.pk):
        raise Http404
    return version


def training_session_for_reader(user, pk):
    if not can_read_training(user):
        raise Http404
    return get_object_or_404(TrainingSession, pk=pk)


def training_session_for_editor(user, pk):
    if not can_edit_training(user):
        raise Http404
    return get_object_or_404(TrainingSession, pk=pk)
