"""Staggered-adoption event study on the scale of the main model (log odds).

Adoption is the first survey year in which a practice's PCN had any link
worker FTE (> 0), and it is absorbing: later years count as after adoption
even if the PCN's FTE falls back to 0. "Never treated" means seen with 0 FTE
in every survey year used, so no comparison practice has link workers (one
missing a year, whose PCN did not report, might have had them and is left
out). A fixed
threshold (say 1.0 FTE per 50,000) would put PCNs with 0.8 FTE among the
comparisons, and compare exposed with exposed.

Estimator: Sun & Abraham (2021, J Econometrics 225:175-199), fitted as the
grouped fixed-effects logit of the main model. One indicator per adoption
cohort and survey wave relative to adoption, except the wave just before
adoption (the reference), with practice and year fixed effects and
PCN-clustered errors. The comparison group is the never-treated practices.
When there are none, it is the last cohort to adopt, in the years before it
adopts (not yet treated), as Sun & Abraham suggest; later years are dropped.
Cohorts that adopt in the first year have no before-period and are left out.
Each event-time coefficient is the respondent-weighted mean of its cohorts'
coefficients (their interaction weights).

Pre-trend test: the before-adoption coefficients (waves -2 and earlier)
should all be zero if the comparison holds. They are tested jointly with a
cluster-robust Wald statistic referred to F(k, G - k), a Hotelling-type
small-sample form that keeps the test near its nominal size with tens of
clusters (Cameron & Miller 2015, J Human Resources 50:317-372, s.VII).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import f as f_dist
from scipy.stats import t as t_dist

from linkwell.evaluation.fe_logit import fit_grouped_logit

NEVER = 0


@dataclass(frozen=True)
class EventStudy:
    # index: waves since adoption (-1 is the reference, 0 by construction);
    # columns: coef (log odds), se, odds_ratio, ci_low, ci_high, n_respondents
    table: pd.DataFrame
    pretrend_f: float | None  # joint test of waves <= -2; None if there are none
    pretrend_df: tuple[int, int] | None
    pretrend_p: float | None
    comparison: str  # who the adopters are compared with, in words
    cohorts: dict[int, int] = field(default_factory=dict)  # adoption year -> practices
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> practice-years


def adoption_cohorts(data: pd.DataFrame, unit: str) -> pd.Series:
    """First survey year each unit had any link worker FTE (`NEVER` = 0 if none)."""
    first = data[data["fte_per_50k"] > 0].groupby(unit)["year"].min()
    return data[unit].map(first).fillna(NEVER).astype(int)


def _design(data: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, dict, str, dict[str, int]]:
    years = sorted(int(y) for y in data["year"].unique())
    wave = {y: i for i, y in enumerate(years)}
    work = data.assign(cohort=adoption_cohorts(data, unit))
    left_out: dict[str, int] = {}
    always = work["cohort"] == years[0]
    left_out["practice-years of practices with link workers in the first year (no before)"] = int(
        always.sum()
    )
    work = work[~always]
    # A comparison practice missing a year (its PCN did not report, say) may have
    # had link workers then, so only practices seen at 0 FTE in every year compare.
    seen = work.groupby(unit)["year"].transform("nunique")
    unseen = (work["cohort"] == NEVER) & (seen < len(years))
    left_out["practice-years of would-be comparison practices missing a survey year"] = int(
        unseen.sum()
    )
    work = work[~unseen]
    if (work["cohort"] == NEVER).any():
        comparison = "practices seen in every survey year used, with 0 link worker FTE in each"
    else:
        last = int(work["cohort"].max())
        comparison = (
            f"practices whose PCN first had link workers in {last}, in the years before that"
        )
        later = work["year"] >= last
        left_out[f"practice-years from {last} on (no comparison practices left)"] = int(later.sum())
        work = work[~later]
        work.loc[work["cohort"] == last, "cohort"] = NEVER
    # A year with no comparison practice leaves the year effect and the cohorts'
    # indicators confounded, so it cannot be used.
    compared = set(work.loc[work["cohort"] == NEVER, "year"])
    uncompared = ~work["year"].isin(compared)
    left_out["practice-years in a year with no comparison practice"] = int(uncompared.sum())
    work = work[~uncompared]
    cohort = work["cohort"].to_numpy()
    treated = cohort != NEVER
    wave_of = work["year"].map(wave).to_numpy()
    cohort_wave = pd.Series(cohort).map(wave).fillna(0).to_numpy(int)
    event = np.where(treated, wave_of - cohort_wave, 0)
    n = work["n"].to_numpy(float)
    names = {}
    columns = {}
    for g in sorted(set(cohort[treated])):
        for ev in sorted(set(event[treated & (cohort == g)]) - {-1}):
            cell = treated & (cohort == g) & (event == ev)
            name = f"c{g}_e{'m' if ev < 0 else 'p'}{abs(ev)}"
            names[name] = (int(g), int(ev), float(n[cell].sum()))
            columns[name] = cell.astype(float)
    work = pd.concat([work.reset_index(drop=True), pd.DataFrame(columns)], axis=1)
    return work, names, comparison, left_out


def event_study(data: pd.DataFrame, unit: str = "practice_code") -> EventStudy | None:
    """The event study for one outcome's panel slice, or None if timing does not vary."""
    if data["year"].nunique() < 3:
        return None
    work, names, comparison, left_out = _design(data, unit)
    if not names or work["year"].nunique() < 3 or not (work["cohort"] == NEVER).any():
        return None
    fit = fit_grouped_logit(work, list(names), fixed_effects=(unit, "year"))
    kept = [n for n in names if n in fit.terms.index and np.isfinite(fit.terms.loc[n, "se"])]
    events = sorted({names[n][1] for n in kept})
    combine = pd.DataFrame(0.0, index=events, columns=kept)
    for name in kept:
        combine.loc[names[name][1], name] = names[name][2]  # respondents in the cell
    respondents = combine.sum(axis=1)
    combine = combine.div(respondents, axis=0)
    coef = combine.to_numpy() @ fit.terms.loc[kept, "coef"].to_numpy()
    vcov = combine.to_numpy() @ fit.vcov.loc[kept, kept].to_numpy() @ combine.to_numpy().T
    se = np.sqrt(np.diag(vcov))
    # t with G - 1 degrees of freedom: a cohort x wave cell often spans few PCNs,
    # where normal critical values make clustered intervals too narrow.
    crit = t_dist.ppf(0.975, fit.n_clusters - 1)
    table = pd.DataFrame(
        {
            "coef": coef,
            "se": se,
            "odds_ratio": np.exp(coef),
            "ci_low": np.exp(coef - crit * se),
            "ci_high": np.exp(coef + crit * se),
            "p_value": 2 * t_dist.sf(np.abs(coef / se), fit.n_clusters - 1),
            "n_respondents": respondents.to_numpy(),
        },
        index=pd.Index(events, name="waves_since_adoption"),
    )
    table.loc[-1] = [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, np.nan]  # the reference wave
    table = table.sort_index()
    before = [e for e in events if e <= -2]
    f_stat = df = p = None
    if before:
        k, clusters = len(before), fit.n_clusters
        position = [events.index(e) for e in before]
        theta = coef[position]
        wald = float(theta @ np.linalg.solve(vcov[np.ix_(position, position)], theta))
        if clusters > k:
            f_stat = wald * (clusters - k) / (k * (clusters - 1))
            df = (k, clusters - k)
            p = float(f_dist.sf(f_stat, *df))
    cohorts = work[work["cohort"] != NEVER].groupby("cohort")[unit].nunique().astype(int).to_dict()
    return EventStudy(
        table=table,
        pretrend_f=f_stat,
        pretrend_df=df,
        pretrend_p=p,
        comparison=comparison,
        cohorts={int(c): int(v) for c, v in cohorts.items()},
        left_out={k: v for k, v in left_out.items() if v},
    )
