"""Respondent-level mode: DuckDB turns microdata into the same counts and estimate."""

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from linkwell.evaluation import synthetic
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.fe_logit import fit_grouped_logit
from linkwell.evaluation.microdata import ALL, aggregate_microdata


@pytest.fixture
def microdata(tmp_path):
    exposure = synthetic.staggered_exposure(30, seed=4)
    path = tmp_path / "respondents.parquet"
    synthetic.write_microdata(exposure, path, true_or=1.1, respondents=20_000, seed=4)
    return exposure, path


def test_counts_equal_a_plain_pandas_count(microdata):
    _, path = microdata
    counts = aggregate_microdata(path, groups=("ltc",))
    raw = duckdb.read_parquet(str(path)).df()
    expected = raw.groupby(["practice_code", "year"])["overall_experience"].agg(["count", "sum"])
    overall = (counts["outcome"] == "overall_experience") & (counts["group"] == ALL)
    got = counts[overall].set_index(["practice_code", "year"])
    assert (got["n"] == expected["count"].loc[got.index]).all()
    assert (got["successes"] == expected["sum"].loc[got.index]).all()
    ltc = counts.query("outcome == 'isolation' and group == 'ltc = 1'")["n"].sum()
    assert ltc == raw.loc[raw["ltc"] == 1, "isolation"].notna().sum()


def test_grouped_estimate_equals_respondent_level_logit_with_dummies(microdata):
    exposure, path = microdata
    counts = aggregate_microdata(path, outcomes=["overall_experience"]).merge(
        exposure, on=["practice_code", "year"]
    )
    grouped = fit_grouped_logit(counts, ["fte_per_50k"]).terms.loc["fte_per_50k", "coef"]
    rows = (
        duckdb.read_parquet(str(path))
        .df()
        .dropna(subset=["overall_experience"])
        .merge(exposure, on=["practice_code", "year"])
    )
    dummies = pd.get_dummies(rows[["practice_code", "year"]].astype(str), drop_first=True)
    design = sm.add_constant(pd.concat([rows[["fte_per_50k"]], dummies.astype(float)], axis=1))
    logit = sm.Logit(rows["overall_experience"], design).fit(disp=0)
    assert grouped == pytest.approx(logit.params["fte_per_50k"], rel=1e-5)


def test_answers_other_than_0_1_or_empty_are_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("practice_code,year,overall_experience\nA1,2019,1\nA1,2019,2\n")
    with pytest.raises(EvaluationError, match=r"bad\.csv.*overall_experience.*not 0, 1"):
        aggregate_microdata(path)


def test_missing_column_names_the_file_and_column(tmp_path):
    path = tmp_path / "respondents.csv"
    path.write_text("practice,year,overall_experience\nA1,2019,1\n")
    with pytest.raises(EvaluationError, match=r"respondents\.csv.*'practice_code'"):
        aggregate_microdata(path)


def test_case_of_column_names_does_not_matter(tmp_path):
    path = tmp_path / "respondents.csv"
    path.write_text("Practice_Code,YEAR,Overall_Experience\na1,2019,1\nA1,2019,0\nA1,2019,\n")
    counts = aggregate_microdata(path)
    assert counts[["practice_code", "n", "successes"]].values.tolist() == [["A1", 2, 1]]
    assert np.issubdtype(counts["year"].dtype, np.integer)
