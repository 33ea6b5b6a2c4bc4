"""The policy register and each policy's page: details, versions with their documents, and
bringing a review forward (mounted at /policies/).

Everyone with a role reads the register; the online-safety lead, the headteacher and a policy's
owner change it (policies.access decides). Writes go through policies.services, which audits them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policies import access, documents, services
from policies.dates import milestone_label
from policies.forms import BringForwardForm, PolicyForm, RegisterFilterForm, VersionForm
from policies.models import Policy, ReviewReminder, ReviewState
from safety_portal.audit.services import audit_record
from safety_portal.forms import submitted_data
from safety_portal.school.forms import short_date

PAGE_SIZE = 50
NOT_SAVED = gettext_lazy("Nothing was saved: please correct the errors highlighted below.")
STATE_BADGES = {
    ReviewState.OVERDUE: "text-bg-danger",
    ReviewState.DUE_SOON: "text-bg-warning",
    ReviewState.NOT_RECORDED: "text-bg-secondary",
    ReviewState.CURRENT: "text-bg-success",
    ReviewState.NOT_IN_USE: "bg-light text-secondary border",
}


def _show_state(policy, state):
    """Give the template the state's words and badge colour."""
    policy.state = ReviewState(state)
    policy.state_badge = STATE_BADGES[policy.state]
    return policy


@login_required
def register(request):
    if not access.can_read_register(request.user):
        raise Http404
    form = RegisterFilterForm(request.GET)
    policies = form.filter(Policy.objects.by_urgency().select_related("owner"))
    page = Paginator(policies, PAGE_SIZE).get_page(request.GET.get("page"))
    for policy in page:
        _show_state(policy, policy.review_state)
    return render(request, "policies/register.html", {
        "form": form, "page_obj": page, "filtered": form.filtered,
        "can_add": access.can_edit_register(request.user),
        # The calendar holds the policies a person owns (editors: all), so only they are offered it.
        "offer_calendar": access.can_edit_register(request.user) or request.user.owned_policies.exists(),
    })


@login_required
def detail(request, pk):
    policy = access.policy_for_reader(request.user, pk)
    return render(request, "policies/detail.html", _detail_context(request, policy))


def _detail_context(request, policy):
    _show_state(policy, policy.review_state())
    current = policy.current_version
    scheduled = policy.scheduled_review_on()
    brought_forward = bool(policy.review_brought_forward_to and policy.next_review_on
                           and policy.next_review_on == policy.review_brought_forward_to
                           and (scheduled is None or policy.next_review_on < scheduled))
    can_edit = access.can_edit_policy(request.user, policy)
    context = {
        "policy": policy, "current": current, "scheduled": scheduled, "brought_forward": brought_forward,
        "can_edit": can_edit,
        "linked": policy.linked.order_by("title"),
        "versions": policy.versions.select_related("recorded_by").order_by("-approved_on", "-pk"),
        "reminders": [],
    }
    if policy.next_review_on:
        reminders = ReviewReminder.objects.filter(policy=policy, due_on=policy.next_review_on).order_by("sent_at")
        context["reminders"] = [(reminder, milestone_label(reminder.milestone)) for reminder in reminders]
    if current is not None:
        context["read_roles"] = current.read_role_labels()
        if can_edit and context["read_roles"]:
            asked = services.readers_asked(current)
            context["readers_asked"] = asked.count()
            context["readers_confirmed"] = asked.filter(services.has_read(current)).count()
    return context


def _policy_form_page(request, policy):
    """Add (policy.pk is None) or change a policy's details."""
    creating = policy.pk is None
    saved_title = policy.title  # the form writes what was typed onto the instance while it checks it
    form = PolicyForm(submitted_data(request), instance=policy)
    if request.method == "POST":
        if form.is_valid():
            try:
                if creating:
                    policy = services.policy_create(actor=request.user, linked=form.cleaned_data["linked"],
                                                    request=request, **form.policy_fields())
                else:
                    policy = services.policy_update(policy=policy, actor=request.user,
                                                    linked=form.cleaned_data["linked"], request=request,
                                                    **form.policy_fields())
            except IntegrityError:
                # Someone saved the same title a moment ago: clean_title could not have seen it.
                form.add_error("title", _("There is already a policy with this title. Open it from the register, "
                                          "or choose another title."))
            else:
                if creating:
                    messages.success(request, _("\"%(title)s\" is in the register. Record its approved version "
                                                "to start the review cycle.") % {"title": policy.title})
                else:
                    messages.success(request, _("\"%(title)s\" has been saved.") % {"title": policy.title})
                return redirect("policies:detail", policy.pk)
        messages.error(request, NOT_SAVED)
    return render(request, "policies/policy_form.html", {
        "form": form, "policy": policy, "creating": creating, "saved_title": saved_title,
    })


@login_required
def policy_new(request):
    if not access.can_edit_register(request.user):
        raise Http404
    return _policy_form_page(request, Policy())


@login_required
def policy_edit(request, pk):
    return _policy_form_page(request, access.policy_for_editor(request.user, pk))


@login_required
def version_new(request, pk):
    policy = access.policy_for_editor(request.user, pk)
    if request.method == "POST":
        form = VersionForm(request.POST, request.FILES, policy=policy)
        if form.is_valid():
            version = _version_record(request, policy, form)
            if version is not None:
                messages.success(request, _version_message(version))
                return redirect("policies:detail", policy.pk)
        messages.error(request, NOT_SAVED)
    else:
        form = VersionForm(policy=policy)
    return render(request, "policies/version_form.html", {"form": form, "policy": policy})


def _version_record(request, policy, form):
    """Store the document and record the version; on a refusal, explain it on the form and keep no file."""
    data = form.cleaned_data
    upload = data["document"]
    stored, sha256 = documents.document_store(upload, form.document_type)
    try:
        version = services.version_record(
            policy=policy, number=data["number"], change_summary=data["change_summary"],
            approved_on=data["approved_on"], approved_by=data["approved_by"], document=stored,
            document_name=upload.name, document_sha256=sha256, read_groups=form.read_groups(),
            actor=request.user, request=request)
    except services.VersionNumberNotNewer as refusal:
        form.add_error("number", _("The current version is %(current)s, so this one needs a higher number, for "
                                   "example %(next)s. If this is an earlier version for the history, give the date "
                                   "it was approved.") % {"current": refusal.args[0],
                                                          "next": policy.next_version_number()})
    except services.VersionNumberOutOfOrder as refusal:
        form.add_error("number", _("This version was approved before the current version %(current)s, so it "
                                   "needs a lower number.") % {"current": refusal.args[0]})
    except IntegrityError:
        # The same number recorded a moment ago by someone else.
        form.add_error("number", _("Version %(number)s is already in the revision log.") % {"number": data["number"]})
    except BaseException:
        default_storage.delete(stored)  # nothing was recorded, so no file is kept either
        raise
    else:
        return version
    default_storage.delete(stored)
    return None


def _version_message(version):
    policy = version.policy
    if policy.current_version_id != version.pk:
        return _("Version %(number)s is in the revision log as an earlier version. Version %(current)s stays "
                 "current.") % {"number": version.number, "current": policy.current_version.number}
    return _("Version %(number)s is now the current version. The next review is due on %(date)s.") % {
        "number": version.number, "date": short_date(policy.next_review_on)}


@login_required
def bring_forward(request, pk):
    policy = access.policy_for_editor(request.user, pk)
    form = BringForwardForm(submitted_data(request), policy=policy)
    if request.method == "POST":
        if form.is_valid():
            try:
                policy = services.review_bring_forward(policy=policy, to=form.cleaned_data["to"],
                                                       reason=form.cleaned_data["reason"], actor=request.user,
                                                       request=request)
            except services.NothingToBringForward as refusal:
                # Someone recorded a version meanwhile: the date allowed has moved.
                form.add_error("to", _("Choose a date on or before %(date)s.") % {"date": short_date(refusal.args[0])})
            else:
                messages.success(request, _("The review of \"%(title)s\" is now due on %(date)s.") % {
                    "title": policy.title, "date": short_date(policy.next_review_on)})
                return redirect("policies:detail", policy.pk)
        messages.error(request, NOT_SAVED)
    return render(request, "policies/bring_forward.html", {"form": form, "policy": policy,
                                                            "scheduled": form.scheduled})


@login_required
def document(request, pk):
    """A version's document, for everyone who reads the register, checked again before it leaves."""
    version = access.version_for_reader(request.user, pk)
    response = documents.document_response(version, cache_control="private, no-store")
    audit_record(action="policies.document.downloaded", obj=version, request=request,
                 detail={"policy": version.policy_id})
    return response
