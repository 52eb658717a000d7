"""results.json and the CSV model tables: the machine-readable outputs of a run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from linkwell import spreadsheets
from linkwell.evaluation.exposure import ABSENT_PCN
from linkwell.evaluation.outcomes import OUTCOMES
from linkwell.evaluation.pipeline import Evaluation

# What each mode estimates, said once for results.json and the report.
ESTIMAND = {
    "practice tables": (
        "From the published practice tables, the count answering positively is the weighted share "
        "times the unweighted number who answered. Up to rounding to whole counts, the grouped "
        "logit on those counts is exactly a "
        "respondent-level logit in which each respondent's survey weight is rescaled to average 1 "
        "within their practice and year, with no respondent characteristics (age, sex, ethnicity, "
        "health) as covariates. It equals an unweighted respondent logit only where the weights "
        "are all equal. It can differ from the BJGP 2025 respondent-level model wherever the mix "
        "of respondents within a practice changed over the years in a way the weights or that "
        "model's covariates would have adjusted for."
    ),
    "respondent file": (
        "From the respondent file, the counts are unweighted: the grouped logit is exactly an "
        "unweighted respondent-level logit with practice and year fixed effects and no "
        "respondent characteristics as covariates. It can differ from the BJGP 2025 model if "
        "that model used survey weights or respondent covariates."
    ),
}


def _event_study(result) -> dict | None:
    study = result.event_study
    if study is None:
        return None
    return {
        "scale": "odds ratio relative to the survey year before adoption",
        "adoption": "first survey year in which the practice's PCN had any link worker FTE",
        "comparison": study.comparison,
        "cohorts": {str(k): v for k, v in study.cohorts.items()},
        "pretrend_test": {
            "f": study.pretrend_f,
            "df": study.pretrend_df,
            "p_value": study.pretrend_p,
        },
        "by_wave": study.table.reset_index().to_dict(orient="records"),
    }


def outcome_entries(evaluation: Evaluation) -> list[dict]:
    entries = []
    for result in evaluation.results:
        published = OUTCOMES[result.outcome].published
        entries.append(
            {
                "outcome": result.outcome,
                "label": OUTCOMES[result.outcome].label,
                "group": result.group,
                **result.logit,
                "sensitivity": result.sensitivity,
                "event_study": _event_study(result),
                "robustness_linear_probability_model": result.linear,
                "heterogeneity_by_imd_quintile": result.heterogeneity,
                "published_bjgp_2025": (
                    dict(zip(["odds_ratio", "ci_low", "ci_high"], published, strict=True))
                    if published
                    else None
                ),
            }
        )
    return entries


def waves_table(evaluation: Evaluation) -> list[dict]:
    return [
        {
            "survey_year": year,
            "census": str(wave.census) if wave.census is not None else None,
            "rule": wave.rule,
            "used": wave.used,
        }
        for year, wave in sorted(evaluation.waves.items())
    ]


def write_results(evaluation: Evaluation, out: Path, *, settings: dict) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "exposure": "link worker FTE per 50,000 registered patients (PCN level)",
        "effect": "odds ratio per +1 FTE per 50,000, practice and year fixed effects, "
        "PCN-clustered 95% CI; ame_pp is the same model's average marginal effect in "
        "percentage points (delta-method 95% CI)",
        "estimand": ESTIMAND[evaluation.source],
        "settings": settings,
        "absent_pcn": {"treatment": evaluation.absent_pcn, "meaning": ABSENT_PCN},
        "census_by_survey_year": waves_table(evaluation),
        "absent_pcns_by_census": evaluation.exposure.absent.assign(
            census=evaluation.exposure.absent["census"].astype(str)
        ).to_dict(orient="records"),
        "outcomes": outcome_entries(evaluation),
        **evaluation.ledger.as_dict(),
    }
    path = out / "results.json"
    path.write_text(json.dumps(document, indent=2, default=str))
    return path


def write_tables(evaluation: Evaluation, out: Path) -> list[Path]:
    tables = out / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    keyed = [(r, {"outcome": r.outcome, "group": r.group}) for r in evaluation.results]
    frames = {
        "logit": pd.DataFrame(
            [{**k, **r.logit, "years": " ".join(map(str, r.logit["years"]))} for r, k in keyed]
        ),
        "sensitivity": pd.DataFrame(
            [
                {**k, **s, "years": " ".join(map(str, s["years"]))}
                for r, k in keyed
                for s in r.sensitivity
            ]
        ),
        "robustness_linear_probability": pd.DataFrame([{**k, **r.linear} for r, k in keyed]),
        "heterogeneity": pd.DataFrame([{**k, **h} for r, k in keyed for h in r.heterogeneity]),
        "event_study": pd.concat(
            [
                r.event_study.table.reset_index().assign(**k, pretrend_p=r.event_study.pretrend_p)
                for r, k in keyed
                if r.event_study is not None
            ]
            or [pd.DataFrame()]
        ),
        "census_by_survey_year": pd.DataFrame(waves_table(evaluation)),
        "absent_pcns_by_census": evaluation.exposure.absent.assign(
            census=evaluation.exposure.absent["census"].astype(str)
        ),
        "exposure_national": evaluation.exposure.national.assign(
            census=evaluation.exposure.national["census"].astype(str)
        ),
        "exclusions": pd.DataFrame(evaluation.ledger.as_dict()["exclusions"]),
    }
    paths = []
    for name, frame in frames.items():
        path = tables / f"{name}.csv"
        spreadsheets.frame(frame).to_csv(path, index=False)
        paths.append(path)
    return paths
