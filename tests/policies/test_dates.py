"""Review-date arithmetic: whole months kept to the end of shorter months, and reminder milestones
counted in days across month ends and leap years."""

import datetime

import pytest

from policies.dates import add_months, current_milestone, milestone_dates, milestone_label

D = datetime.date


def days(n):
    return datetime.timedelta(days=n)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2028, 1, 31), 1, D(2028, 2, 29)),  # 2028 is a leap year
    (D(2026, 3, 31), 1, D(2026, 4, 30)),
    (D(2026, 11, 30), 3, D(2027, 2, 28)),
    (D(2027, 11, 30), 3, D(2028, 2, 29)),
    (D(2026, 12, 15), 1, D(2027, 1, 15)),
    (D(2026, 12, 31), 12, D(2027, 12, 31)),
    (D(2026, 10, 31), 14, D(2027, 12, 31)),
    (D(2026, 5, 17), 0, D(2026, 5, 17)),
])
def test_add_months_keeps_to_the_last_day_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2027, 1, 15), -1, D(2026, 12, 15)),
    (D(2026, 3, 31), -1, D(2026, 2, 28)),
    (D(2028, 3, 31), -1, D(2028, 2, 29)),
    (D(2026, 5, 31), -12, D(2025, 5, 31)),
    (D(2026, 1, 10), -13, D(2024, 12, 10)),
    (D(2027, 2, 28), -12, D(2026, 2, 28)),
])
def test_add_months_goes_back_across_year_ends(day, months, expected):
    assert add_months(day, months) == expected


def test_a_29_february_approval_is_reviewed_on_28_february_then_29_february_in_a_leap_year():
    approved = D(2028, 2, 29)
    assert add_months(approved, 12) == D(2029, 2, 28)
    assert add_months(approved, 24) == D(2030, 2, 28)
    assert add_months(approved, 48) == D(2032, 2, 29)


def test_milestones_in_a_leap_year_count_29_days_in_february():
    due = D(2028, 3, 1)
    assert dict(milestone_dates(due, today=due)) == {
        "before_30": D(2028, 1, 31),
        "before_14": D(2028, 2, 16),
        "before_7": D(2028, 2, 23),
        "due": due,
    }


def test_milestones_in_an_ordinary_year_count_28_days_in_february():
    due = D(2027, 3, 1)
    assert dict(milestone_dates(due, today=due)) == {
        "before_30": D(2027, 1, 30),
        "before_14": D(2027, 2, 15),
        "before_7": D(2027, 2, 22),
        "due": due,
    }


def test_milestones_cross_a_year_end():
    due = D(2027, 1, 10)
    assert dict(milestone_dates(due, today=due)) == {
        "before_30": D(2026, 12, 11), "before_14": D(2026, 12, 27), "before_7": D(2027, 1, 3), "due": due}


def test_overdue_milestones_are_weekly_and_only_up_to_today():
    due = D(2028, 2, 29)
    milestones = milestone_dates(due, today=D(2028, 3, 21))
    assert milestones[4:] == [("overdue_1", D(2028, 3, 7)), ("overdue_2", D(2028, 3, 14)),
                              ("overdue_3", D(2028, 3, 21))]
    assert [name for name, _day in milestone_dates(due, today=D(2028, 3, 20))][-1] == "overdue_2"
    # In date order, each after the one before.
    dates = [day for _name, day in milestones]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)


@pytest.mark.parametrize("due", [D(2028, 3, 1), D(2027, 3, 1), D(2026, 12, 31), D(2028, 2, 29)])
def test_current_milestone_changes_on_each_boundary_day_and_not_the_day_before(due):
    expected = [
        (-31, None),
        (-30, "before_30"), (-15, "before_30"),
        (-14, "before_14"), (-8, "before_14"),
        (-7, "before_7"), (-1, "before_7"),
        (0, "due"), (6, "due"),
        (7, "overdue_1"), (13, "overdue_1"),
        (14, "overdue_2"), (20, "overdue_2"),
        (21, "overdue_3"),
    ]
    for offset, milestone in expected:
        today = due + days(offset)
        reached = current_milestone(due, today)
        if milestone is None:
            assert reached is None, today
        else:
            assert reached[0] == milestone, today
            assert reached[1] <= today


def test_current_milestone_gives_its_own_date():
    due = D(2028, 3, 1)
    assert current_milestone(due, D(2028, 2, 17)) == ("before_14", D(2028, 2, 16))
    assert current_milestone(due, D(2028, 3, 9)) == ("overdue_1", D(2028, 3, 8))


def test_a_long_outage_reaches_only_the_latest_milestone():
    due = D(2026, 6, 30)
    # Off from a month before the date to a month after: one reminder is owed, the latest.
    assert current_milestone(due, due + days(31)) == ("overdue_4", due + days(28))
    assert current_milestone(due, due + days(5)) == ("due", due)
    assert current_milestone(due, due - days(3)) == ("before_7", due - days(7))


def test_milestone_words():
    assert milestone_label("before_30") == "30 days before the review date"
    assert milestone_label("before_7") == "7 days before the review date"
    assert milestone_label("due") == "on the review date"
    assert milestone_label("overdue_1") == "1 week overdue"
    assert milestone_label("overdue_3") == "3 weeks overdue"
