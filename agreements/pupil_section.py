"""A pupil's acceptable-use agreements, as a section of the pupil's page."""

from agreements.access import can_read_compliance
from agreements.models import Agreement, Audience, pupil_audience


def pupil_agreements_section(user, pupil):
    """Who has signed what for this pupil: the pupil themselves, and each parent or carer."""
    if not can_read_compliance(user):
        return None
    wanted = [Audience.PARENT, pupil_audience(pupil)]
    agreements = {a.audience: a for a in Agreement.objects.filter(audience__in=wanted)}
    rows = []
    for signature in (pupil.signatures.select_related("version__agreement", "guardian")
                      .order_by("-signed_at", "-pk")):
        agreement = signature.version.agreement
        rows.append({"signature": signature,
                     "counts": agreement.counts_from_number <= signature.version.number
                     and agreement.current_version_id is not None})
    missing = [agreements[audience] for audience in wanted
               if audience in agreements and agreements[audience].current_version_id
               and not any(row["counts"] and row["signature"].version.agreement_id == agreements[audience].pk
                           for row in rows)]
    return "agreements/pupil_agreements.html", {"agreement_rows": rows, "agreements_missing": missing}
