"""Demo photo consent for the demo school (safety_portal.school.demo), so `make run` shows it in use.

The school's rule is set to "every parent or carer must say yes", so the demo shows the case the
issue asks for: a child whose mother said yes and whose father has not answered stays on the
"do not photograph" list. Most families said yes to everything; some said no to social media,
some to the local press (a few to both); a few have not answered yet. One family said yes and
withdrew social media some days later. Class 5A's parents, who have personal links from the
agreements demo, answered online through them; everyone else's paper forms were entered by the
office.

Everything goes through consent.services, so the history and the audit trail are as in real use,
with the times back-dated within this school year (the school photographer is asked each year).
Decisions are made once: if any demo pupil has a decision already, none are added.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from agreements.models import SigningLink
from consent import services
from consent.effective import school_year_start
from consent.models import ConsentDecision, ConsentPurpose, ConsentSettings, DecisionMethod
from safety_portal.school.models import Pupil, PupilGuardian, User

OFFICE = "office@demo.school"
LINK_CLASS = "5A"  # the agreements demo sent this class's parents their personal links
SOCIAL_MEDIA, LOCAL_PRESS = "Official school social media", "Local press"
PAPER_NOTE = "Consent form returned at the start of the school year."
WITHDRAWAL_NOTE = "Phoned the office to withdraw consent for social media."

# Of the demo pupils on roll, in MIS id order: who has not answered, and who said no to what.
NOT_ANSWERED_EVERY = 13
NO_SOCIAL_MEDIA_EVERY, NO_SOCIAL_MEDIA_AT = 6, 1
NO_PRESS_EVERY, NO_PRESS_AT = 8, 3
# In class 5A, in MIS id order: the family that withdrew social media, and the first two-parent
# family after it, where only the first parent has answered.
WITHDRAWN_IN_CLASS = 1
ONLINE_AFTER_SENDING = datetime.timedelta(hours=3, minutes=10)


def _family_answers(index, purposes):
    """{purpose: answer} for the index'th demo pupil, or {} for a family that has not answered."""
    if index % NOT_ANSWERED_EVERY == NOT_ANSWERED_EVERY - 1:
        return {}
    refused = set()
    if index % NO_SOCIAL_MEDIA_EVERY == NO_SOCIAL_MEDIA_AT:
        refused.add(SOCIAL_MEDIA)
    if index % NO_PRESS_EVERY == NO_PRESS_AT:
        refused.add(LOCAL_PRESS)
    return {purpose: purpose.name not in refused for purpose in purposes}


@transaction.atomic
def consent_demo_load(today=None):
    """Create the demo consent that is missing. Returns the number of rows created."""
    office = User.objects.filter(email=OFFICE).first()
    pupils = list(Pupil.objects.on_roll(today).filter(mis_id__startswith="DEMO").order_by("mis_id"))
    if office is None or not pupils:
        return 0  # the demo school is not there
    created = len(services.leavers_list_for_review(today=today))  # any demo pupil who has left
    if ConsentDecision.objects.filter(pupil__mis_id__startswith="DEMO").exists():
        return created
    if not ConsentPurpose.objects.exists():
        services.purposes_ensure()  # a database emptied by tests; a new school has them from its migration
    purposes = list(ConsentPurpose.objects.filter(active=True))
    if not purposes:
        return created
    settings = ConsentSettings.load()
    if not settings.every_guardian_must_agree:
        services.consent_settings_update(every_guardian_must_agree=True, user=office)
        created += 1

    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(16, 0)))
    # Paper forms came in over the last month, within this school year so yearly purposes count.
    span = min(datetime.timedelta(days=30), now - school_year_start(timezone.localdate(now)))
    forms_from = now - span * 0.9

    guardians = {}
    for link in (PupilGuardian.objects.filter(pupil__in=pupils, parental_responsibility=True)
                 .select_related("guardian").order_by("priority", "guardian__mis_id")):
        guardians.setdefault(link.pupil_id, []).append(link.guardian)
    links = {(link.pupil_id, link.guardian_id): link for link in
             SigningLink.objects.filter(pupil__in=pupils, revoked_at__isnull=True).select_related("pupil", "guardian")
             if not link.is_expired(now)}
    in_class = [pupil for pupil in pupils if pupil.reg_class == LINK_CLASS]
    withdrawn = in_class[WITHDRAWN_IN_CLASS] if len(in_class) > WITHDRAWN_IN_CLASS else None
    one_parent = next((pupil for pupil in in_class[WITHDRAWN_IN_CLASS + 1:]
                       if len(guardians.get(pupil.pk, [])) == 2), None)

    def record(pupil, guardian, answers, when, note=PAPER_NOTE, method=DecisionMethod.PAPER):
        link = links.get((pupil.pk, guardian.pk))
        if link is not None:
            # Online, a few hours after the email with the link arrived.
            when = max(when, link.sent_at + ONLINE_AFTER_SENDING)
            return len(services.consent_record_from_link(link=link, answers=answers, now=when)), when
        for purpose, answer in answers.items():
            services.consent_record_by_office(pupil=pupil, guardian=guardian, purpose=purpose, answer=answer,
                                              method=method, note=note, user=office, now=when)
        return len(answers), when

    for index, pupil in enumerate(pupils):
        family = guardians.get(pupil.pk, [])
        answers = _family_answers(index, purposes)
        if pupil in (withdrawn, one_parent):
            answers = {purpose: True for purpose in purposes}
        if pupil == one_parent:
            family = family[:1]  # the second parent has not answered
        answered_at = forms_from + span * 0.5 * index / len(pupils)  # entered one after another
        for guardian in family:
            count, answered_at = record(pupil, guardian, answers, answered_at)
            created += count
        if pupil == withdrawn and family:
            # Some days after saying yes, and before today.
            social_media = {purpose: False for purpose in purposes if purpose.name == SOCIAL_MEDIA}
            count, _when = record(pupil, family[0], social_media, answered_at + (now - answered_at) / 2,
                                  note=WITHDRAWAL_NOTE, method=DecisionMethod.VERBAL)
            created += count
    return created
