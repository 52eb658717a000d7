"""`linkwell reporting snapshot`: the tables the aggregates read, as Parquet files for DuckDB.

Only the columns in `sql.TABLES` are copied (no names, contact details, notes or NHS
numbers). Each table is streamed out of the database as CSV (PostgreSQL's COPY, or row by row
from SQLite) and converted by DuckDB; the new snapshot replaces the old one only when complete,
and its files are made read-only. An empty string becomes NULL in the snapshot (no
aggregate tells the two apart).
"""

import csv
import json
import shutil
from pathlib import Path

import duckdb
from django.db import connection
from django.utils import timezone

from .sql import TABLES, table


def _select(columns: dict[str, str], name: str) -> str:
    def column(c, kind):
        if connection.vendor != "postgresql":
            return c
        if kind == "TIMESTAMP":
            return f"({c} AT TIME ZONE 'UTC')"  # the snapshot keeps UTC without a zone
        return f"CAST({c} AS TEXT)" if c == "reasons" else c

    return f"SELECT {', '.join(column(c, k) for c, k in columns.items())} FROM {name}"  # noqa: S608  # nosec B608


def _dump(name: str, columns: dict[str, str], path: Path) -> None:
    query = _select(columns, name)
    with connection.cursor() as cursor, open(path, "w", newline="", encoding="utf-8") as out:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    out.write(bytes(block).decode())
            return
        writer = csv.writer(out)
        cursor.execute(query)
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)


def write(*, directory: Path) -> dict[str, int]:
    """Write a fresh snapshot into `directory`; returns the rows copied per table."""
    directory = Path(directory)
    fresh = directory.with_name(directory.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    taken_at = timezone.now()
    counts = {}
    db = duckdb.connect(":memory:")
    for label, columns in TABLES.items():
        name = table(label)
        source, target = fresh / f"{name}.csv", fresh / f"{name}.parquet"
        _dump(name, columns, source)
        spec = ", ".join(f"'{c}': '{kind}'" for c, kind in columns.items())
        db.execute(
            f"COPY (SELECT * FROM read_csv('{source}', header = false, columns = {{{spec}}}, "  # noqa: S608  # nosec B608
            "delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
            f"nullstr = '')) TO '{target}' (FORMAT parquet)"
        )
        source.unlink()
        counts[label] = db.execute(f"SELECT COUNT(*) FROM read_parquet('{target}')").fetchone()[0]  # noqa: S608  # nosec B608
        target.chmod(0o444)
    manifest = {"taken_at": taken_at.isoformat(), "rows": counts}
    (fresh / "snapshot.json").write_text(json.dumps(manifest, indent=2))
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    fresh.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    return counts
