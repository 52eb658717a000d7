"""Backup and restore of the whole database, and a digest to prove a restore is faithful.

SQLite: the online backup API, safe while the app is serving. PostgreSQL: `pg_dump` in its
custom format and `pg_restore`, the tools matched to the server. Both restore into a database
the operator names, so a restore can be rehearsed into a fresh one and compared.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404 — runs the PostgreSQL client tools with argument lists
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    pass


def _pg_url(settings_dict) -> str:
    """The database's address *without* its password: a command line is readable by every
    user of the host (ps, /proc/PID/cmdline), so the password goes in the tool's environment
    (`_pg_env`), as PostgreSQL's documentation advises (libpq, "Environment Variables")."""
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgresql://{f'{user}@' if user else ''}{host}:{port}/{settings_dict['NAME']}"


def _pg_env(settings_dict) -> dict[str, str]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools.")
    return path


def backup(target: Path) -> None:
    """Write a consistent copy of the current database to `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as dest:
            connection.connection.backup(dest)
    elif connection.vendor == "postgresql":
        url = _pg_url(connection.settings_dict)
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", url],
            env=_pg_env(connection.settings_dict),
        )
    else:
        raise BackupError(f"Backups are not supported for {connection.vendor}.")


def restore(source: Path) -> None:
    """Replace the current database's contents with the backup in `source`."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"No backup at {source}.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as src:
            src.backup(connection.connection)
    elif connection.vendor == "postgresql":
        url, env = _pg_url(connection.settings_dict), _pg_env(connection.settings_dict)
        connection.close()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={url}",
                str(source),
            ],
            env=env,
        )
    else:
        raise BackupError(f"Restore is not supported for {connection.vendor}.")


def _run(args: list[str], *, env: dict[str, str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False, env=env)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[:2000]}")


def digest(conn=None) -> dict[str, tuple[int, str]]:
    """Row count and a content hash for every table, to compare two databases."""
    conn = conn or connection
    result = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            quoted = conn.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608  # nosec B608 — names from the catalogue
            rows = sorted(repr(tuple(str(v) for v in row)) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result
