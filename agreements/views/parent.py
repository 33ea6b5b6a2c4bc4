"""A parent's personal link: no account, most likely a phone.

The token alone decides the guardian and the child; nothing in the request can name another.
A link that does not work shows what to do next and nothing about any family.
"""

from dataclasses import dataclass, field
from functools import wraps

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agreements import services
from agreements.forms_parent import ParentSignForm
from agreements.models import Agreement, Signature, SigningLink
from safety_portal.audit.services import client_ip
from safety_portal.ratelimit import rate_limited
from safety_portal.school.models import PupilGuardian, YearGroup

# Per IP address: any hit on a token page, and hits with a token that matches no link.
HITS_LIMIT, HITS_WINDOW_SECONDS = 300, 10 * 60
UNKNOWN_LIMIT, UNKNOWN_WINDOW_SECONDS = 20, 60 * 60
# Tokens are 43 characters; anything much longer is not one of ours and is not worth hashing.
TOKEN_MAX_LENGTH = 100


def _private(response):
    """Token pages are never stored, and the token never leaks to another site in a Referer.

    same-origin, not no-referrer: the browser must still send our own origin with the signing
    POST for the CSRF check; other sites get no Referer at all.
    """
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _problem(request, kind, status):
    response = render(request, "agreements/parent_problem.html", {"kind": kind}, status=status)
    if status == 429:
        response["Retry-After"] = str(HITS_WINDOW_SECONDS)
    return response


def _link_for(token):
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return (SigningLink.objects.select_related("guardian", "pupil")
            .filter(token_hash=SigningLink.hash_token(token)).first())


def _link_problem(link):
    """Why a known link no longer works, or ''. Revoked first: the office's decision explains most."""
    if link.is_revoked:
        return "revoked"
    if link.is_expired():
        return "expired"
    # The family's circumstances changed after the email was sent.
    if not link.pupil.is_on_roll() or not PupilGuardian.objects.filter(
            pupil=link.pupil, guardian=link.guardian, parental_responsibility=True).exists():
        return "ended"
    return ""


def link_page(view):
    """Rate-limit per IP, find the link for the token, and answer for links that do not work."""

    @wraps(view)
    def wrapped(request, token):
        ip = client_ip(request) or "unknown"
        if rate_limited(f"parent-link:any:{ip}", limit=HITS_LIMIT, window_seconds=HITS_WINDOW_SECONDS):
            return _private(_problem(request, "too_many", 429))
        link = _link_for(token)
        if link is None:
            if rate_limited(f"parent-link:unknown:{ip}", limit=UNKNOWN_LIMIT,
                            window_seconds=UNKNOWN_WINDOW_SECONDS):
                return _private(_problem(request, "too_many", 429))
            return _private(_problem(request, "unknown", 404))
        problem = _link_problem(link)
        if problem:
            return _private(_problem(request, problem, 410))
        return _private(view(request, link, token))

    return wrapped


@dataclass
class PackState:
    """Where this guardian stands on what they sign for this child."""

    versions: list  # the current parent and key-stage versions, in that order
    counted: dict = field(default_factory=dict)  # agreement id -> the signature that counts
    to_sign: list = field(default_factory=list)  # what signing now adds (all shown in the form)

    @property
    def needs_signing(self):
        return bool(self.to_sign)

    @property
    def signed(self):
        """Signatures that count, for the versions not being signed now."""
        return [self.counted[version.agreement_id] for version in self.versions
                if version.agreement_id in self.counted and version not in self.to_sign]


def pack_state(link):
    """Raises NothingToSign when an agreement has no published version."""
    versions = services.parent_pack_versions(link.pupil)
    for index, version in enumerate(versions):
        version.is_parent_agreement = index == 0  # parent_pack_versions lists the parent agreement first
    agreements = Agreement.objects.in_bulk([version.agreement_id for version in versions])
    signatures = (Signature.objects.filter(guardian=link.guardian, pupil=link.pupil,
                                           version__agreement__in=list(agreements))
                  .select_related("version").order_by("-signed_at", "-pk"))
    state = PackState(versions=versions)
    signed_versions = set()
    for signature in signatures:
        signed_versions.add(signature.version_id)
        agreement = agreements[signature.version.agreement_id]
        if signature.version.number >= agreement.counts_from_number:
            state.counted.setdefault(agreement.pk, signature)
    if any(version.agreement_id not in state.counted for version in versions):
        # The service signs every current version not yet signed, so the form shows each of them.
        state.to_sign = [version for version in versions if version.pk not in signed_versions]
    return state


def _child(link):
    pupil = link.pupil
    # First name only: a forwarded or shoulder-surfed link gives away as little as possible.
    return {"child_name": pupil.preferred_name or pupil.first_name,
            "child_class": pupil.reg_class or YearGroup(pupil.year_group).label}


@link_page
def parent_pack(request, link, token):
    try:
        state = pack_state(link)
    except services.NothingToSign:
        return _problem(request, "unavailable", 200)
    services.link_opened(link)
    context = {"link": link, "pupil": link.pupil, "token": token, "state": state, **_child(link)}
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
        "link": link, "pupil": link.pupil, "token": token, "state": state, **_child(link)})
