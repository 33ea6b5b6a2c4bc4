"""Who may open what. Views ask here; nothing else decides access.

Outsiders get 404, not 403: a role page and a single record both answer "not found" to
anyone who may not open them, so neither a page nor a reference can be probed. 403 is left
to CSRF failures.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from safety_portal.school import roles
from safety_portal.school.models import MisImport, Pupil, Term, User


def role_required(*names):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*names):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def can_open_pupil(user):
    return user.is_authenticated and user.has_role(*roles.PUPIL_DETAILS)


def pupil_for_user(user, pk):
    if not can_open_pupil(user):
        raise Http404
    return get_object_or_404(Pupil, pk=pk)


def staff_account_for_user(user, pk):
    if not (user.is_authenticated and user.has_role(*roles.STAFF_ACCOUNTS)):
        raise Http404
    return get_object_or_404(User, pk=pk)


def term_for_user(user, pk):
    if not (user.is_authenticated and user.has_role(roles.ADMINISTRATOR)):
        raise Http404
    return get_object_or_404(Term, pk=pk)


def mis_import_for_user(user, pk):
    if not (user.is_authenticated and user.has_role(roles.ADMINISTRATOR)):
        raise Http404
    return get_object_or_404(MisImport.objects.select_related("created_by"), pk=pk)
