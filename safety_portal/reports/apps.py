from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "safety_portal.reports"
    label = "reports"
    verbose_name = _("Governor reports")

    def ready(self):
        from safety_portal.reports.dashboard import report_panels
        from safety_portal.reports.demo import reports_demo_load
        from safety_portal.school import extensions

        if report_panels not in extensions.dashboard_panel_providers:
            extensions.dashboard_panel_providers.append(report_panels)
        # Last of the demo loaders (reports is last in INSTALLED_APPS): the reports count the others' data.
        if reports_demo_load not in extensions.demo_loaders:
            extensions.demo_loaders.append(reports_demo_load)
