"""Paging for every API list: bounded, so no request can ask for an unreasonable page."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
MAX_OFFSET = 10_000_000  # far beyond any real list; keeps the SQL integer in range


class Paging(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT})")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")


# Pages, for the web pages' pagers and the ORUK API: far beyond any real list, small enough that
# (page - 1) × page size stays inside SQLite's and PostgreSQL's 64-bit integers.
MAX_PAGE = 100_000


def page_number(value) -> int:
    """The page a request asks for, bounded to 1…MAX_PAGE: anything else (empty, negative,
    `²`, 9223372036854775807) is page 1 or the last allowed, never a database error."""
    text = str(value if value is not None else "").strip().lstrip("0") or "1"
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, min(int(text[:7]), MAX_PAGE))
