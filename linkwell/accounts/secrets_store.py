"""Secrets handed to someone once and kept only as a hash: API tokens, single-use links.

They carry 256 bits of randomness, so a fast hash is enough (there is no dictionary to guess
from), and a stolen database gives nobody a working token or link.
"""

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


def by_secret(rows, secret: str):
    """The row of `rows` (a queryset with a `token_hash` field) the secret names, or None."""
    return rows.filter(token_hash=digest(secret)).first() if secret else None
