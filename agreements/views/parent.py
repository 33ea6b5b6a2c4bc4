"""A parent's personal link: no account, most likely a phone.

The token alone decides the guardian and the child; nothing in the request can name another.
A link that does not work shows what to do next and nothing about any family.
"""

from functools import wraps

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agreements import services
from agreements.extensions import pack_sections
from agreements.forms_parent import ParentSignForm
from agreements.parent_pack import child_details, link_for_token, link_problem, pack_state
from safety_portal.audit.services import client_ip
from safety_portal.ratelimit import rate_limited

# Per IP address: any hit on a token page, and hits with a token that matches no link.
HITS_LIMIT, HITS_WINDOW_SECONDS = 300, 10 * 60
UNKNOWN_LIMIT, UNKNOWN_WINDOW_SECONDS = 20, 60 * 60


def _private(response):
    """Token pages are never stored, and the token never leaks to another site in a Referer.

    same-origin, not no-referrer: the browser must still send our own origin with the signing
    POST for the CSRF check; other sites get no Referer at all.
    """
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _problem(request, kind, status, *, retry_after_seconds=None):
    context = {"kind": kind}
    if retry_after_seconds:
        context["wait_minutes"] = retry_after_seconds // 60
    response = render(request, "agreements/parent_problem.html", context, status=status)
    if retry_after_seconds:
        response["Retry-After"] = str(retry_after_seconds)
    return response


def link_page(view):
    """Rate-limit per IP, find the link for the token, and answer for links that do not work."""

    @wraps(view)
    def wrapped(request, token):
        ip = client_ip(request) or "unknown"
        if rate_limited(f"parent-link:any:{ip}", limit=HITS_LIMIT, window_seconds=HITS_WINDOW_SECONDS):
            return _private(_problem(request, "too_many", 429, retry_after_seconds=HITS_WINDOW_SECONDS))
        link = link_for_token(token)
        if link is None:
            if rate_limited(f"parent-link:unknown:{ip}", limit=UNKNOWN_LIMIT,
                            window_seconds=UNKNOWN_WINDOW_SECONDS):
                return _private(_problem(request, "too_many", 429, retry_after_seconds=UNKNOWN_WINDOW_SECONDS))
            return _private(_problem(request, "unknown", 404))
        problem = link_problem(link)
        if problem:
            return _private(_problem(request, problem, 410))
        return _private(view(request, link, token))

    return wrapped


@link_page
def parent_pack(request, link, token):
    try:
        state = pack_state(link)
    except services.NothingToSign:
        return _problem(request, "unavailable", 200)
    services.link_opened(link)
    context = {"link": link, "pupil": link.pupil, "token": token, "state": state, **child_details(link),
               "pack_sections": pack_sections(request, link, token)}
    if request.method != "POST":
        if state.needs_signing:
            context["form"] = ParentSignForm(initial={"shown": ParentSignForm.shown_value(state.to_sign)})
        return render(request, "agreements/parent_pack.html", context)

    if not state.needs_signing:
        context["already_signed"] = True
        return render(request, "agreements/parent_pack.html", context)
    form = ParentSignForm(request.POST)
    context["form"] = form
    if form.is_valid():
        if form.cleaned_data["shown"] != ParentSignForm.shown_value(state.to_sign):
            form.add_error(None, _("The school updated an agreement while you were reading. Please read it again "
                                   "below, then sign."))
            # Ticks given for the old text do not carry over to the new one; the typed name does.
            form.data = form.data.copy()
            form.data["shown"] = ParentSignForm.shown_value(state.to_sign)
            for name in ("agree", "discussed"):
                form.data.pop(name, None)
        else:
            try:
                services.signature_record_for_guardian(
                    link=link, typed_name=form.cleaned_data["typed_name"], discussed_with_child=True,
                    drawing=form.cleaned_data["drawing"], request=request)
            except services.AlreadySigned:
                # Signed a moment ago from another tab or by a double tap: show what is recorded.
                context.update(state=pack_state(link), already_signed=True, form=None)
            else:
                return redirect("parent_pack_done", token)
    return render(request, "agreements/parent_pack.html", context)


@link_page
def parent_pack_done(request, link, token):
    try:
        state = pack_state(link)
    except services.NothingToSign:
        return _problem(request, "unavailable", 200)
    if state.needs_signing:
        return redirect("parent_pack", token)
    return render(request, "agreements/parent_done.html", {
        "link": link, "pupil": link.pupil, "token": token, "state": state, **child_details(link),
        "pack_sections": pack_sections(request, link, token)})
