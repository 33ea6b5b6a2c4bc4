"""Demo policy register and training log for the demo school (safety_portal.school.demo), so
`make run` shows them in use.

The starter policies get owners (the online-safety lead, the DSL, the headteacher) and approved
versions with small real PDFs, dated so that most are current, two are due for review within 30
days, two are overdue and one has no version yet. "Online safety" was re-approved a few weeks ago
and asks all staff to confirm they have read it: most have, the demo teacher has not, so the
teacher meets the prompt on their home page. The training log has a new member of staff's
induction, last summer's whole-staff safeguarding update, the DSL's refresher, and governor
training from over a year ago, so the governor is due; the network manager has none at all.

Everything goes through policies.services, so the revision log and the audit trail are as in real
use. Each part is keyed on something stable (a policy with versions, a session's title) and is
skipped if it is there, so loading twice creates nothing.
"""

import datetime

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from policies import documents, services
from policies.dates import add_months
from policies.models import Policy, TrainingKind, TrainingSession
from policies.starters import STARTER_POLICIES
from safety_portal.school import roles
from safety_portal.school.models import User

OFFICE, DSL, DEPUTY, HEAD = "office@demo.school", "dsl@demo.school", "deputy.dsl@demo.school", "head@demo.school"
LEAD, TEACHER, IT, GOVERNOR = "online.safety@demo.school", "teacher@demo.school", "it@demo.school", \
    "governor@demo.school"
DEMO_PEOPLE = [OFFICE, DSL, DEPUTY, HEAD, LEAD, TEACHER, IT, GOVERNOR]

GOVERNORS, HEADTEACHER = "Full governing body", "Helen Marsh, headteacher"
ONLINE_SAFETY = "Online safety"
# Of the staff asked to read the new online-safety policy, those who have confirmed.
READ_ONLINE_SAFETY = [HEAD, DSL, OFFICE, LEAD]
# Long-serving staff: their accounts are dated to when they joined the school, so only the
# newcomers (the teacher, the network manager) count as new staff who need induction.
YEARS_AT_SCHOOL = {HEAD: 9, DSL: 7, OFFICE: 12, LEAD: 5, DEPUTY: 3}


def _days(n):
    return datetime.timedelta(days=n)


def _plan(today):
    """{title: (owner, on website, [(number, approved on, approved by, summary, ask staff to read)])}.

    A policy reviewed every 12 months and approved a year before `today + n days` is due in n days."""
    return {
        ONLINE_SAFETY: (LEAD, True, [
            ("1.0", add_months(today, -14), GOVERNORS, "First version of the policy in the portal.", False),
            ("2.0", today - _days(18), GOVERNORS,
             "Annual review: new section on filtering and monitoring; updated contacts; generative AI added "
             "to the risks staff should know about.", True),
        ]),
        "Acceptable use agreements": (LEAD, False, [
            ("1.2", add_months(today, -4), HEADTEACHER, "Pupil agreements rewritten for each key stage.", False),
        ]),
        "Use of images and video": (LEAD, True, [
            ("2.0", add_months(today + _days(20), -12), GOVERNORS,
             "Consent now asked per purpose; the \"do not photograph\" list explained.", False),
        ]),
        "Anti-bullying": (HEAD, True, [
            ("3.1", add_months(today, -2), GOVERNORS, "Online bullying and reporting routes updated.", False),
        ]),
        "Behaviour": (HEAD, True, [
            ("4.0", add_months(today - _days(25), -12), GOVERNORS, "Rewards and sanctions reviewed with staff.",
             False),
        ]),
        "Child protection and safeguarding": (DSL, True, [
            ("6.0", add_months(today, -15), GOVERNORS, "Updated for this year's statutory guidance.", False),
            ("7.0", today - _days(80), GOVERNORS,
             "Updated for the new statutory guidance; deputy DSL named; local contacts checked.", False),
        ]),
        "Data protection": (HEAD, False, [
            # Reviewed every 24 months.
            ("2.0", add_months(today - _days(45), -24), GOVERNORS, "Retention schedule added.", False),
        ]),
        "Social media": (LEAD, False, [
            ("1.1", add_months(today + _days(9), -12), HEADTEACHER, "Official school accounts listed.", False),
        ]),
        "Mobile phones and personal devices": (HEAD, False, []),  # being written: no version yet
        "Filtering and monitoring": (LEAD, False, [
            ("1.0", add_months(today, -6), GOVERNORS, "First version, after the annual filtering check.", False),
        ]),
    }


def _training(today):
    """[(title, kind, provider, held on, attendees)]."""
    return [
        ("Safeguarding and online-safety induction", TrainingKind.INDUCTION, "Tom Ellis (DSL)",
         today - _days(70), [TEACHER]),
        ("Annual safeguarding and online-safety update", TrainingKind.ANNUAL, "Tom Ellis (DSL) and Sam Rahman",
         add_months(today, -5), [OFFICE, DSL, DEPUTY, HEAD, LEAD]),
        ("Designated safeguarding lead refresher", TrainingKind.DSL, "Oakshire Safeguarding Partnership",
         add_months(today, -8), [DSL]),
        ("Safeguarding for governors", TrainingKind.GOVERNOR, "Oakshire Governor Services",
         add_months(today, -14), [GOVERNOR]),
    ]


@transaction.atomic
def policies_demo_load(today=None):
    """Create the demo policy register and training log that are missing. Returns the number of rows created."""
    today = today or timezone.localdate()
    users = {user.email: user for user in User.objects.filter(email__in=DEMO_PEOPLE)}
    if len(users) < len(DEMO_PEOPLE):
        return 0  # the demo school's people are not there
    _long_serving(users, today)
    created = _starters(users[LEAD])
    created += _register(users, today)
    created += _receipts(users)
    created += _training_log(users, today)
    return created


def _long_serving(users, today):
    for email, years in YEARS_AT_SCHOOL.items():
        user = users[email]
        if timezone.localdate(user.date_joined) > add_months(today, -12):
            user.date_joined = timezone.make_aware(
                datetime.datetime.combine(add_months(today, -12 * years), datetime.time(9, 0)))
            user.save(update_fields=["date_joined"])


def _starters(lead):
    """A database emptied by tests has no starter entries; a new school has them from its migration."""
    if Policy.objects.exists():
        return 0
    def create(title, category, approving_body, cycle, linked=()):
        return services.policy_create(actor=lead, title=title, category=category, approving_body=approving_body,
                                      review_cycle_months=cycle, linked=linked)

    # The first, online safety, is linked to all the others.
    others = [create(*starter) for starter in STARTER_POLICIES[1:]]
    create(*STARTER_POLICIES[0], linked=others)
    return len(STARTER_POLICIES)


def _register(users, today):
    created = 0
    lead = users[LEAD]
    staff = list(Group.objects.filter(name=roles.STAFF))
    policies = {policy.title: policy for policy in Policy.objects.filter(title__in=_plan(today))}
    for title, (owner, on_website, versions) in _plan(today).items():
        policy = policies.get(title)
        if policy is None:
            continue  # the school renamed or removed it
        changes = {}
        if policy.owner_id is None:
            changes["owner"] = users[owner]
        if on_website and not policy.on_website:
            changes["on_website"] = True
        if changes:
            policy = services.policy_update(policy=policy, actor=lead, **changes)
            created += 1
        if policy.versions.exists():
            continue
        for number, approved_on, approved_by, summary, ask_staff in versions:
            name, sha256 = documents.document_store(_pdf(title, number, approved_on, approved_by, summary),
                                                    documents.PDF)
            services.version_record(
                policy=policy, number=number, change_summary=summary, approved_on=approved_on,
                approved_by=approved_by, document=name, document_name=f"{title} v{number}.pdf",
                document_sha256=sha256, read_groups=staff if ask_staff else [], actor=lead)
            created += 1
    return created


def _receipts(users):
    policy = Policy.objects.filter(title=ONLINE_SAFETY, current_version__isnull=False).first()
    if policy is None:
        return 0
    created = 0
    for email in READ_ONLINE_SAFETY:
        _receipt, was_created = services.receipt_confirm(version=policy.current_version, user=users[email])
        created += was_created
    return created


def _training_log(users, today):
    created = 0
    for title, kind, provider, held_on, attendees in _training(today):
        if TrainingSession.objects.filter(title=title).exists():
            continue
        services.training_session_record(held_on=held_on, title=title, provider=provider, kind=kind,
                                         attendees=[users[email] for email in attendees], actor=users[LEAD])
        created += 1 + len(attendees)
    return created


def _pdf(title, number, approved_on, approved_by, summary):
    """A one-page PDF standing in for the school's document."""
    import weasyprint  # slow to import; only the demo needs it here

    html = (f"<h1>Oakfield Community School</h1><h2>{escape(title)} policy</h2>"
            f"<p>Version {escape(number)}, approved on {approved_on:%d %B %Y} by {escape(approved_by)}.</p>"
            f"<p>Changes in this version: {escape(summary)}</p>"
            "<p><em>A demonstration document: the school's own policy would be here.</em></p>")
    content = weasyprint.HTML(string=html).write_pdf()
    return SimpleUploadedFile(f"{title}.pdf", content, content_type="application/pdf")
