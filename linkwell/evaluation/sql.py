"""Running the panel-building SQL in DuckDB over in-memory tables.

Each query gets its own connection with the named frames registered, so the
same SQL could run on another engine over tables of those names.
"""

from __future__ import annotations

import duckdb
import pandas as pd


def query(sql: str, params: dict | None = None, **tables: pd.DataFrame) -> pd.DataFrame:
    connection = duckdb.connect()
    for name, frame in tables.items():
        connection.register(name, frame)
    return connection.execute(sql, params or {}).df()
