"""results.json and the CSV model tables: the machine-readable outputs of a run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from linkwell.evaluation.outcomes import OUTCOMES
from linkwell.evaluation.pipeline import Evaluation


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
                "linear_probability": result.linear,
                "heterogeneity_by_imd_quintile": result.heterogeneity,
                "published_bjgp_2025": (
                    dict(zip(["odds_ratio", "ci_low", "ci_high"], published, strict=True))
                    if published
                    else None
                ),
            }
        )
    return entries


def write_results(evaluation: Evaluation, out: Path, *, settings: dict) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "exposure": "link worker FTE per 50,000 registered patients (PCN level)",
        "effect": "odds ratio per +1 FTE per 50,000, practice and year fixed effects, "
        "PCN-clustered 95% CI",
        "settings": settings,
        "census_by_survey_year": {
            str(y): (str(c) if c is not None else "before the scheme (0)")
            for y, c in evaluation.census_by_year.items()
        },
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
        "linear_probability": pd.DataFrame([{**k, **r.linear} for r, k in keyed]),
        "heterogeneity": pd.DataFrame([{**k, **h} for r, k in keyed for h in r.heterogeneity]),
        "event_study": pd.concat(
            [r.event_study.reset_index().assign(**k) for r, k in keyed if r.event_study is not None]
            or [pd.DataFrame()]
        ),
        "exposure_national": evaluation.exposure.national.assign(
            census=evaluation.exposure.national["census"].astype(str)
        ),
        "exclusions": pd.DataFrame(evaluation.ledger.as_dict()["exclusions"]),
    }
    paths = []
    for name, frame in frames.items():
        path = tables / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths
