from django.urls import path

from safety_portal.privacy import views

app_name = "privacy"

urlpatterns = [
    path("retention/", views.retention_report, name="retention"),
    path("retention/periods/", views.retention_periods, name="retention_periods"),
    path("retention/dispose/", views.dispose_confirm, name="dispose"),
    path("subject-access/", views.subject_access, name="subject_access"),
    path("subject-access/<int:pk>/json/", views.subject_access_json, name="subject_access_json"),
    path("subject-access/<int:pk>/pdf/", views.subject_access_pdf, name="subject_access_pdf"),
]
