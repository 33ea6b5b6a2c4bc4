"""The training log (mounted at /policies/training/): the sessions held and who attended, and each
person's standing for the yearly safeguarding refresher, with its CSV export.

The online-safety lead, the headteacher and the office record sessions; the DSL reads the log too.
Everyone else gets 404, as if the pages did not exist. Writes go through policies.services, which
audits each one.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policies import services, training
from policies.access import (
    can_edit_training,
    can_read_training,
    training_session_for_editor,
    training_session_for_reader,
)
from policies.forms_training import PeopleFilterForm, SessionFilterForm, TrainingSessionForm
from policies.models import TrainingSession
from safety_portal.audit.services import audit_record
from safety_portal.csv_export import csv_download
from safety_portal.forms import submitted_data
from safety_portal.school import roles
from safety_portal.school.models import User

PAGE_SIZE = 50
NOT_SAVED = gettext_lazy("Nothing was saved: please correct the errors highlighted below.")

STANDING_LABELS = {
    training.Standing.TRAINED: gettext_lazy("Trained"),
    training.Standing.DUE: gettext_lazy("Due"),
    training.Standing.NEVER: gettext_lazy("Never trained"),
}


def _require(allowed):
    # Outsiders get 404, not 403, like every other page of the policy register.
    if not allowed:
        raise Http404


# --- Sessions -------------------------------------------------------------------------------


@login_required
def sessions(request):
    _require(can_read_training(request.user))
    filters = SessionFilterForm(request.GET)
    found = (filters.filter(TrainingSession.objects.all())
             .annotate(attendee_count=Count("attendance")).order_by("-held_on", "-pk"))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policies/training_sessions.html", {
        "filters": filters, "page_obj": page, "can_edit": can_edit_training(request.user),
    })


def _session_form_page(request, session=None):
    form = TrainingSessionForm(submitted_data(request), session=session)
    if form.is_bound:
        if form.is_valid():
            if session is None:
                session = services.training_session_record(**form.session_fields(), actor=request.user,
                                                           request=request)
                messages.success(request, _("The session has been recorded."))
            else:
                session = services.training_session_update(session=session, **form.session_fields(),
                                                           actor=request.user, request=request)
                messages.success(request, _("The session has been saved."))
            return redirect("policies:training_session", pk=session.pk)
        messages.error(request, NOT_SAVED)
    return render(request, "policies/training_form.html", {"form": form, "session": session})


@login_required
def session_new(request):
    _require(can_edit_training(request.user))
    return _session_form_page(request)


@login_required  # outsiders get 404 from the access helper, so an id cannot be probed
def session_edit(request, pk):
    return _session_form_page(request, training_session_for_editor(request.user, pk))


@login_required
def session_detail(request, pk):
    session = training_session_for_reader(request.user, pk)
    attendees = (User.objects.filter(training_attendance__session=session).prefetch_related("groups")
                 .order_by("last_name", "first_name", "email", "pk"))
    return render(request, "policies/training_session.html", {
        "session": session, "attendees": attendees, "recorded_by": session.recorded_by,
        "can_edit": can_edit_training(request.user),
    })


@login_required
def session_delete(request, pk):
    session = training_session_for_editor(request.user, pk)
    if request.method == "POST":
        services.training_session_delete(session=session, actor=request.user, request=request)
        messages.success(request, _("The session “%(title)s” has been deleted.") % {"title": session.title})
        return redirect("policies:training")
    return render(request, "policies/training_delete.html", {
        "session": session, "attendee_count": session.attendance.count(),
    })


# --- People ---------------------------------------------------------------------------------


@dataclass
class PersonRow:
    person: User
    standing: str
    induction_outstanding: bool

    @property
    def standing_label(self):
        return STANDING_LABELS[self.standing]


@dataclass
class Tally:
    """Counts for one group of people (everyone, staff or governors)."""

    key: str
    label: str
    people: int = 0
    trained: int = 0
    due: int = 0
    never: int = 0
    induction: int = 0

    def add(self, standing, induction_outstanding):
        self.people += 1
        setattr(self, standing, getattr(self, standing) + 1)
        self.induction += induction_outstanding

    @property
    def trained_percent(self):
        return round(100 * self.trained / self.people) if self.people else None


def _people(today):
    is_governor = Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=roles.GOVERNOR))
    return training.people_with_training(today).annotate(is_governor=is_governor)


def _row(person, today):
    return PersonRow(person=person, standing=training.standing(person, today),
                     induction_outstanding=training.needs_induction(person, today))


def _summary(everyone, today):
    """{group: Tally} for staff, governors and everyone (a staff governor counts in both groups).

    One query for the whole school: a school has a couple of hundred staff and governors at most."""
    tallies = {"staff": Tally("staff", _("Staff")), "governors": Tally("governors", _("Governors")),
               "everyone": Tally("everyone", _("Everyone"))}
    for person in everyone.only("pk", "date_joined"):
        row = _row(person, today)
        groups = ["everyone"]
        if person.is_staff_member:
            groups.append("staff")
        if person.is_governor:
            groups.append("governors")
        for group in groups:
            tallies[group].add(row.standing, row.induction_outstanding)
    return tallies


@login_required
def people(request):
    _require(can_read_training(request.user))
    today = timezone.localdate()
    filters = PeopleFilterForm(request.GET)
    everyone = _people(today)
    found = filters.filter(everyone, today).prefetch_related("groups")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policies/training_people.html", {
        "filters": filters, "page_obj": page, "rows": [_row(person, today) for person in page],
        "summary_rows": _summary(everyone, today).values(), "cutoff": training.refresher_cutoff(today),
        "can_edit": can_edit_training(request.user),
    })


def _csv_date(day):
    return day.isoformat() if day else ""


@login_required
def people_csv(request):
    _require(can_read_training(request.user))
    today = timezone.localdate()
    filters = PeopleFilterForm(request.GET)
    if not filters.is_valid():
        # A filter that could not be read must not silently widen the export to everyone.
        messages.error(request, _("Nothing was exported: correct the filters shown below, then download again."))
        return redirect(f"{reverse('policies:training_people')}?{request.GET.urlencode()}")
    rows = [_row(person, today) for person in filters.filter(_people(today), today).prefetch_related("groups")]
    audit_record(action="policies.training.exported", request=request,
                 detail={"rows": len(rows), "filters": filters.summary()})
    header = [_("Name"), _("Email"), _("Roles"), _("Last safeguarding training"), _("Last training of any kind"),
              _("Standing"), _("Induction outstanding")]
    cells = [[row.person.get_full_name() or row.person.email, row.person.email,
              ", ".join(str(label) for label in row.person.held_role_labels),
              _csv_date(row.person.last_trained_on), _csv_date(row.person.last_any_on), row.standing_label,
              _("Yes") if row.induction_outstanding else _("No")] for row in rows]
    return csv_download(header=header, rows=cells, filename=f"training-{today:%Y-%m-%d}.csv")
