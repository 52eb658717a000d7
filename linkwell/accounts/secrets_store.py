"""Secrets handed to someone once and kept only as a hash: API tokens, single-use links.

They carry 256 bits of randomness, so a fast hash is enough (there is no dictionary to guess
from), and a stolen database gives nobody a working token or link.
"""

import hashlib
import secrets

from django.utils import timezone


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


def by_secret(rows, secret: str):
    """The row of `rows` (a queryset with a `token_hash` field) the secret names, or None."""
    return rows.filter(token_hash=digest(secret)).first() if secret else None


class LinkRefused(Exception):
    """A single-use link that cannot be used, or a step through it that cannot be taken.
    `reason` is a code ("unknown", "used", "expired", or one of the app's own) that the page
    words for its reader; `status` is that page's HTTP status."""

    STATUS = {"unknown": 404, "used": 410, "expired": 410}

    def __init__(self, reason: str, *, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status or self.STATUS[reason]


def live(link, *, spent: str = "used_at"):
    """The link row `by_secret` found, if it can still be used; LinkRefused if there is none,
    it has been used (its `spent` field is set) or it has expired."""
    if link is None:
        raise LinkRefused("unknown")
    if getattr(link, spent):
        raise LinkRefused("used")
    if link.expires_at <= timezone.now():
        raise LinkRefused("expired")
    return link
