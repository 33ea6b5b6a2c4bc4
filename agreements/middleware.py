from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.models import DeviceSession

DEVICE_SESSION_KEY = "agreements_device_session"


def device_start_url(kind):
    return reverse("device:pupil_names" if kind == DeviceSession.Kind.CLASS else "device:kiosk_start")


def device_url_prefix(kind):
    return reverse("device:pupil_names" if kind == DeviceSession.Kind.CLASS else "device:kiosk_start")


class DeviceSessionMiddleware:
    """A device handed to pupils or to visitors reaches only the pages of its own session.

    Any other address leads back to the session's start page, so nobody can wander off into
    the portal. When the session has ended or timed out, the device is signed out for good.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.device_session = None
        session_id = request.session.get(DEVICE_SESSION_KEY)
        if session_id is not None:
            device_session = DeviceSession.objects.select_related("started_by").filter(pk=session_id).first()
            if device_session is None or not device_session.is_live():
                logout(request)
                messages.info(request, _("The signing session has ended. A member of staff can sign in here."))
                return redirect("login")
            request.device_session = device_session
            if not request.path.startswith(device_url_prefix(device_session.kind)):
                return redirect(device_start_url(device_session.kind))
        return self.get_response(request)
