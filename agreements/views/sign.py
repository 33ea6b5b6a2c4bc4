"""Staff and governors signing their own agreements; the evidence of one signature and its certificate."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from agreements import services
from agreements.access import signature_for_user
from agreements.certificate import certificate_filename, certificate_pdf
from agreements.forms import SignForm
from agreements.models import ACCOUNT_AUDIENCES, Agreement, Audience, Signature, audiences_for_user
from agreements.outstanding import agreements_to_sign
from safety_portal.audit.services import audit_record
from safety_portal.school.models import SchoolProfile


def safe_next(request, url):
    """`url` if it stays on this site, else "": a link in an email must not send anyone elsewhere."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return ""


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _after_signing(user, next_url):
    """Back to the list while something is still to sign, then where they were going."""
    if agreements_to_sign(user):
        return _with_next(reverse("agreements:sign_list"), next_url)
    return next_url or reverse("agreements:sign_list")


def _agreement_for_signer(user, audience):
    """The agreement for `audience`, whether this person is asked to sign it, and their latest
    signature on it. Someone neither asked nor ever signed gets 404."""
    if audience not in ACCOUNT_AUDIENCES:
        raise Http404
    agreement = get_object_or_404(Agreement.objects.select_related("current_version"),
                                  audience=audience, current_version__isnull=False)
    asked = audience in audiences_for_user(user) or (
        audience == Audience.SOCIAL_MEDIA and agreement.named_signers.filter(pk=user.pk).exists())
    latest = (Signature.objects.filter(user=user, version__agreement=agreement)
              .select_related("version").order_by("-version__number").first())
    if not asked and latest is None:
        raise Http404
    return agreement, asked, latest


@login_required
def sign_list(request):
    next_url = safe_next(request, request.GET.get("next"))
    signatures = (Signature.objects.filter(user=request.user)
                  .select_related("version__agreement").order_by("-signed_at", "-pk"))
    # What is still to sign is `agreements_to_sign`, which the context processor puts on every page.
    return render(request, "agreements/sign_list.html", {
        "signed": [(signature, signature.version.agreement.counts_signature(signature)) for signature in signatures],
        "next_url": next_url,
        "continue_url": next_url or reverse("home"),
    })


@login_required
def sign(request, audience):
    agreement, asked, latest = _agreement_for_signer(request.user, audience)
    version = agreement.current_version
    signed_now = latest if latest is not None and latest.version_id == version.pk else None
    next_url = safe_next(request, request.POST.get("next") if request.method == "POST" else request.GET.get("next"))

    form = SignForm()
    if request.method == "POST":
        if signed_now is not None:
            messages.info(request, _("You have already signed this version. There is nothing more to do."))
            return redirect(_after_signing(request.user, next_url))
        if not asked:
            raise Http404
        if request.POST.get("version") != str(version.pk):
            # A new version was published while they read the old one: they must read this one.
            data = request.POST.copy()
            data.pop("agree", None)
            form = SignForm(data)
            form.is_valid()
            form.add_error(None, _("A new version was published while you were reading. Read it below, "
                                   "then tick the box and sign again."))
        else:
            form = SignForm(request.POST)
            if form.is_valid():
                try:
                    services.signature_record_for_account(
                        user=request.user, version=version, typed_name=form.cleaned_data["typed_name"],
                        drawing=form.cleaned_data["drawing"], request=request)
                except services.AlreadySigned:
                    messages.info(request, _("You have already signed this version. There is nothing more to do."))
                    return redirect(_after_signing(request.user, next_url))
                except services.NothingToSign:
                    messages.warning(request, _("A new version was published while you were reading. Read it, "
                                                "then sign again."))
                    return redirect(_with_next(reverse("agreements:sign", args=[audience]), next_url))
                messages.success(request, _("Thank you. You have signed “%(title)s”.") % {"title": version.title})
                return redirect(_after_signing(request.user, next_url))

    return render(request, "agreements/sign_form.html", {
        "agreement": agreement, "version": version, "form": form, "asked": asked,
        "signed_now": signed_now, "latest": latest, "next_url": next_url,
    })


@login_required
def signature_detail(request, pk):
    signature = signature_for_user(request.user, pk)
    own = signature.user_id == request.user.pk
    if not own:
        audit_record(action="agreements.signature.viewed", obj=signature, request=request)
    agreement = signature.version.agreement
    return render(request, "agreements/signature_detail.html", {
        "signature": signature, "version": signature.version, "agreement": agreement, "own": own,
        "counts_now": agreement.counts_signature(signature),
    })


@login_required
def certificate(request, pk):
    signature = signature_for_user(request.user, pk)
    pdf = certificate_pdf(signature, school=SchoolProfile.load())
    audit_record(action="agreements.certificate.downloaded", obj=signature, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, certificate_filename(signature))
    response["Cache-Control"] = "private, no-store"
    return response
