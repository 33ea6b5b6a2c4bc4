"""Read receipts: staff confirming they have read a policy version, and its editors seeing who has.

A version asks the holders of its chosen roles while it is the current version of a policy in
use. Anyone else reaches the policy through the register, not through these pages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from policies import access, services
from policies.forms_reading import ReadConfirmForm, ReceiptFilterForm
from policies.models import ReadReceipt, Status
from safety_portal.next_url import next_url, redirect_next
from safety_portal.school import roles
from safety_portal.school.access import role_required
from safety_portal.school.models import User

PAGE_SIZE = 50




def _is_asking(version):
    """True while this version is the one people are asked to read: the current version of a policy in use."""
    policy = version.policy
    return policy.status == Status.ACTIVE and policy.current_version_id == version.pk


@role_required(*roles.ALL)
def to_read(request):
    versions = services.versions_to_read(request.user)
    return render(request, "policies/to_read.html", {"versions": versions})


@login_required
def read(request, pk):
    version = access.version_for_reader(request.user, pk)
    if not _is_asking(version) or not services.readers_asked(version).filter(pk=request.user.pk).exists():
        raise Http404
    receipt = ReadReceipt.objects.filter(version=version, user=request.user).first()
    next_page = next_url(request)
    form = ReadConfirmForm()
    if request.method == "POST":
        if receipt is not None:
            messages.info(request, _("You had already confirmed you read this version. There is nothing more to do."))
            return redirect_next(request, "home")
        form = ReadConfirmForm(request.POST)
        if form.is_valid():
            services.receipt_confirm(version=version, user=request.user, request=request)
            messages.success(request, _("Thank you. You have confirmed you read “%(title)s”, version %(number)s.") % {
                "title": version.policy.title, "number": version.number})
            return redirect_next(request, "home")
    return render(request, "policies/read.html", {
        "version": version, "policy": version.policy, "receipt": receipt, "form": form, "next_url": next_page})


@login_required
def receipts(request, pk):
    version = access.version_for_editor(request.user, pk)
    asked = services.readers_asked(version)
    role_names = version.read_role_names()
    form = ReceiptFilterForm(request.GET, role_names=role_names)
    confirmed_at = ReadReceipt.objects.filter(version=version, user=OuterRef("pk")).values("confirmed_at")[:1]
    people = form.filter(asked).prefetch_related("groups").order_by("last_name", "first_name", "pk")
    confirmed = people.filter(services.has_read(version)).annotate(confirmed_at=Subquery(confirmed_at))
    outstanding = people.exclude(services.has_read(version))

    # Both totals in one query (over ids: `asked` is DISTINCT, which an aggregate cannot wrap).
    totals = User.objects.filter(pk__in=asked.values("pk")).aggregate(
        asked=Count("pk"), confirmed=Count("pk", filter=services.has_read(version)))
    return render(request, "policies/receipts.html", {
        "version": version, "policy": version.policy, "form": form, "filtered": form.filtered,
        "role_labels": [roles.LABELS[name] for name in role_names],
        "asked_count": totals["asked"], "confirmed_count": totals["confirmed"],
        "outstanding_count": totals["asked"] - totals["confirmed"],
        "outstanding_page": Paginator(outstanding, PAGE_SIZE).get_page(request.GET.get("page")),
        "confirmed_page": Paginator(confirmed, PAGE_SIZE).get_page(request.GET.get("confirmed_page")),
        "is_asking": _is_asking(version),
    })


@login_required
@require_POST
def remind(request, pk):
    version = access.version_for_editor(request.user, pk)
    if not _is_asking(version):
        messages.error(request, _("Nobody was reminded: this is no longer the version people are asked to read."))
        return redirect("policies:receipts", pk=version.pk)
    try:
        emailed = services.read_reminders_send(version=version, actor=request.user, request=request)
    except services.ReadReminderTooSoon as too_soon:
        last = formats.date_format(timezone.localtime(too_soon.args[0]), "j F Y, H:i")
        messages.warning(request, _("Nothing was sent: the last reminder went on %(when)s. You can send another "
                                    "20 hours after that.") % {"when": last})
    else:
        if emailed:
            messages.success(request, ngettext(
                "A reminder was emailed to %(count)s person who has not confirmed.",
                "A reminder was emailed to %(count)s people who have not confirmed.", emailed) % {"count": emailed})
        else:
            messages.info(request, _("Nobody was emailed: everyone asked has confirmed."))
    return redirect("policies:receipts", pk=version.pk)
