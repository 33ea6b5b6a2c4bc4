"""The school's published policies, for anyone (no login): the school website links here."""

from django.urls import path

from policies.views import public

app_name = "public_policies"

urlpatterns = [
    path("", public.published, name="list"),
    path("<int:pk>/<str:name>", public.document, name="document"),
]
