from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from safety_portal.audit.services import audit_record
from safety_portal.forms import submitted_data
from safety_portal.next_url import next_url
from safety_portal.school import roles
from safety_portal.school.access import role_required, staff_account_for_user
from safety_portal.school.models import User
from safety_portal.signin import lockout, services
from safety_portal.signin.forms import CodeForm, ProofForm, SetupCodeForm, UnlockForm

STEP_BASE = "signin/step_base.html"  # half signed in: no menu, no banners (see the template)
RECOVERY_CODES_KEY = "signin_recovery_codes"  # new codes waiting to be shown once, after a redirect
SHOWN_PARAMETER = "shown"  # ?shown=1 on the recovery codes page: show the codes waiting, once


def _continue_url(request):
    return next_url(request) or reverse("home")


def _refused_code_error(user, code, otherwise):
    """What to tell someone whose code was refused: `otherwise`, unless the code was the app's right
    code already used (a double submit, or signed in on another device within the same 30 seconds),
    or looks like a recovery code (used ones are deleted, so "wrong" and "used" look alike)."""
    reason = services.refused_code_reason(user, code)
    if reason == services.CODE_JUST_USED:
        return _("This code has just been used. Wait for the next code in your app and type that.")
    if reason == services.CODE_RECOVERY_FORMAT:
        return _("That recovery code is not right, or it has already been used: each code works once. "
                 "Check it, or type the code your app shows now.")
    return otherwise


def _code_failed(request, user, form, field, code, otherwise):
    """A refused code: audited and counted towards the lockout like a wrong password. Returns the
    locked-out response, or None after adding the error (and a warning before the last attempt)."""
    audit_record(action="auth.two_factor_failed", obj=user, request=request)
    if lockout.second_factor_failed(request, user):
        return _locked_out(request, user)
    form.add_error(field, _refused_code_error(user, code, otherwise))
    if lockout.one_attempt_left(request, {"username": user.email}):
        form.add_error(field, lockout.last_attempt_warning())
    return None


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    step = services.second_factor_step(request)
    if step is None:
        return redirect(_continue_url(request))
    if step == services.ENROL:
        return redirect(f"{reverse('signin:enrol')}?{request.GET.urlencode()}")
    user = request.user
    if not lockout.second_factor_allowed(request, user):
        return _locked_out(request, user)
    form = CodeForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        method = services.second_factor_check(user, form.cleaned_data["code"])
        if method:
            request.session.cycle_key()  # a new session id for the fully signed-in session
            services.session_sign_in_complete(request.session)
            lockout.sign_in_succeeded(user)
            if method == "recovery":
                audit_record(action="auth.two_factor_recovery_code_used", obj=user, request=request,
                             detail={"codes_left": services.recovery_codes_left(user)})
                messages.warning(request, _("You signed in with a recovery code; it cannot be used again. "
                                            "You have %(count)s left: make new ones on the Two-factor "
                                            "sign-in page if you are running low.")
                                 % {"count": services.recovery_codes_left(user)})
            else:
                audit_record(action="auth.two_factor_verified", obj=user, request=request)
            return redirect(_continue_url(request))
        locked = _code_failed(request, user, form, "code", form.cleaned_data["code"], _(
            "That code is not right. Check the app shows this account and type the code it shows now, "
            "or use a recovery code."))
        if locked:
            return locked
    return render(request, "signin/verify.html", {"form": form, "next": next_url(request), "base": STEP_BASE})


def _locked_out(request, user):
    logout(request)
    return lockout.lockout_response(request, credentials={"username": user.email})


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up an authenticator app: scan (or type) the secret, confirm with a code, keep the
    recovery codes. Also replaces an app, once this session has passed the second factor, with a
    code from the current app (or a recovery code) as fresh proof."""
    user = request.user
    if services.second_factor_step(request) == services.VERIFY:
        # Someone with only the password must not add an app of their own.
        return redirect(f"{reverse('signin:verify')}?{request.GET.urlencode()}")
    replacing = services.has_two_factor(user)
    form = SetupCodeForm(submitted_data(request), replacing=replacing)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_enrol(user=user, session=request.session, code=form.cleaned_data["code"],
                                              proof=form.cleaned_data.get("proof"), request=request)
        except services.EnrolmentRefused as refused:
            if refused.reason == services.REFUSED_WRONG_PROOF:
                locked = _code_failed(request, user, form, "proof", form.cleaned_data.get("proof"), _(
                    "That code is not right. Type the code your current app shows now, or one of your "
                    "recovery codes."))
                if locked:
                    return locked
            elif refused.reason == services.REFUSED_FINISHED:
                form.add_error("code", _("This setup has already been confirmed or has expired. If you have "
                                         "just confirmed it, carry on; otherwise add the new key below to "
                                         "your app and type the code it shows."))
            else:
                form.add_error("code", _("That code is not right. Check the time on your phone is set "
                                         "automatically, then type the code the app shows now."))
        else:
            request.session.cycle_key()
            services.session_sign_in_complete(request.session)
            lockout.sign_in_succeeded(user)
            return _show_recovery_codes(request, codes, just_enrolled=True)
    device = services.enrolment_device(request)
    return render(request, "signin/enrol.html", {
        "form": form, "next": next_url(request), "qr_svg": services.qr_code_svg(device),
        "secret": services.secret_for_typing(device), "config_url": device.config_url,
        "required": services.two_factor_required(user), "replacing": replacing,
        "base": STEP_BASE if services.second_factor_step(request) else "base.html",
    })


def _show_recovery_codes(request, codes, just_enrolled=False):
    """POST/redirect/GET: the codes wait in the session for the next page, which shows them once.
    Refreshing that page (or going back to it) says they were shown, never re-sends the form."""
    request.session[RECOVERY_CODES_KEY] = {
        "codes": [services.recovery_code_display(code) for code in codes],
        "just_enrolled": just_enrolled, "continue_url": _continue_url(request),
    }
    return redirect(f"{reverse('signin:recovery_codes')}?{SHOWN_PARAMETER}=1")


def _recovery_codes_shown(request):
    # Shown once, in this response only: the page is never stored (no-store) nor shown again.
    shown = request.session.pop(RECOVERY_CODES_KEY, None)
    if shown is None:
        return render(request, "signin/recovery_codes_gone.html", {
            "enabled": services.has_two_factor(request.user)})
    return render(request, "signin/recovery_codes.html", shown)


@login_required
def two_factor_overview(request):
    user = request.user
    return render(request, "signin/two_factor.html", {
        "enabled": services.has_two_factor(user), "required": services.two_factor_required(user),
        "codes_left": services.recovery_codes_left(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_new(request):
    """New recovery codes, with a code from the app (or a recovery code) as fresh proof. After making
    them (here or on setting up an app), the redirect to ?shown=1 shows them once."""
    user = request.user
    if request.method == "GET" and SHOWN_PARAMETER in request.GET:
        return _recovery_codes_shown(request)
    if not services.has_two_factor(user):
        return redirect("signin:two_factor")
    form = ProofForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        if services.second_factor_check(user, form.cleaned_data["proof"]):
            return _show_recovery_codes(request, services.recovery_codes_replace(user, request=request))
        locked = _code_failed(request, user, form, "proof", form.cleaned_data["proof"], _(
            "That code is not right. Type the code your app shows now, or one of your recovery codes."))
        if locked:
            return locked
    return render(request, "signin/recovery_codes_confirm.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def turn_off(request):
    user = request.user
    if services.two_factor_required(user) or not services.has_two_factor(user):
        messages.error(request, _("Your role needs two-factor sign-in, so it cannot be turned off. "
                                  "You can set up a new phone instead.")
                       if services.two_factor_required(user) else _("Two-factor sign-in is already off."))
        return redirect("signin:two_factor")
    # Fresh proof, as for a new phone: an unattended signed-in screen is not enough to turn it off.
    form = ProofForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        if services.second_factor_check(user, form.cleaned_data["proof"]):
            services.two_factor_turn_off(user=user, request=request)
            messages.success(request, _("Two-factor sign-in is off. You sign in with your password only."))
            return redirect("signin:two_factor")
        locked = _code_failed(request, user, form, "proof", form.cleaned_data["proof"], _(
            "That code is not right. Type the code your app shows now, or one of your recovery codes."))
        if locked:
            return locked
    return render(request, "signin/turn_off_confirm.html", {"form": form})


# --- The administrator's Sign-in security page ---------------------------------------------

@role_required(roles.ADMINISTRATOR)
def security(request):
    people = (User.objects.filter(is_active=True).prefetch_related("groups")
              .order_by("last_name", "first_name", "email"))
    with_app = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    locked = lockout.locked_accounts()
    accounts_by_email = {user.email.lower(): user
                         for user in User.objects.filter(email__in=[row["username"] for row in locked])}
    return render(request, "signin/security.html", {
        "account_limit": settings.AXES_FAILURE_LIMIT, "address_limit": settings.AXES_ADDRESS_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "locked_accounts": [dict(row, account=accounts_by_email.get(row["username"])) for row in locked],
        "locked_addresses": lockout.locked_addresses(),
        "people": [{"person": person, "two_factor": person.pk in with_app,
                    "required": services.two_factor_required(person)} for person in people],
    })


@role_required(roles.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def unlock(request):
    form = UnlockForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise Http404
    account, address = None, form.cleaned_data["address"] or None
    if form.cleaned_data["account"]:
        account = User.objects.by_email(form.cleaned_data["account"]).first()
        if account is None:
            raise Http404
        address = None
    elif address is None:
        raise Http404
    if request.method == "POST":
        lockout.unlock(actor=request.user, request=request, account=account, address=address)
        messages.success(request, _("Unlocked: %(what)s can sign in again.") % {"what": account or address})
        return redirect("signin:security")
    return render(request, "signin/unlock_confirm.html", {"account": account, "address": address})


@role_required(roles.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def reset_two_factor(request, pk):
    person = staff_account_for_user(request.user, pk)
    if request.method == "POST":
        services.two_factor_reset_by_admin(person=person, actor=request.user, request=request)
        messages.success(request, _("Two-factor sign-in for %(name)s is reset. They set up their app again "
                                    "the next time they sign in.") % {"name": person})
        return redirect("signin:security")
    return render(request, "signin/reset_two_factor_confirm.html", {
        "person": person, "enabled": services.has_two_factor(person),
        "required": services.two_factor_required(person)})
