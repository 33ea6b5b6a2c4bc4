"""Staff pages for handing a device to pupils or visitors, and the visitor log: /agreements/sessions/."""

from django.urls import path

from agreements.views import sessions

urlpatterns = [
    path("", sessions.class_sessions, name="sessions"),
    path("<int:pk>/end/", sessions.session_end, name="session_end"),
    path("kiosk/", sessions.kiosk_start, name="kiosk_start"),
    path("visitors/", sessions.visitor_list, name="visitors"),
    path("visitors/export.csv", sessions.visitor_export, name="visitors_export"),
]
