"""Staff-facing agreement pages, under /agreements/."""

from django.urls import include, path

app_name = "agreements"

urlpatterns = [
    path("", include("agreements.urls_manage")),
    path("sign/", include("agreements.urls_sign")),
    path("packs/", include("agreements.urls_packs")),
    path("compliance/", include("agreements.urls_compliance")),
    path("sessions/", include("agreements.urls_sessions")),
]
