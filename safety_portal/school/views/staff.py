from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from safety_portal.forms import submitted_data
from safety_portal.school import roles
from safety_portal.school.access import role_required, staff_account_for_user
from safety_portal.school.forms import StaffFilterForm, StaffUserForm
from safety_portal.school.models import User
from safety_portal.school.services import (
    profile_places_named,
    staff_password_link_send,
    staff_user_create,
    staff_user_update,
)

PAGE_SIZE = 50


@role_required(*roles.STAFF_ACCOUNTS)
def staff_list(request):
    form = StaffFilterForm(request.GET)
    users = form.filter(User.objects.prefetch_related("groups")).order_by("last_name", "first_name", "email", "pk")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "school/staff_list.html", {
        "form": form, "page_obj": page,
    })


def _sign_in_url(request):
    # The address people are given, the same as in emails (not whatever host this request used).
    return settings.SITE_URL + reverse("login")


@require_POST
@login_required  # outsiders get 404 from the access helper, so an id cannot be probed
def staff_send_link(request, pk):
    person = staff_account_for_user(request.user, pk)
    if not person.is_active:
        messages.error(request, _("This account is deactivated: reactivate it before sending a link."))
    else:
        staff_password_link_send(user=person, actor=request.user, request=request)
        messages.success(request, _("A link to set a password is on its way to %(email)s. It works once, "
                                    "for an hour.") % {"email": person.email})
    return redirect("school:staff_edit", pk=person.pk)


@role_required(*roles.STAFF_ACCOUNTS)
def staff_create(request):
    form = StaffUserForm(submitted_data(request), actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = staff_user_create(form=form, actor=request.user, request=request)
            messages.success(request, _(
                "The account for %(name)s has been created. To let them set a password, choose “Email a link "
                "to set a password” below."
            ) % {"name": user.get_full_name() or user.email})
            return redirect("school:staff_edit", pk=user.pk)
        messages.error(request, _("Nothing was saved: please correct the errors highlighted below."))
    return render(request, "school/staff_form.html", {
        "form": form, "creating": True, "sign_in_url": _sign_in_url(request),
    })


@login_required  # outsiders get 404 from the access helper, so an id cannot be probed
def staff_edit(request, pk):
    person = staff_account_for_user(request.user, pk)
    # The form writes typed values onto `person` while validating; the page title keeps the saved ones.
    saved_name, was_active = person.get_full_name() or person.email, person.is_active
    form = StaffUserForm(submitted_data(request), instance=person, actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = staff_user_update(form=form, actor=request.user, request=request)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The account for %(name)s has been saved.") % {
                    "name": user.get_full_name() or user.email})
                places = profile_places_named(user) if was_active and not user.is_active else []
                if places:
                    messages.warning(request, _(
                        "%(name)s is still named on the school profile as: %(places)s. Choose someone else there."
                    ) % {"name": user.get_full_name() or user.email, "places": ", ".join(places)})
                return redirect("school:staff")
        messages.error(request, _("Nothing was saved: please correct the errors highlighted below."))
    return render(request, "school/staff_form.html", {
        "form": form, "creating": False, "person": person, "saved_name": saved_name,
        "was_active": was_active, "sign_in_url": _sign_in_url(request),
    })
