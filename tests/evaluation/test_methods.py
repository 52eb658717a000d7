"""The method choices of issue 21 on synthetic data with a known truth.

Small-draw versions of the coverage studies; bench/bench_evaluation.py
--coverage runs them with 200 draws.
"""

import numpy as np
import pandas as pd
import pytest

from linkwell.evaluation import covariates, synthetic
from linkwell.evaluation.event_study import NEVER, adoption_cohorts, event_study
from linkwell.evaluation.exposure import treat_absent_pcns
from linkwell.evaluation.fe_logit import fit_grouped_logit
from linkwell.evaluation.models import Settings, Variant, fit_outcome

from .conftest import FIXTURES

HEADLINE = ["overall_experience"]


@pytest.fixture(scope="module")
def exposure300():
    return synthetic.staggered_exposure(300, seed=5)


def _fit(counts, regressors=("fte_per_50k",)):
    return fit_grouped_logit(counts, list(regressors)).terms.loc["fte_per_50k"]


def test_marginal_effect_interval_covers_the_truth_and_zero_under_the_null(exposure300):
    """20 draws each; with exact 95% coverage, 15 or fewer of 20 has probability 0.3%."""
    covered_truth = covered_zero = 0
    for draw in range(20):
        counts = synthetic.simulate_counts(
            exposure300, true_or=1.03, outcomes=HEADLINE, seed=3000 + draw
        )
        fit = _fit(counts)
        truth = synthetic.true_marginal_effect(counts, 1.03)
        covered_truth += fit["ame_low"] <= truth <= fit["ame_high"]
        null = synthetic.simulate_counts(
            exposure300, true_or=1.0, outcomes=HEADLINE, seed=4000 + draw
        )
        fit = _fit(null)
        covered_zero += fit["ame_low"] <= 0 <= fit["ame_high"]
    assert covered_truth >= 16
    assert covered_zero >= 16


def test_marginal_effect_follows_the_docs_rule_not_the_linear_model():
    """True OR 1.015 at about 80% positive: about 0.24 points (log 1.015 x 0.8 x 0.2)."""
    exposure = synthetic.staggered_exposure(6500, seed=21)
    counts = synthetic.simulate_counts(exposure, true_or=1.015, outcomes=HEADLINE, seed=21)
    fit = _fit(counts)
    truth = synthetic.true_marginal_effect(counts, 1.015)
    assert 0.0015 < truth < 0.0030
    assert fit["ame_low"] < truth < fit["ame_high"]
    assert fit["ame"] == pytest.approx(truth, abs=0.0007)


def test_adoption_is_any_link_worker_fte_and_comparisons_have_none():
    data = pd.DataFrame(
        {
            "practice_code": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
            "year": [2019, 2020, 2021] * 3,
            # B has under 1 FTE per 50,000: it adopted, it is no comparison practice.
            "fte_per_50k": [0, 0, 0, 0, 0.3, 0.4, 0, 1.5, 0],
        }
    )
    cohorts = adoption_cohorts(data, "practice_code")
    assert cohorts.tolist() == [NEVER] * 3 + [2020] * 3 + [2020] * 3  # C stays adopted


def test_event_study_pre_period_is_flat_under_the_null(exposure300):
    """12 null draws: the joint pre-trend test rejects at 5% in at most 3 (P = 0.2%
    if its size is right); the pre-period coefficients average about 0."""
    rejected, before = 0, []
    for draw in range(12):
        counts = synthetic.simulate_counts(
            exposure300, true_or=1.0, outcomes=HEADLINE, seed=5000 + draw
        )
        study = event_study(counts)
        assert study.table.loc[-1, "odds_ratio"] == 1.0
        rejected += study.pretrend_p < 0.05
        before.extend(study.table.loc[study.table.index <= -2, "coef"])
    assert rejected <= 3
    assert abs(np.mean(before)) < 0.02


def test_pre_trend_test_catches_practices_already_moving_apart(exposure300):
    counts = synthetic.simulate_counts(exposure300, true_or=1.0, outcomes=HEADLINE, seed=6)
    adopter = adoption_cohorts(counts, "practice_code") != NEVER
    # Adopters' odds drift up by 8% a year from the start, link workers or not.
    drift = np.where(adopter, 0.08 * (counts["year"] - 2018), 0.0)
    p = 1 / (1 + 1 / (counts["true_p"] / (1 - counts["true_p"]) * np.exp(drift)))
    moving = counts.assign(successes=np.random.default_rng(6).binomial(counts["n"], p))
    assert event_study(moving).pretrend_p < 0.01


def test_event_study_sees_an_effect_after_adoption_only(exposure300):
    counts = synthetic.simulate_counts(exposure300, true_or=1.15, outcomes=HEADLINE, seed=7)
    table = event_study(counts).table
    assert (table.loc[table.index >= 1, "odds_ratio"] > 1.05).all()
    assert table.loc[table.index <= -2, "ci_low"].lt(1).all()


def test_last_cohort_is_the_comparison_when_every_practice_adopts(exposure300):
    everyone = exposure300.assign(
        fte_per_50k=exposure300["fte_per_50k"].where(exposure300["year"] < 2023, 1.0)
    )
    counts = synthetic.simulate_counts(everyone, true_or=1.0, outcomes=HEADLINE, seed=8)
    study = event_study(counts)
    assert "first had link workers in 2023, in the years before that" in study.comparison
    assert 2023 not in study.cohorts
    assert study.left_out["practice-years from 2023 on (no comparison practices left)"] > 0


def _with_absent_pcns(counts: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """Mark a random `share` of PCN-years after 2019 as not reporting (rate unknown)."""
    rng = np.random.default_rng(seed)
    keys = counts.loc[counts["year"] > 2019, ["pcn_code", "year"]].drop_duplicates()
    absent = keys[rng.random(len(keys)) < share].assign(absent=True)
    marked = counts.merge(absent, on=["pcn_code", "year"], how="left")
    is_absent = marked["absent"].fillna(False).astype(bool)
    return marked.drop(columns="absent").assign(
        pcn_status=np.where(is_absent, "absent", "reported"),
        fte_per_50k=marked["fte_per_50k"].where(~is_absent),
    )


def test_absent_pcn_sensitivity_recovers_the_truth_under_its_assumption():
    exposure = synthetic.staggered_exposure(1500, seed=9)
    counts = synthetic.simulate_counts(exposure, true_or=1.10, outcomes=HEADLINE, seed=9)
    # Non-reporting at random: the PCNs had their link workers, the census missed them.
    missed = _with_absent_pcns(counts, 0.4, seed=9)
    left_out = _fit(treat_absent_pcns(missed, "missing"))
    zero_filled = _fit(treat_absent_pcns(missed, "zero"))
    assert left_out["ci_low"] < 1.10 < left_out["ci_high"]
    assert zero_filled["ci_high"] < 1.10  # attenuated towards no effect


def test_zero_filling_recovers_the_truth_when_absent_pcns_had_no_link_workers():
    exposure = synthetic.staggered_exposure(1500, seed=10)
    marked = _with_absent_pcns(exposure.assign(n=1, successes=0), 0.4, seed=10)
    truth = marked.assign(fte_per_50k=marked["fte_per_50k"].fillna(0.0))
    counts = synthetic.simulate_counts(
        truth.drop(columns=["n", "successes", "pcn_status"]),
        true_or=1.10,
        outcomes=HEADLINE,
        seed=10,
    ).assign(pcn_status=marked["pcn_status"].to_numpy())
    observed = counts.assign(
        fte_per_50k=counts["fte_per_50k"].where(counts["pcn_status"] != "absent")
    )
    zero_filled = _fit(treat_absent_pcns(observed, "zero"))
    assert zero_filled["ci_low"] < 1.10 < zero_filled["ci_high"]


def test_sensitivity_rows_sit_beside_the_main_estimate(exposure300):
    counts = synthetic.simulate_counts(exposure300, true_or=1.05, outcomes=HEADLINE, seed=11)
    panel = counts.assign(group="all respondents", imd_quintile=np.nan)
    later = panel[panel["year"] >= 2019]
    result = fit_outcome(
        panel, Settings(event_study="none", heterogeneity=False), (Variant("2018 left out", later),)
    )
    main, other = result.sensitivity
    assert main["odds_ratio"] == pytest.approx(result.logit["odds_ratio"])
    assert other["analysis"] == "2018 left out" and other["years"] == [2019, 2020, 2021, 2022, 2023]
    assert other["odds_ratio"] == pytest.approx(_fit(later)["odds_ratio"])


def test_a_time_varying_practice_covariate_removes_its_confounding(exposure300):
    """Practices whose lists grow get link workers sooner; list growth itself lowers
    experience. Without the covariate the estimate is biased; with it, recovered."""
    rng = np.random.default_rng(12)
    growth = exposure300["fte_per_50k"] * 0.5 + rng.normal(0, 0.1, len(exposure300))
    counts = synthetic.simulate_counts(exposure300, true_or=1.05, outcomes=HEADLINE, seed=12)
    odds = counts["true_p"] / (1 - counts["true_p"]) * np.exp(-0.3 * growth)
    p = odds / (1 + odds)
    counts = counts.assign(log_list_size=growth, successes=rng.binomial(counts["n"], p))
    without = _fit(counts)
    adjusted = _fit(counts, ("fte_per_50k", "log_list_size"))
    assert without["ci_high"] < 1.05
    assert adjusted["ci_low"] < 1.05 < adjusted["ci_high"]


def test_list_size_comes_from_the_financial_year_of_the_fieldwork(ledger):
    from linkwell.evaluation.payments import load_payments

    payments = load_payments(FIXTURES / "payments", ledger=ledger)
    sizes = covariates.list_size(payments, [2020, 2023])
    listed = payments[(payments["fin_year"] == 2019) & (payments["registered_patients"] > 0)]
    practice, patients = listed[["practice_code", "registered_patients"]].iloc[0]
    row = sizes[(sizes["practice_code"] == practice) & (sizes["year"] == 2020)]
    assert row["log_list_size"].iat[0] == pytest.approx(np.log(patients))
    assert set(sizes["year"]) == {2020, 2023}
    assert sizes.groupby("year")["practice_code"].nunique().min() > 10


def test_age_structure_is_the_share_aged_65_and_over(tmp_path):
    source = (FIXTURES.parent / "population" / "gp-reg-pat-prac-quin-age_crafted.csv").read_text()
    folder = tmp_path / "population"
    folder.mkdir()
    (folder / "gp-reg-pat-prac-quin-age.csv").write_text(source.replace("01OCT2025", "01OCT2020"))
    raw = pd.read_csv(folder / "gp-reg-pat-prac-quin-age.csv")
    bands = raw[(raw["SEX"] != "ALL") & (raw["AGE_GROUP_5"] != "ALL")]
    bands = bands[bands["ORG_CODE"] == "B86032"]
    older = bands["AGE_GROUP_5"].str.extract(r"^(\d+)")[0].astype(int) >= 65
    expected = bands.loc[older, "NUMBER_OF_PATIENTS"].sum() / bands["NUMBER_OF_PATIENTS"].sum()
    shares = covariates.age_structure(folder, [2021, 2023])
    assert set(shares["year"]) == {2021}  # the October 2020 extract is too old for 2023
    got = shares.set_index("practice_code").loc["B86032", "share_65_plus"]
    assert got == pytest.approx(expected)


def test_a_comparison_practice_missing_a_year_is_not_used(exposure300):
    counts = synthetic.simulate_counts(exposure300, true_or=1.0, outcomes=HEADLINE, seed=13)
    never = adoption_cohorts(counts, "practice_code") == NEVER
    gap = counts[never]["practice_code"].iloc[0]
    holed = counts[~((counts["practice_code"] == gap) & (counts["year"] == 2022))]
    study = event_study(holed)
    key = "practice-years of would-be comparison practices missing a survey year"
    assert study.left_out[key] == 5
    assert "seen in every survey year used" in study.comparison
