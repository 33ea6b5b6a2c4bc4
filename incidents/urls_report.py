from django.urls import path

from incidents.views import report

urlpatterns = [
    path("report/", report.report, name="report"),
    path("report/<int:pk>/done/", report.report_done, name="report_done"),
    path("new/", report.log, name="log"),
    path("mine/", report.my_reports, name="my_reports"),
    path("mine/<int:pk>/", report.my_report, name="my_report"),
    path("pupils.json", report.pupil_search_json, name="pupil_search"),
    path("<int:pk>/acknowledge/", report.acknowledge, name="acknowledge"),
]
