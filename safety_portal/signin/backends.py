from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in over the web.

    authenticate() without a request is not a sign-in over the web (a management command, or a
    test's client.login): there is no address to count it against, so axes' check is skipped
    rather than raising. Every sign-in page passes its request (AuthenticationForm does).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
