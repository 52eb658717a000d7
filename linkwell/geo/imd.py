"""Reading deprivation and list sizes from the public files (streamed, checked).

- Practice IMD: OHID Fingertips indicator 93553 by GP practice, columns
  `IndicatorID,Year,AreaCode,AreaName,IsAreaCurrent,Value` (one row per practice per IMD
  vintage: 2010, 2015, 2019).
- Area IMD: the English Indices of Deprivation 2019 (MHCLG), "File 1: index of multiple
  deprivation", one row per 2011 LSOA with its IMD rank (1 = most deprived) and decile.
- List sizes: NHS Payments to General Practice, England (NHS England), columns `Practice Code`,
  `Practice Name` and `Number of Registered Patients (Last Known Figure)`.
"""

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IMD_COLUMNS = ("Year", "AreaCode", "AreaName", "Value")
AREA_YEAR = 2019
AREA_COLUMNS = (
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile",
)
LIST_COLUMNS = (
    "Practice Code",
    "Practice Name",
    "Number of Registered Patients (Last Known Figure)",
)


class ImdFileError(ValueError):
    """The file is not in the expected layout; the message names the line and the fix."""


@dataclass(frozen=True)
class Score:
    ods_code: str
    name: str
    year: int
    score: float


@dataclass(frozen=True)
class Area:
    lsoa: str
    name: str
    rank: int
    decile: int

    @property
    def quintile(self) -> int:
        return (self.decile + 1) // 2


@dataclass(frozen=True)
class ListSize:
    ods_code: str
    name: str
    registered_patients: int


def _open(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    return opener(path, "rt", newline="", encoding="utf-8-sig")


def is_area_file(path: Path) -> bool:
    """True for the IoD2019 File 1 layout (by its header); else it is read as a practice file."""
    with _open(path) as f:
        header = next(csv.reader(f), [])
    return all(c in header for c in AREA_COLUMNS)


def _rows(path: Path, needed: tuple[str, ...], what: str) -> Iterator[tuple[int, dict]]:
    with _open(path) as f:
        rows = csv.DictReader(f)
        missing = [c for c in needed if c not in (rows.fieldnames or [])]
        if missing:
            raise ImdFileError(f"{path}: not {what}; missing the columns {', '.join(missing)}.")
        yield from enumerate(rows, start=2)


def read_scores(path: Path) -> Iterator[Score]:
    for line, row in _rows(path, IMD_COLUMNS, "a Fingertips practice IMD file (indicator 93553)"):
        try:
            yield Score(
                row["AreaCode"].strip(),
                row["AreaName"].strip(),
                int(row["Year"]),
                float(row["Value"]),
            )
        except ValueError as e:
            raise ImdFileError(f"{path}, line {line}: Year and Value must be numbers.") from e


def read_areas(path: Path) -> Iterator[Area]:
    seen = set()
    for line, row in _rows(path, AREA_COLUMNS, "an English Indices of Deprivation 2019 File 1"):
        code = row[AREA_COLUMNS[0]].strip()
        try:
            rank, decile = int(row[AREA_COLUMNS[2]]), int(row[AREA_COLUMNS[3]])
        except ValueError as e:
            raise ImdFileError(
                f"{path}, line {line}: the IMD rank and decile must be numbers."
            ) from e
        if not code or rank < 1 or not 1 <= decile <= 10:
            raise ImdFileError(
                f"{path}, line {line}: needs an LSOA code, a rank of 1 or more and a decile "
                "from 1 to 10."
            )
        if code in seen:
            raise ImdFileError(f"{path}, line {line}: the LSOA {code} appears twice.")
        seen.add(code)
        yield Area(code, row[AREA_COLUMNS[1]].strip(), rank, decile)


def read_list_sizes(path: Path) -> Iterator[ListSize]:
    for line, row in _rows(path, LIST_COLUMNS, "an NHS Payments to General Practice file"):
        try:
            patients = round(float(row[LIST_COLUMNS[2]] or 0))
        except ValueError as e:
            raise ImdFileError(
                f"{path}, line {line}: the registered patients must be a number."
            ) from e
        if patients:  # 0: no last known figure (a closed or merged practice)
            yield ListSize(row["Practice Code"].strip(), row["Practice Name"].strip(), patients)


def quintiles(scores: list[Score]) -> dict[str, int]:
    """Quintile 1 = the most deprived fifth (highest IMD score), as in the IMD's own tables."""
    ranked = sorted(scores, key=lambda s: (-s.score, s.ods_code))
    return {s.ods_code: 1 + (5 * i) // len(ranked) for i, s in enumerate(ranked)}
