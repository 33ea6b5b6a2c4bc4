"""A parent's personal link, at /p/<token>/ (no namespace, no account)."""

from django.urls import path

from agreements.views import parent

urlpatterns = [
    path("<str:token>/", parent.parent_pack, name="parent_pack"),
    path("<str:token>/done/", parent.parent_pack_done, name="parent_pack_done"),
]
