"""Disclosure control on crafted tables, and its promises checked on generated ones."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwell.reporting.disclosure import Rule, publish, publish_count

NHS = Rule(suppress_up_to=7, round_to=5)


def test_small_counts_are_hidden_and_the_rest_rounded_to_the_nearest_5():
    assert [publish_count(n, NHS) for n in (0, 1, 7, 8, 12, 13, 1234)] == [
        0,
        None,
        None,
        10,
        10,
        15,
        1235,
    ]


def test_without_totals_no_further_cell_is_hidden():
    published = publish([[3, 40], [50, 60]], rule=NHS)
    assert published.cells == [[None, 40], [50, 60]]


def test_a_lone_hidden_cell_in_a_row_with_a_total_takes_the_smallest_other_cell_with_it():
    # Row 1 alone would publish 3 hidden, 20 and 40 with its total 63: 63 − 20 − 40 gives the 3.
    published = publish([[3, 20, 40], [30, 30, 30]], row_totals=True, column_totals=True, rule=NHS)
    assert published.cells[0] == [None, None, 40]  # 20, the smallest other part, is hidden too
    # …and then each of those columns has one hidden cell, so the columns need a partner: the
    # smallest cells of row 2 in those columns go as well, and the row then protects itself.
    assert published.cells[1][0] is None and published.cells[1][1] is None
    assert published.row_totals == [65, 90] and published.grand_total == 155
    assert published.column_totals == [35, 50, 70]


def test_a_hidden_total_is_enough_when_the_only_other_part_is_zero():
    published = publish([[4, 0]], row_totals=True, rule=NHS)
    assert published.cells == [[None, 0]] and published.row_totals == [None]


def test_the_rule_comes_from_settings(settings):
    settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO = 10, 1
    assert publish([[9, 11]]).cells == [[None, 11]]
    assert "1 to 10" in Rule.from_settings().describe()


@pytest.mark.parametrize("rule", [NHS, Rule(5, 1), Rule(10, 10)])
def test_the_description_states_the_rule(rule):
    text = rule.describe()
    assert f"1 to {rule.suppress_up_to}" in text


tables = st.integers(1, 5).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(0, 40), min_size=width, max_size=width), min_size=1, max_size=6
    )
)


def _full(cells, published):
    """True and published grids with the totals row and column attached."""
    true = [row + [sum(row)] for row in cells]
    true.append([sum(col) for col in zip(*true, strict=True)])
    shown = [row + [t] for row, t in zip(published.cells, published.row_totals, strict=True)]
    shown.append(published.column_totals + [published.grand_total])
    return true, shown


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_published_count_is_between_1_and_7_and_every_one_is_a_multiple_of_5(cells):
    published = publish(cells, row_totals=True, column_totals=True, rule=NHS)
    _, shown = _full(cells, published)
    for value in (v for row in shown for v in row if v is not None):
        assert not 1 <= value <= 7 and value % 5 == 0


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_line_holds_a_single_hidden_cell_and_every_small_true_count_is_hidden(cells):
    published = publish(cells, row_totals=True, column_totals=True, rule=NHS)
    true, shown = _full(cells, published)
    lines = [list(zip(t, s, strict=True)) for t, s in zip(true, shown, strict=True)]
    lines += [
        list(zip(t, s, strict=True))
        for t, s in zip(zip(*true, strict=True), zip(*shown, strict=True), strict=True)
    ]
    for line in lines:
        # With exactly one hidden entry, the total minus the others would give it away.
        assert sum(1 for _, s in line if s is None) != 1
    for t_row, s_row in zip(true, shown, strict=True):
        for t, s in zip(t_row, s_row, strict=True):
            if 1 <= t <= 7:
                assert s is None
