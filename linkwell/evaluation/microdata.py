"""Respondent-level mode: GPPS microdata → the same practice-year counts, in DuckDB.

For researchers with approved access to respondent records. The file (Parquet
or CSV, one row per respondent) has `practice_code`, `year`, one column per
outcome holding 1, 0 or empty (not asked / not answered), and optional 0/1
group flags such as `ltc`. DuckDB streams it in one grouped scan, so memory
stays flat however many respondents there are; only counts reach pandas.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.outcomes import OUTCOMES

ALL = "all respondents"


def _source(path: Path) -> str:
    target = str(path).replace("'", "''")
    if path.is_dir():
        target = f"{target}/*.parquet"
    elif path.suffix.lower() in {".csv", ".gz"}:
        return f"read_csv('{target}', header = true)"
    elif path.suffix.lower() != ".parquet":
        raise EvaluationError(
            "respondent file must be Parquet, CSV or a folder of Parquet files", file=path
        )
    return f"read_parquet('{target}')"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def aggregate_microdata(
    path: Path,
    *,
    outcomes: list[str] | None = None,
    groups: tuple[str, ...] = (),
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Counts per practice, year, outcome and group (`all respondents` plus each flag = 1)."""
    path = Path(path)
    if not path.exists():
        raise EvaluationError("respondent file not found", file=path)
    con = connection or duckdb.connect()
    source = _source(path)
    # Identifiers below come from the file's own schema and are quoted; the path is escaped.
    described = con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608  # nosec B608
    available = {r[0].lower(): r[0] for r in described}
    wanted = outcomes or [o for o in OUTCOMES if o in available]
    for column in ["practice_code", "year", *wanted, *groups]:
        if column.lower() not in available:
            raise EvaluationError(
                "column missing from the respondent file",
                file=path,
                column=column,
                fix="rename the file's columns to the schema in docs/evaluation.md",
            )
    cols = {c: _quote(available[c.lower()]) for c in [*wanted, *groups]}
    measures = ",\n".join(
        f"count({cols[o]}) AS n__{o}, sum({cols[o]}) AS s__{o}, "
        f"count(*) FILTER ({cols[o]} NOT IN (0, 1)) AS bad__{o}"
        for o in wanted
    )
    flags = "".join(f", coalesce({cols[g]}, 0) = 1 AS g__{g}" for g in groups)
    columns = ",\n".join(
        [
            f"upper(trim(CAST({_quote(available['practice_code'])} AS VARCHAR))) AS practice_code",
            f"CAST({_quote(available['year'])} AS INTEGER) AS year{flags}",
            measures,
        ]
    )
    query = f"SELECT {columns} FROM {source} GROUP BY ALL"  # noqa: S608  # nosec B608
    cells = con.sql(query).df()
    for outcome in wanted:
        if cells[f"bad__{outcome}"].sum():
            raise EvaluationError(
                f"{int(cells[f'bad__{outcome}'].sum())} answers are not 0, 1 or empty",
                file=path,
                column=outcome,
                fix="code positive answers 1, other answers 0, and not asked as empty",
            )
    frames = []
    for group in [ALL, *groups]:
        chosen = cells if group == ALL else cells[cells[f"g__{group}"]]
        keyed = chosen.groupby(["practice_code", "year"], as_index=False).sum(numeric_only=True)
        for outcome in wanted:
            frames.append(
                pd.DataFrame(
                    {
                        "practice_code": keyed["practice_code"],
                        "year": keyed["year"],
                        "outcome": outcome,
                        "group": group if group == ALL else f"{group} = 1",
                        "n": keyed[f"n__{outcome}"].astype("int64"),
                        "successes": keyed[f"s__{outcome}"].fillna(0).astype("int64"),
                    }
                )
            )
    counts = pd.concat(frames, ignore_index=True)
    return counts[counts["n"] > 0].reset_index(drop=True)
