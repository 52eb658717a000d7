"""Paging for every API list: bounded, so no request can ask for an unreasonable page."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
MAX_OFFSET = 10_000_000  # far beyond any real list; keeps the SQL integer in range


class Paging(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT})")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")
