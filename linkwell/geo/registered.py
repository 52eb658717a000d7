"""Reading registered patients by sex and five-year age band, per GP practice, from NHS
Digital's monthly "Patients Registered at a GP Practice" file `gp-reg-pat-prac-quin-age.csv`
(streamed, checked).

Columns: PUBLICATION, EXTRACT_DATE, TYPE, CCG_CODE (later SUB_ICB_LOCATION_CODE), ONS_CCG_CODE
(later ONS_SUB_ICB_LOCATION_CODE), ORG_CODE, POSTCODE, SEX (MALE, FEMALE, ALL), AGE_GROUP_5
(0_4, 5_9, …, 90_94, 95+, ALL) and NUMBER_OF_PATIENTS. Only practice rows (TYPE GP) by one sex
and one band are kept: the ALL rows are totals of those.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .imd import ImdFileError, _open

COLUMNS = ("EXTRACT_DATE", "TYPE", "ORG_CODE", "SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS")
AREA_COLUMNS = (
    ("CCG_CODE", "ONS_CCG_CODE"),
    ("SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_LOCATION_CODE"),
)
SEXES = {"MALE": "M", "FEMALE": "F"}
OPEN_BAND = 95  # "95+"
BAND = re.compile(r"(\d+)_(\d+)")
DATE_FORMATS = ("%d%b%Y", "%d-%b-%Y", "%Y-%m-%d", "%d/%m/%Y")  # 01OCT2025 in the files


@dataclass(frozen=True)
class Band:
    ods_code: str
    sex: str  # M or F
    age_from: int  # 0, 5, …, 95 (95: 95 and over)
    patients: int
    extract_date: date


def _age_from(text: str) -> int | None:
    """The band's lower bound; None for ALL; ValueError if it is not a five-year band."""
    if text == "ALL":
        return None
    if text == f"{OPEN_BAND}+":
        return OPEN_BAND
    match = BAND.fullmatch(text)
    low, high = (int(match[1]), int(match[2])) if match else (-1, -1)
    if low % 5 or high != low + 4 or low >= OPEN_BAND:
        raise ValueError(text)
    return low


def _date(text: str) -> date:
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(text)


def read(path: Path) -> Iterator[Band]:
    what = 'an NHS Digital "Patients Registered at a GP Practice" file by five-year age band'
    with _open(path) as f:
        rows = csv.DictReader(f)
        header = rows.fieldnames or []
        missing = [c for c in COLUMNS if c not in header]
        if not any(all(c in header for c in pair) for pair in AREA_COLUMNS):
            missing.append("CCG_CODE or SUB_ICB_LOCATION_CODE")
        if missing:
            raise ImdFileError(f"{path}: not {what}; missing the columns {', '.join(missing)}.")
        seen = set()
        for line, row in enumerate(rows, start=2):
            if row["TYPE"].strip() != "GP":
                continue
            sex, code = row["SEX"].strip(), row["ORG_CODE"].strip()
            try:
                age_from = _age_from(row["AGE_GROUP_5"].strip())
                patients = int(row["NUMBER_OF_PATIENTS"])
                extract_date = _date(row["EXTRACT_DATE"].strip())
            except ValueError as e:
                raise ImdFileError(
                    f"{path}, line {line}: AGE_GROUP_5 must be a five-year band (0_4 … 90_94, "
                    "95+) or ALL, NUMBER_OF_PATIENTS a whole number and EXTRACT_DATE a date "
                    "such as 01OCT2025."
                ) from e
            if not code or sex not in (*SEXES, "ALL") or patients < 0:
                raise ImdFileError(
                    f"{path}, line {line}: needs an ORG_CODE, a SEX of MALE, FEMALE or ALL and "
                    "no fewer than 0 patients."
                )
            if sex == "ALL" or age_from is None:
                continue
            key = (code, sex, age_from)
            if key in seen:
                raise ImdFileError(
                    f"{path}, line {line}: {code} {sex} {row['AGE_GROUP_5']} appears twice."
                )
            seen.add(key)
            yield Band(code, SEXES[sex], age_from, patients, extract_date)
