from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policies")

    def ready(self):
        from policies.dashboard import policy_panels
        from policies.demo import policies_demo_load
        from safety_portal.school import extensions

        if policy_panels not in extensions.dashboard_panel_providers:
            extensions.dashboard_panel_providers.append(policy_panels)
        if policies_demo_load not in extensions.demo_loaders:
            extensions.demo_loaders.append(policies_demo_load)
