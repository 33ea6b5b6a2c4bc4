from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from safety_portal.audit.services import account_for_address, audit_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_record(action="auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def record_login_failed(sender, credentials, request=None, **kwargs):
    # The account tried, when there is one. What was typed is never kept: the trail
    # cannot be erased, and a mistyped "username" is sometimes a password.
    account = account_for_address(credentials.get("username"))
    audit_record(action="auth.login_failed", obj=account, request=request,
                 detail={} if account else {"unknown_account": True})
