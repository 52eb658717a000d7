"""The scoring core, against the published rules (no database, no Django)."""

import csv
import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwell.outcomes import instruments
from linkwell.outcomes.instruments import BUILT_IN, InvalidAnswers, UnknownInstrument, score
from linkwell.outcomes.instruments.pam import PAM, reported

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "outcomes"
PUBLISHED_SWEMWBS = {
    int(row["raw"]): float(row["metric"])
    for row in csv.DictReader((FIXTURES / "swemwbs_conversion.csv").read_text().splitlines())
}
SCORABLE = [code for code, i in BUILT_IN.items() if not i.licensed]


def answers_summing_to(total: int, n: int, low: int, high: int) -> list[int]:
    """n answers in low..high that add up to total, filled from the first item."""
    answers = [low] * n
    extra = total - low * n
    for i in range(n):
        step = min(high - low, extra)
        answers[i] += step
        extra -= step
    assert extra == 0
    return answers


def test_the_fixture_is_the_whole_published_table():
    assert sorted(PUBLISHED_SWEMWBS) == list(range(7, 36))


@pytest.mark.parametrize("raw", range(7, 36))
def test_every_raw_swemwbs_score_converts_as_published(raw):
    scored = score("swemwbs", answers_summing_to(raw, 7, 1, 5))
    assert scored.raw == raw
    assert scored.score == PUBLISHED_SWEMWBS[raw]
    assert scored.measures == {"score": PUBLISHED_SWEMWBS[raw]}


def test_swemwbs_conversion_depends_only_on_the_raw_total():
    assert score("swemwbs", [5, 1, 3, 3, 3, 3, 3]).score == score("swemwbs", [3] * 7).score


def test_swemwbs_items_are_wemwbs_items_1_2_3_6_7_9_11():
    wemwbs = [i.key for i in BUILT_IN["wemwbs"].items]
    assert [i.key for i in BUILT_IN["swemwbs"].items] == [
        wemwbs[n - 1] for n in (1, 2, 3, 6, 7, 9, 11)
    ]


@pytest.mark.parametrize("total", [14, 15, 42, 69, 70])
def test_wemwbs_is_the_sum_from_14_to_70(total):
    scored = score("wemwbs", answers_summing_to(total, 14, 1, 5))
    assert (scored.raw, scored.score) == (total, total)


# (question, answer, band) on both sides of every ONS threshold; anxiety reads the other way.
ONS4_EDGES = [
    *[
        (question, answer, band)
        for question in ("life_satisfaction", "worthwhile", "happiness")
        for answer, band in [
            (0, "low"),
            (4, "low"),
            (5, "medium"),
            (6, "medium"),
            (7, "high"),
            (8, "high"),
            (9, "very high"),
            (10, "very high"),
        ]
    ],
    *[
        ("anxiety", answer, band)
        for answer, band in [
            (0, "very low"),
            (1, "very low"),
            (2, "low"),
            (3, "low"),
            (4, "medium"),
            (5, "medium"),
            (6, "high"),
            (10, "high"),
        ]
    ],
]


@pytest.mark.parametrize("question,answer,band", ONS4_EDGES)
def test_ons4_band_edges(question, answer, band):
    keys = [i.key for i in BUILT_IN["ons4"].items]
    answers = [answer if key == question else 5 for key in keys]
    scored = score("ons4", answers)
    assert scored.bands[question] == band
    assert scored.raw is None and scored.score is None  # ONS publishes no combined score
    assert scored.measures[question] == answer


def test_ons4_reports_each_question_and_leaves_out_an_unanswered_one():
    scored = score("ons4", [8, None, 3, 7])
    assert scored.bands == {"life_satisfaction": "high", "happiness": "low", "anxiety": "high"}
    assert "worthwhile" not in scored.measures


def test_ons4_with_nothing_answered_is_refused():
    with pytest.raises(InvalidAnswers, match="at least one"):
        score("ons4", [None] * 4)


@pytest.mark.parametrize("answers", list(itertools.product([1, 2, 3], repeat=3)))
def test_ucla3_total_is_the_sum_and_6_or_more_is_lonely(answers):
    scored = score("ucla3", list(answers))
    assert scored.raw == scored.score == sum(answers)
    assert scored.band == ("lonely" if sum(answers) >= 6 else "not lonely")


@pytest.mark.parametrize("answer,label", [(1, "Often/always"), (3, "Occasionally"), (5, "Never")])
def test_the_ons_direct_loneliness_question(answer, label):
    scored = score("ons-loneliness", [answer])
    assert (scored.score, scored.band) == (answer, label)


@pytest.mark.parametrize(
    "value,level",
    [(0, 1), (47.0, 1), (47.1, 2), (55.1, 2), (55.2, 3), (67.0, 3), (67.1, 4), (100, 4)],
)
def test_pam_levels_follow_the_published_cut_points(value, level):
    assert reported(PAM, score=value).band == f"Level {level}"
    assert reported(PAM, score=value, level=level).score == value


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"score": 101}, "0 to 100"),
        ({"score": -1}, "0 to 100"),
        ({"score": "lots"}, "0 to 100"),
        ({"score": 60, "level": 1}, "level 3, not 1"),
    ],
)
def test_bad_pam_results_are_refused(kwargs, message):
    with pytest.raises(InvalidAnswers, match=message):
        reported(PAM, **kwargs)


def test_pam_item_answers_are_refused():
    with pytest.raises(InvalidAnswers, match="licensed"):
        score("pam", [3, 3, 3])


@pytest.mark.parametrize(
    "code,answers,message",
    [
        ("swemwbs", [3] * 6, "give 7 answers"),
        ("swemwbs", [3] * 8, "give 7 answers"),
        ("swemwbs", [3, 3, 3, 3, 3, 3, 6], "Question 7"),
        ("swemwbs", [0, 3, 3, 3, 3, 3, 3], "Question 1"),
        ("swemwbs", ["x", 3, 3, 3, 3, 3, 3], "not an answer"),
        ("swemwbs", [3.5, 3, 3, 3, 3, 3, 3], "not an answer"),
        ("ons4", [11, 5, 5, 5], "Question 1"),
        ("ons4", [5, 5, 5, -1], "Question 4"),
        ("ucla3", [1, 2, 4], "Question 3"),
        ("ons-loneliness", [6], "Question 1"),
        ("wemwbs", [3] * 13, "give 14 answers"),
    ],
)
def test_out_of_range_and_too_few_answers_are_refused(code, answers, message):
    with pytest.raises(InvalidAnswers, match=message):
        score(code, answers)


@pytest.mark.parametrize("code", ["swemwbs", "wemwbs", "ucla3", "ons-loneliness"])
def test_a_missing_answer_is_never_a_silent_zero(code):
    n = len(BUILT_IN[code].items)
    answers = [BUILT_IN[code].items[0].values[0]] * n
    answers[-1] = None
    with pytest.raises(InvalidAnswers, match="not answered") as refused:
        score(code, answers)
    assert refused.value.item == n - 1


def test_an_unknown_instrument_is_refused_with_the_known_ones():
    with pytest.raises(UnknownInstrument, match="swemwbs"):
        score("phq9", [1])


@st.composite
def answers_for(draw, code):
    return [draw(st.sampled_from(item.values)) for item in BUILT_IN[code].items]


@given(st.sampled_from(SCORABLE).flatmap(lambda code: st.tuples(st.just(code), answers_for(code))))
def test_every_score_stays_in_its_measures_range(drawn):
    code, answers = drawn
    scored = score(code, answers)
    for measure in BUILT_IN[code].measures:
        assert measure.minimum <= scored.measures[measure.key] <= measure.maximum


@given(
    st.sampled_from(SCORABLE).flatmap(lambda code: st.tuples(st.just(code), answers_for(code))),
    st.data(),
)
def test_raising_one_answer_never_moves_a_score_the_wrong_way(drawn, data):
    """Monotone in each item: a higher answer never lowers the score it feeds (items are
    coded so that higher = more of what the measure counts; for ONS4 each question is its
    own measure, and anxiety's bands run the other way, checked in the edge tests)."""
    code, answers = drawn
    instrument = BUILT_IN[code]
    i = data.draw(st.integers(0, len(answers) - 1))
    higher = [v for v in instrument.items[i].values if v > answers[i]]
    if not higher:
        return
    raised = list(answers)
    raised[i] = data.draw(st.sampled_from(higher))
    before, after = score(code, answers).measures, score(code, raised).measures
    for key in before:
        assert after[key] >= before[key]
    changed = [k for k in before if after[k] != before[k]]
    assert changed, "raising an answer must move some score"


@given(st.lists(st.integers(0, 10), min_size=4, max_size=4), st.integers(0, 9))
def test_more_anxiety_never_lands_in_a_better_band(answers, lower):
    order = ["very low", "low", "medium", "high"]
    upper = lower + 1
    base = score("ons4", answers[:3] + [lower]).bands["anxiety"]
    worse = score("ons4", answers[:3] + [upper]).bands["anxiety"]
    assert order.index(worse) >= order.index(base)


def test_the_scoring_core_imports_no_django():
    import subprocess
    import sys

    code = (
        "import sys; import linkwell.outcomes.instruments, linkwell.outcomes.cohort, "
        "linkwell.outcomes.history; print('django' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_json_output_shape():
    assert score("ucla3", [1, 1, 1]).as_dict() == {
        "instrument": "ucla3",
        "raw": 3,
        "score": 3,
        "band": "not lonely",
    }
    assert "bands" in score("ons4", [1, 2, 3, 4]).as_dict()
    assert instruments.BUILT_IN["pam"].licensed
