from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from incidents.access import incidents_for_user
        from incidents.dashboard import incident_panels
        from incidents.demo import incidents_demo_load
        from incidents.pupil_history import pupil_history_section
        from safety_portal.audit import visibility
        from safety_portal.school import extensions

        # The audit trail shows an incident's events only to those who may open the incident.
        visibility.register("incidents.incident", incidents_for_user)
        # The incident log adds to the school's pages; school itself imports nothing from here.
        extensions.dashboard_panel_providers.append(incident_panels)
        extensions.pupil_section_providers.append(pupil_history_section)
        extensions.demo_loaders.append(incidents_demo_load)
