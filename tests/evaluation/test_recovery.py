"""On synthetic data with a known odds ratio the estimator finds it, at the nominal coverage."""

import numpy as np
import pandas as pd
import pytest

from linkwell.evaluation import synthetic
from linkwell.evaluation.exposure import Wave
from linkwell.evaluation.fe_logit import fit_grouped_logit
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.models import Settings, fit_outcome
from linkwell.evaluation.panel import build_panel

TRUE_OR = 1.03
DRAWS = 50


def test_recovers_the_true_odds_ratio_on_a_national_sized_panel():
    exposure = synthetic.staggered_exposure(6500, seed=21)
    counts = synthetic.simulate_counts(
        exposure, true_or=1.015, outcomes=["overall_experience"], seed=21
    )
    fit = fit_grouped_logit(counts, ["fte_per_50k"]).terms.loc["fte_per_50k"]
    assert fit["ci_low"] < 1.015 < fit["ci_high"]
    assert fit["odds_ratio"] == pytest.approx(1.015, abs=0.004)
    assert fit["ci_high"] - fit["ci_low"] < 0.01  # precise enough to tell 1.015 from 1


def test_intervals_cover_the_truth_at_the_nominal_rate():
    """50 draws on 300 practices in 60 PCNs over 6 years.

    With exactly 95% coverage, 42 or fewer covering intervals out of 50 has
    probability 0.3% (binomial), so `>= 43` fails only if coverage is really
    short. Intervals that are too wide would pass that, so the mean standard
    error must also match the spread of the estimates across draws, within
    the ~10% sampling error of a 50-draw standard deviation (bounds ~3.5 SE).
    """
    exposure = synthetic.staggered_exposure(300, seed=5)
    estimates, ses, covered = [], [], 0
    for draw in range(DRAWS):
        counts = synthetic.simulate_counts(
            exposure, true_or=TRUE_OR, outcomes=["overall_experience"], seed=1000 + draw
        )
        fit = fit_grouped_logit(counts, ["fte_per_50k"]).terms.loc["fte_per_50k"]
        covered += fit["ci_low"] <= TRUE_OR <= fit["ci_high"]
        estimates.append(fit["coef"])
        ses.append(fit["se"])
    assert covered >= 43
    assert 0.7 < np.mean(ses) / np.std(estimates, ddof=1) < 1.4
    assert abs(np.mean(estimates) - np.log(TRUE_OR)) < 3 * np.std(estimates) / np.sqrt(DRAWS)


def test_full_model_set_recovers_truth_through_the_panel():
    exposure = synthetic.staggered_exposure(1500, seed=8)
    counts = synthetic.simulate_counts(
        exposure, true_or=1.04, outcomes=["overall_experience"], seed=8
    )
    clusters = exposure[["practice_code", "pcn_code"]].drop_duplicates()
    practices = exposure.assign(
        census=exposure["year"].map(lambda y: pd.Timestamp(f"{y - 1}-12-01"))
    )
    waves = {y: Wave(pd.Period(f"{y - 1}-12", "M"), "December before") for y in range(2018, 2024)}
    imd = clusters.assign(imd_quintile=np.arange(len(clusters)) % 5 + 1)[
        ["practice_code", "imd_quintile"]
    ]
    panel = build_panel(
        counts[["practice_code", "year", "outcome", "n", "successes"]],
        practices[["practice_code", "census", "fte_per_50k"]].assign(pcn_status="reported"),
        waves,
        clusters,
        imd=imd,
        ledger=Ledger(),
    )
    result = fit_outcome(panel, Settings(event_study="all"))
    assert result.logit["ci_low"] < 1.04 < result.logit["ci_high"]
    assert result.linear["ci_low"] > 0  # same direction on the percentage-point scale
    assert [h["imd_quintile"] for h in result.heterogeneity] == [1, 2, 3, 4, 5]
    # The event study sees no effect before adoption and one after.
    table = result.event_study.table
    assert table.loc[-1, "coef"] == 0
    assert table.loc[table.index >= 1, "coef"].mean() > 0
