"""Lockout after repeated failed sign-ins (django-axes), and unlocking by an administrator.

Axes counts failures per account and per address (settings.AXES_*). Failed second-factor codes
are counted here in the same way, so a stolen password does not buy unlimited code guesses.

An account is paused after AXES_FAILURE_LIMIT failures, an address after the much higher
AXES_ADDRESS_FAILURE_LIMIT: a whole school usually shares one internet address, and a few pupils
trying passwords must not lock every member of staff out (LockoutHandler).
"""

import hashlib
import hmac

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from safety_portal.audit.services import account_for_address, audit_record

# Marks the count of an address that matches no account. A space never occurs in an email address.
UNKNOWN_ACCOUNT_PREFIX = "no account "


def lockout_username(request, credentials=None):
    """What an attempt counts against: an account's stored address, or for an address that matches
    no account, a keyed hash of what was typed.

    Capitals and spaces do not make a new count. What was typed for no account is not kept (it is
    sometimes a password typed in the wrong box), but it is counted on its own, exactly like an
    account: so the lockout says nothing about which addresses have accounts, and one mistyped
    address does not share a count with every other.
    """
    if credentials and "username" in credentials:
        typed = credentials.get("username")
    else:
        typed = request.POST.get("username") if request is not None else None
    account = account_for_address(typed)
    if account:
        return account.email.lower()
    normalised = str(typed or "").strip().lower().encode("utf-8", "replace")
    digest = hmac.new(settings.SECRET_KEY.encode(), b"signin-lockout:" + normalised, hashlib.sha256)
    return UNKNOWN_ACCOUNT_PREFIX + digest.hexdigest()[:40]


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with a limit for each count: AXES_FAILURE_LIMIT for an account,
    AXES_ADDRESS_FAILURE_LIMIT for an address.

    Axes compares the largest of its counts with one limit; here an address's count is scaled to
    the account limit first, so it reaches that limit exactly when it reaches its own.
    """

    def get_failures(self, request, credentials=None):
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == "ip_address":
                failures = failures * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
            worst = max(worst, failures)
        return worst


def lockout_response(request, original_response=None, credentials=None):
    """Axes' answer to a refused sign-in: a page that says what happened, not a bare 403."""
    account = account_for_address((credentials or {}).get("username")) if credentials else None
    audit_record(action="auth.locked_out", obj=account, request=request,
                 detail={} if account else {"unknown_account": True})
    return render(request, "signin/locked_out.html",
                  {"minutes": cooloff_minutes()},
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


def cooloff_minutes():
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def one_attempt_left(request, credentials=None):
    """True when the account (or, for an address with no account, its keyed count: alike, so this
    shows nothing about which accounts exist) is one failure short of the lockout."""
    failures = (_recent().filter(username=lockout_username(request, credentials))
                .aggregate(total=Sum("failures_since_start"))["total"] or 0)
    return failures == settings.AXES_FAILURE_LIMIT - 1


def last_attempt_warning():
    return _("One more wrong attempt will pause signing in for %(minutes)s minutes.") % {
        "minutes": cooloff_minutes()}


def _recent():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def locked_accounts():
    """[{"username", "failures", "last"}] for accounts over the limit, newest first."""
    rows = (_recent().exclude(username=None).exclude(username__startswith=UNKNOWN_ACCOUNT_PREFIX)
            .values("username")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("-last"))
    return list(rows)


def locked_addresses():
    rows = (_recent().exclude(ip_address=None).values("ip_address")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_ADDRESS_FAILURE_LIMIT).order_by("-last"))
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
