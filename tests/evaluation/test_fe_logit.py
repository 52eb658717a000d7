"""The grouped fixed-effects logit equals the textbook fits it replaces."""

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from linkwell.evaluation import synthetic
from linkwell.evaluation.fe_logit import fit_grouped_logit, quiet_pyfixest


@pytest.fixture(scope="module")
def small_panel():
    exposure = synthetic.staggered_exposure(48, range(2018, 2024), seed=11, per_pcn=4)
    return synthetic.simulate_counts(
        exposure, true_or=1.08, outcomes=["overall_experience"], mean_respondents=60, seed=11
    )


def test_matches_statsmodels_binomial_glm_with_dummies(small_panel):
    ours = fit_grouped_logit(small_panel, ["fte_per_50k"], ssc=pf.ssc(k_adj=False, G_adj=False))
    dummies = pd.get_dummies(small_panel[["practice_code", "year"]].astype(str), drop_first=True)
    design = sm.add_constant(
        pd.concat([small_panel[["fte_per_50k"]], dummies.astype(float)], axis=1)
    )
    counts = np.column_stack(
        [small_panel["successes"], small_panel["n"] - small_panel["successes"]]
    )
    theirs = sm.GLM(counts, design, family=sm.families.Binomial()).fit(
        cov_type="cluster",
        cov_kwds={"groups": pd.factorize(small_panel["pcn_code"])[0], "use_correction": False},
    )
    assert ours.terms.loc["fte_per_50k", "coef"] == pytest.approx(
        theirs.params["fte_per_50k"], rel=1e-6
    )
    assert ours.terms.loc["fte_per_50k", "se"] == pytest.approx(theirs.bse["fte_per_50k"], rel=1e-4)


def test_matches_pyfixest_feglm_on_one_row_per_respondent(small_panel):
    ours = fit_grouped_logit(small_panel, ["fte_per_50k"])
    rows = small_panel.loc[small_panel.index.repeat(small_panel["n"])].copy()
    rank = rows.groupby(level=0).cumcount()
    rows["answer"] = (rank < rows["successes"]).astype(int)
    with quiet_pyfixest():
        theirs = pf.feglm(
            "answer ~ fte_per_50k | practice_code + year",
            data=rows.reset_index(drop=True),
            family="logit",
            vcov={"CRV1": "pcn_code"},
        )
    assert ours.terms.loc["fte_per_50k", "coef"] == pytest.approx(
        theirs.coef()["fte_per_50k"], rel=1e-5
    )
    assert ours.n_respondents == len(rows)


def test_uninformative_practices_are_dropped_and_counted(small_panel):
    extra = pd.DataFrame(
        {
            "practice_code": ["ALLYES", "ALLYES", "ONCE"],
            "pcn_code": ["X", "X", "Y"],
            "year": [2018, 2019, 2018],
            "fte_per_50k": [0.0, 1.0, 0.0],
            "outcome": "overall_experience",
            "n": [50, 40, 30],
            "successes": [50, 40, 10],
        }
    )
    base = fit_grouped_logit(small_panel, ["fte_per_50k"])
    fit = fit_grouped_logit(pd.concat([small_panel, extra]), ["fte_per_50k"])
    assert (fit.dropped_no_variation, fit.dropped_singletons) == (2, 1)
    assert fit.terms.loc["fte_per_50k", "coef"] == pytest.approx(
        base.terms.loc["fte_per_50k", "coef"], rel=1e-6
    )


def test_average_marginal_effect_matches_statsmodels_margeff(small_panel):
    """The AME (mean of beta mu (1 - mu) over respondents) equals statsmodels'
    Logit.get_margeff on one row per respondent with practice and year dummies."""
    # 16 practices keep statsmodels' numerical margeff Jacobian quick.
    panel = small_panel[
        small_panel["practice_code"].isin(sorted(set(small_panel["practice_code"]))[:16])
    ]
    ours = fit_grouped_logit(panel, ["fte_per_50k"]).terms.loc["fte_per_50k"]
    rows = panel.loc[panel.index.repeat(panel["n"])].copy()
    rank = rows.groupby(level=0).cumcount()
    answer = (rank < rows["successes"]).astype(int).to_numpy()
    dummies = pd.get_dummies(rows[["practice_code", "year"]].astype(str), drop_first=True)
    design = sm.add_constant(pd.concat([rows[["fte_per_50k"]], dummies.astype(float)], axis=1))
    logit = sm.Logit(answer, design.reset_index(drop=True)).fit(disp=0)
    theirs = logit.get_margeff(at="overall").summary_frame().loc["fte_per_50k"]
    assert ours["ame"] == pytest.approx(theirs["dy/dx"], rel=1e-5)
    # Same interval width order: theirs is model-based, ours clustered by PCN.
    assert 0.3 < ours["ame_se"] / theirs["Std. Err."] < 3
