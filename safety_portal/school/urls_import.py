from django.urls import path

from safety_portal.school.views import imports

app_name = "mis_import"
urlpatterns = [
    path("", imports.upload, name="upload"),
    path("<int:pk>/", imports.preview, name="preview"),
]
