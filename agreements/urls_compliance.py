"""The record of who has signed: /agreements/compliance/."""

from django.urls import path

from agreements.views import compliance

urlpatterns = [
    path("", compliance.compliance_overview, name="compliance"),
    path("<slug:audience>/", compliance.compliance_audience, name="compliance_audience"),
]
