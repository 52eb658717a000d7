"""Report periods are whole calendar months, in UTC (the timestamps are stored in UTC; UK
time differs by at most an hour, at the edges of a month)."""

from datetime import UTC, date, datetime


def parse_month(text: str) -> date:
    """'YYYY-MM' → its first day; ValueError with a message a person can act on."""
    try:
        return datetime.strptime(str(text).strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{text!r} is not a month: give it as YYYY-MM, e.g. 2026-01.") from None


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def start_of(first: date) -> datetime:
    return datetime(first.year, first.month, first.day, tzinfo=UTC)
