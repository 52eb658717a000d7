"""Time-varying practice covariates that public files allow (optional, `--covariates`).

The fixed effects already absorb everything about a practice that does not
change, and everything that hits all practices in a year. What they leave is
change within a practice that might go with both its PCN's link workers and
its patients' answers:

- `log_list_size`: log registered patients, from the NHS Payments file of the
  financial year that contains the survey's January fieldwork start (survey
  2021 -> 2020-21), so a growing or merging practice is not read as an effect.
- `share_65_plus`: the share of registered patients aged 65 or over, from NHS
  Digital's "Patients Registered at a GP Practice" files by five-year age band
  (`gp-reg-pat-prac-quin-age.csv`, one per monthly extract), the latest
  extract on or before January of the survey year. Older patients answer GPPS
  more positively, so an ageing list could otherwise pass for an effect.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from linkwell.evaluation import public_csv
from linkwell.evaluation.errors import EvaluationError

LIST_SIZE = "log_list_size"
AGE_65 = "share_65_plus"
_BAND = re.compile(r"^(\d+)_(\d+)$|^(\d+)\+$")
_POPULATION_COLUMNS = ["EXTRACT_DATE", "TYPE", "ORG_CODE", "SEX", "AGE_GROUP_5"]
_PATIENTS = "NUMBER_OF_PATIENTS"


def list_size(payments: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """`practice_code`, `year`, `log_list_size` from the payments file of year - 1 to year."""
    sized = payments[payments["registered_patients"].fillna(0) > 0]
    frames = [
        sized[sized["fin_year"] == year - 1]
        .assign(year=year)
        .assign(**{LIST_SIZE: lambda f: np.log(f["registered_patients"])})
        for year in years
    ]
    return pd.concat(frames, ignore_index=True)[["practice_code", "year", LIST_SIZE]]


def _extract_date(text: pd.Series, path: Path) -> pd.Series:
    for layout in ("%d%b%Y", "%d-%b-%Y", "%Y-%m-%d", "%d/%m/%Y"):  # 01OCT2025 in the files
        parsed = pd.to_datetime(text.str.strip().str.title(), format=layout, errors="coerce")
        if parsed.notna().all():
            return parsed
    raise EvaluationError(
        "cannot read the extract date", file=path, column="EXTRACT_DATE", fix="re-download it"
    )


def _age_from(band: str) -> float:
    match = _BAND.match(band.strip())
    if not match:
        return np.nan  # "ALL" totals
    return float(match.group(1) or match.group(3))


def _read_population(path: Path) -> pd.DataFrame:
    available = public_csv.header(path)
    names = [
        public_csv.require_column(available, [c], file=path, what=c)
        for c in [*_POPULATION_COLUMNS, _PATIENTS]
    ]
    raw = public_csv.read_csv(path, names)
    raw.columns = [*_POPULATION_COLUMNS, _PATIENTS]
    rows = raw[
        raw["TYPE"].str.strip().eq("GP") & raw["SEX"].str.strip().isin(["MALE", "FEMALE"])
    ].copy()
    rows["age_from"] = rows["AGE_GROUP_5"].map(_age_from)
    rows = rows.dropna(subset=["age_from"])
    rows["patients"] = public_csv.to_number(rows[_PATIENTS])
    rows["older"] = rows["patients"].where(rows["age_from"] >= 65, 0.0)
    out = rows.groupby("ORG_CODE", as_index=False)[["patients", "older"]].sum()
    return pd.DataFrame(
        {
            "practice_code": out["ORG_CODE"].str.strip().str.upper(),
            "extract": _extract_date(rows["EXTRACT_DATE"].iloc[:1], path).iat[0],
            AGE_65: out["older"] / out["patients"].where(out["patients"] > 0),
        }
    )


def age_structure(directory: Path, years: list[int]) -> pd.DataFrame:
    """`practice_code`, `year`, `share_65_plus` from the latest extract on or before January
    of each survey year (within 12 months; older extracts are not used)."""
    files = public_csv.csv_files(directory, what="Patients Registered at a GP Practice by age")
    extracts = pd.concat([_read_population(p) for p in files], ignore_index=True)
    frames = []
    for year in years:
        cutoff = datetime(year, 1, 31)
        usable = extracts[
            (extracts["extract"] <= cutoff)
            & (extracts["extract"] > cutoff - pd.DateOffset(months=12))
        ]
        latest = usable.sort_values("extract").drop_duplicates("practice_code", keep="last")
        frames.append(latest.assign(year=year)[["practice_code", "year", AGE_65]])
    return pd.concat(frames, ignore_index=True)
