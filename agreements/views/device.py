"""Pages on a device handed to pupils (a class signing session) or to visitors (the kiosk).

Nobody is signed in here: DeviceSessionMiddleware sets request.device_session and keeps the
device on these pages. They show one person's details at a time and are never cached, so the
Back button and a reload show nothing of the person before.
"""

import secrets
from collections import Counter
from functools import wraps

from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from agreements import compliance, services
from agreements.access import can_run_office
from agreements.forms_device import EndWithAccountForm, EndWithPasswordForm, PupilSignForm, VisitorSignForm
from agreements.models import Agreement, Audience, DeviceSession, Visitor, pupil_audience
from agreements.services import child_first_name
from safety_portal.forms import submitted_data
from safety_portal.ratelimit import rate_limited

# The visit whose thank-you page is due; popped when shown, so it is shown once.
KIOSK_VISITOR_KEY = "agreements_kiosk_visitor"
# A one-time key for the sign-in form on screen: the first submit uses it up, so a double tap
# records one visit. The cache claims it, so two submits arriving together cannot both use it.
KIOSK_FORM_KEY = "agreements_kiosk_form"
KIOSK_FORM_SECONDS = 24 * 3600
# The kiosk's sign-in form goes back to the welcome page after this long without a touch or key.
KIOSK_IDLE_SECONDS = 120
# The thank-you page goes back to the welcome page by itself after this long.
KIOSK_DONE_SECONDS = 30
# Pages left on screen ask the server again this often (see kiosk.js).
REFRESH_SECONDS = 300
# Wrong passwords when ending a session: this many per window, per session.
END_ATTEMPTS, END_WINDOW_SECONDS = 5, 10 * 60


def device_page(kind):
    """A page of one kind of device session, never kept by the browser."""

    def decorator(view):
        @wraps(view)
        @never_cache
        def wrapped(request, *args, **kwargs):
            device_session = getattr(request, "device_session", None)
            if device_session is None or device_session.kind != kind:
                # The middleware sends such requests elsewhere first; this is the backstop.
                return redirect("login")
            return view(request, device_session, *args, **kwargs)

        return wrapped

    return decorator


# --- Class signing session ---------------------------------------------------------------------

def names_to_tell_apart(pupils):
    """{pupil pk: the name on their button}: first name and initial, or more where two would look alike.

    Two Jack W.s in a year group would otherwise sign for each other.
    """
    def short(pupil):
        return f"{child_first_name(pupil)} {pupil.last_name[:1]}."

    def full(pupil):
        return f"{child_first_name(pupil)} {pupil.last_name}"

    shorts = Counter(short(pupil) for pupil in pupils)
    fulls = Counter(full(pupil) for pupil in pupils)
    names = {}
    for pupil in pupils:
        if shorts[short(pupil)] == 1:
            names[pupil.pk] = short(pupil)
        elif fulls[full(pupil)] == 1:
            names[pupil.pk] = full(pupil)
        else:
            names[pupil.pk] = f"{full(pupil)} ({pupil.reg_class or pupil.get_year_group_display()})"
    return names


@device_page(DeviceSession.Kind.CLASS)
def pupil_names(request, device_session):
    pupils = sorted(device_session.pupils(),
                    key=lambda pupil: (child_first_name(pupil).lower(), pupil.last_name.lower()))
    signed = compliance.signed_pupil_ids(device_session.pupils())
    names = names_to_tell_apart(pupils)
    return render(request, "agreements/device_pupil_names.html", {
        "device_session": device_session, "refresh_seconds": REFRESH_SECONDS,
        "pupils": [{"pk": pupil.pk, "name": names[pupil.pk], "signed": pupil.pk in signed} for pupil in pupils],
    })


@device_page(DeviceSession.Kind.CLASS)
def pupil_sign(request, device_session, pupil_pk):
    # Only this session's pupils: another pupil's number answers 404.
    pupil = get_object_or_404(device_session.pupils(), pk=pupil_pk)
    name = child_first_name(pupil)
    audience = pupil_audience(pupil)
    try:
        version = services.current_version_for(audience)
    except services.NothingToSign:
        messages.warning(request, _("There is nothing for you to sign yet, %(name)s. Tell your teacher.")
                         % {"name": name})
        return redirect("device:pupil_names")
    if request.method != "POST" and pupil.pk in compliance.signed_pupil_ids([pupil.pk]):
        messages.info(request, _("You have already signed, %(name)s.") % {"name": name})
        return redirect("device:pupil_names")

    form = PupilSignForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_record_for_pupil(
                device_session=device_session, pupil=pupil, typed_name=form.cleaned_data["typed_name"],
                drawing=form.cleaned_data["drawing"], request=request)
        except services.AlreadySigned:
            messages.info(request, _("You have already signed, %(name)s.") % {"name": name})
        except services.NothingToSign:
            messages.warning(request, _("There is nothing for you to sign yet, %(name)s. Tell your teacher.")
                             % {"name": name})
        else:
            messages.success(request, _("Thank you, %(name)s. You have signed.") % {"name": name})
        return redirect("device:pupil_names")
    return render(request, "agreements/device_pupil_sign.html", {
        "device_session": device_session, "first_name": name, "version": version, "form": form,
        "button_name": names_to_tell_apart(list(device_session.pupils()))[pupil.pk],
        "read_aloud": audience == Audience.PUPIL_EARLY,
    })


def _end_attempt_refused(device_session):
    """True once this session has had too many attempts to end it (right or wrong) in the window."""
    return rate_limited(f"agreements-device-end:{device_session.pk}", limit=END_ATTEMPTS,
                        window_seconds=END_WINDOW_SECONDS)


TOO_MANY_ATTEMPTS = gettext_lazy(
    "Too many attempts. Wait 10 minutes, then try again. The session stays open until then.")


def _ended(request, device_session, user):
    """End the session, sign the device out and send it to the sign-in page."""
    services.device_session_end(session=device_session, user=user, request=request)
    request.session.flush()
    messages.success(request, _("The session has ended. This device is signed out."))
    return redirect("login")


@device_page(DeviceSession.Kind.CLASS)
def session_end(request, device_session):
    teacher = device_session.started_by
    form = EndWithPasswordForm(submitted_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        if _end_attempt_refused(device_session):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            status = 429
        elif teacher.is_active and teacher.check_password(form.cleaned_data["password"]):
            return _ended(request, device_session, teacher)
        else:
            form.add_error("password", _("That is not the password of the teacher who started this session."))
    return render(request, "agreements/device_session_end.html", {
        "device_session": device_session, "form": form, "teacher": teacher,
    }, status=status)


# --- Reception kiosk ---------------------------------------------------------------------------

@device_page(DeviceSession.Kind.KIOSK)
def kiosk_start(request, device_session):
    # Saving the session keeps a kiosk that waits all day for visitors from expiring.
    request.session.modified = True
    return render(request, "agreements/device_kiosk_start.html", {
        "device_session": device_session, "refresh_seconds": REFRESH_SECONDS})


@device_page(DeviceSession.Kind.KIOSK)
def kiosk_sign(request, device_session):
    try:
        version = services.current_version_for(Audience.VISITOR)
    except services.NothingToSign:
        return render(request, "agreements/device_kiosk_unavailable.html", {"device_session": device_session})
    if request.method == "POST" and not _kiosk_form_claimed(request):
        # A second tap on Sign in, or a form sent again: the first one is recorded, nothing more is.
        return redirect("device:kiosk_done")
    form = VisitorSignForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visitor, _signature = services.visitor_sign_in(
                kiosk=device_session, full_name=data["full_name"], organisation=data["organisation"],
                purpose=data["purpose"], typed_name=data["typed_name"], drawing=data["drawing"], request=request)
        except services.NothingToSign:
            return render(request, "agreements/device_kiosk_unavailable.html", {"device_session": device_session})
        request.session[KIOSK_VISITOR_KEY] = visitor.pk
        return redirect("device:kiosk_done")
    request.session[KIOSK_FORM_KEY] = secrets.token_urlsafe(16)
    return render(request, "agreements/device_kiosk_sign.html", {
        "device_session": device_session, "version": version, "form": form, "idle_seconds": KIOSK_IDLE_SECONDS,
    })


def _kiosk_form_claimed(request):
    """Use up the key of the form on screen: True for the first submit of each form shown, then False."""
    key = request.session.pop(KIOSK_FORM_KEY, None)
    return bool(key) and cache.add(f"agreements:kiosk-form:{key}", True, timeout=KIOSK_FORM_SECONDS)


@device_page(DeviceSession.Kind.KIOSK)
def kiosk_done(request, device_session):
    # Shown once: a reload or the Back button finds nothing and goes to the welcome page.
    visitor_pk = request.session.pop(KIOSK_VISITOR_KEY, None)
    visitor = Visitor.objects.filter(pk=visitor_pk, kiosk=device_session).first() if visitor_pk else None
    if visitor is None:
        return redirect("device:kiosk_start")
    note = (Agreement.objects.filter(audience=Audience.VISITOR).values_list("after_signing_note", flat=True)
            .first()) or ""
    return render(request, "agreements/device_kiosk_done.html", {
        "device_session": device_session, "first_name": visitor.full_name.split(" ")[0], "note": note,
        "return_seconds": KIOSK_DONE_SECONDS,
    })


@device_page(DeviceSession.Kind.KIOSK)
def kiosk_end(request, device_session):
    form = EndWithAccountForm(submitted_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        if _end_attempt_refused(device_session):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            status = 429
        else:
            user = authenticate(request, username=form.cleaned_data["email"], password=form.cleaned_data["password"])
            if user is not None and can_run_office(user):
                return _ended(request, device_session, user)
            form.add_error(None, _("Only the school office can end the kiosk. Check the email address and "
                                   "password of an office account."))
    return render(request, "agreements/device_kiosk_end.html", {"device_session": device_session, "form": form},
                  status=status)
