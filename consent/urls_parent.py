"""A parent's photo choices, under their personal link at /p/<token>/ (no namespace, no account)."""

from django.urls import path

from consent.views import parent

urlpatterns = [
    path("<str:token>/photos/", parent.consent_parent, name="consent_parent"),
]
