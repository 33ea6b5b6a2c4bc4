import mimetypes

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from safety_portal.school import roles
from safety_portal.school.access import role_required
from safety_portal.school.forms import SchoolProfileForm, local_contact_forms
from safety_portal.school.models import SchoolProfile
from safety_portal.school.services import school_profile_update


@role_required(roles.ADMINISTRATOR)
def profile_edit(request):
    profile = SchoolProfile.load()
    if request.method == "POST":
        form = SchoolProfileForm(request.POST, request.FILES, instance=profile)
        contact_forms = local_contact_forms(data=request.POST)
        # Validate every form so that all errors show at once.
        if all([form.is_valid()] + [contact_form.is_valid() for contact_form in contact_forms]):
            changed = school_profile_update(form=form, contact_forms=contact_forms, actor=request.user,
                                            request=request)
            if changed:
                messages.success(request, _("The school profile has been saved."))
            else:
                messages.info(request, _("Nothing had changed, so nothing was saved."))
            return redirect("school:profile")
        error = _("Nothing was saved: please correct the errors highlighted below.")
        if request.FILES:
            error = _("Nothing was saved: please correct the errors highlighted below, then choose the logo "
                      "file again.")
        messages.error(request, error)
    else:
        form = SchoolProfileForm(instance=profile)
        contact_forms = local_contact_forms()
    return render(request, "school/profile.html", {
        "form": form, "contact_forms": contact_forms, "profile": profile,
    })


def logo(request):
    """The school's logo, for pages, emails and reports (uploaded files are not served directly)."""
    school = SchoolProfile.objects.filter(pk=1).first()
    if not school or not school.logo:
        raise Http404
    try:
        handle = school.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(school.logo.name)[0] or "image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response
