from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from incidents.access import incidents_for_user
        from safety_portal.audit import visibility

        # The audit trail shows an incident's events only to those who may open the incident.
        visibility.register("incidents.incident", incidents_for_user)
