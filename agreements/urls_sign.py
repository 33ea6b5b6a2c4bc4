"""Staff and governors signing their own agreements, and the evidence of a signature."""

from django.urls import path

from agreements.views import sign

urlpatterns = [
    path("", sign.sign_list, name="sign_list"),
    path("signatures/<int:pk>/", sign.signature_detail, name="signature"),
    path("signatures/<int:pk>/certificate.pdf", sign.certificate, name="certificate"),
    path("<slug:audience>/", sign.sign, name="sign"),
]
