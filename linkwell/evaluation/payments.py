"""Practice → PCN membership and list size from NHS Payments to General Practice.

Source: NHS Digital, "NHS Payments to General Practice, England", one CSV per
financial year named like `22-23.csv` (Open Government Licence v3.0). Each row
is a practice with its PCN and `Number of Registered Patients (Last Known
Figure)`. Files before 2019-20 have no PCN (PCNs began in July 2019).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from linkwell.evaluation import public_csv
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.ledger import Ledger

_FILE_YEAR = re.compile(r"(?<!\d)(\d{2})-(\d{2})(?!\d)")
_PCN_CODE = re.compile(r"^U\d{5}$")
PRACTICE = ["Practice Code"]
PATIENTS = ["Number of Registered Patients (Last Known Figure)"]
# The 2022-23 file labels the PCN code column `Code` and the PCN name `CCG NAME`
# (NHS Digital's header slip), so `Code` is a candidate, accepted only if its
# values look like PCN codes.
PCN = ["PCN Code", "Code"]


def financial_year(path: Path) -> int:
    """The starting calendar year of the file's financial year: `22-23.csv` → 2022."""
    match = _FILE_YEAR.search(path.name)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise EvaluationError(
            "cannot tell the financial year from the file name",
            file=path,
            fix="name payments files by financial year as NHS Digital does, e.g. 22-23.csv",
        )
    return 2000 + int(match.group(1))


def _pcn_column(raw: pd.DataFrame, candidates: list[str]) -> str | None:
    for column in candidates:
        if raw[column].dropna().str.strip().str.match(_PCN_CODE).mean() > 0.5:
            return column
    return None


def _read_payments_file(path: Path, ledger: Ledger | None) -> pd.DataFrame:
    year = financial_year(path)
    available = public_csv.header(path)
    practice = public_csv.require_column(
        available, PRACTICE, file=path, year=year, what="practice code"
    )
    patients = public_csv.require_column(
        available, PATIENTS, file=path, year=year, what="registered patients"
    )
    candidates = [c for c in (public_csv.find_column(available, [p]) for p in PCN) if c]
    raw = public_csv.read_csv(path, [practice, patients, *candidates])
    pcn = _pcn_column(raw, candidates)
    pcn_codes = raw[pcn].str.strip().str.upper() if pcn else pd.Series(pd.NA, index=raw.index)
    if pcn is None and ledger is not None:
        ledger.note(f"{path.name}: no PCN column (financial year {year}/{year + 1 - 2000}).")
    return pd.DataFrame(
        {
            "practice_code": raw[practice].str.strip().str.upper(),
            "fin_year": year,
            # Anything that is not a PCN code ("Unknown or no PCN") means no PCN.
            "pcn_code": pcn_codes.where(pcn_codes.str.match(_PCN_CODE, na=False)),
            "registered_patients": public_csv.to_number(raw[patients]),
        }
    )


def load_payments(directory: Path, *, ledger: Ledger | None = None) -> pd.DataFrame:
    """One row per practice per financial year: `practice_code`, `fin_year`
    (start year), `pcn_code` (missing when none), `registered_patients`."""
    files = public_csv.csv_files(directory, what="NHS Payments to General Practice")
    frames = [_read_payments_file(p, ledger) for p in files]
    out = pd.concat(frames, ignore_index=True).dropna(subset=["practice_code"])
    duplicated = out.duplicated(["practice_code", "fin_year"], keep=False)
    if duplicated.any():
        first = out[duplicated].iloc[0]
        raise EvaluationError(
            f"practice {first.practice_code} appears more than once",
            year=int(first.fin_year),
            column=PRACTICE[0],
            fix="keep one payments file per financial year in the folder",
        )
    return out
