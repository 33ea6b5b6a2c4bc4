"""Changes to the school's set-up that touch several rows, each with its audit events.

Audit details name the fields that changed, never their personal values (role names and
term dates are not personal and are recorded).
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from safety_portal.audit.services import audit_record
from safety_portal.school import roles
from safety_portal.school.forms_accounts import OutboxPasswordResetForm
from safety_portal.school.models import SchoolProfile, Term, User

# Named people on the profile, for telling an administrator who still names a deactivated user.
PROFILE_PEOPLE = ["headteacher", "dsl", "online_safety_lead", "safeguarding_governor", "filtering_lead"]


def school_profile_update(*, form, contact_forms=(), actor, request=None):
    """Save the profile and its local contacts together. Returns the names of what changed."""
    changed = []
    with transaction.atomic():
        creating = form.instance._state.adding
        fields = list(form.changed_data)
        profile = form.save()
        if fields or creating:
            audit_record(action="school.profile.updated", actor=actor, obj=profile, request=request,
                         detail={"fields": fields, "created": creating})
            changed.append("profile")
        for contact_form in contact_forms:
            if not contact_form.has_changed():
                continue
            fields = list(contact_form.changed_data)
            contact = contact_form.save()
            audit_record(action="school.local_contact.updated", actor=actor, obj=contact, request=request,
                         detail={"kind": contact.kind, "fields": fields})
            changed.append(contact.kind)
    return changed


def term_year_create(*, academic_year, dates, actor, request=None):
    """Enter a whole academic year: `dates` maps autumn/spring/summer to (first day, last day)."""
    created = []
    with transaction.atomic():
        for name in (Term.Name.AUTUMN, Term.Name.SPRING, Term.Name.SUMMER):
            start, end = dates[name]
            term = Term(academic_year=academic_year, name=name, start_date=start, end_date=end)
            term.full_clean()  # the form checked already; this guards other callers and races
            term.save()
            audit_record(action="school.term.created", actor=actor, obj=term, request=request,
                         detail={"academic_year": academic_year, "term": name,
                                 "start_date": start.isoformat(), "end_date": end.isoformat()})
            created.append(term)
    return created


def term_update(*, form, actor, request=None):
    fields = list(form.changed_data)
    before = {name: form.initial[name].isoformat() for name in fields}
    with transaction.atomic():
        term = form.save()
        if fields:
            audit_record(action="school.term.updated", actor=actor, obj=term, request=request,
                         detail={"fields": fields, "before": before,
                                 "after": {name: getattr(term, name).isoformat() for name in fields}})
    return term


def term_delete(*, term, actor, request=None):
    """Remove a term entered by mistake. Its dates go into the audit trail, so it can be re-entered."""
    with transaction.atomic():
        audit_record(action="school.term.deleted", actor=actor, obj=term, request=request,
                     detail={"term": str(term), "start_date": term.start_date.isoformat(),
                             "end_date": term.end_date.isoformat()})
        term.delete()


def _school_has_headteacher():
    return User.objects.filter(is_active=True, groups__name=roles.HEADTEACHER).exists()


def account_change_errors(*, user, actor, role_names, is_active, email):
    """The rules for changing an account. Returns {field: message}.

    An administrator may not lock themselves out. Only the headteacher gives or takes
    away the Headteacher and DSL roles, deactivates or reactivates an account holding one
    (deactivating is taking the role away, and would reopen set-up), or changes such an
    account's email address (a password-reset link goes to it). While the school has no
    headteacher, during set-up, an administrator may.
    """
    errors = {}
    saved = User.objects.filter(pk=user.pk).first() if user.pk else None
    if saved and actor is not None and saved.pk == actor.pk:
        if roles.ADMINISTRATOR not in role_names:
            errors["roles"] = _("You cannot remove your own Administrator role. Ask another administrator to "
                                "do it, so the school is never left without one.")
        if not is_active:
            errors["is_active"] = _("You cannot deactivate your own account. Ask another administrator to do it.")
    if actor is None or actor.has_role(roles.HEADTEACHER) or not _school_has_headteacher():
        return errors
    held = set(saved.held_role_names) if saved else set()
    if held & roles.SAFEGUARDING and saved.is_active != is_active:
        errors.setdefault("is_active", _("This person holds the Headteacher or DSL role, so only the headteacher "
                                         "can deactivate or reactivate their account."))
    if (held ^ set(role_names)) & roles.SAFEGUARDING:
        errors.setdefault("roles", _("Only the headteacher can give or take away the Headteacher and DSL roles. "
                                     "Ask them to make this change."))
    if held & roles.SAFEGUARDING and email and email.strip().lower() != saved.email.lower():
        errors.setdefault("email", _("This person holds the Headteacher or DSL role, so only the headteacher can "
                                     "change their email address (password-reset links go to it)."))
    return errors


def _set_roles(user, role_names):
    """Replace the user's portal roles; any other groups they are in are left alone."""
    portal_groups = Group.objects.filter(name__in=roles.ALL)
    user.groups.remove(*[group for group in portal_groups if group.name not in role_names])
    user.groups.add(*[group for group in portal_groups if group.name in role_names])
    user.__dict__.pop("role_names", None)


def staff_user_create(*, form, actor, request=None):
    """Create a staff or governor account with no usable password.

    Nothing is emailed here: the administrator sends a set-password link from the account's
    page (staff_password_link_send), or the person uses "Forgotten your password?".
    """
    role_names = [name for name in roles.ALL if name in form.cleaned_data["roles"]]
    with transaction.atomic():
        user = form.save(commit=False)
        user.set_unusable_password()
        user.save()
        _set_roles(user, role_names)
        audit_record(action="school.user.created", actor=actor, obj=user, request=request,
                     detail={"roles": role_names, "active": user.is_active})
    return user


def first_admin_create(*, email, first_name="", last_name="", password=None):
    """An administrator made from the command line, before anyone can sign in."""
    email = email.strip().lower()
    role_names = [roles.ADMINISTRATOR, roles.STAFF]
    with transaction.atomic():
        if User.objects.by_email(email).exists():
            raise ValueError(f"An account for {email} already exists. Nothing was created.")
        user = User.objects.create_user(email=email, password=password, first_name=first_name,
                                        last_name=last_name, job_title="Administrator")
        _set_roles(user, role_names)
        audit_record(action="school.user.created", actor=None, obj=user,
                     detail={"roles": role_names, "active": True, "via": "create_admin command"})
    return user


def staff_user_update(*, form, actor, request=None):
    """Save a user's details and roles. Accounts are deactivated, never deleted."""
    user = form.instance
    new_roles = [name for name in roles.ALL if name in form.cleaned_data["roles"]]
    errors = account_change_errors(user=user, actor=actor, role_names=new_roles,
                                   is_active=form.cleaned_data["is_active"], email=form.cleaned_data["email"])
    if errors:
        raise ValidationError(errors)
    fields = [name for name in form.changed_data if name not in ("roles", "confirm_deactivation")]
    with transaction.atomic():
        old_roles = User.objects.get(pk=user.pk).held_role_names
        user = form.save()
        if fields:
            detail = {"fields": fields}
            if "is_active" in fields:
                detail["active"] = user.is_active
            audit_record(action="school.user.updated", actor=actor, obj=user, request=request, detail=detail)
        added = [name for name in new_roles if name not in old_roles]
        removed = [name for name in old_roles if name not in new_roles]
        if added or removed:
            _set_roles(user, new_roles)
            audit_record(action="school.user.roles_changed", actor=actor, obj=user, request=request,
                         detail={"added": added, "removed": removed, "roles": new_roles})
    return user


def profile_places_named(user):
    """Labels of the profile's named-people fields that name this user (for a warning on deactivation)."""
    profile = SchoolProfile.objects.filter(pk=1).first()
    if profile is None:
        return []
    places = [str(SchoolProfile._meta.get_field(name).verbose_name) for name in PROFILE_PEOPLE
              if getattr(profile, f"{name}_id") == user.pk]
    if profile.deputy_dsls.filter(pk=user.pk).exists():
        places.append(str(SchoolProfile._meta.get_field("deputy_dsls").verbose_name))
    return places


def staff_password_link_send(*, user, actor, request=None):
    """Email an account's owner a one-time link to set their password (through the outbox)."""
    with transaction.atomic():
        form = OutboxPasswordResetForm(data={"email": user.email})
        form.is_valid()
        form.save(request=request, extra_email_context={"site_url": settings.SITE_URL})
        audit_record(action="school.user.password_link_sent", actor=actor, obj=user, request=request)
