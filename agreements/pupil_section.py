"""A pupil's acceptable-use agreements, as a section of the pupil's page."""

from django.db.models import Exists, OuterRef

from agreements import compliance
from agreements.access import can_read_compliance
from agreements.models import Agreement, Audience, pupil_audience

# What each signature on the pupil's page is to the pupil's agreements now.
COUNTS = "counts"  # it makes its agreement signed for this pupil
OUTDATED = "outdated"  # on a version from before everyone had to sign again
PARENT_COPY = "parent_copy"  # a parent signed the pupil's own agreement too: the pupil still signs it themselves
OTHER_STAGE = "other_stage"  # the agreement of a key stage the pupil is not in now


def pupil_agreements_section(user, pupil):
    """Who has signed what for this pupil: the pupil themselves, and each parent or carer. Two queries.

    The pupil's own key-stage agreement is signed only by the pupil's own signature; a parent's
    signature on it is shown as well, as information. The parent agreement is signed by any parent's.
    """
    if not can_read_compliance(user):
        return None
    own_audience = pupil_audience(pupil)
    wanted = [Audience.PARENT, own_audience]
    published = {agreement.audience: agreement for agreement in
                 Agreement.objects.filter(audience__in=wanted, current_version__isnull=False)}
    counting = compliance.counting_signatures(*published).filter(pk=OuterRef("pk"))
    signatures = (pupil.signatures.annotate(makes_signed=Exists(counting))
                  .select_related("version__agreement", "guardian").order_by("-signed_at", "-pk"))
    rows, signed = [], set()
    for signature in signatures:
        audience = signature.version.agreement.audience
        if signature.makes_signed:
            status = COUNTS
            signed.add(audience)
        elif audience not in wanted:
            status = OTHER_STAGE
        elif audience == own_audience and signature.guardian_id:
            status = PARENT_COPY
        else:
            status = OUTDATED
        rows.append({"signature": signature, "status": status})
    missing = [published[audience] for audience in wanted if audience in published and audience not in signed]
    return "agreements/pupil_agreements.html", {"agreement_rows": rows, "agreements_missing": missing}
