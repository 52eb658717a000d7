"""Racing one call against itself: real threads, each with its own database connection."""

import threading

import pytest
from django.db import connection


def needs_concurrent_writers() -> None:
    if connection.vendor == "sqlite":
        # SQLite lets one writer at a time hold the database: the others fail with
        # "database is locked" rather than race, so there is no race to test there.
        pytest.skip("SQLite serialises writers; this race needs PostgreSQL")


def at_once(call, times: int) -> list:
    """`call()` from `times` threads released together; what each returned."""
    start = threading.Barrier(times)
    results = []

    def attempt():
        try:
            start.wait()
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
