from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Acceptable-use agreements")

    def ready(self):
        from agreements.dashboard import agreement_panels
        from agreements.demo import agreements_demo_load
        from agreements.outstanding import first_stop_after_login
        from agreements.pupil_section import pupil_agreements_section
        from safety_portal.school import extensions

        # Staff and governors with an agreement to sign see it first after signing in.
        extensions.after_login_redirects.append(first_stop_after_login)
        # Agreements add to the school's pages; school itself imports nothing from here.
        extensions.dashboard_panel_providers.append(agreement_panels)
        extensions.demo_loaders.append(agreements_demo_load)
        extensions.pupil_section_providers.append(pupil_agreements_section)
