"""Photo consent on the home page, registered with the school's dashboard.

Those who change consent (the office, the online-safety lead, the DSL, the headteacher) see how
many pupils are on the "do not photograph" list and why; the office and the online-safety lead
also see the leavers whose images to delete. Governors see whole-school percentages only.
Either panel costs the same few queries however many pupils and decisions there are: the
answers come from consent.effective in one pass.
"""

from collections import Counter

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consent.access import can_edit_consent, can_edit_settings
from consent.effective import AWAITING, NO, effective_answers
from consent.models import ConsentPurpose, LeaverImageReview
from safety_portal.school import roles
from safety_portal.school.dashboard import Panel, Row
from safety_portal.school.models import Pupil

EDITORS_POSITION, GOVERNORS_POSITION = 32, 52


def _answers():
    purposes = list(ConsentPurpose.objects.filter(active=True))
    # Counts only: who decided and when is not shown here.
    return purposes, (effective_answers(Pupil.objects.on_roll(), purposes, details=False) if purposes else {})


def _editors_panel(user):
    panel = Panel("consent", _("Photo consent"),
                  _("How many pupils must not be photographed, and the answers still awaited from parents, "
                    "will appear here once the school asks about photo consent."))
    _purposes, answers = _answers()
    if answers:  # pupils on roll and purposes in use
        not_yes = {pupil_id for (pupil_id, _purpose), answer in answers.items() if not answer.is_yes}
        refused = {pupil_id for (pupil_id, _purpose), answer in answers.items() if answer.state == NO}
        awaiting = {pupil_id for (pupil_id, _purpose), answer in answers.items() if answer.state == AWAITING}
        panel.rows += [
            Row(_("Pupils not to photograph for at least one purpose"), len(not_yes),
                reverse("consent:do_not_photograph")),
            Row(_("Pupils with a \"no\" from a parent"), len(refused)),
            Row(_("Pupils with answers still awaited"), len(awaiting)),
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
    purposes, answers = _answers()
    pupils = len({pupil_id for pupil_id, _purpose in answers})
    if not (purposes and pupils):
        return panel
    yes = Counter(purpose_id for (_pupil, purpose_id), answer in answers.items() if answer.is_yes)
    for purpose in purposes:
        panel.rows.append(Row(purpose.name, _("%(percent)d%% yes") % {
            "percent": round(100 * yes[purpose.pk] / pupils)}))
    panel.rows.append(Row(_("Coverage by purpose and class"), "", reverse("consent:coverage")))
    return panel


def consent_panels(user):
    """(position, panel) pairs for this person's home page."""
    if can_edit_consent(user):
        return [(EDITORS_POSITION, _editors_panel(user))]
    if user.has_role(roles.GOVERNOR):
        return [(GOVERNORS_POSITION, _governors_panel())]
    return []
