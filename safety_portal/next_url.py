"""Going back where a person came from, safely: only to a path on this site."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request):
    """The `next` path from the form or the address, if it is a path on this site; else ""."""
    candidate = (request.POST.get("next") or request.GET.get("next") or "").strip()
    # A bare word ("foo") passes the host check but is no page of ours: only paths count.
    if candidate.startswith("/") and not candidate.startswith("//") and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return ""


def redirect_next(request, default, *args):
    """Redirect to `next`, or else to the URL named `default`."""
    return HttpResponseRedirect(next_url(request) or reverse(default, args=args))
