from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control


class NoStoreWhenSignedIn:
    """Pages shown to a signed-in person are never kept by the browser or a proxy.

    School computers are shared: a child's record must not come back with the Back button
    after its reader has signed out. A view that sets its own Cache-Control is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class SecurityHeaders:
    """A Content Security Policy and a Permissions-Policy on every response.

    Django 5.2 has no CSP of its own. Scripts and styles come only from this site's static files:
    no inline <script>, no on*= handlers, no style="..." attributes (templates use classes, and
    scripts that must size something do it through element.style, which the policy allows).
    data: images are for Bootstrap's built-in icons and the drawn-signature preview. E-mails and
    the PDFs rendered by WeasyPrint never reach a browser as pages, so they are not bound by it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # setdefault: a view with a stricter policy of its own keeps it.
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimit:
    """Refuse a request whose declared body is larger than any upload the portal accepts.

    Answered from the Content-Length header before a byte of the body is read, so a huge upload
    costs neither memory nor disk. Each upload point has its own, smaller limit and a message of
    its own; this is the outer wall. Django's upload handlers still cap what is kept in memory
    (FILE_UPLOAD_MAX_MEMORY_SIZE) and a body without Content-Length is read only as a stream.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BYTES:
            return too_large(request)
        return self.get_response(request)


def too_large(request):
    return render(request, "413.html", {"limit_mb": settings.MAX_REQUEST_BYTES // (1024 * 1024)}, status=413)
