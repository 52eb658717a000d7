"""Synthetic survey data with a known effect, in the published file formats.

Outcomes are drawn from a logit with practice and year effects and a chosen
true odds ratio per +1 link worker FTE per 50,000; exposure comes either from
the real workforce and payments files (through `exposure`) or from
`staggered_exposure`. Tests use it to show the estimator recovers the truth
and that its intervals cover it at the nominal rate.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from linkwell.evaluation.exposure import Wave
from linkwell.evaluation.outcomes import CLASSIC_YEARS, COLUMN_MAP, OUTCOMES

# Typical shares answering positively, roughly GPPS 2019 national levels, so
# the synthetic logits sit where the real ones do.
BASE_RATES = {
    "overall_experience": 0.83,
    "confident_managing_health": 0.75,
    "support_local_services": 0.72,
    "mental_health_understood": 0.86,
    "isolation": 0.12,
}
# Who answers each item: everyone, or only some respondents (survey routing).
ANSWER_RATES = {
    "overall_experience": 1.0,
    "confident_managing_health": 0.5,
    "support_local_services": 0.4,
    "mental_health_understood": 0.2,
    "isolation": 0.9,
}


def staggered_exposure(
    n_practices: int, years: range = range(2018, 2024), *, seed: int = 0, per_pcn: int = 5
) -> pd.DataFrame:
    """Practice × year exposure that rises from 0 as PCNs take on link workers."""
    rng = np.random.default_rng(seed)
    n_pcns = max(1, n_practices // per_pcn)
    pcn_of = rng.integers(0, n_pcns, n_practices)
    start = rng.choice(np.arange(years[0] + 1, years[-1] + 2), n_pcns)  # some never, in range
    level = rng.gamma(2.0, 0.8, n_pcns)
    rows = []
    for t, year in enumerate(years):
        ramp = np.clip((year - start + 1) / 2, 0, 1)[pcn_of]
        rows.append(
            pd.DataFrame(
                {
                    "practice_code": [f"Z{i:05d}" for i in range(n_practices)],
                    "pcn_code": [f"U{90000 + p:05d}" for p in pcn_of],
                    "year": year,
                    "fte_per_50k": ramp * level[pcn_of] * rng.uniform(0.8, 1.2, n_practices),
                    "t": t,
                }
            )
        )
    return pd.concat(rows, ignore_index=True).drop(columns="t")


def practice_year_exposure(
    practices: pd.DataFrame, clusters: pd.DataFrame, waves: dict[int, Wave]
) -> pd.DataFrame:
    """Practice × year exposure taken from the real files (`exposure.practice_exposure`
    with the absent-PCN treatment applied, and `exposure.latest_pcn`), for simulating
    outcomes on real practices."""
    frames = []
    for year, wave in waves.items():
        if not wave.used:
            continue
        if wave.census is None:
            frames.append(clusters.assign(year=year, fte_per_50k=0.0))
        else:
            at = practices[practices["census"] == wave.census.to_timestamp()]
            frames.append(
                at[["practice_code", "fte_per_50k"]]
                .dropna()
                .merge(clusters, on="practice_code")
                .assign(year=year)
            )
    return pd.concat(frames, ignore_index=True)[
        ["practice_code", "pcn_code", "year", "fte_per_50k"]
    ]


def _linear_predictor(exposure: pd.DataFrame, outcome: str, true_or: float, rng) -> np.ndarray:
    codes, practice = np.unique(exposure["practice_code"], return_inverse=True)
    years, year = np.unique(exposure["year"], return_inverse=True)
    base = np.log(BASE_RATES[outcome] / (1 - BASE_RATES[outcome]))
    practice_effect = rng.normal(0, 0.4, len(codes))[practice]
    year_effect = np.linspace(0, -0.3, len(years))[year]
    return (
        base + practice_effect + year_effect + np.log(true_or) * exposure["fte_per_50k"].to_numpy()
    )


def true_marginal_effect(counts: pd.DataFrame, true_or: float) -> float:
    """The true average marginal effect (probability units) of +1 FTE per 50,000 in these
    cells: log(true_or) * p (1 - p), averaged over respondents."""
    slope = counts["true_p"] * (1 - counts["true_p"])
    return float(np.log(true_or) * np.average(slope, weights=counts["n"]))


def simulate_counts(
    exposure: pd.DataFrame,
    *,
    true_or: float,
    outcomes: list[str] | None = None,
    mean_respondents: int = 110,
    seed: int = 0,
) -> pd.DataFrame:
    """Practice-year counts: `practice_code, pcn_code, year, outcome, n, successes, fte_per_50k`,
    and `true_p`, each cell's true chance of a positive answer (so tests can compute the
    true average marginal effect, log(true_or) * mean of true_p (1 - true_p))."""
    rng = np.random.default_rng(seed)
    frames = []
    for outcome in outcomes or list(OUTCOMES):
        p = 1 / (1 + np.exp(-_linear_predictor(exposure, outcome, true_or, rng)))
        n = rng.poisson(mean_respondents * ANSWER_RATES[outcome], len(exposure)) + 1
        frames.append(exposure.assign(outcome=outcome, n=n, successes=rng.binomial(n, p), true_p=p))
    return pd.concat(frames, ignore_index=True)


def _classic_name(column: str, year: int) -> str:
    # Mimic the case drift between years: Q28_12pct in early files, q28_12pct later.
    return column.upper()[0] + column[1:] if year <= 2020 else column


def write_gpps_csvs(
    counts: pd.DataFrame, directory: Path, *, suppressed: float = 0.0, seed: int = 0
) -> list[Path]:
    """One practice-level CSV per year, named and laid out as gp-patient.co.uk publishes them.

    2018-2023 use the classic layout (`Practice_Code`, `q28base`, `q28_12pct`,
    case varying by year, 2019 in Windows-1252). 2024+ use the redesigned
    layout; ASSUMPTION (no 2024 codebook here): `ad_practicecode`, with each
    item as `<name>.pcteval` and its base as `<name>.baseeval`, as seen in
    public code reading the 2024 files. A share `suppressed` of cells is
    written as -97, the GPPS suppression code.
    """
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for year, rows in counts.groupby("year"):
        table = pd.DataFrame(index=pd.Index(sorted(rows["practice_code"].unique())))
        for key, years, pct_names, base_names in COLUMN_MAP:
            part = rows[rows["outcome"] == key].set_index("practice_code")
            if year not in years or part.empty:
                continue
            pct = (part["successes"] / part["n"]).round(6)
            base = part["n"].astype(float)
            hidden = rng.random(len(part)) < suppressed
            pct_col, base_col = pct_names[0], base_names[0]
            if year in CLASSIC_YEARS:
                pct_col, base_col = _classic_name(pct_col, year), _classic_name(base_col, year)
            table[pct_col] = pct.where(~hidden, -97)
            table[base_col] = base.where(~hidden, -97)
        code = "Practice_Code" if year in CLASSIC_YEARS else "ad_practicecode"
        name = "Practice_Name" if year in CLASSIC_YEARS else "ad_practicename"
        table.index.name = code
        table.insert(0, name, [f"Surgery {c} – Health Centre" for c in table.index])
        path = directory / f"GPPS_{year}_Practice_data_(weighted)_(csv)_PUBLIC.csv"
        table.reset_index().to_csv(
            path, index=False, encoding="cp1252" if year == 2019 else "utf-8"
        )
        paths.append(path)
    return paths


def write_microdata(
    exposure: pd.DataFrame,
    path: Path,
    *,
    true_or: float,
    respondents: int,
    seed: int = 0,
    ltc_share: float = 0.55,
) -> int:
    """Respondent-level Parquet (`practice_code, year, ltc`, one 0/1/NULL column per
    outcome), `respondents` rows spread over the practice-years of `exposure`."""
    rng = np.random.default_rng(seed)
    per_cell = rng.multinomial(respondents, np.full(len(exposure), 1 / len(exposure)))
    cell = np.repeat(np.arange(len(exposure)), per_cell)
    columns = {
        "practice_code": exposure["practice_code"].to_numpy()[cell],
        "year": exposure["year"].to_numpy(np.int16)[cell],
        "ltc": (rng.random(len(cell)) < ltc_share).astype(np.int8),
    }
    for outcome in OUTCOMES:
        p = 1 / (1 + np.exp(-_linear_predictor(exposure, outcome, true_or, rng)))
        answer = (rng.random(len(cell)) < p[cell]).astype(float)
        asked = rng.random(len(cell)) < ANSWER_RATES[outcome]
        if OUTCOMES[outcome].population == "people with a long-term condition":
            asked &= columns["ltc"] == 1
        answer[~asked] = np.nan
        columns[outcome] = answer
    frame = pd.DataFrame(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = str(path).replace("'", "''")
    duckdb.sql(f"COPY frame TO '{target}' (FORMAT parquet)")
    return len(frame)
