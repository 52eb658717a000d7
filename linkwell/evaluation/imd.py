"""Deprivation of each practice's population, for heterogeneity by quintile.

Source: OHID Fingertips indicator 93553, "Deprivation score (IMD 2019)" by GP
practice (`IndicatorID,Year,AreaCode,...,Value`), or the practice × year file
interpolated from it (`Practice.Code,IMD,Year`). Both are Open Government
Licence v3.0. A higher score means a more deprived population.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from linkwell.evaluation import public_csv
from linkwell.evaluation.errors import EvaluationError

_PRACTICE = ["AreaCode", "Practice.Code", "Practice Code", "practice_code"]
_SCORE = ["Value", "IMD", "imd_score"]
_YEAR = ["Year"]
# IMD 2019 is the vintage in force for the whole 2018-2023 study period.
VINTAGE = 2019


def _read(path: Path) -> pd.DataFrame:
    available = public_csv.header(path)
    practice = public_csv.require_column(available, _PRACTICE, file=path, what="practice code")
    score = public_csv.require_column(available, _SCORE, file=path, what="IMD score")
    year = public_csv.find_column(available, _YEAR)
    raw = public_csv.read_csv(path, [practice, score] + ([year] if year else []))
    out = pd.DataFrame(
        {
            "practice_code": raw[practice].str.strip().str.upper(),
            "imd_score": public_csv.to_number(raw[score], negative_is_missing=True),
            "vintage": public_csv.to_number(raw[year]) if year else float(VINTAGE),
        }
    )
    # The interpolated file has every calendar year; take the 2019 vintage, or
    # the latest one a file offers if it stops earlier.
    chosen = VINTAGE if (out["vintage"] == VINTAGE).any() else out["vintage"].max()
    return out[out["vintage"] == chosen]


def load_imd(directory: Path) -> pd.DataFrame:
    """`practice_code`, `imd_score`, `imd_quintile` (1 least to 5 most deprived)."""
    files = public_csv.csv_files(directory, what="IMD by practice")
    scores = (
        pd.concat([_read(p) for p in files], ignore_index=True)
        .dropna(subset=["imd_score"])
        .drop_duplicates("practice_code", keep="first")
    )
    if len(scores) < 5:
        raise EvaluationError(
            "fewer than five practices have an IMD score, too few for quintiles",
            file=directory,
            fix="use the national Fingertips file (indicator 93553) rather than an extract",
        )
    # Quintiles across the practices in the file (national when the file is national).
    scores["imd_quintile"] = pd.qcut(scores["imd_score"], 5, labels=False) + 1
    return scores[["practice_code", "imd_score", "imd_quintile"]].reset_index(drop=True)
