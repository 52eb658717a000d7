"""Reading the ONS Postcode Directory (ONSPD) CSV, one row at a time.

Columns used (ONSPD user guide; the full file has ~50 more, ignored here):
  pcds   postcode, one space before the inward code ('LS6 1AB'); `pcd` (7-character) if absent
  doterm date the postcode was terminated (YYYYMM), blank while it is live
  lat    latitude (WGS84); 99.999999 where the postcode has no grid reference
  long   longitude (WGS84); 0.000000 where the postcode has no grid reference
  lsoa11 the 2011 LSOA (preferred: English IMD 2019 is on 2011 LSOAs), else lsoa21 (2021);
         optional, and blank for some postcodes
Terminated postcodes and those without a grid reference are skipped.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from linkwell.people.identifiers import normalise_postcode

NO_GRID_LATITUDE = 99.999999


class OnspdError(ValueError):
    """The file is not in the ONSPD format; the message names the line and the fix."""


@dataclass(frozen=True)
class Centroid:
    postcode: str
    latitude: float
    longitude: float
    lsoa: str = ""


def read(path: Path) -> Iterator[Centroid]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.DictReader(f)
        columns = {c.lower(): c for c in rows.fieldnames or []}
        code_column = columns.get("pcds") or columns.get("pcd")
        if code_column is None or "lat" not in columns or "long" not in columns:
            raise OnspdError(
                f"{path}: not an ONS Postcode Directory CSV; it needs the columns pcds (or pcd), "
                f"lat and long. Found: {', '.join(rows.fieldnames or []) or 'no header'}."
            )
        term = columns.get("doterm")
        lsoa = columns.get("lsoa11") or columns.get("lsoa21")
        for line, row in enumerate(rows, start=2):
            if term and row[term].strip():
                continue
            try:
                latitude = float(row[columns["lat"]])
                longitude = float(row[columns["long"]])
            except ValueError as e:
                raise OnspdError(f"{path}, line {line}: lat and long must be numbers.") from e
            if latitude == NO_GRID_LATITUDE:
                continue
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise OnspdError(f"{path}, line {line}: lat/long out of range.")
            yield Centroid(
                normalise_postcode(row[code_column]),
                latitude,
                longitude,
                row[lsoa].strip() if lsoa else "",
            )
