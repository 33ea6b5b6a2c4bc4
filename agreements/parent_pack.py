"""What a parent's personal link shows: the link behind a token, and where its guardian stands.

The rule for parents: a child is signed for when a guardian has a counted signature on the parent
agreement for them. A guardian signs the parent agreement and the child's key-stage agreement
together, but a key-stage version that asks everyone to sign again does not bring the parent
back: the pupil signs that one in class. So this guardian's page asks for a signature only while
they have no counted signature on the parent agreement.
"""

from dataclasses import dataclass, field

from agreements import services
from agreements.models import Signature, SigningLink
from safety_portal.school.models import PupilGuardian, YearGroup

# Tokens are 43 characters; anything much longer is not one of ours and is not worth hashing.
TOKEN_MAX_LENGTH = 100


def link_for_token(token):
    """The link whose token this is, with its guardian and child; None for anything else."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return (SigningLink.objects.select_related("guardian", "pupil")
            .filter(token_hash=SigningLink.hash_token(token)).first())


def link_problem(link):
    """Why a known link no longer works, or ''. Revoked first: the office's decision explains most."""
    if link.is_revoked:
        return "revoked"
    if link.is_expired():
        return "expired"
    # The family's circumstances changed after the email was sent.
    if not link.pupil.is_on_roll() or not PupilGuardian.objects.filter(
            pupil=link.pupil, guardian=link.guardian, parental_responsibility=True).exists():
        return "ended"
    return ""


def child_details(link):
    # First name only: a forwarded or shoulder-surfed link gives away as little as possible.
    pupil = link.pupil
    return {"child_name": services.child_first_name(pupil),
            "child_class": pupil.reg_class or YearGroup(pupil.year_group).label}


@dataclass
class PackState:
    """Where this guardian stands on what they sign for this child."""

    versions: list  # the current parent and key-stage versions, in that order
    to_sign: list = field(default_factory=list)  # what signing now adds (all shown in the form)
    # This guardian's latest signature on each agreement not being signed now, with `is_counted`.
    signed: list = field(default_factory=list)

    @property
    def needs_signing(self):
        return bool(self.to_sign)


def pack_state(link):
    """Two queries for the current versions and one for this guardian's signatures.

    Raises NothingToSign when an agreement has no published version.
    """
    versions = services.parent_pack_versions(link.pupil)
    parent_version = versions[0]  # parent_pack_versions lists the parent agreement first
    for version in versions:
        version.is_parent_agreement = version is parent_version
    signatures = (Signature.objects.with_counted()
                  .filter(guardian=link.guardian, pupil=link.pupil,
                          version__agreement__in=[version.agreement_id for version in versions])
                  .select_related("version").order_by("-version__number", "-signed_at", "-pk"))
    latest, signed_versions = {}, set()
    for signature in signatures:
        signed_versions.add(signature.version_id)
        latest.setdefault(signature.version.agreement_id, signature)
    state = PackState(versions=versions)
    parent_signature = latest.get(parent_version.agreement_id)
    if parent_signature is None or not parent_signature.is_counted:
        # The service signs every current version this guardian has not signed, so the form shows each.
        state.to_sign = [version for version in versions if version.pk not in signed_versions]
    state.signed = [latest[version.agreement_id] for version in versions
                    if version not in state.to_sign and version.agreement_id in latest]
    return state
