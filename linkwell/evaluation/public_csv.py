"""Reading the NHS public CSV files as published, quirks and all.

The files come as plain or gzipped CSV, some with a UTF-8 byte-order mark and
some in Windows-1252 (the PCN workforce censuses, whose role names contain
en-dashes); column names drift in case and spacing between years; and
suppressed cells are written as negative codes (GPPS: -97 and friends) or
letters ("ND", "*").
"""

from __future__ import annotations

import difflib
import gzip
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from linkwell.evaluation.errors import EvaluationError


def csv_files(directory: Path, *, what: str) -> list[Path]:
    """The CSV and CSV.GZ files in a directory, or an error saying what was expected."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EvaluationError(
            f"the {what} directory does not exist",
            file=directory,
            fix=f"pass the folder that holds the downloaded {what} CSV files",
        )
    files = sorted(p for p in directory.iterdir() if p.name.lower().endswith((".csv", ".csv.gz")))
    if not files:
        raise EvaluationError(
            f"no .csv or .csv.gz files found for the {what}",
            file=directory,
            fix=f"download the {what} files into this folder (see docs/evaluation.md)",
        )
    return files


def _open(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _decode(raw: bytes) -> str:
    try:
        # utf-8-sig drops the BOM that the 2020-21 onward payments files start with.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # NHS Digital's workforce extracts are Windows-1252 (en-dashes in role names).
        return raw.decode("cp1252")


def _text(path: Path) -> str:
    with _open(path) as f:
        return _decode(f.read())


def header(path: Path) -> list[str]:
    """The column names of a file, read without loading the rest."""
    with _open(path) as f:
        first_line = _decode(f.readline())
    return pd.read_csv(io.StringIO(first_line), dtype=str, nrows=0).columns.tolist()


def read_csv(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Every cell as a string; `columns` (exact names from `header`) limits what is kept."""
    return pd.read_csv(
        io.StringIO(_text(path)),
        dtype=str,
        usecols=list(columns) if columns is not None else None,
        keep_default_na=False,
        na_values=[""],
    )


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


def find_column(available: Iterable[str], candidates: Sequence[str]) -> str | None:
    """The first candidate present, matched ignoring case and repeated spaces."""
    by_key = {_key(c): c for c in available}
    for candidate in candidates:
        if _key(candidate) in by_key:
            return by_key[_key(candidate)]
    return None


def require_column(
    available: Sequence[str],
    candidates: Sequence[str],
    *,
    file: Path,
    year: int | None = None,
    what: str,
) -> str:
    """Like `find_column`, but a missing column is an error naming near misses."""
    found = find_column(available, candidates)
    if found is not None:
        return found
    near = difflib.get_close_matches(
        candidates[0].lower(), [c.lower() for c in available], n=3, cutoff=0.6
    )
    hint = f"; similar columns in the file: {', '.join(near)}" if near else ""
    raise EvaluationError(
        f"no {what} column (looked for {', '.join(candidates)}){hint}",
        file=file,
        year=year,
        column=candidates[0],
        fix="check the file is the right download, or add its column name to the "
        "mapping in linkwell/evaluation",
    )


def to_number(values: pd.Series, *, negative_is_missing: bool = False) -> pd.Series:
    """Numbers from text cells; suppression markers become missing.

    Letters such as "ND" or "*" and blanks become missing. With
    `negative_is_missing`, so do negative codes: GPPS writes -97, -98, -99 for
    suppressed or low-base cells (Ipsos, GPPS technical annex, "suppression").
    """
    cleaned = values.astype("string").str.replace(",", "", regex=False).str.strip()
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    if negative_is_missing:
        numbers = numbers.mask(numbers < 0)
    return numbers
