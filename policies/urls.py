"""Staff pages for the policy register, read receipts and the training log, under /policies/."""

from django.urls import path

from policies.views import calendar, reading, register, training

app_name = "policies"

urlpatterns = [
    # The register and each policy (views/register.py)
    path("", register.register, name="register"),
    path("new/", register.policy_new, name="new"),
    path("<int:pk>/", register.detail, name="detail"),
    path("<int:pk>/edit/", register.policy_edit, name="edit"),
    path("<int:pk>/versions/new/", register.version_new, name="version_new"),
    path("<int:pk>/bring-forward/", register.bring_forward, name="bring_forward"),
    path("versions/<int:pk>/document/", register.document, name="document"),
    # Read receipts (views/reading.py)
    path("to-read/", reading.to_read, name="to_read"),
    path("versions/<int:pk>/read/", reading.read, name="read"),
    path("versions/<int:pk>/receipts/", reading.receipts, name="receipts"),
    path("versions/<int:pk>/receipts/remind/", reading.remind, name="remind"),
    # A personal calendar of review dates (views/calendar.py); the feed itself needs no login.
    path("calendar/", calendar.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", calendar.feed, name="calendar_feed"),
    # The training log (views/training.py): who is due first, so every training page sits under it.
    path("training/", training.people, name="training_people"),
    path("training/people.csv", training.people_csv, name="training_people_csv"),
    path("training/sessions/", training.sessions, name="training"),
    path("training/new/", training.session_new, name="training_new"),
    path("training/<int:pk>/", training.session_detail, name="training_session"),
    path("training/<int:pk>/edit/", training.session_edit, name="training_edit"),
    path("training/<int:pk>/delete/", training.session_delete, name="training_delete"),
]
