"""Staff pages for photo consent, under /consent/."""

from django.urls import include, path

app_name = "consent"

urlpatterns = [
    path("", include("consent.urls_staff")),
    path("settings/", include("consent.urls_settings")),
]
