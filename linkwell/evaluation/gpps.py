"""GP Patient Survey practice-level CSVs → practice × year × outcome counts.

Each file is one survey year (the year is read from the file name, as
published: `GPPS_2023_Practice_data_(weighted)_(csv)_PUBLIC.csv`). The count
answering positively is the weighted share times the respondent base, the
usual way to rebuild counts from the published practice tables; it equals the
respondent-level count when weights are 1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from linkwell.evaluation import public_csv
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.outcomes import OUTCOMES, PRACTICE_CODE, columns_for

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
COUNT_COLUMNS = ["practice_code", "year", "outcome", "n", "successes"]


def survey_year(path: Path) -> int:
    years = set(_YEAR.findall(path.name))
    if len(years) != 1:
        raise EvaluationError(
            "cannot tell the survey year from the file name",
            file=path,
            fix="keep the published name, e.g. GPPS_2023_Practice_data_(weighted)_(csv)_PUBLIC.csv",
        )
    return int(years.pop())


def _as_fraction(pct: pd.Series, *, path: Path, year: int, column: str, ledger: Ledger):
    if pct.max(skipna=True) > 1:
        # Published as fractions; a file in percent would give 100x counts.
        ledger.note(f"{path.name} ({year}) column {column}: values above 1, read as percent.")
        return pct / 100
    return pct


def _outcome_counts(
    raw: pd.DataFrame, outcome: str, *, path: Path, year: int, ledger: Ledger
) -> pd.DataFrame | None:
    mapped = columns_for(outcome, year)
    if mapped is None:
        ledger.note(f"{OUTCOMES[outcome].label}: no column mapped for survey year {year}.")
        return None
    pct_col = public_csv.find_column(raw.columns, mapped[0])
    base_col = public_csv.find_column(raw.columns, mapped[1])
    if pct_col is None or base_col is None:
        missing = mapped[0] if pct_col is None else mapped[1]
        ledger.exclude(
            f"{OUTCOMES[outcome].label}: no column {' or '.join(missing)} in this year's file",
            len(raw),
            file=path.name,
            year=year,
            column=missing[0],
        )
        return None
    pct = public_csv.to_number(raw[pct_col], negative_is_missing=True)
    pct = _as_fraction(pct, path=path, year=year, column=pct_col, ledger=ledger)
    base = public_csv.to_number(raw[base_col], negative_is_missing=True)
    usable = pct.notna() & base.notna() & (base > 0)
    ledger.exclude(
        f"{OUTCOMES[outcome].label}: suppressed, missing or zero base",
        int((~usable).sum()),
        file=path.name,
        year=year,
        column=pct_col,
    )
    n = base[usable].round().astype("int64")
    return pd.DataFrame(
        {
            "practice_code": raw.loc[usable, "practice_code"],
            "year": year,
            "outcome": outcome,
            "n": n,
            "successes": (pct[usable] * n).round().clip(0, n).astype("int64"),
        }
    )


def _read_file(path: Path, outcomes: list[str], ledger: Ledger) -> list[pd.DataFrame]:
    year = survey_year(path)
    available = public_csv.header(path)
    practice = public_csv.require_column(
        available, PRACTICE_CODE, file=path, year=year, what="practice code"
    )
    wanted = {practice}
    for outcome in outcomes:
        for candidates in columns_for(outcome, year) or ():
            found = public_csv.find_column(available, candidates)
            wanted |= {found} if found else set()
    raw = public_csv.read_csv(path, sorted(wanted))
    raw["practice_code"] = raw[practice].str.strip().str.upper()
    frames = [_outcome_counts(raw, o, path=path, year=year, ledger=ledger) for o in outcomes]
    return [f for f in frames if f is not None]


def load_gpps(
    directory: Path,
    *,
    outcomes: list[str] | None = None,
    years: set[int] | None = None,
    ledger: Ledger,
) -> pd.DataFrame:
    """Practice × year × outcome: `n` respondents, `successes` answering positively."""
    outcomes = outcomes or list(OUTCOMES)
    files = public_csv.csv_files(directory, what="GP Patient Survey practice data")
    by_year: dict[int, Path] = {}
    for path in files:
        year = survey_year(path)
        if year in by_year:
            raise EvaluationError(
                f"two files for survey year {year} ({by_year[year].name} and {path.name})",
                file=path,
                year=year,
                fix="keep only the weighted practice-level CSV for each year",
            )
        by_year[year] = path
    chosen = {y: p for y, p in by_year.items() if years is None or y in years}
    for year in sorted(set(by_year) - set(chosen)):
        ledger.note(f"GPPS {year} ({by_year[year].name}) not used: outside the years chosen.")
    if not chosen:
        raise EvaluationError(
            f"no GPPS file for the years chosen ({sorted(years or [])})",
            file=directory,
            fix="download those years or change --years",
        )
    frames = [f for y in sorted(chosen) for f in _read_file(chosen[y], outcomes, ledger)]
    if not frames:
        raise EvaluationError(
            "no outcome column was found in any GPPS file",
            file=directory,
            fix="check these are the practice-level 'weighted' CSVs from gp-patient.co.uk",
        )
    return pd.concat(frames, ignore_index=True)[COUNT_COLUMNS]
