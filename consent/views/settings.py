"""The photo-consent settings, for the office and the online-safety lead (mounted at /consent/settings/):
the purposes parents are asked about, the school's rule, and the leavers whose images to delete.

Purposes are never deleted: the history of decisions points at them. Writes go through
consent.services, which audits each one.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.access import SETTINGS_EDITORS
from consent.forms_settings import PurposeForm, RuleForm
from consent.models import ConsentPurpose, ConsentSettings, LeaverImageReview
from consent.services import consent_settings_update, leaver_review_done, purpose_save
from safety_portal.forms import submitted_data
from safety_portal.school.access import role_required

LEAVERS_PER_PAGE = 50
RECENTLY_REVIEWED = 20
NOT_SAVED = gettext_lazy("Nothing was saved: please correct the errors highlighted below.")


@role_required(*SETTINGS_EDITORS)
def purpose_list(request):
    settings = ConsentSettings.load()
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            if form.every_guardian_must_agree != settings.every_guardian_must_agree:
                consent_settings_update(every_guardian_must_agree=form.every_guardian_must_agree,
                                        user=request.user, request=request)
                messages.success(request, _("The rule has been changed. Every consent list uses it from now on."))
            else:
                messages.info(request, _("The rule was already set that way, so nothing changed."))
            return redirect("consent:purposes")
        messages.error(request, NOT_SAVED)
    else:
        form = RuleForm.for_settings(settings)
    return render(request, "consent/settings_purposes.html", {
        "purposes": ConsentPurpose.objects.all(), "rule_form": form, "settings": settings,
    })


def _purpose_form_page(request, purpose):
    form = PurposeForm(submitted_data(request), instance=purpose)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = purpose_save(purpose=form.save(commit=False), user=request.user, request=request)
            except IntegrityError:
                # Someone saved the same name a moment ago: clean_name could not have seen it.
                form.add_error("name", _("There is already a purpose with this name. Choose another name."))
            else:
                messages.success(request, _("\"%(name)s\" has been saved.") % {"name": saved.name})
                return redirect("consent:purposes")
        messages.error(request, NOT_SAVED)
    return render(request, "consent/settings_purpose_form.html", {"form": form, "purpose": purpose})


@role_required(*SETTINGS_EDITORS)
def purpose_new(request):
    last = ConsentPurpose.objects.aggregate(last=Max("position"))["last"]
    return _purpose_form_page(request, ConsentPurpose(position=0 if last is None else last + 1))


@role_required(*SETTINGS_EDITORS)
def purpose_edit(request, pk):
    return _purpose_form_page(request, get_object_or_404(ConsentPurpose, pk=pk))


@role_required(*SETTINGS_EDITORS)
def leaver_list(request):
    to_review = (LeaverImageReview.objects.filter(reviewed_at__isnull=True).select_related("pupil")
                 .order_by("-pupil__leaving_date", "-listed_at", "-pk"))
    page = Paginator(to_review, LEAVERS_PER_PAGE).get_page(request.GET.get("page"))
    reviewed = (LeaverImageReview.objects.filter(reviewed_at__isnull=False).select_related("pupil", "reviewed_by")
                .order_by("-reviewed_at", "-pk")[:RECENTLY_REVIEWED])
    return render(request, "consent/settings_leavers.html", {
        "page_obj": page, "leavers": page.object_list, "reviewed": reviewed,
    })


@role_required(*SETTINGS_EDITORS)
def leaver_reviewed(request, pk):
    """Confirm first: once marked, a leaver drops off the office's list and out of the digest."""
    review = get_object_or_404(LeaverImageReview.objects.select_related("pupil", "reviewed_by"), pk=pk)
    if request.method == "POST":
        if leaver_review_done(review=review, user=request.user, request=request):
            messages.success(request, _("%(name)s's images are marked as reviewed and deleted.")
                             % {"name": review.pupil.display_name})
        else:
            messages.info(request, _("%(name)s's images had already been marked as reviewed.")
                          % {"name": review.pupil.display_name})
        return redirect("consent:leavers")
    return render(request, "consent/settings_leaver_confirm.html", {"review": review})
