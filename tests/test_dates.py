"""linkwell.dates: a date shaped right but out of range is unreadable, not an exception."""

import pytest

from linkwell.dates import read_datetime


@pytest.mark.parametrize(
    "text",
    ["2026-02-30", "2026-02-30T10:00:00", "2026-13-01T00:00:00Z", "2026-01-01T25:00", "x", ""],
)
def test_impossible_dates_and_times_are_unreadable(text):
    assert read_datetime(text) is None


def test_a_date_alone_is_its_midnight():
    assert read_datetime("2026-02-28").isoformat() == "2026-02-28T00:00:00"
    assert read_datetime("2026-02-28T10:00:00Z").hour == 10
