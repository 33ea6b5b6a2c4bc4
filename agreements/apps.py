from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Acceptable-use agreements")

    def ready(self):
        from agreements.outstanding import first_stop_after_login
        from safety_portal.school import extensions

        # Staff and governors with an agreement to sign see it first after signing in.
        extensions.after_login_redirects.append(first_stop_after_login)
