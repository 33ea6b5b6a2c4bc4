"""Everything the portal holds about one pupil, for a subject access request.

One structure feeds both the JSON and the PDF, so they always say the same. Incidents come through
the incidents access rule: the headteacher's export is complete; anyone else's leaves out the
allegations against staff their account cannot open, and the export says that such records may exist
(never whether they do), so the DSL knows to ask the headteacher before answering the request.
Attachments are listed by name only. Other pupils named on an incident are not named here: a subject
access answer must not disclose other children's data.
"""

from django.db.models import Prefetch
from django.utils import timezone

from agreements.models import Signature, SigningLink
from consent.models import ConsentDecision, LeaverImageReview
from incidents.access import incidents_for_user
from incidents.models import IncidentPupil
from safety_portal.school import roles


def _person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.email


def _when(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def _day(day):
    return day.isoformat() if day else None


def _incident(incident, pupil_id):
    own_link = next((link for link in incident.pupil_links.all() if link.pupil_id == pupil_id), None)
    return {
        "reference": incident.reference,
        "status": incident.get_status_display(),
        "type": incident.get_incident_type_display(),
        "area": incident.get_area_display(),
        "severity": incident.get_severity_display(),
        "child_protection": incident.child_protection,
        "pupil_role": own_link.get_role_display() if own_link else "",
        "other_pupils_named": max(len(incident.pupil_links.all()) - 1, 0),
        "reported_at": _when(incident.reported_at),
        "reported_by": _person(incident.reported_by),
        "occurred_at": _when(incident.occurred_at),
        "location": incident.get_location_display(),
        "description": incident.description,
        "other_people": incident.other_people,
        "device": incident.get_device_owner_display(),
        "device_description": incident.device_description,
        "web_address": incident.url,
        "immediate_action": incident.immediate_action,
        "owner": _person(incident.owner),
        "outcome": incident.outcome,
        "lessons_learnt": incident.lessons_learnt,
        "closed_at": _when(incident.closed_at),
        "status_history": [
            {"from": change.get_from_status_display(), "to": change.get_to_status_display(),
             "by": _person(change.changed_by), "at": _when(change.changed_at), "reason": change.reason,
             "outcome": change.outcome}
            for change in incident.status_changes.all()],
        "chronology": [
            {"kind": entry.get_kind_display(), "happened_at": _when(entry.happened_at),
             "recorded_at": _when(entry.recorded_at), "by": _person(entry.author), "text": entry.text,
             "corrects_entry_recorded_at": _when(entry.corrects.recorded_at) if entry.corrects_id else None}
            for entry in incident.chronology.all()],
        "decisions": [
            {"step": step.text, "state": step.get_state_display(), "by": _person(step.decided_by),
             "at": _when(step.decided_at), "reason": step.reason}
            for step in incident.steps.all()],
        "referrals": [
            {"decision": referral.get_decision_display(),
             "agency": referral.agency_other or referral.get_agency_display(), "date": _day(referral.made_on),
             "their_reference": referral.external_reference, "outcome": referral.outcome,
             "rationale": referral.rationale, "recorded_by": _person(referral.recorded_by)}
            for referral in incident.referrals.all()],
        "parent_contacts": [
            {"informed": contact.informed, "when": _when(contact.informed_at),
             "how": contact.get_method_display(), "by": _person(contact.informed_by), "why_not": contact.rationale}
            for contact in incident.parent_contacts.all()],
        "imagery_viewed": [
            {"by": _person(view.viewed_by), "when": _when(view.viewed_at), "why": view.justification}
            for view in incident.imagery_views.all()],
        "attachments": [
            {"name": attachment.original_name, "type": attachment.content_type, "size": attachment.size,
             "uploaded_at": _when(attachment.uploaded_at)}
            for attachment in incident.attachments.all()],
    }


def _signature(signature):
    return {
        "agreement": signature.version.agreement.get_audience_display(),
        "version": signature.version.number,
        "title": signature.version.title,
        "signed_by": str(signature.guardian) if signature.guardian_id else signature.pupil.display_name,
        "signer": "guardian" if signature.guardian_id else "pupil",
        "typed_name": signature.typed_name,
        "method": signature.get_method_display(),
        "drawn_signature_held": bool(signature.drawing),
        "paper_scan_held": bool(signature.paper_scan),
        "discussed_with_child": signature.discussed_with_child,
        "signed_at": _when(signature.signed_at),
        "recorded_by": _person(signature.recorded_by),
        "ip_address": signature.ip_address,
        "class_session": ({"group": signature.device_session.group_label,
                           "started_at": _when(signature.device_session.started_at),
                           "started_by": _person(signature.device_session.started_by)}
                          if signature.device_session_id else None),
    }


def subject_access_data(pupil, *, user, now=None):
    now = now or timezone.now()
    incidents = (incidents_for_user(user).filter(pupil_links__pupil=pupil).distinct()
                 .select_related("reported_by", "owner")
                 .prefetch_related(
                     Prefetch("pupil_links", queryset=IncidentPupil.objects.all()),
                     "status_changes__changed_by", "chronology__author", "chronology__corrects",
                     "steps__decided_by", "referrals__recorded_by", "parent_contacts__informed_by",
                     "imagery_views__viewed_by", "attachments")
                 .order_by("reported_at", "pk"))
    guardians = pupil.guardian_links.select_related("guardian")
    decisions = (ConsentDecision.objects.filter(pupil=pupil).select_related("purpose", "guardian", "recorded_by")
                 .order_by("decided_at", "pk"))
    signatures = (Signature.objects.filter(pupil=pupil)
                  .select_related("version__agreement", "guardian", "pupil", "recorded_by",
                                  "device_session__started_by")
                  .order_by("signed_at", "pk"))
    links = SigningLink.objects.filter(pupil=pupil).select_related("pack", "guardian").order_by("created_at", "pk")
    review = LeaverImageReview.objects.filter(pupil=pupil).select_related("reviewed_by").first()
    complete = user.has_role(roles.HEADTEACHER)
    return {
        "produced_at": _when(now),
        "produced_by": _person(user),
        "complete": complete,
        "pupil": {
            "name": pupil.display_name, "legal_first_name": pupil.first_name, "legal_surname": pupil.last_name,
            "preferred_name": pupil.preferred_name, "upn_or_mis_id": pupil.mis_id,
            "date_of_birth": _day(pupil.date_of_birth), "year_group": pupil.get_year_group_display(),
            "class": pupil.reg_class, "admission_date": _day(pupil.admission_date),
            "leaving_date": _day(pupil.leaving_date), "send": pupil.send, "eal": pupil.eal,
            "looked_after": pupil.looked_after,
        },
        "parents_and_carers": [
            {"name": str(link.guardian), "relationship": link.relationship,
             "parental_responsibility": link.parental_responsibility, "email": link.guardian.email,
             "phone": link.guardian.phone}
            for link in guardians],
        "incidents": [_incident(incident, pupil.pk) for incident in incidents],
        "consent_history": [
            {"purpose": decision.purpose.name, "answer": "yes" if decision.answer else "no",
             "by": f"{decision.guardian}", "method": decision.get_method_display(), "note": decision.note,
             "decided_at": _when(decision.decided_at), "recorded_by": _person(decision.recorded_by)}
            for decision in decisions],
        "signatures": [_signature(signature) for signature in signatures],
        "signing_links": [
            {"pack": link.pack.title, "sent_to": str(link.guardian), "sent_at": _when(link.sent_at),
             "first_opened_at": _when(link.first_opened_at), "expires_at": _when(link.expires_at),
             "withdrawn_at": _when(link.revoked_at)}
            for link in links],
        "leaver_image_review": ({"listed_at": _when(review.listed_at), "reviewed_at": _when(review.reviewed_at),
                                 "reviewed_by": _person(review.reviewed_by)} if review else None),
    }
