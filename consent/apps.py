from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent")

    def ready(self):
        from agreements.extensions import pack_section_providers
        from consent.dashboard import consent_panels
        from consent.demo import consent_demo_load
        from consent.parent import consent_section
        from consent.pupil_section import pupil_consent_section
        from safety_portal.school import extensions

        # A pupil's photo consent on the school's pupil page (editors only).
        extensions.pupil_section_providers.append(pupil_consent_section)
        extensions.dashboard_panel_providers.append(consent_panels)
        # After agreements' loader (INSTALLED_APPS order): class 5A answers through its links.
        extensions.demo_loaders.append(consent_demo_load)

        # The photo choices below the agreements on a parent's personal-link page.
        if consent_section not in pack_section_providers:
            pack_section_providers.append(consent_section)
