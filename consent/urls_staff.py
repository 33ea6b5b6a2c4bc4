"""Staff pages for photo consent, at /consent/ (namespace `consent`)."""

from django.urls import path

from consent.views import staff

urlpatterns = [
    path("do-not-photograph/", staff.do_not_photograph, name="do_not_photograph"),
    path("do-not-photograph/pdf/", staff.do_not_photograph_pdf, name="do_not_photograph_pdf"),
    path("pupils/<int:pk>/", staff.pupil_consent, name="pupil"),
    path("coverage/", staff.coverage, name="coverage"),
]
