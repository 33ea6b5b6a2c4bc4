"""A parent's photo choices, posted from their personal-link page (no account, most likely a phone).

The link handling is the agreements page's own (rate limit, problem pages, no caching): the token
alone decides the guardian and the child, and nothing in the post can name another.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.services import NothingToSign, child_first_name, link_opened, parent_pack_versions
from agreements.views.parent import link_page
from consent import services
from consent.forms_parent import ParentConsentForm
from consent.parent import active_purposes, current_answers, section_context


@link_page
def consent_parent(request, link, token):
    purposes = active_purposes()
    if not purposes:
        return redirect("parent_pack", token)
    current = current_answers(link, purposes)
    if request.method != "POST":
        link_opened(link)
        form = ParentConsentForm(purposes=purposes, current=current)
    else:
        form = ParentConsentForm(request.POST, purposes=purposes, current=current)
        if form.is_valid():
            changed = services.consent_record_from_link(link=link, answers=form.answers(), request=request)
            name = child_first_name(link.pupil)
            if not changed:
                messages.info(request, _("Nothing changed: your photo choices for %(name)s are as they were.")
                              % {"name": name})
            elif link.guardian.email:
                messages.success(request, _("Your photo choices for %(name)s are saved. A receipt is on its way.")
                                 % {"name": name})
            else:
                messages.success(request, _("Your photo choices for %(name)s are saved.") % {"name": name})
            return redirect(_back_to_the_choices(link, token))
    return render(request, "consent/parent_photos.html", {
        "child_name": child_first_name(link.pupil), "token": token,
        "section": section_context(request, link, token, form=form, current=current, standalone=True)})


def _back_to_the_choices(link, token):
    """The pack page, at the choices; this page instead while the pack page has nothing to show
    (no agreement published), so the parent still sees that their choices were saved."""
    try:
        parent_pack_versions(link.pupil)
    except NothingToSign:
        return reverse("consent_parent", args=[token])
    return reverse("parent_pack", args=[token]) + "#photo-consent"
