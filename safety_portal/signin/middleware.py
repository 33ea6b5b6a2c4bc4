from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from safety_portal.signin import rules, services


class IdleSignOutMiddleware:
    """Signs privileged roles out after IDLE_LIMIT_SECONDS without a request (see rules.py).

    The login page then says why. Last activity is kept in the session, written at most once a
    minute so most requests do not save the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.has_role(*rules.IDLE_SIGN_OUT_ROLES):
            now = services.now_seconds()
            last = request.session.get(services.LAST_ACTIVITY_KEY)
            if last is not None and now - last > rules.IDLE_LIMIT_SECONDS:
                logout(request)
                request.session[services.IDLE_SIGNED_OUT_KEY] = True
            elif last is None or now - last >= rules.ACTIVITY_WRITE_INTERVAL_SECONDS:
                request.session[services.LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until the second factor is passed (or set up, where the role requires it), a signed-in
    person reaches only the code pages, signing out, static files and the health check."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in ("logout", "signin:verify", "signin:enrol", "healthz")}
        return self._open_paths

    def __call__(self, request):
        step = services.second_factor_step(request)
        if step and request.path not in self.open_paths() and not request.path.startswith(
                "/" + settings.STATIC_URL.lstrip("/")):
            target = reverse("signin:verify" if step == services.VERIFY else "signin:enrol")
            next_path = request.get_full_path() if request.method == "GET" else reverse("home")
            return redirect(f"{target}?{urlencode({'next': next_path})}")
        return self.get_response(request)
