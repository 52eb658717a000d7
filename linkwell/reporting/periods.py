"""Report periods are whole calendar months, in UTC (the timestamps are stored in UTC; UK
time differs by at most an hour, at the edges of a month)."""

from datetime import UTC, date, datetime

# Months a report may name: the arithmetic on a period (the year before it, the month after)
# must stay inside the years a date and a database timestamp hold (0001-01 and 9999-12 were
# ValueError or OverflowError: 500s on the dashboard, its exports and the national return).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_month(text: str) -> date:
    """'YYYY-MM' → its first day; ValueError with a message a person can act on."""
    try:
        month = datetime.strptime(str(text).strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{text!r} is not a month: give it as YYYY-MM, e.g. 2026-01.") from None
    if not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ValueError(f"{text!r} is not a month to report on: give one from {FIRST_YEAR} on.")
    return month


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def start_of(first: date) -> datetime:
    return datetime(first.year, first.month, first.day, tzinfo=UTC)
