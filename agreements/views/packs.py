"""The office's side of parent signing: packs of personal links, resending and revoking, paper forms."""

import secrets
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agreements import access, services
from agreements.forms_packs import (
    LinkFilterForm,
    PackChooseForm,
    PackSendForm,
    PaperForm,
    links_with_status,
    reachable_guardians,
    scan_kind,
    signed_links,
)
from agreements.models import KEY_STAGE_AUDIENCE, Audience, Signature, SigningLink, SigningPack
from safety_portal.audit.services import audit_record
from safety_portal.next_url import next_url
from safety_portal.school.access import role_required
from safety_portal.school.models import PupilGuardian, key_stage_for

PAGE_SIZE = 50
# Pupils listed by name in a preview as needing a paper form; the rest are counted.
UNREACHED_SHOWN = 100
# How long a preview's Send button stays usable, and a used one stays refused.
SEND_KEY_SECONDS = 6 * 3600

office_required = role_required(*access.OFFICE)


def _unpublished(audiences):
    """Labels of the audiences, in order, whose agreement has no published version."""
    missing = []
    for audience in audiences:
        try:
            services.current_version_for(audience)
        except services.NothingToSign:
            missing.append(str(Audience(audience).label))
    return missing


def _audiences_needed(pupils):
    """The parent agreement and the key-stage agreement of every year group among `pupils`."""
    years = pupils.order_by().values_list("year_group", flat=True).distinct()
    stages = {KEY_STAGE_AUDIENCE[key_stage_for(year)] for year in years}
    return [Audience.PARENT] + [audience for audience in Audience if audience in stages]


def _preview(pupils):
    reachable = pupils.annotate(reachable=Exists(reachable_guardians()))
    unreached = reachable.filter(reachable=False)
    pairs = PupilGuardian.objects.filter(pupil__in=pupils.values("pk"), parental_responsibility=True).exclude(
        guardian__email="")
    return {
        "pupil_count": pupils.count(),
        "unreached_count": unreached.count(),
        "unreached": unreached[:UNREACHED_SHOWN],
        "link_count": pairs.count(),
        "guardian_count": pairs.values("guardian").distinct().count(),
        "missing": _unpublished(_audiences_needed(pupils)),
    }


@office_required
def pack_list(request):
    link_count = SigningLink.objects.filter(pack=OuterRef("pk")).values("pack").annotate(
        total=Count("pk")).values("total")
    signed_count = signed_links().values("pack").annotate(total=Count("pk")).values("total")
    packs = SigningPack.objects.select_related("created_by").annotate(
        link_count=Coalesce(Subquery(link_count, output_field=IntegerField()), Value(0)),
        signed_count=Coalesce(Subquery(signed_count, output_field=IntegerField()), Value(0)),
    ).annotate(outstanding_count=F("link_count") - F("signed_count")).order_by("-created_at", "-pk")
    page = Paginator(packs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agreements/pack_list.html", {"page_obj": page})


@office_required
def pack_new(request):
    """Choose pupils (GET, with a preview of who is reached), then send (POST)."""
    if request.method == "POST":
        choose = PackChooseForm(request.POST)
        send = PackSendForm(request.POST)
        if choose.is_valid() and send.is_valid():
            response = _send(request, choose, send)
            if response:
                return response
    else:
        choose = PackChooseForm(request.GET or None)
        send = None
    context = {"choose": choose}
    if choose.is_bound and choose.is_valid():
        context.update(_preview(choose.pupils()))
        if send is None:
            # A fresh key for each preview; a send shown again keeps what was typed and its key.
            send = PackSendForm(initial={"title": choose.suggested_title(), "send_key": secrets.token_urlsafe(24)})
        context["send"] = send
    return render(request, "agreements/pack_new.html", context)


def _send(request, choose, send):
    """Send the pack, or return None to show the form again with the reason."""
    pupils = choose.pupils()
    missing = _unpublished(_audiences_needed(pupils))
    if missing:
        messages.error(request, _("Nothing was sent: these agreements have no published version yet: %(names)s. "
                                  "Ask the online-safety lead to publish them.") % {"names": "; ".join(missing)})
        return None
    key = f"agreements:pack-send:{send.cleaned_data['send_key']}"
    if not cache.add(key, request.user.pk, timeout=SEND_KEY_SECONDS):
        # A second click on Send, or the page sent again from the browser's history.
        messages.info(request, _("This pack has already been sent. It is at the top of the list."))
        return redirect("agreements:packs")
    pupils = list(pupils)
    if not pupils:
        cache.delete(key)
        messages.error(request, _("Nothing was sent: no pupil on roll matches what you chose."))
        return None
    pack, unreached = services.pack_send(title=send.cleaned_data["title"], pupils=pupils, user=request.user,
                                         request=request)
    guardians = pack.links.values("guardian").distinct().count()
    messages.success(request, ngettext(
        "The pack is sent: an email is on its way to %(count)s parent or carer.",
        "The pack is sent: emails are on their way to %(count)s parents and carers.", guardians) % {
        "count": guardians})
    return redirect(pack)


@login_required
def pack_detail(request, pk):
    # A record: anyone outside the office gets 404, so pack numbers cannot be probed.
    pack = access.pack_for_user(request.user, pk)
    form = LinkFilterForm(request.GET)
    links = links_with_status(pack.links.select_related("guardian", "pupil"))
    links = form.filter(links).order_by("pupil__last_name", "pupil__first_name", "pupil_id", "guardian__last_name",
                                        "pk")
    page = Paginator(links, PAGE_SIZE).get_page(request.GET.get("page"))
    unreached = pack.unreached_pupils.order_by("last_name", "first_name")
    return render(request, "agreements/pack_detail.html", {
        "pack": pack, "form": form, "page_obj": page, "unreached": unreached, "now": timezone.now(),
        "filtered": any(request.GET.get(key) for key in ("q", "status")),
        "return_query": _list_query(request.GET),
    })


def _list_query(params):
    """The pack page's search, filter and page, rebuilt from known keys only."""
    kept = QueryDict(mutable=True)
    for key in ("q", "status", "page"):
        if params.get(key):
            kept[key] = params[key][:100]
    return kept.urlencode()


def _back_to_pack(request, link):
    query = _list_query(QueryDict(request.POST.get("return_query", "")))
    return redirect(reverse("agreements:pack", args=[link.pack_id]) + (f"?{query}" if query else ""))


def _link_reachable(link):
    """Why a link cannot be sent again, or ''."""
    if not link.pupil.is_on_roll():
        return _("%(child)s is no longer on roll.") % {"child": link.pupil}
    if not PupilGuardian.objects.filter(pupil=link.pupil, guardian=link.guardian,
                                        parental_responsibility=True).exists():
        return _("%(guardian)s no longer has parental responsibility for %(child)s in the school's records.") % {
            "guardian": link.guardian, "child": link.pupil}
    if not link.guardian.email:
        return _("%(guardian)s has no email address in the school's records.") % {"guardian": link.guardian}
    return ""


@login_required
@require_POST
def link_resend(request, pk):
    link = access.link_for_user(request.user, pk)
    problem = _link_reachable(link)
    if problem:
        messages.error(request, _("Nothing was sent. %(reason)s") % {"reason": problem})
    else:
        services.link_resend(link=link, user=request.user, request=request)
        messages.success(request, _("A new link has been emailed to %(guardian)s for %(child)s. The link in the "
                                    "earlier email no longer works.") % {"guardian": link.guardian,
                                                                         "child": link.pupil})
    return _back_to_pack(request, link)


@login_required
def link_revoke(request, pk):
    link = access.link_for_user(request.user, pk)
    if request.method == "POST":
        if services.link_revoke(link=link, user=request.user, request=request):
            messages.success(request, _("The link for %(guardian)s (%(child)s) is cancelled. Opening it now shows "
                                        "a page asking them to contact the school office.") % {
                "guardian": link.guardian, "child": link.pupil})
        else:
            messages.info(request, _("That link was already cancelled."))
        return _back_to_pack(request, link)
    return render(request, "agreements/pack_revoke.html", {
        "link": link, "return_query": _list_query(request.GET)})


# --- Paper forms ------------------------------------------------------------------------------


def _store_scan(scan):
    """Keep the scan once under a random name; both signatures of the form point at it."""
    content_type, extension = scan.kind
    name = f"agreements/paper/{timezone.now():%Y}/{uuid.uuid4().hex}{extension}"
    return default_storage.save(name, scan)


@login_required
def paper_new(request, pupil_pk):
    pupil = access.pupil_for_paper_form(request.user, pupil_pk)
    next_page = next_url(request)
    if request.method == "POST":
        form = PaperForm(request.POST, request.FILES, pupil=pupil)
    else:
        form = PaperForm(pupil=pupil)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        stored = _store_scan(data["scan"]) if data["scan"] else ""
        try:
            created = services.signature_record_paper(
                pupil=pupil, guardian=data["guardian"], signed_on=data["signed_on"], typed_name=data["typed_name"],
                discussed_with_child=data["discussed_with_child"], scan=stored or None, recorded_by=request.user,
                request=request)
        except services.AlreadySigned:
            form.add_error(None, _("%(guardian)s has already signed the current agreements for %(child)s, so "
                                   "nothing was recorded.") % {"guardian": data["guardian"], "child": pupil})
        except services.NothingToSign:
            missing = _unpublished([Audience.PARENT, KEY_STAGE_AUDIENCE[pupil.key_stage]])
            form.add_error(None, _("Nothing was recorded: these agreements have no published version yet: "
                                   "%(names)s.") % {"names": "; ".join(missing)})
        else:
            messages.success(request, _("Paper form recorded: %(guardian)s signed for %(child)s (%(count)s "
                                        "agreements).") % {"guardian": data["guardian"], "child": pupil,
                                                           "count": len(created)})
            return HttpResponseRedirect(next_page or reverse("agreements:packs"))
        if stored:
            default_storage.delete(stored)
    signatures = (Signature.objects.filter(pupil=pupil, guardian__isnull=False)
                  .select_related("version__agreement", "guardian").order_by("-signed_at")[:20])
    return render(request, "agreements/paper_new.html", {
        "pupil": pupil, "form": form, "signatures": signatures, "next": next_page,
        "back_url": next_page or reverse("agreements:packs")})


@login_required
def paper_scan(request, signature_pk):
    """The scan of a paper form, for those who may read the signing record (404 for anyone else)."""
    signature = access.signature_for_user(request.user, signature_pk)
    if not signature.paper_scan:
        raise Http404
    try:
        handle = signature.paper_scan.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    kind = scan_kind(handle.read(16))
    handle.seek(0)
    if kind is None:  # never hand out a file the upload check would have refused
        handle.close()
        raise Http404
    content_type, extension = kind
    response = FileResponse(handle, as_attachment=True, content_type=content_type,
                            filename=f"paper-form-{signature.pk}{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    audit_record(action="agreements.paper_scan.downloaded", obj=signature, request=request,
                 detail={"pupil": signature.pupil_id, "guardian": signature.guardian_id})
    return response
