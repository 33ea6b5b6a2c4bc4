from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.models import DeviceSession

DEVICE_SESSION_KEY = "agreements_device_session"

# Each kind of device session keeps to the pages under its start page, and a member of staff
# starts it from the matching staff page.
START_PAGES = {
    DeviceSession.Kind.CLASS: ("device:pupil_names", "agreements:sessions"),
    DeviceSession.Kind.KIOSK: ("device:kiosk_start", "agreements:kiosk_start"),
}


def device_start_url(kind):
    """The device's own start page; every page of the session lives under it."""
    return reverse(START_PAGES[kind][0])


def device_kind_for_path(path):
    """The kind of device session a path belongs to, or None for the rest of the portal."""
    for kind in START_PAGES:
        if path.startswith(device_start_url(kind)):
            return kind
    return None


def device_session_enter(request, device_session):
    """After the member of staff is signed out, this browser belongs to the device session."""
    request.session[DEVICE_SESSION_KEY] = device_session.pk


class DeviceSessionMiddleware:
    """A device handed to pupils or to visitors reaches only the pages of its own session.

    Any other address leads back to the session's start page, so nobody can wander off into
    the portal. When the session has ended or timed out, the device is signed out for good.
    The signing pages themselves open only on a device a member of staff has handed over.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.device_session = None
        session_id = request.session.get(DEVICE_SESSION_KEY)
        if session_id is None:
            kind = device_kind_for_path(request.path)
            if kind is not None:
                return self.not_started(request, kind)
            return self.get_response(request)

        device_session = DeviceSession.objects.select_related("started_by").filter(pk=session_id).first()
        if device_session is None or not device_session.is_live():
            logout(request)
            messages.info(request, _("The signing session has ended. A member of staff can sign in here."))
            return redirect("login")
        request.device_session = device_session
        if device_kind_for_path(request.path) != device_session.kind:
            return redirect(device_start_url(device_session.kind))
        return self.get_response(request)

    def not_started(self, request, kind):
        # A bookmarked or typed signing address: a member of staff signs in and starts it.
        messages.info(request, _("A member of staff must start the signing session on this device first."))
        staff_page = reverse(START_PAGES[kind][1])
        return redirect(f"{reverse('login')}?{urlencode({'next': staff_page})}")
