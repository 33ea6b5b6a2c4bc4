"""Pages on a device handed to pupils or visitors. Mounted at the site root, namespace `device`.

Every class-session page lives under /pupil-signing/ and every kiosk page under /kiosk/:
DeviceSessionMiddleware keeps a device on its own prefix.
"""

from django.urls import path

from agreements.views import device

app_name = "device"

urlpatterns = [
    path("pupil-signing/", device.pupil_names, name="pupil_names"),
    path("pupil-signing/end/", device.session_end, name="session_end"),
    path("pupil-signing/<int:pupil_pk>/", device.pupil_sign, name="pupil_sign"),
    path("kiosk/", device.kiosk_start, name="kiosk_start"),
    path("kiosk/sign/", device.kiosk_sign, name="kiosk_sign"),
    path("kiosk/thank-you/", device.kiosk_done, name="kiosk_done"),
    path("kiosk/end/", device.kiosk_end, name="kiosk_end"),
]
