"""The models run on the panel, one set per outcome and target group.

- Main: grouped-binomial logit, practice and year fixed effects, PCN-clustered
  errors: odds ratio per +1 link worker FTE per 50,000 patients (the BJGP
  2025 specification, there fitted to respondents), and the same model's
  average marginal effect in percentage points (`fe_logit`).
- Sensitivity: the main model again with each contestable choice made the
  other way (absent PCNs, the survey year aligned by the fallback rule,
  practice covariates), side by side.
- Robustness check only: a respondent-weighted linear probability model.
- Heterogeneity: a separate slope for each IMD quintile.
- Event study on the log-odds scale with a pre-trend test (`event_study`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pyfixest as pf
from scipy.stats import norm

from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.event_study import EventStudy, event_study
from linkwell.evaluation.fe_logit import Z95, fit_grouped_logit, quiet_pyfixest
from linkwell.evaluation.outcomes import OUTCOMES

HEADLINE = "overall_experience"
EXPOSURE = "fte_per_50k"


@dataclass(frozen=True)
class Settings:
    unit: str = "practice_code"  # or "pcn_code": PCN instead of practice fixed effects
    # The event study checks the design (flat pre-trends) and is the slowest model,
    # so by default it runs for the headline outcome only: "headline", "all" or "none".
    event_study: str = "headline"
    heterogeneity: bool = True
    covariates: tuple[str, ...] = ()  # time-varying practice covariates in the main model

    def wants_event_study(self, outcome: str) -> bool:
        return self.event_study == "all" or (self.event_study == "headline" and outcome == HEADLINE)


@dataclass(frozen=True)
class Variant:
    """One sensitivity analysis: the main model on other data or with other regressors."""

    label: str
    data: pd.DataFrame
    covariates: tuple[str, ...] = ()


@dataclass
class OutcomeResult:
    outcome: str
    group: str
    logit: dict
    linear: dict
    heterogeneity: list[dict] = field(default_factory=list)
    event_study: EventStudy | None = None
    sensitivity: list[dict] = field(default_factory=list)
    exclusions: dict[str, int] = field(default_factory=dict)


def _linear(data: pd.DataFrame, settings: Settings) -> dict:
    """Respondent-weighted linear probability model, in percentage points.

    A robustness check only: it assumes the effect is the same number of points
    at every practice's level, which a logit does not, and it is not the
    estimate the report leads with.
    """
    work = data.assign(share=data["successes"] / data["n"])
    with quiet_pyfixest():
        model = pf.feols(
            f"share ~ {' + '.join([EXPOSURE, *settings.covariates])} | {settings.unit} + year",
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
    fit = fit_grouped_logit(
        rated, [*slopes, *settings.covariates], fixed_effects=(settings.unit, "year")
    )
    return [{"imd_quintile": q, **_odds(fit.terms.loc[name])} for name, q in slopes.items()]


def _odds(row: pd.Series) -> dict:
    return {
        "odds_ratio": float(row["odds_ratio"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
        "p_value": float(row["p_value"]),
    }


def _effect(fit) -> dict:
    """Odds ratio and average marginal effect (percentage points) of the exposure."""
    row = fit.terms.loc[EXPOSURE]
    return {
        **_odds(row),
        "ame_pp": 100 * float(row["ame"]),
        "ame_low_pp": 100 * float(row["ame_low"]),
        "ame_high_pp": 100 * float(row["ame_high"]),
    }


def _sensitivity_row(label: str, data: pd.DataFrame, settings: Settings, covariates) -> dict:
    """One sensitivity analysis; one the data cannot support says why instead of
    stopping the run (e.g. leaving out 2020 leaves one survey year in a small area)."""
    years = sorted(int(y) for y in data["year"].unique())
    try:
        if data[EXPOSURE].nunique() < 2:
            raise EvaluationError("exposure does not vary")
        fit = fit_grouped_logit(
            data, [EXPOSURE, *covariates], fixed_effects=(settings.unit, "year")
        )
    except EvaluationError as error:
        return {"analysis": label, "not_estimable": str(error).split("\n")[0], "years": years}
    return {
        "analysis": label,
        **_effect(fit),
        "n_practice_years": int(fit.n_cells),
        "years": years,
    }


def fit_outcome(
    data: pd.DataFrame, settings: Settings, variants: tuple[Variant, ...] = ()
) -> OutcomeResult:
    """All models for one outcome and group; `data` is that slice of the panel."""
    outcome, group = data["outcome"].iat[0], data["group"].iat[0]
    if data[EXPOSURE].nunique() < 2:
        raise EvaluationError(
            f"exposure does not vary for {outcome} ({group}), so there is nothing to compare",
            fix="include survey years before and after link workers arrived",
        )
    covariates = list(settings.covariates)
    fit = fit_grouped_logit(data, [EXPOSURE, *covariates], fixed_effects=(settings.unit, "year"))
    years = sorted(int(y) for y in data["year"].unique())
    logit = {
        **_effect(fit),
        "n_practices": int(data["practice_code"].nunique()),
        "n_practices_informative": fit.n_units if settings.unit == "practice_code" else None,
        "n_respondents": int(data["n"].sum()),
        "n_practice_years": int(len(data)),
        "years": years,
        "covariates": covariates,
    }
    main = {
        "analysis": "Main analysis (as reported above)",
        **{k: logit[k] for k in ["odds_ratio", "ci_low", "ci_high", "p_value"]},
        **{k: logit[k] for k in ["ame_pp", "ame_low_pp", "ame_high_pp"]},
        "n_practice_years": int(fit.n_cells),
        "years": years,
    }
    return OutcomeResult(
        outcome=outcome,
        group=group,
        logit=logit,
        linear=_linear(data, settings),
        heterogeneity=_heterogeneity(data, settings) if settings.heterogeneity else [],
        event_study=event_study(data, settings.unit)
        if settings.wants_event_study(outcome)
        else None,
        sensitivity=[main]
        + [_sensitivity_row(v.label, v.data, settings, v.covariates) for v in variants],
        exclusions={
            "practice-years of practices seen in one year only": fit.dropped_singletons,
            "practice-years of practices answering all-yes or all-no": fit.dropped_no_variation,
        },
    )


def fit_all(
    panel: pd.DataFrame,
    settings: Settings,
    *,
    variants: Callable[[pd.DataFrame], tuple[Variant, ...]] | None = None,
    progress=None,
) -> list[OutcomeResult]:
    """`fit_outcome` for every outcome and group, the headline outcome first.

    `variants` gives the sensitivity analyses for one outcome-group slice.
    """
    order = {key: i for i, key in enumerate(OUTCOMES)}
    keys = sorted(panel.groupby(["outcome", "group"]).groups, key=lambda k: (order[k[0]], k[1]))
    parts = {k: g.reset_index(drop=True) for k, g in panel.groupby(["outcome", "group"])}
    results = []
    for key in progress(keys) if progress else keys:
        part = parts[key]
        results.append(fit_outcome(part, settings, variants(part) if variants else ()))
    return results
