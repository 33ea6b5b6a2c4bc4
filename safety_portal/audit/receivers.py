from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from safety_portal.audit.services import audit_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_record(action="auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Record the address tried, never the password.
    audit_record(action="auth.login_failed", request=request,
                 detail={"username": str(credentials.get("username", ""))[:254]})
