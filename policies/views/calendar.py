"""A personal calendar of policy review dates: the page that makes its secret address, and the feed.

The feed needs no login (calendar apps cannot sign in); the address itself is the secret. Only a
hash of it is stored, so the full address is shown once, just after it is made.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from policies import ical, services
from policies.models import CalendarFeed, Policy
from safety_portal.school import roles
from safety_portal.school.access import role_required
from safety_portal.school.models import SchoolProfile

# They look after the whole register, so their calendar has every policy in use.
EVERY_POLICY_ROLES = (roles.ONLINE_SAFETY_LEAD, roles.HEADTEACHER)


def _sees_every_policy(user):
    return user.has_role(*EVERY_POLICY_ROLES)


def feed_policies(user):
    """The policies in `user`'s calendar: those in use they own, or every one in use for the register's leads."""
    policies = Policy.objects.in_use().filter(next_review_on__isnull=False)
    if not user.role_names:
        return policies.none()
    if not _sees_every_policy(user):
        policies = policies.filter(owner=user)
    return policies.order_by("next_review_on", "title", "pk")


@role_required(*roles.ALL)
def calendar_settings(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = services.calendar_feed_create(user=request.user, request=request)
            address = request.build_absolute_uri(reverse("policies:calendar_feed", args=[token]))
            # Shown in this response only: it cannot be read back later.
            response = _page(request, new_address=address)
            response["Cache-Control"] = "private, no-store"
            return response
        if action == "revoke":
            if services.calendar_feed_revoke(user=request.user, request=request):
                messages.success(request, _("Your calendar address is switched off. Calendars subscribed to it "
                                            "stop updating; remove the calendar from your app."))
            else:
                messages.info(request, _("You had no calendar address, so there was nothing to switch off."))
        return redirect("policies:calendar")
    return _page(request)


def _page(request, new_address=""):
    return render(request, "policies/calendar.html", {
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "new_address": new_address,
        "sees_every_policy": _sees_every_policy(request.user),
        "policy_count": feed_policies(request.user).count(),
    })


@require_safe
def feed(request, token):
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404
    text = ical.review_calendar(feed_policies(user), host=request.get_host(),
                                school_name=SchoolProfile.load().name)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
