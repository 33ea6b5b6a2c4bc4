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
