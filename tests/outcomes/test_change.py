"""Change from baseline and cohort statistics, against hand-computed values (no database)."""

import math
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwell.outcomes import history
from linkwell.outcomes.change import assess
from linkwell.outcomes.chart import draw
from linkwell.outcomes.cohort import paired_change
from linkwell.outcomes.instruments import BUILT_IN

SWEMWBS = BUILT_IN["swemwbs"].measures[0]
UCLA = BUILT_IN["ucla3"].measures[0]
PAM = BUILT_IN["pam"].measures[0]


@pytest.mark.parametrize(
    "measure,baseline,later,meaningful,improved",
    [
        (SWEMWBS, 19.25, 22.12, True, True),  # exactly 2.87: meets the threshold
        (SWEMWBS, 19.25, 22.11, False, True),  # 2.86: just short
        (SWEMWBS, 22.35, 19.25, True, False),  # a meaningful fall
        (SWEMWBS, 20.0, 20.0, False, None),
        (PAM, 50.0, 53.0, True, True),  # NQF #2483: a gain of 3 points
        (PAM, 50.0, 52.9, False, True),
    ],
)
def test_meaningful_change_against_the_threshold(measure, baseline, later, meaningful, improved):
    change = assess(measure, baseline, later)
    assert (change.meaningful, change.improved) == (meaningful, improved)


def test_lower_is_better_measures_improve_when_they_fall_and_say_there_is_no_threshold():
    change = assess(UCLA, 8, 5)
    assert change.delta == -3 and change.improved is True
    assert change.meaningful is None and "no published" in change.verdict


def test_cohort_change_matches_a_hand_computation():
    # diffs 2, 3, 0, 1: mean 1.5, SD √(5/3) = 1.290994, SE 0.645497, t(3) = 2.323790,
    # t(0.975, 3) = 3.182446 (tables), half-width 2.054260, d_z = 1.5 / 1.290994 = 1.161895.
    result = paired_change([(10, 12), (11, 14), (9, 9), (12, 13)])
    assert result.n == 4
    assert result.mean_baseline == 10.5 and result.mean_follow_up == 12.0
    assert result.mean_change == 1.5
    assert result.ci_low == pytest.approx(1.5 - 2.054260, abs=1e-5)
    assert result.ci_high == pytest.approx(1.5 + 2.054260, abs=1e-5)
    assert result.t == pytest.approx(2.323790, abs=1e-5)
    assert result.p_value == pytest.approx(0.10273, abs=1e-5)
    assert result.cohen_dz == pytest.approx(1.161895, abs=1e-5)
    assert result.share_improved == 0.75


def test_cohort_change_agrees_with_scipys_paired_test():
    from scipy import stats

    pairs = [(20.73, 23.21), (17.98, 17.43), (15.84, 19.98), (24.11, 26.02), (19.25, 22.35)]
    result = paired_change(pairs)
    reference = stats.ttest_rel([a for _, a in pairs], [b for b, _ in pairs])
    assert result.t == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)


def test_lower_is_better_counts_a_fall_as_improved():
    result = paired_change([(8, 5), (6, 6), (7, 9)], higher_is_better=False)
    assert result.share_improved == pytest.approx(1 / 3)
    assert result.mean_change == pytest.approx(-1 / 3)  # changes −3, 0, +2


@pytest.mark.parametrize(
    "pairs,expected",
    [([], dict(n=0, mean_change=None)), ([(10, 12)], dict(n=1, mean_change=2, p_value=None))],
)
def test_too_few_people_give_no_interval(pairs, expected):
    result = paired_change(pairs)
    for key, value in expected.items():
        assert getattr(result, key) == value
    assert result.ci_low is None


def test_identical_changes_give_no_test_rather_than_dividing_by_zero():
    result = paired_change([(10, 12), (11, 13)])
    assert result.mean_change == 2 and result.p_value is None and result.cohen_dz is None


@given(st.lists(st.tuples(st.floats(7, 35), st.floats(7, 35)), min_size=2, max_size=40))
def test_the_interval_holds_the_mean_and_shares_are_proportions(pairs):
    result = paired_change(pairs)
    assert 0 <= result.share_improved <= 1
    if result.ci_low is not None:
        assert result.ci_low <= result.mean_change + 1e-9 <= result.ci_high + 2e-9
    if result.p_value is not None:
        assert 0 <= result.p_value <= 1 and not math.isnan(result.cohen_dz)


def _taken(timepoint, day, value):
    return SimpleNamespace(
        pk=day,
        timepoint=timepoint,
        administered_at=datetime(2026, 1, 1) + timedelta(days=day),
        measures={"score": value},
        bands={},
        band="",
    )


def test_history_judges_each_later_measure_against_the_baseline():
    taken = [
        _taken("baseline", 0, 17.43),
        _taken("follow_up", 30, 19.25),
        _taken("discharge", 90, 21.54),
    ]
    (series,) = history.build(BUILT_IN["swemwbs"], taken).series
    assert [r.change for r in series.rows][0] is None
    assert [r.change.delta for r in series.rows[1:]] == [1.82, 4.11]
    assert series.latest_change.meaningful is True
    assert len(series.chart.points) == 3


def test_the_chart_puts_higher_scores_higher_within_its_box():
    chart = draw(SWEMWBS, [("a", 7.0), ("b", 35.0), ("c", 20.0)])
    low, high, middle = chart.points
    assert high.y < middle.y < low.y
    assert all(0 <= p.x <= chart.width and 0 <= p.y <= chart.height for p in chart.points)
    assert chart.line.count(",") == 3
