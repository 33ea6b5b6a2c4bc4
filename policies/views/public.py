"""The school's published policies for anyone, with no login: the page the school website links to.

Only the current version of a policy in use and marked for the website is listed or handed out.
Nothing here is audited: it is public, and its visitors are anonymous.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from policies import access
from policies.documents import document_response, download_name
from policies.models import Policy


@require_safe
def published(request):
    policies = (Policy.objects.in_use().filter(on_website=True, current_version__isnull=False)
                .select_related("current_version").order_by("title"))
    rows = []
    for policy in policies:
        version = policy.current_version
        version.policy = policy  # download_name reads the title: no query per row
        rows.append({"policy": policy, "version": version, "name": download_name(version)})
    # A review date already past reads "under review" to the public, not as a date missed.
    return render(request, "policies/public_list.html", {"rows": rows, "today": timezone.localdate()})


@require_safe
def document(request, pk, name):
    version = access.public_version(pk)
    if name != download_name(version):
        raise Http404
    return document_response(version, cache_control="public, max-age=300")
