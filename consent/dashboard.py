"""Photo consent on the home page, registered with the school's dashboard.

Those who change consent (the office, the online-safety lead, the DSL, the headteacher) see how
many pupils are on the "do not photograph" list and why; the office and the online-safety lead
also see the leavers whose images to delete. Governors see whole-school percentages only.
Either panel costs the same few queries however many pupils and decisions there are: the
states come from consent.effective.answer_states, one query with the rule in SQL.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consent.access import can_edit_consent, can_edit_settings
from consent.effective import AWAITING, NO, YES, answer_states
from consent.models import ConsentPurpose, LeaverImageReview
from safety_portal.school import roles
from safety_portal.school.dashboard import Panel, Row
from safety_portal.school.models import Pupil

EDITORS_POSITION, GOVERNORS_POSITION = 32, 52


def _states():
    """(purposes, [each pupil on roll's states, in purpose order])."""
    purposes = list(ConsentPurpose.objects.filter(active=True))
    if not purposes:
        return purposes, []
    # Counts only: who decided and when is not shown here.
    pupils = Pupil.objects.on_roll()
    states = answer_states(pupils, purposes)
    return purposes, [[states.get((pupil_id, purpose.pk), AWAITING) for purpose in purposes]
                      for pupil_id in pupils.order_by().values_list("pk", flat=True)]


def _editors_panel(user):
    panel = Panel("consent", _("Photo consent"),
                  _("How many pupils must not be photographed, and the answers still awaited from parents, "
                    "will appear here once the school asks about photo consent."))
    _purposes, states = _states()
    if states:  # pupils on roll and purposes in use
        not_yes = sum(1 for pupil in states if any(state != YES for state in pupil))
        refused = sum(1 for pupil in states if NO in pupil)
        awaiting = sum(1 for pupil in states if AWAITING in pupil)
        panel.rows += [
            Row(_("Pupils not to photograph for at least one purpose"), not_yes,
                reverse("consent:do_not_photograph")),
            Row(_("Pupils with a \"no\" from a parent"), refused),
            Row(_("Pupils with answers still awaited"), awaiting),
            Row(_("Coverage by purpose and class"), "", reverse("consent:coverage")),
        ]
    if can_edit_settings(user):
        waiting = LeaverImageReview.objects.filter(reviewed_at__isnull=True).count()
        if waiting or panel.rows:
            panel.rows.append(Row(_("Leavers whose images need deleting"), waiting, reverse("consent:leavers")))
    return panel


def _governors_panel():
    panel = Panel("consent_coverage", _("Photo consent"),
                  _("The share of pupils whose parents have agreed to each use of photographs will appear here."))
    purposes, states = _states()
    if not states:  # no pupils on roll or no purposes in use
        return panel
    for index, purpose in enumerate(purposes):
        yes = sum(1 for pupil in states if pupil[index] == YES)
        panel.rows.append(Row(purpose.name, _("%(percent)d%% yes") % {
            "percent": round(100 * yes / len(states))}))
    panel.rows.append(Row(_("Coverage by purpose and class"), "", reverse("consent:coverage")))
    return panel


def consent_panels(user):
    """(position, panel) pairs for this person's home page."""
    if can_edit_consent(user):
        return [(EDITORS_POSITION, _editors_panel(user))]
    if user.has_role(roles.GOVERNOR):
        return [(GOVERNORS_POSITION, _governors_panel())]
    return []
