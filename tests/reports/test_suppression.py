"""Small numbers never reach the report, and a breakdown never gives one away by subtraction."""

import pytest

from safety_portal.reports.suppression import breakdown, nested_breakdown, safe_count, shown


@pytest.mark.parametrize("count, words", [(0, "0"), (1, "fewer than 3"), (2, "fewer than 3"), (3, "3"), (40, "40")])
def test_one_and_two_print_as_fewer_than_three(count, words):
    assert shown(count) == words
    assert safe_count(count) == {"value": None if count in (1, 2) else count, "display": words}


def _display(result):
    return [row["display"] for row in result["rows"]]


def test_a_breakdown_with_only_large_and_zero_cells_prints_every_count():
    result = breakdown([("Content", 9), ("Contact", 0), ("Conduct", 4)])
    assert _display(result) == ["9", "0", "4"]
    assert not result["suppressed"] and result["total"] == 13


def test_one_small_cell_would_be_worked_out_from_the_total_so_the_breakdown_is_suppressed():
    result = breakdown([("In school", 15), ("Off site", 1), ("Online", 11)])
    assert result["suppressed"]
    assert _display(result) == ["suppressed"] * 3
    assert all(row["value"] is None for row in result["rows"])


@pytest.mark.parametrize("small", [(1, 1), (2, 2), (1, 1, 1)])
def test_small_cells_that_could_only_be_one_thing_are_suppressed(small):
    rows = [("Big", 10)] + [(f"Small {n}", value) for n, value in enumerate(small)]
    assert breakdown(rows)["suppressed"]


def test_small_cells_whose_values_cannot_be_worked_out_print_as_fewer_than_three():
    # 1 + 2 = 3: either could be the 1, so neither is revealed.
    result = breakdown([("Big", 10), ("A", 1), ("B", 2)])
    assert not result["suppressed"]
    assert _display(result) == ["10", "fewer than 3", "fewer than 3"]
    assert [row["value"] for row in result["rows"]] == [10, None, None]


def test_a_breakdown_whose_total_is_itself_small_shows_no_total():
    result = breakdown([("A", 2), ("B", 0)])
    assert not result["suppressed"] and result["total"] is None
    assert _display(result) == ["fewer than 3", "0"]


KEY_STAGE = {"Year 3": "KS2", "Year 5": "KS2", "Year 7": "KS3", "Year 8": "KS3"}


def test_year_groups_whose_small_count_follows_from_their_key_stage_are_suppressed():
    # Y5 = KS2 4 - Y3 3 = 1; Y8 = KS3 5 - Y7 3 = 2. The year table alone (small cells 1 + 2) gives nothing away.
    years = [("Year 3", 3), ("Year 5", 1), ("Year 7", 3), ("Year 8", 2)]
    assert not breakdown(years)["suppressed"]
    stages = breakdown([("KS2", 4), ("KS3", 5)])
    assert nested_breakdown(years, stages, KEY_STAGE)["suppressed"]


def test_a_group_whose_parent_is_not_printed_exactly_gives_nothing_away():
    years = [("Year 3", 3), ("Year 5", 1), ("Year 7", 3), ("Year 8", 2)]
    stages = {"rows": [{"label": "KS2", "value": None, "display": "suppressed"},
                       {"label": "KS3", "value": None, "display": "suppressed"}], "suppressed": True, "total": 9}
    assert not nested_breakdown(years, stages, KEY_STAGE)["suppressed"]
