from django.urls import path

from incidents.views import listing

urlpatterns = [
    path("", listing.incident_list, name="list"),
    path("export.csv", listing.incident_export, name="export"),
]
