from django.urls import path

from safety_portal.signin import views

app_name = "signin"
urlpatterns = [
    path("two-factor/", views.two_factor_overview, name="two_factor"),
    path("two-factor/code/", views.verify, name="verify"),
    path("two-factor/set-up/", views.enrol, name="enrol"),
    path("two-factor/recovery-codes/", views.recovery_codes_new, name="recovery_codes"),
    path("two-factor/turn-off/", views.turn_off, name="turn_off"),
    path("security/", views.security, name="security"),
    path("security/unlock/", views.unlock, name="unlock"),
    path("security/people/<int:pk>/reset-two-factor/", views.reset_two_factor, name="reset_two_factor"),
]
