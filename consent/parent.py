"""Photo consent on a parent's personal-link page: the section shown below the agreements.

The link alone decides the guardian and the child. The section shows this guardian's own
answers only: another parent's answers are theirs to see, not this link's.
"""

from django.contrib import messages
from django.urls import reverse

from agreements.services import child_first_name
from consent.effective import latest_decisions
from consent.forms_parent import ParentConsentForm
from consent.models import ConsentPurpose

SECTION_TEMPLATE = "consent/parent_section.html"


def active_purposes():
    return list(ConsentPurpose.objects.filter(active=True).order_by("position", "name"))


def current_answers(link, purposes):
    """{purpose id: (answer, decided_at)}: this guardian's answers for this child that still count."""
    rows = (latest_decisions([link.pupil_id], purposes).filter(guardian_id=link.guardian_id)
            .values_list("purpose_id", "answer", "decided_at"))
    return {purpose_id: (answer, decided_at) for purpose_id, answer, decided_at in rows}


def section_context(request, link, token, *, form, current, standalone=False):
    rows = []
    for purpose in form.purposes:
        field = form[form.field_name(purpose)]
        answer, decided_at = current.get(purpose.pk, (None, None))
        rows.append({"purpose": purpose, "field": field, "answered": purpose.pk in current,
                     "answer": answer, "decided_at": decided_at,
                     "first_id": f"{field.auto_id}_0", "fieldset_id": f"consent-purpose-{purpose.pk}"})
    return {
        "child_name": child_first_name(link.pupil),
        "action": reverse("consent_parent", args=[token]),
        "back": reverse("parent_pack", args=[token]),
        "form": form,
        "rows": rows,
        "standalone": standalone,
        # Only this page sets messages on a parent's link (there is no account), so every one
        # is a photo-consent one, shown next to the choices it is about.
        "messages": list(messages.get_messages(request)),
    }


def consent_section(request, link, token):
    """The pack section provider (agreements.extensions): the choices, or None with no purpose in use."""
    purposes = active_purposes()
    if not purposes:
        return None
    current = current_answers(link, purposes)
    form = ParentConsentForm(purposes=purposes, current=current)
    return SECTION_TEMPLATE, section_context(request, link, token, form=form, current=current)
