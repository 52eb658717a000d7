"""The models run on the panel, one set per outcome and target group.

- Main: grouped-binomial logit, practice and year fixed effects, PCN-clustered
  errors: odds ratio per +1 link worker FTE per 50,000 patients (the BJGP
  2025 specification, there fitted to respondents).
- Linear probability TWFE: the same design in percentage points.
- Heterogeneity: a separate slope for each IMD quintile.
- Event study: staggered adoption, interaction-weighted (Sun & Abraham 2021,
  J Econometrics 225:175-199) via pyfixest's saturated event study.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyfixest as pf
from scipy.stats import norm

from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.fe_logit import Z95, fit_grouped_logit, quiet_pyfixest

HEADLINE = "overall_experience"


@dataclass(frozen=True)
class Settings:
    unit: str = "practice_code"  # or "pcn_code": PCN instead of practice fixed effects
    cohort_threshold: float = 1.0  # FTE per 50,000 at which a PCN counts as "adopted"
    # The event study checks the design (flat pre-trends) and is the slowest model,
    # so by default it runs for the headline outcome only: "headline", "all" or "none".
    event_study: str = "headline"
    heterogeneity: bool = True

    def wants_event_study(self, outcome: str) -> bool:
        return self.event_study == "all" or (self.event_study == "headline" and outcome == HEADLINE)


@dataclass
class OutcomeResult:
    outcome: str
    group: str
    logit: dict
    linear: dict
    heterogeneity: list[dict] = field(default_factory=list)
    event_study: pd.DataFrame | None = None
    exclusions: dict[str, int] = field(default_factory=dict)


def _linear(data: pd.DataFrame, settings: Settings) -> dict:
    """Respondent-weighted linear probability model, in percentage points."""
    work = data.assign(share=data["successes"] / data["n"])
    with quiet_pyfixest():
        model = pf.feols(
            f"share ~ fte_per_50k | {settings.unit} + year",
            data=work,
            weights="n",
            vcov={"CRV1": "pcn_code"},
        )
    coef, se = float(model.coef()["fte_per_50k"]), float(model.se()["fte_per_50k"])
    return {
        "pp_change": 100 * coef,
        "ci_low": 100 * (coef - Z95 * se),
        "ci_high": 100 * (coef + Z95 * se),
        "p_value": float(2 * norm.sf(abs(coef / se))),
    }


def _heterogeneity(data: pd.DataFrame, settings: Settings) -> list[dict]:
    rated = data.dropna(subset=["imd_quintile"])
    quintiles = sorted(int(q) for q in rated["imd_quintile"].unique())
    if len(quintiles) < 2:
        return []
    slopes = {f"fte_q{q}": q for q in quintiles}
    for name, q in slopes.items():
        rated = rated.assign(**{name: rated["fte_per_50k"].where(rated["imd_quintile"] == q, 0.0)})
    fit = fit_grouped_logit(rated, list(slopes), fixed_effects=(settings.unit, "year"))
    return [{"imd_quintile": q, **_odds(fit.terms.loc[name])} for name, q in slopes.items()]


def _odds(row: pd.Series) -> dict:
    return {
        "odds_ratio": float(row["odds_ratio"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
        "p_value": float(row["p_value"]),
    }


def adoption_cohorts(data: pd.DataFrame, unit: str, threshold: float) -> pd.Series:
    """First survey year each unit's exposure reached `threshold` (0 = never)."""
    reached = data[data["fte_per_50k"] >= threshold]
    first = reached.groupby(unit)["year"].min()
    return data[unit].map(first).fillna(0).astype(int)


def _event_study(data: pd.DataFrame, settings: Settings) -> pd.DataFrame | None:
    # Link workers arrive per PCN, so adoption is a PCN event: compare PCNs,
    # pooling their practices' answers (also 5x fewer units for pyfixest's
    # per-unit checks, the slowest step of a run).
    pcns = data.groupby(["pcn_code", "year"], as_index=False).agg(
        successes=("successes", "sum"), n=("n", "sum"), fte_per_50k=("fte_per_50k", "mean")
    )
    work = pcns.assign(
        share=pcns["successes"] / pcns["n"],
        cohort=adoption_cohorts(pcns, "pcn_code", settings.cohort_threshold),
    )
    # PCNs adopting in the first year have no before-period to compare.
    work = work[work["cohort"] != work["year"].min()]
    cohorts = set(work["cohort"]) - {0}
    if not cohorts or not (work["cohort"] == 0).any() or work["year"].nunique() < 3:
        return None
    with quiet_pyfixest():
        fit = pf.event_study(
            work,
            yname="share",
            idname="pcn_code",
            tname="year",
            gname="cohort",
            cluster="pcn_code",
            estimator="saturated",
        )
        table = fit.aggregate().astype(float)
    table = table.rename(
        columns={"Estimate": "estimate", "Std. Error": "se", "2.5%": "ci_low", "97.5%": "ci_high"}
    )[["estimate", "se", "ci_low", "ci_high"]]
    table.index = table.index.astype(int).rename("years_since_adoption")
    # The reference year (-1) is zero by construction; show it so the plot reads right.
    table.loc[-1] = [0.0, 0.0, 0.0, 0.0]
    return (100 * table).sort_index()  # percentage points


def fit_outcome(data: pd.DataFrame, settings: Settings) -> OutcomeResult:
    """All models for one outcome and group; `data` is that slice of the panel."""
    outcome, group = data["outcome"].iat[0], data["group"].iat[0]
    if data["fte_per_50k"].nunique() < 2:
        raise EvaluationError(
            f"exposure does not vary for {outcome} ({group}), so there is nothing to compare",
            fix="include survey years before and after link workers arrived",
        )
    fit = fit_grouped_logit(data, ["fte_per_50k"], fixed_effects=(settings.unit, "year"))
    years = sorted(int(y) for y in data["year"].unique())
    logit = {
        **_odds(fit.terms.loc["fte_per_50k"]),
        "n_practices": int(data["practice_code"].nunique()),
        "n_practices_informative": fit.n_units if settings.unit == "practice_code" else None,
        "n_respondents": int(data["n"].sum()),
        "n_practice_years": int(len(data)),
        "years": years,
    }
    return OutcomeResult(
        outcome=outcome,
        group=group,
        logit=logit,
        linear=_linear(data, settings),
        heterogeneity=_heterogeneity(data, settings) if settings.heterogeneity else [],
        event_study=_event_study(data, settings) if settings.wants_event_study(outcome) else None,
        exclusions={
            "practice-years of practices seen in one year only": fit.dropped_singletons,
            "practice-years of practices answering all-yes or all-no": fit.dropped_no_variation,
        },
    )


def fit_all(panel: pd.DataFrame, settings: Settings, progress=None) -> list[OutcomeResult]:
    """`fit_outcome` for every outcome and group in the panel, in a stable order."""
    slices = [g for _, g in panel.groupby(["outcome", "group"], sort=True)]
    results = []
    for part in progress(slices) if progress else slices:
        results.append(fit_outcome(part.reset_index(drop=True), settings))
    return results
