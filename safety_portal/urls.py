from django.contrib.auth import views as auth_views
from django.urls import include, path

from safety_portal.school.views import accounts, home

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accounts/login/", accounts.SignIn.as_view(), name="login"),
    path("accounts/logout/", accounts.SignOut.as_view(), name="logout"),
    path("accounts/password/change/", accounts.PasswordChange.as_view(),
         name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("accounts/password/reset/", accounts.PasswordReset.as_view(),
         name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", accounts.PasswordResetConfirm.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    # Two-factor sign-in, and the administrator's lockout and two-factor page.
    path("accounts/", include("safety_portal.signin.urls")),
    path("school/", include("safety_portal.school.urls")),
    path("school/import/", include("safety_portal.school.urls_import")),
    path("audit/", include("safety_portal.audit.urls")),
    path("incidents/", include("incidents.urls")),
    path("agreements/", include("agreements.urls")),
    # No account: a parent's personal link, and the devices handed to pupils and visitors.
    path("p/", include("agreements.urls_parent")),
    path("p/", include("consent.urls_parent")),
    path("consent/", include("consent.urls")),
    path("policies/", include("policies.urls")),
    path("reports/", include("safety_portal.reports.urls")),
    path("privacy/", include("safety_portal.privacy.urls")),
    # No login: the school website links to its published policies here.
    path("school-policies/", include("policies.urls_public")),
    path("", include("agreements.urls_device")),
]
