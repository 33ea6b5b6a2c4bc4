from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "safety_portal.signin"
    label = "signin"
    verbose_name = _("Signing in")

    def ready(self):
        from safety_portal.school import extensions
        from safety_portal.signin.demo import signin_demo_load

        if signin_demo_load not in extensions.demo_loaders:
            extensions.demo_loaders.append(signin_demo_load)
