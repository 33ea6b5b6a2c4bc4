from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "safety_portal.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # Django reports sign-ins only through its auth signals.
        from safety_portal.audit import receivers  # noqa: F401
