"""Plain-English names for audit actions and record types, for the audit trail page.

Each app adds its own actions here as it records them; an action without a label is
shown by its code, so nothing is ever hidden.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safety_portal.school import roles

ACTION_LABELS = {
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.password_changed": _("Changed their password"),
    "auth.password_reset_requested": _("Asked for a password reset"),
    "auth.password_reset": _("Set a password from a reset link"),
    "auth.two_factor_enrolled": _("Set up two-factor sign-in"),
    "auth.two_factor_verified": _("Entered a two-factor code"),
    "auth.two_factor_failed": _("Wrong two-factor code"),
    "auth.two_factor_recovery_code_used": _("Signed in with a recovery code"),
    "auth.two_factor_recovery_codes_replaced": _("Made new recovery codes"),
    "auth.two_factor_turned_off": _("Turned off two-factor sign-in"),
    "auth.two_factor_reset_by_admin": _("Two-factor sign-in reset by an administrator"),
    "auth.locked_out": _("Sign-in refused: paused after repeated failures"),
    "auth.unlocked": _("Sign-in unlocked by an administrator"),
    "demo.loaded": _("Demo data loaded"),
    "school.profile.updated": _("School profile changed"),
    "school.local_contact.updated": _("Local contact changed"),
    "school.term.created": _("Term added"),
    "school.term.updated": _("Term dates changed"),
    "school.term.deleted": _("Term deleted"),
    "school.user.created": _("Account created"),
    "school.user.updated": _("Account changed"),
    "school.user.roles_changed": _("Roles changed"),
    "school.user.password_link_sent": _("Set-password link emailed"),
    "school.pupil.viewed": _("Pupil record opened"),
    "school.pupil.created": _("Pupil added"),
    "school.pupil.updated": _("Pupil details changed"),
    "school.pupil.left": _("Pupil marked as left"),
    "school.guardian.created": _("Parent or carer added"),
    "school.guardian.updated": _("Parent or carer changed"),
    "school.guardian_link.created": _("Parent or carer linked to a pupil"),
    "school.guardian_link.updated": _("Parent or carer link changed"),
    "school.guardian_link.removed": _("Parent or carer link removed"),
    "school.mis_import.uploaded": _("MIS file uploaded"),
    "school.mis_import.committed": _("MIS file imported"),
    "school.mis_import.discarded": _("MIS file discarded"),
    "school.mis_import.expired": _("MIS file discarded automatically (not imported within 24 hours)"),
    "incidents.incident.viewed": _("Incident case opened"),
    "incidents.incident.triaged": _("Incident triaged"),
    "incidents.step.updated": _("Procedure step updated"),
    "incidents.chronology.added": _("Chronology entry added"),
    "incidents.chronology.corrected": _("Chronology entry corrected"),
    "incidents.referral.recorded": _("Referral decision recorded"),
    "incidents.parents.recorded": _("Parents informed (or not) recorded"),
    "incidents.imagery.viewed_recorded": _("Viewing of imagery recorded"),
    "incidents.attachment.uploaded": _("File attached to an incident"),
    "incidents.attachment.downloaded": _("Incident file downloaded"),
    "incidents.incident.closed": _("Incident closed"),
    "incidents.incident.reopened": _("Incident reopened"),
    "incidents.incident.reported": _("Online-safety concern reported"),
    "incidents.incident.acknowledged": _("Urgent concern acknowledged"),
    "incidents.export": _("Incidents exported as CSV"),
    "agreements.version.drafted": _("Agreement draft started"),
    "agreements.version.edited": _("Agreement draft edited"),
    "agreements.version.discarded": _("Agreement draft discarded"),
    "agreements.version.published": _("Agreement version published"),
    "agreements.named_signers.changed": _("Social media signers changed"),
    "agreements.note.changed": _("Visitor after-signing note changed"),
    "agreements.signature.recorded": _("Agreement signed"),
    "agreements.signature.viewed": _("Signature evidence opened"),
    "agreements.certificate.downloaded": _("Signature certificate downloaded"),
    "agreements.paper_scan.downloaded": _("Paper agreement scan downloaded"),
    "agreements.visitor.signed_in": _("Visitor signed in at the kiosk"),
    "agreements.visitors.exported": _("Visitor log exported as CSV"),
    "agreements.compliance.exported": _("Agreement record exported as CSV"),
    "agreements.pack.sent": _("Signing pack sent to parents"),
    "agreements.link.resent": _("Parent signing link sent again"),
    "agreements.link.revoked": _("Parent signing link withdrawn"),
    "agreements.link.reminded": _("Parent reminded to sign"),
    "agreements.class_session.started": _("Class signing session started"),
    "agreements.class_session.ended": _("Class signing session ended"),
    "agreements.kiosk_session.started": _("Reception kiosk started"),
    "agreements.kiosk_session.ended": _("Reception kiosk ended"),
    "consent.decision.recorded": _("Photo-consent decision recorded"),
    "consent.pupil.viewed": _("Pupil's photo consent opened"),
    "consent.list.downloaded": _("Do-not-photograph list downloaded"),
    "consent.coverage.exported": _("Photo-consent coverage exported as CSV"),
    "consent.settings.changed": _("Photo-consent rule changed"),
    "consent.purpose.created": _("Photo-consent purpose added"),
    "consent.purpose.changed": _("Photo-consent purpose changed"),
    "consent.leaver_images.reviewed": _("Leaver's images reviewed and deleted"),
    "policies.policy.created": _("Policy added to the register"),
    "policies.policy.changed": _("Policy details changed"),
    "policies.version.recorded": _("Policy version recorded"),
    "policies.review.brought_forward": _("Policy review brought forward"),
    "policies.review.reminded": _("Policy review reminder emailed"),
    "policies.document.downloaded": _("Policy document downloaded"),
    "policies.read.confirmed": _("Policy read and confirmed"),
    "policies.read.reminded": _("Staff reminded to read a policy"),
    "policies.calendar.created": _("Policy review calendar address made"),
    "policies.calendar.revoked": _("Policy review calendar address switched off"),
    "policies.training.recorded": _("Training session recorded"),
    "policies.training.changed": _("Training session changed"),
    "policies.training.deleted": _("Training session deleted"),
    "policies.training.exported": _("Training record exported as CSV"),
    "reports.report.requested": _("Governor report requested"),
    "reports.report.generated": _("Governor report prepared"),
    "reports.report.failed": _("Governor report could not be prepared"),
    "reports.report.finalised": _("Governor report finalised"),
    "reports.report.superseded": _("Governor report superseded"),
    "reports.report.downloaded": _("Governor report downloaded"),
    "privacy.retention.changed": _("Retention periods changed"),
    "privacy.record.disposed": _("Record disposed of at the end of its retention period"),
    "privacy.subject_access_exported": _("Subject access export downloaded"),
}

# Record types: label, the URL name of the page showing one (taking the id), and the roles
# that may open that page (the link is shown only to them).
OBJECT_TYPES = {
    "school.user": (_("Account"), "school:staff_edit", roles.STAFF_ACCOUNTS),
    "school.pupil": (_("Pupil"), "school:pupil", roles.PUPIL_DETAILS),
    "school.guardian": (_("Parent or carer"), "", set()),
    "school.pupilguardian": (_("Parent or carer link"), "", set()),
    "school.term": (_("Term"), "school:term_edit", {roles.ADMINISTRATOR}),
    "school.schoolprofile": (_("School profile"), "", set()),
    "school.localcontact": (_("Local contact"), "", set()),
    "school.misimport": (_("MIS import"), "mis_import:preview", {roles.ADMINISTRATOR}),
    "incidents.incident": (_("Incident"), "incidents:detail", {roles.DSL, roles.HEADTEACHER}),
    "agreements.agreement": (_("Agreement"), "", set()),
    "agreements.agreementversion": (_("Agreement version"), "", set()),
    "agreements.signature": (_("Signature"), "agreements:signature",
                             {roles.ONLINE_SAFETY_LEAD, roles.ADMINISTRATOR, roles.DSL, roles.HEADTEACHER}),
    "agreements.signingpack": (_("Signing pack"), "agreements:pack", {roles.ADMINISTRATOR}),
    "agreements.signinglink": (_("Parent signing link"), "", set()),
    "agreements.devicesession": (_("Signing session"), "", set()),
    "agreements.visitor": (_("Visitor"), "", set()),
    "consent.consentdecision": (_("Photo-consent decision"), "", set()),
    "consent.consentpurpose": (_("Photo-consent purpose"), "", set()),
    "consent.consentsettings": (_("Photo-consent rule"), "", set()),
    "policies.policy": (_("Policy"), "policies:detail", set(roles.ALL)),
    "policies.policyversion": (_("Policy version"), "", set()),
    "reports.report": (_("Governor report"), "reports:detail", {roles.DSL, roles.HEADTEACHER}),
    "privacy.retentionsettings": (_("Retention periods"), "", set()),
    "privacy.disposal": (_("Destruction log entry"), "", set()),
    "privacy.subject_access": (_("Subject access request for pupil"), "school:pupil", roles.PUPIL_DETAILS),
    "policies.trainingsession": (_("Training session"), "policies:training_session",
                                 {roles.ONLINE_SAFETY_LEAD, roles.HEADTEACHER, roles.ADMINISTRATOR, roles.DSL}),
}

DETAIL_LABELS = {
    "fields": _("fields changed"),
    "added": _("roles added"),
    "removed": _("roles removed"),
    "roles": _("roles now"),
    "active": _("account active"),
    "created": _("first saved"),
    "unknown_account": _("no account has that address"),
    "via": _("how"),
    "kind": _("kind"),
    "term": _("term"),
    "academic_year": _("academic year"),
    "start_date": _("first day"),
    "end_date": _("last day"),
    "before": _("before"),
    "after": _("after"),
    "audience": _("audience"),
    "number": _("version"),
    "version": _("version"),
    "hash": _("text fingerprint"),
    "everyone_signs_again": _("everyone signs again"),
    "method": _("how signed"),
    "pupils": _("pupils"),
    "links": _("links"),
    "guardians": _("parents and carers"),
    "unreached": _("pupils with no one to email"),
    "reminder": _("reminder number"),
    "group": _("class or year"),
    "count": _("count"),
    "rows": _("rows"),
    "purpose": _("purpose"),
    "answer": _("answer"),
    "every_guardian_must_agree": _("every parent must agree"),
    "filters": _("filters"),
    "current": _("now the current version"),
    "read_roles": _("asked to confirm reading"),
    "next_review_on": _("next review"),
    "to": _("brought forward to"),
    "scheduled": _("scheduled review"),
    "emailed": _("people emailed"),
    "attendees": _("attendees"),
    "held_on": _("date held"),
    "milestone": _("reminder"),
    "replaces": _("replaces report"),
    "by_report": _("replaced by report"),
    "sha256": _("PDF fingerprint (SHA-256)"),
    "stage": _("stage that failed"),
    "state": _("state"),
    "due_on": _("review date"),
    "periods": _("retention periods"),
    "record_id": _("record number"),
    "reference": _("reference"),
    "rule": _("rule"),
    "reason": _("reason"),
    "format": _("format"),
    "incidents": _("incidents"),
    "complete": _("complete (headteacher)"),
}


def action_label(action):
    return ACTION_LABELS.get(action, action)


def object_reference(object_type, object_id, viewer):
    """(label, url or "") for an event's record; a link only where the viewer may follow it."""
    if not object_type:
        return "", ""
    label, url_name, may_open = OBJECT_TYPES.get(object_type, (object_type, "", set()))
    url = ""
    if url_name and object_id.isdigit() and viewer.has_role(*may_open):
        url = reverse(url_name, args=[object_id])
    return (f"{label} #{object_id}" if object_id else str(label)), url


def _readable(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{DETAIL_LABELS.get(k, k)}: {_readable(v)}" for k, v in value.items())
    return value


def detail_summary(detail):
    """The event's detail as short "label: value" lines (detail never holds personal values)."""
    return [f"{DETAIL_LABELS.get(key, key.replace('_', ' '))}: {_readable(value)}"
            for key, value in (detail or {}).items()]
