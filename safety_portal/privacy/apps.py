from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "safety_portal.privacy"
    label = "privacy"
    verbose_name = _("Data protection")

    def ready(self):
        from safety_portal.audit import visibility
        from safety_portal.privacy.access import (
            SUBJECT_ACCESS_RECORD,
            disposals_for_user,
            subject_access_pupils_for_user,
        )

        # The disposal log names case references: only the safeguarding roles see its events.
        visibility.register("privacy.disposal", disposals_for_user)
        visibility.register(SUBJECT_ACCESS_RECORD, subject_access_pupils_for_user)
