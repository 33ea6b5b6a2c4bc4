"""Lockout after repeated failed sign-ins (django-axes), and unlocking by an administrator.

Axes counts failures per account and per address (settings.AXES_*). Failed second-factor codes
are counted here in the same way, so a stolen password does not buy unlimited code guesses.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from safety_portal.audit.services import account_for_address, audit_record


def lockout_username(request, credentials=None):
    """The account an attempt counts against: its stored address, or None for no account.

    Capitals and spaces do not make a new count, and an address that matches no account is
    not kept (it is sometimes a password typed in the wrong box); those count by address only.
    """
    if credentials and "username" in credentials:
        typed = credentials.get("username")
    else:
        typed = request.POST.get("username") if request is not None else None
    account = account_for_address(typed)
    return account.email.lower() if account else None


def lockout_response(request, original_response=None, credentials=None):
    """Axes' answer to a refused sign-in: a page that says what happened, not a bare 403."""
    account = account_for_address((credentials or {}).get("username")) if credentials else None
    audit_record(action="auth.locked_out", obj=account, request=request,
                 detail={} if account else {"unknown_account": True})
    return render(request, "signin/locked_out.html",
                  {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
                  status=settings.AXES_HTTP_RESPONSE_CODE)


def _credentials(user):
    return {"username": user.email}


def second_factor_allowed(request, user):
    return AxesProxyHandler.is_allowed(request, _credentials(user))


def second_factor_failed(request, user):
    """Count a wrong code like a wrong password. True if this locked the account or address."""
    AxesProxyHandler.user_login_failed(sender=second_factor_failed, credentials=_credentials(user),
                                       request=request)
    return bool(getattr(request, "axes_locked_out", False))


def sign_in_succeeded(user):
    """A completed sign-in clears the account's failures (not its address's: others share it)."""
    AccessAttempt.objects.filter(username=user.email.lower()).delete()


def _recent():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def locked_accounts():
    """[{"username", "failures", "last"}] for accounts over the limit, newest first."""
    rows = (_recent().exclude(username=None).values("username")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("-last"))
    return list(rows)


def locked_addresses():
    rows = (_recent().exclude(ip_address=None).values("ip_address")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("-last"))
    return list(rows)


@transaction.atomic
def unlock(*, actor, request, account=None, address=None):
    """Clear the failures of one account or one address. Returns how many records went."""
    if account:
        removed, _ = AccessAttempt.objects.filter(username=account.email.lower()).delete()
        audit_record(action="auth.unlocked", actor=actor, obj=account, request=request)
    else:
        removed, _ = AccessAttempt.objects.filter(ip_address=address).delete()
        audit_record(action="auth.unlocked", actor=actor, request=request, detail={"address": address})
    return removed
