"""Review reminders: 30, 14 and 7 days before a policy's review date, on the day, and weekly while
it is overdue, to the policy's owner and the online-safety lead.

Safe to run as often as the scheduler likes, and on two workers at once. Each reminder is claimed
by inserting its ReviewReminder row (policy, due date, milestone) in the same transaction as its
email; the unique key lets only one run insert it, and the other finds it taken and sends nothing.
A new review date gives new keys, so its milestones start again.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from policies.dates import DAYS_BEFORE, current_milestone, milestone_label
from policies.models import Policy, ReviewReminder
from safety_portal.audit.services import audit_record
from safety_portal.outbox.services import email_queue
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile, User


def online_safety_leads():
    return list(User.objects.filter(is_active=True, groups__name=roles.ONLINE_SAFETY_LEAD).exclude(email="")
                .order_by("pk"))


def policies_with_a_milestone(today):
    """Policies in use whose review date is within the first reminder's reach, or past."""
    first = today + timezone.timedelta(days=max(DAYS_BEFORE))
    return (Policy.objects.in_use().filter(next_review_on__lte=first)
            .select_related("owner").prefetch_related("owner__groups").order_by("next_review_on", "pk"))


def _recipients(policy, leads):
    # An owner who has left, or holds no role any more, could not open the policy: the lead is told.
    owner = policy.owner
    people = ([owner] if owner and owner.email and owner.role_names else []) + leads
    seen, addresses = set(), []
    for person in people:
        if person.email.lower() not in seen:
            seen.add(person.email.lower())
            addresses.append(person.email)
    return addresses


def _claim(policy, due_on, milestone):
    """True if this run is the one to send the reminder (its row is now ours, uncommitted)."""
    try:
        with transaction.atomic():  # a savepoint: a lost race rolls back this insert only
            ReviewReminder.objects.create(policy=policy, due_on=due_on, milestone=milestone)
    except IntegrityError:
        return False
    return True


def review_reminders_send(today=None):
    """Send each policy's latest milestone reminder if it has not gone yet. Returns reminders sent."""
    today = today or timezone.localdate()
    leads = online_safety_leads()
    school = SchoolProfile.load()
    sent = 0
    for policy in policies_with_a_milestone(today):
        reached = current_milestone(policy.next_review_on, today)
        if reached is None:
            continue
        milestone, _day = reached
        addresses = _recipients(policy, leads)
        if not addresses:
            continue  # nobody to tell yet; the register shows it and the next run tries again
        if ReviewReminder.objects.filter(policy=policy, due_on=policy.next_review_on, milestone=milestone).exists():
            continue
        with transaction.atomic():
            # A version recorded since this run read the register moves the date: leave it to the next run.
            now_due = Policy.objects.select_for_update().filter(pk=policy.pk, status=policy.status).values_list(
                "next_review_on", flat=True).first()
            if now_due != policy.next_review_on or not _claim(policy, policy.next_review_on, milestone):
                continue
            days_left = (policy.next_review_on - today).days
            path = reverse("policies:detail", args=[policy.pk])
            email_queue(to=addresses, template="policy_review_reminder", school=school, context={
                "policy": policy, "due_on": policy.next_review_on, "days_left": days_left,
                "days_overdue": -days_left, "weeks_overdue": max(-days_left, 0) // 7,
                "milestone": milestone_label(milestone), "path": path,
                # Templates cannot see settings: the email's link is made absolute here.
                "url": f"{settings.SITE_URL.rstrip('/')}{path}"})
            audit_record(action="policies.review.reminded", obj=policy, detail={
                "milestone": milestone, "due_on": policy.next_review_on.isoformat(), "emailed": len(addresses)})
        sent += 1
    return sent
