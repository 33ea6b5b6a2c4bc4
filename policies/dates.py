"""Date arithmetic for review dates and reminder milestones. Pure functions, no database."""

import calendar
import datetime

# Reminders before the review date, in days, earliest first; then one on the day and weekly after.
DAYS_BEFORE = (30, 14, 7)
OVERDUE_EVERY_DAYS = 7


def add_months(day, months):
    """`day` plus whole months, kept to the last day of a shorter month: 31 Jan + 1 = 28 or 29 Feb,
    29 Feb 2028 + 12 = 28 Feb 2029."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def milestone_dates(due_on, today):
    """[(milestone, date)] for `due_on`, in date order, up to and including `today` (at least the
    three before and the day itself, and every overdue week reached by `today`)."""
    milestones = [(f"before_{days}", due_on - datetime.timedelta(days=days)) for days in DAYS_BEFORE]
    milestones.append(("due", due_on))
    week = 1
    while due_on + datetime.timedelta(days=OVERDUE_EVERY_DAYS * week) <= today:
        milestones.append((f"overdue_{week}", due_on + datetime.timedelta(days=OVERDUE_EVERY_DAYS * week)))
        week += 1
    return milestones


def current_milestone(due_on, today):
    """The latest milestone reached by `today`, as (milestone, its date), or None before the first.

    Only the latest counts: a run missed on the 14-days day is made up the next day, but a
    server that was off for a month sends one reminder, not four."""
    reached = [(name, day) for name, day in milestone_dates(due_on, today) if day <= today]
    return reached[-1] if reached else None


def milestone_label(milestone):
    """Words for a milestone key, for emails and the policy page."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if milestone.startswith("before_"):
        days = int(milestone.removeprefix("before_"))
        return _("%(days)d days before the review date") % {"days": days}
    if milestone == "due":
        return _("on the review date")
    weeks = int(milestone.removeprefix("overdue_"))
    return ngettext("%(weeks)d week overdue", "%(weeks)d weeks overdue", weeks) % {"weeks": weeks}
