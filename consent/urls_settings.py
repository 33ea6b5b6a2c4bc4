"""Photo-consent settings for the office and the online-safety lead (mounted at /consent/settings/)."""

from django.urls import path

from consent.views import settings

urlpatterns = [
    path("", settings.purpose_list, name="purposes"),
    path("purposes/new/", settings.purpose_new, name="purpose_new"),
    path("purposes/<int:pk>/", settings.purpose_edit, name="purpose_edit"),
    path("leavers/", settings.leaver_list, name="leavers"),
    path("leavers/<int:pk>/reviewed/", settings.leaver_reviewed, name="leaver_reviewed"),
]
