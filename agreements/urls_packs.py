"""The office's parent signing packs and paper forms, under /agreements/packs/ (namespace `agreements`)."""

from django.urls import path

from agreements.views import packs

urlpatterns = [
    path("", packs.pack_list, name="packs"),
    path("new/", packs.pack_new, name="pack_new"),
    path("<int:pk>/", packs.pack_detail, name="pack"),
    path("links/<int:pk>/resend/", packs.link_resend, name="link_resend"),
    path("links/<int:pk>/revoke/", packs.link_revoke, name="link_revoke"),
    path("paper/<int:pupil_pk>/", packs.paper_new, name="paper_new"),
    path("paper/scan/<int:signature_pk>/", packs.paper_scan, name="paper_scan"),
]
