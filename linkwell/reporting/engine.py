"""Where the aggregates run: in the database (small deployments) or in DuckDB over the
read-only Parquet snapshot (large ones). REPORTING_ENGINE chooses; both run the same SQL."""

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

from .queries import AGGREGATES, Filters
from .sql import TABLES, Dialect, table


class SnapshotMissing(RuntimeError):
    """REPORTING_ENGINE is duckdb but no snapshot has been written."""


class DatabaseEngine:
    name = "database"
    taken_at = None  # live figures

    def run(self, aggregate: str, filters: Filters) -> list[tuple]:
        sql, params = AGGREGATES[aggregate](Dialect(connection.vendor), filters)
        adapt = connection.ops.adapt_datetimefield_value
        params = [adapt(p) if isinstance(p, datetime) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, directory: Path):
        import duckdb

        manifest = directory / "snapshot.json"
        if not manifest.exists():
            raise SnapshotMissing(
                f"No reporting snapshot in {directory}: run `linkwell reporting snapshot`."
            )
        self.taken_at = datetime.fromisoformat(json.loads(manifest.read_text())["taken_at"])
        self.db = duckdb.connect(":memory:")
        for label in TABLES:
            path = str(directory / f"{table(label)}.parquet").replace("'", "''")
            self.db.execute(f"CREATE VIEW {table(label)} AS SELECT * FROM read_parquet('{path}')")  # noqa: S608  # nosec B608

    def run(self, aggregate: str, filters: Filters) -> list[tuple]:
        sql, params = AGGREGATES[aggregate](Dialect("duckdb"), filters)
        params = [_naive_utc(p) if isinstance(p, datetime) else p for p in params]
        cursor = self.db.cursor()  # one per call: DuckDB connections are not shared by threads
        try:
            return cursor.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            cursor.close()


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


_duckdb: dict[tuple, DuckDBEngine] = {}
_lock = threading.Lock()


def current():
    """The configured engine; a DuckDB one is reused until a newer snapshot is written."""
    if settings.REPORTING_ENGINE != "duckdb":
        return DatabaseEngine()
    directory = Path(settings.REPORTING_SNAPSHOT_DIR)
    manifest = directory / "snapshot.json"
    key = (str(directory), manifest.stat().st_mtime_ns if manifest.exists() else None)
    with _lock:
        if key not in _duckdb:
            _duckdb.clear()
            _duckdb[key] = DuckDBEngine(directory)
        return _duckdb[key]
