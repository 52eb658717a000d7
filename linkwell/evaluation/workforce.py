"""Social prescribing link worker FTE from NHS Digital's PCN workforce censuses.

Source: NHS Digital, "Primary Care Network Workforce", individual-level CSVs
(one row per staff record per PCN per census; Open Government Licence v3.0).
A link worker record has STAFF_ROLE "Social Prescribing Link Workers"; its
FTE is that record's full-time equivalent, so a PCN's link worker FTE is the
sum over its records (this reproduces NHS Digital's published totals).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from linkwell.evaluation import public_csv
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.ledger import Ledger

SPLW_ROLE = "social prescribing link workers"
_COLUMNS = {
    "pcn_code": ["PCN_CODE", "PCN Code"],
    "census_year": ["CENSUS_YEAR"],
    "census_month": ["CENSUS_MONTH"],
    "staff_role": ["STAFF_ROLE"],
    "fte": ["FTE"],
}


def _read_census_file(path: Path) -> pd.DataFrame:
    available = public_csv.header(path)
    names = {
        key: public_csv.require_column(available, candidates, file=path, what=key)
        for key, candidates in _COLUMNS.items()
    }
    raw = public_csv.read_csv(path, list(names.values())).rename(
        columns={v: k for k, v in names.items()}
    )
    fte = public_csv.to_number(raw["fte"])
    is_splw = raw["staff_role"].str.strip().str.lower().eq(SPLW_ROLE)
    if (is_splw & fte.isna()).any():
        bad = int((is_splw & fte.isna()).sum())
        raise EvaluationError(
            f"{bad} link worker rows have no numeric FTE",
            file=path,
            column=names["fte"],
            fix="re-download the census; FTE is never suppressed in NHS Digital's files",
        )
    year = public_csv.to_number(raw["census_year"])
    month = public_csv.to_number(raw["census_month"])
    if year.isna().any() or month.isna().any():
        raise EvaluationError(
            "some rows have no census year or month",
            file=path,
            column=names["census_year"],
            fix="re-download the census file",
        )
    return pd.DataFrame(
        {
            "pcn_code": raw["pcn_code"].str.strip().str.upper(),
            "census": pd.PeriodIndex.from_fields(
                year=year.astype(int), month=month.astype(int), freq="M"
            ),
            "splw_fte": fte.where(is_splw, 0.0),
            "splw_records": is_splw.astype(int),
        }
    )


def _is_individual_level(path: Path) -> bool:
    available = public_csv.header(path)
    return all(public_csv.find_column(available, c) for c in _COLUMNS.values())


def load_workforce(directory: Path, *, ledger: Ledger | None = None) -> pd.DataFrame:
    """One row per PCN per census: `pcn_code`, `census` (monthly Period), `splw_fte`,
    `splw_records` (link worker staff records, some with 0 FTE).

    Every PCN that appears in a census (with any staff) gets a row, with 0 FTE
    if it has no link worker, so that "no link worker" is told apart from
    "not in this census".
    """
    files = public_csv.csv_files(directory, what="PCN workforce census")
    usable = [p for p in files if _is_individual_level(p)]
    for skipped in set(files) - set(usable):
        if ledger is not None:
            ledger.note(
                f"Skipped {skipped.name}: not an individual-level PCN workforce census "
                "(no CENSUS_YEAR/STAFF_ROLE/FTE columns)."
            )
    if not usable:
        raise EvaluationError(
            "none of the files is an individual-level PCN workforce census",
            file=directory,
            fix="download the 'Individual Level' CSVs of NHS Digital's Primary Care "
            "Network Workforce series",
        )
    records = pd.concat([_read_census_file(p) for p in usable], ignore_index=True)
    return (
        records.groupby(["pcn_code", "census"], as_index=False)[["splw_fte", "splw_records"]]
        .sum()
        .sort_values(["census", "pcn_code"], ignore_index=True)
    )


def national_totals(workforce: pd.DataFrame) -> pd.DataFrame:
    """Per census: national link worker FTE and PCNs with any link worker record (the
    figures NHS Digital publishes, so they check the loader), and what separates
    growth in reporting from growth in staff.

    - `pcns_reporting`: PCNs with a record of any staff in that census.
    - `fte_always_reporting`: link worker FTE in the PCNs that report in every
      census on file; its growth is staff growth, not more PCNs reporting.

    A PCN counts in `pcns` if it has a link worker record, even one with 0 FTE.
    """
    censuses = workforce["census"].nunique()
    always = workforce.groupby("pcn_code")["census"].nunique().eq(censuses)
    steady = workforce[workforce["pcn_code"].map(always)]
    by_census = workforce.groupby("census")
    out = pd.DataFrame(
        {
            "fte": by_census["splw_fte"].sum(),
            "pcns": workforce[workforce["splw_records"] > 0].groupby("census").size(),
            "pcns_reporting": by_census["pcn_code"].nunique(),
            "fte_always_reporting": steady.groupby("census")["splw_fte"].sum(),
        }
    ).fillna({"pcns": 0, "fte_always_reporting": 0.0})
    out.attrs["pcns_always_reporting"] = int(always.sum())
    return out.reset_index().astype({"pcns": int})
