"""The agreements' panels on the home page, registered with the school's dashboard.

Each panel runs a fixed number of queries however many pupils, packs and signatures there are.
"""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements import compliance
from agreements.access import can_read_compliance, can_run_office
from agreements.models import Audience, SigningLink, SigningPack
from agreements.outstanding import agreements_to_sign
from safety_portal.school.dashboard import Panel, Row

LATEST_PACKS = 3


def _packs_panel(parent_summary):
    panel = Panel("signing", _("Signing packs"),
                  _("Packs of signing links you send to parents will appear here, with how many children "
                    "have been signed for."))
    if parent_summary.is_published:
        packs = list(SigningPack.objects.order_by("-created_at", "-pk").only("pk", "title")[:LATEST_PACKS])
        signed = compliance.has_signed(parent_summary.agreement, "pupil_id")
        counts = {row["pack_id"]: row for row in (
            SigningLink.objects.filter(pack__in=[pack.pk for pack in packs]).order_by().values("pack_id")
            .annotate(children=Count("pupil_id", distinct=True),
                      signed=Count("pupil_id", distinct=True, filter=signed)))}
        for pack in packs:
            row = counts.get(pack.pk, {"children": 0, "signed": 0})
            panel.rows.append(Row(pack.title, _("%(signed)d of %(children)d children signed") % row,
                                  reverse("agreements:pack", args=[pack.pk])))
        if parent_summary.total:
            panel.rows.append(Row(_("Children with no parent signature yet"), parent_summary.outstanding,
                                  reverse("agreements:compliance_audience", args=[Audience.PARENT])
                                  + "?status=outstanding"))
        panel.rows.append(Row(_("Send a pack to parents"), "", reverse("agreements:pack_new")))
    return panel


def _compliance_panel(summaries):
    panel = Panel("aup_compliance", _("Acceptable-use agreements"),
                  _("Who has signed the current agreement for each audience, and who is outstanding, "
                    "will appear here."))
    if not any(summary.is_published for summary in summaries):
        return panel
    for summary in summaries:
        url = reverse("agreements:compliance_audience", args=[summary.audience.value])
        if not summary.is_published:
            value = _("not published yet")
        elif not summary.has_roll:
            value = _("%(count)d this month") % {"count": summary.visits_this_month}
        elif summary.percent is None:
            value = _("no one to sign")
        else:
            # Counts first: for a small group "2 of 7" says more than a percentage.
            value = _("%(signed)d of %(total)d (%(percent)d%%)") % {
                "signed": summary.signed, "total": summary.total, "percent": summary.percent}
        panel.rows.append(Row(summary.audience.label, value, url))
    panel.rows.append(Row(_("Who has signed: the full record"), "", reverse("agreements:compliance")))
    return panel


def _to_sign_panel(user):
    panel = Panel("to_sign", _("To read and sign"),
                  _("Agreements waiting for your signature will appear here; policies to read get a panel of "
                    "their own."))
    for agreement in agreements_to_sign(user):
        panel.rows.append(Row(agreement.current_version.title, _("to sign"),
                              reverse("agreements:sign", args=[agreement.audience])))
    return panel


def agreement_panels(user):
    """(position, panel) pairs for this person's home page."""
    panels = []
    office, reader = can_run_office(user), can_read_compliance(user)
    if office or reader:
        # Both panels draw on the same counts: they are taken once.
        summaries = compliance.audience_summaries()
    if office:
        panels.append((21, _packs_panel(next(s for s in summaries if s.audience == Audience.PARENT))))
    if reader:
        panels.append((30, _compliance_panel(summaries)))
    panels.append((90, _to_sign_panel(user)))
    return panels
