"""A pupil's photo consent, as a section of the school's pupil page."""

from consent.access import can_edit_consent
from consent.lists import active_purposes, pupil_answers


def pupil_consent_section(user, pupil):
    """Each purpose in use with the answer that counts and why. The reasons name the family, so
    only those who may change consent see it. Four queries."""
    if not can_edit_consent(user):
        return None
    return "consent/pupil_consent_section.html", {
        "consent_rows": pupil_answers(pupil, active_purposes()), "consent_pupil": pupil}
