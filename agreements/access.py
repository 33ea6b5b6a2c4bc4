"""Who may open what in agreements. Views ask here; outsiders to a record get 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from agreements.models import DeviceSession, Signature, SigningLink, SigningPack
from safety_portal.school import roles
from safety_portal.school.models import Pupil

# Writing and publishing agreement texts.
MANAGERS = {roles.ONLINE_SAFETY_LEAD}
# The record of who has signed: the online-safety lead, the office and the safeguarding team.
COMPLIANCE_READERS = {roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER}
# Sending packs to parents, resending and revoking links, entering paper forms, the visitor log.
OFFICE = {roles.ADMINISTRATOR}
# Starting a class signing session: anyone who teaches or supports a class.
SESSION_STARTERS = frozenset(roles.ALL) - {roles.GOVERNOR}


def can_manage_agreements(user):
    return user.is_authenticated and user.has_role(*MANAGERS)


def can_read_compliance(user):
    return user.is_authenticated and user.has_role(*COMPLIANCE_READERS)


def can_run_office(user):
    return user.is_authenticated and user.has_role(*OFFICE)


def signatures_for_user(user):
    """Signatures this person may open: the compliance readers all of them, anyone else their own."""
    if not user.is_authenticated or not user.role_names:
        return Signature.objects.none()
    if can_read_compliance(user):
        return Signature.objects.all()
    return Signature.objects.filter(user=user)


def signature_for_user(user, pk):
    queryset = signatures_for_user(user).select_related(
        "version__agreement", "user", "guardian", "pupil", "visitor", "recorded_by")
    return get_object_or_404(queryset, pk=pk)


def pack_for_user(user, pk):
    if not can_run_office(user):
        raise Http404
    return get_object_or_404(SigningPack.objects.select_related("created_by"), pk=pk)


def pupil_for_paper_form(user, pk):
    """The pupil whose parent's paper form the office is entering."""
    if not can_run_office(user):
        raise Http404
    return get_object_or_404(Pupil, pk=pk)


def link_for_user(user, pk):
    if not can_run_office(user):
        raise Http404
    return get_object_or_404(SigningLink.objects.select_related("pack", "guardian", "pupil"), pk=pk)


def device_session_for_user(user, pk):
    """A class session its teacher may end from another device; the office may end any kiosk."""
    if not user.is_authenticated:
        raise Http404
    session = get_object_or_404(DeviceSession, pk=pk)
    if session.started_by_id == user.pk or (session.kind == DeviceSession.Kind.KIOSK and can_run_office(user)):
        return session
    raise Http404
