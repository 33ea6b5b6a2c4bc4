"""The school's published policies for anyone, with no login: the page the school website links to.

Only the current version of a policy in use and marked for the website is listed or handed out.
Nothing here is audited: it is public, and its visitors are anonymous.
"""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from policies import access
from policies.documents import document_kind, download_name
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
    return render(request, "policies/public_list.html", {"rows": rows})


@require_safe
def document(request, pk, name):
    version = access.public_version(pk)
    if name != download_name(version):
        raise Http404
    try:
        handle = version.document.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    kind = document_kind(handle)
    if kind is None:  # never hand out a file the upload check would have refused
        handle.close()
        raise Http404
    content_type, _extension = kind
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response
