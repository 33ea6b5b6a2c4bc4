"""Demo agreements for the demo school (safety_portal.school.demo), so `make run` shows them in use.

Every starter text is published as version 1 by the online-safety lead. Some staff have signed
and some have not, so a few demo logins meet the "agreements to sign" prompt: the DSL and the
headteacher have signed, the teacher, the IT technician and the online-safety lead have not.
Class 5A's parents were sent a pack ten days ago: some have signed, the rest have had one
reminder, and one link was revoked. A few pupils in 5A signed in a class session, and visitors
signed in at the kiosk over the past three weeks.

Everything goes through agreements.services, so the audit trail has the same events as real use.
The services stamp signatures with the time of loading; only times the services take (a pack's
sending, a reminder, a session) and visitors' arrival times are set in the past. Each part is
keyed on something stable and skipped if it is there, so loading twice creates nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from agreements import services
from agreements.models import (
    Agreement,
    Audience,
    DeviceSession,
    SigningLink,
    SigningPack,
    VersionStatus,
    Visitor,
)
from agreements.outstanding import agreements_to_sign
from safety_portal.school.models import Pupil, User

OFFICE, DSL, DEPUTY, HEAD = "office@demo.school", "dsl@demo.school", "deputy.dsl@demo.school", "head@demo.school"
LEAD, TEACHER, IT, GOVERNOR = "online.safety@demo.school", "teacher@demo.school", "it@demo.school", \
    "governor@demo.school"
DEMO_PEOPLE = [OFFICE, DSL, DEPUTY, HEAD, LEAD, TEACHER, IT, GOVERNOR]

# Who has signed everything they are asked to. The others see the prompt when they sign in.
SIGNED = [OFFICE, DSL, DEPUTY, HEAD, GOVERNOR]
# The staff who run the school's social media accounts: the office has signed, the lead has not.
SOCIAL_MEDIA_SIGNERS = [OFFICE, LEAD]

PUBLISHED_DAYS_AGO = 60
PACK_CLASS = "5A"
PACK_TITLE = "Class 5A: online-safety agreement"
PACK_SENT_DAYS_AGO = 10
REMINDED_DAYS_AGO = 3
# Of the class, in MIS id order: whose parents signed online, whose first parent's link was
# revoked (the office sent it to an old address), and who signed for themselves in class.
PARENTS_SIGNED = (0, 1, 2)
LINK_REVOKED = 3
PUPILS_SIGNED = (0, 2, 4)

VISITORS = [
    # days ago, hour, minute, full name, organisation, purpose
    (19, 8, 40, "Paula Grant", "Fresh Start Catering", "Kitchen inspection"),
    (16, 9, 5, "Anna Kowalski", "Oakshire Music Service", "Violin lessons, Years 4 to 6"),
    (12, 13, 30, "Joanna Fields", "School Nursing Team", "Year 6 health checks"),
    (9, 8, 55, "Gareth Price", "BrightNet IT Services", "Replacing the Wi-Fi access points"),
    (9, 14, 15, "Ibrahim Hassan", "Oakfield Library", "Summer reading challenge assembly"),
    (5, 10, 0, "Ruth Adeyemi", "Oakshire County Council", "Attendance review meeting"),
    (2, 9, 10, "Anna Kowalski", "Oakshire Music Service", "Violin lessons, Years 4 to 6"),
    (1, 11, 45, "Michael Byrne", "", "Parent volunteer: reading with Year 2"),
]


def _weekday_on_or_before(day):
    return day - datetime.timedelta(days=max(day.weekday() - 4, 0))


@transaction.atomic
def agreements_demo_load(today=None):
    """Create the demo agreements that are missing. Returns the number of rows created."""
    users = {user.email: user for user in User.objects.filter(email__in=DEMO_PEOPLE)}
    if len(users) < len(DEMO_PEOPLE):
        return 0  # the demo school's people are not there
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(16, 0)))
    created = _publish_all(users[LEAD], now - datetime.timedelta(days=PUBLISHED_DAYS_AGO))
    created += _staff_signatures(users)
    created += _parent_pack(users[OFFICE], now)
    created += _class_session(users[TEACHER])
    created += _visitors(users[OFFICE], now)
    return created


GUEST_WIFI_NOTE = ("Guest Wi-Fi: join \"Oakfield-Guest\" and ask reception for today's password. "
                   "Please wear your visitor badge at all times.")


def _publish_all(lead, published_at):
    services.agreements_ensure()
    created = 0
    visitor = Agreement.objects.get(audience=Audience.VISITOR)
    if not visitor.after_signing_note:
        services.after_signing_note_set(agreement=visitor, note=GUEST_WIFI_NOTE, user=lead)
        created += 1
    for agreement in Agreement.objects.filter(current_version__isnull=True):
        draft = agreement.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            draft = services.version_draft_start(agreement=agreement, user=lead)
        services.version_publish(version=draft, user=lead, now=published_at)
        created += 1
    return created


def _staff_signatures(users):
    social_media = Agreement.objects.get(audience=Audience.SOCIAL_MEDIA)
    created = 0
    if not social_media.named_signers.exists():
        signers = [users[email] for email in SOCIAL_MEDIA_SIGNERS]
        services.named_signers_set(agreement=social_media, users=signers, user=users[LEAD])
        created += len(signers)
    for email in SIGNED:
        user = users[email]
        for agreement in agreements_to_sign(user):
            services.signature_record_for_account(user=user, version=agreement.current_version,
                                                  typed_name=user.get_full_name())
            created += 1
    return created


def _parent_pack(office, now):
    if SigningPack.objects.filter(title=PACK_TITLE).exists():
        return 0
    pupils = list(Pupil.objects.on_roll().filter(reg_class=PACK_CLASS, mis_id__startswith="DEMO").order_by("mis_id"))
    if not pupils:
        return 0
    sent_at = now - datetime.timedelta(days=PACK_SENT_DAYS_AGO)
    pack, _unreached = services.pack_send(title=PACK_TITLE, pupils=pupils, user=office, now=sent_at)
    links = list(SigningLink.objects.filter(pack=pack).select_related("guardian", "pupil")
                 .order_by("pupil__mis_id", "guardian__mis_id"))
    created = 1 + len(links)
    signed_for = {pupils[index].pk for index in PARENTS_SIGNED if index < len(pupils)}
    for pupil_pk in signed_for:
        link = next(link for link in links if link.pupil_id == pupil_pk)  # the first parent signs
        services.link_opened(link, now=sent_at + datetime.timedelta(hours=3))
        guardian = link.guardian
        created += len(services.signature_record_for_guardian(
            link=link, typed_name=f"{guardian.first_name} {guardian.last_name}", discussed_with_child=True,
            now=sent_at + datetime.timedelta(hours=3, minutes=4)))
    if LINK_REVOKED < len(pupils):
        revoked = next(link for link in links if link.pupil_id == pupils[LINK_REVOKED].pk)
        services.link_revoke(link=revoked, user=office, now=sent_at + datetime.timedelta(days=2))
    # Everyone still to sign has had their first reminder.
    reminded_at = now - datetime.timedelta(days=REMINDED_DAYS_AGO)
    for link in SigningLink.objects.filter(pack=pack, revoked_at__isnull=True).exclude(pupil_id__in=signed_for):
        services.parent_reminder_claim(link=link, now=reminded_at)
    return created


def _class_session(teacher):
    if DeviceSession.objects.filter(kind=DeviceSession.Kind.CLASS, reg_class=PACK_CLASS).exists():
        return 0
    pupils = list(Pupil.objects.on_roll().filter(reg_class=PACK_CLASS, mis_id__startswith="DEMO").order_by("mis_id"))
    if not pupils:
        return 0
    session = services.device_session_start(kind=DeviceSession.Kind.CLASS, user=teacher, reg_class=PACK_CLASS)
    created = 1
    for index in PUPILS_SIGNED:
        if index < len(pupils):
            pupil = pupils[index]
            services.signature_record_for_pupil(device_session=session, pupil=pupil,
                                                typed_name=f"{pupil.preferred_name or pupil.first_name} "
                                                           f"{pupil.last_name}")
            created += 1
    services.device_session_end(session=session, user=teacher)
    return created


def _visitors(office, now):
    if Visitor.objects.filter(full_name__in=[visit[3] for visit in VISITORS]).exists():
        return 0
    today = timezone.localdate(now)
    arrivals = []
    for days_ago, hour, minute, full_name, organisation, purpose in VISITORS:
        day = _weekday_on_or_before(today - datetime.timedelta(days=days_ago))
        arrived_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        arrivals.append((min(arrived_at, now), full_name, organisation, purpose))
    arrivals.sort()
    kiosk = services.device_session_start(kind=DeviceSession.Kind.KIOSK, user=office,
                                          now=arrivals[0][0] - datetime.timedelta(minutes=30))
    for arrived_at, full_name, organisation, purpose in arrivals:
        services.visitor_sign_in(kiosk=kiosk, full_name=full_name, organisation=organisation, purpose=purpose,
                                 typed_name=full_name, now=arrived_at)
    services.device_session_end(session=kiosk, user=office, now=now)
    return 1 + 2 * len(arrivals)
