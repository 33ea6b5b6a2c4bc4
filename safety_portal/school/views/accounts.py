from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse

from safety_portal.audit.services import account_for_address, audit_record
from safety_portal.school import extensions
from safety_portal.school.forms_accounts import OutboxPasswordResetForm, SignInForm
from safety_portal.signin import lockout
from safety_portal.signin import services as signin


class PasswordChange(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action="auth.password_changed", obj=self.request.user, request=self.request)
        return response


class PasswordReset(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    extra_email_context = {"site_url": settings.SITE_URL}

    def form_valid(self, form):
        # Recorded whether or not the address exists (the page never says which),
        # without keeping an address that matches no account.
        account = account_for_address(form.cleaned_data["email"])
        audit_record(action="auth.password_reset_requested", obj=account, request=self.request,
                     detail={} if account else {"unknown_account": True})
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action="auth.password_reset", actor=form.user, obj=form.user,
                     request=self.request)
        return response


class SignIn(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # Every password sign-in owes its own second factor, even in a session that had one.
        self.request.session.pop(signin.SECOND_FACTOR_KEY, None)
        response = super().form_valid(form)
        if signin.second_factor_step(self.request) is None:
            signin.session_sign_in_complete(self.request.session)
            lockout.sign_in_succeeded(form.get_user())
        return response

    def form_invalid(self, form):
        # Failures are counted (by axes) while the form is checked. Before the last one, say so:
        # for an address with no account too (counted alike), so this shows no account exists.
        if form.data.get("username") and lockout.one_attempt_left(self.request):
            form.add_error(None, lockout.last_attempt_warning())
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["idle_signed_out"] = self.request.session.pop(signin.IDLE_SIGNED_OUT_KEY, False)
        return context

    def get_success_url(self):
        """Where they were going, unless an app needs them first (an agreement to sign); the
        code page (or setting up the app) comes before either."""
        next_url = super().get_success_url()
        for first_stop in extensions.after_login_redirects:
            url = first_stop(self.request.user, next_url)
            if url:
                next_url = url
                break
        step = signin.second_factor_step(self.request)
        if step is not None:
            code_page = reverse("signin:verify" if step == signin.VERIFY else "signin:enrol")
            return f"{code_page}?{urlencode({'next': next_url})}"
        return next_url


class SignOut(auth_views.LogoutView):
    """Signing out is a POST; a bookmarked or typed address gets a page with the button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logged_out_confirm.html")
