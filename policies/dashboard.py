"""The policy register on the home page, registered with the school's dashboard.

- The online-safety lead and the headteacher (who keep the register) see what is overdue, due
  within 30 days or has no approved version, the most urgent few by name, and how many people
  are due refresher training.
- Governors see the register's standing in numbers.
- Anyone asked to confirm they have read a policy sees it until they do.

Each panel costs the same few queries however many policies, versions and people there are.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies import access, services
from policies.models import Policy, ReviewState
from policies.training import due_filter, people_with_training
from safety_portal.school import roles
from safety_portal.school.dashboard import Panel, Row
from safety_portal.school.forms import short_date

EDITORS_POSITION, GOVERNORS_POSITION, TO_READ_POSITION = 31, 51, 91
MOST_URGENT = 5


def _state_counts(today):
    """{review state: number of policies} for the policies in use, in one query."""
    counts = Policy.objects.in_use().with_review_state(today).aggregate(
        **{state.value: Count("pk", filter=Q(review_state=state.value))
           for state in ReviewState if state != ReviewState.NOT_IN_USE})
    return {ReviewState(state): count for state, count in counts.items()}


def _register_url(state=None):
    url = reverse("policies:register")
    return f"{url}?state={state.value}" if state else url


def _editors_panel(today):
    panel = Panel("policy_reviews", _("Policy reviews due"),
                  _("No policy is overdue or due for review in the next 30 days, and everyone's safeguarding "
                    "training is up to date. Reviews coming up will appear here."))
    counts = _state_counts(today)
    for state, label in ((ReviewState.OVERDUE, _("Overdue for review")),
                         (ReviewState.DUE_SOON, _("Due within 30 days")),
                         (ReviewState.NOT_RECORDED, _("No approved version recorded"))):
        if counts[state]:
            panel.rows.append(Row(label, counts[state], _register_url(state)))
    if counts[ReviewState.OVERDUE] or counts[ReviewState.DUE_SOON]:
        urgent = (Policy.objects.in_use().by_urgency(today)
                  .filter(review_state__in=[ReviewState.OVERDUE, ReviewState.DUE_SOON])
                  .only("pk", "title", "next_review_on")[:MOST_URGENT])
        for policy in urgent:
            when = short_date(policy.next_review_on)
            value = (_("overdue since %(date)s") if policy.review_state == ReviewState.OVERDUE
                     else _("due %(date)s")) % {"date": when}
            panel.rows.append(Row(policy.title, value, reverse("policies:detail", args=[policy.pk])))
    training_due = people_with_training(today).filter(due_filter(today)).count()
    if training_due:
        panel.rows.append(Row(_("Training: people due a refresher or never trained"), training_due,
                              reverse("policies:training_people") + "?show=due"))
    if panel.rows:
        panel.rows.append(Row(_("The full policy register"), "", _register_url()))
    return panel


def _governors_panel(today):
    panel = Panel("governor_policies", _("Policy register"),
                  _("The school's policies and their next review dates will appear here."))
    counts = _state_counts(today)
    in_use = sum(counts.values())
    if not in_use:
        return panel
    panel.rows += [
        Row(_("Policies in use"), in_use, _register_url()),
        Row(_("Current"), counts[ReviewState.CURRENT], _register_url(ReviewState.CURRENT)),
        Row(_("Due for review within 30 days"), counts[ReviewState.DUE_SOON], _register_url(ReviewState.DUE_SOON)),
        Row(_("Overdue for review"), counts[ReviewState.OVERDUE], _register_url(ReviewState.OVERDUE)),
    ]
    if counts[ReviewState.NOT_RECORDED]:
        panel.rows.append(Row(_("No approved version recorded"), counts[ReviewState.NOT_RECORDED],
                              _register_url(ReviewState.NOT_RECORDED)))
    return panel


def _to_read_panel(user):
    """The versions this person is asked to confirm they have read, or None when there are none."""
    versions = list(services.versions_to_read(user))
    if not versions:
        return None  # the agreements' "To read and sign" panel already says policies appear there
    panel = Panel("policies_to_read", _("Policies to read"), "")
    for version in versions:
        panel.rows.append(Row(version.policy.title, _("version %(number)s: confirm you have read it") % {
            "number": version.number}, reverse("policies:read", args=[version.pk])))
    return panel


def policy_panels(user):
    """(position, panel) pairs for this person's home page."""
    today = timezone.localdate()
    panels = []
    if access.can_edit_register(user):
        panels.append((EDITORS_POSITION, _editors_panel(today)))
    if user.has_role(roles.GOVERNOR):
        panels.append((GOVERNORS_POSITION, _governors_panel(today)))
    to_read = _to_read_panel(user)
    if to_read is not None:
        panels.append((TO_READ_POSITION, to_read))
    return panels
