"""The termly governor report, under /reports/."""

from django.urls import path

from safety_portal.reports.views import reports

app_name = "reports"

urlpatterns = [
    path("", reports.report_list, name="list"),
    path("new/", reports.report_new, name="new"),
    path("<int:pk>/", reports.report_detail, name="detail"),
    path("<int:pk>/status.json", reports.report_status, name="status"),
    path("<int:pk>/preview/", reports.report_preview, name="preview"),
    path("<int:pk>/pdf/", reports.report_pdf, name="pdf"),
    path("<int:pk>/finalise/", reports.report_finalise, name="finalise"),
]
