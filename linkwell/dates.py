"""Reading dates and times that clients send. Django's parse_datetime returns None for text it
cannot read but raises ValueError for text shaped right with a value out of range (2026-02-30,
25:00, an offset of +99:00); here both are simply unreadable, so every caller answers them as it
answers any other bad date instead of failing with a 500."""

from datetime import datetime

from django.utils.dateparse import parse_datetime


def read_datetime(text: str) -> datetime | None:
    """A date and time (a date alone is its midnight), or None if unreadable."""
    try:
        return parse_datetime(text)
    except ValueError:
        return None
