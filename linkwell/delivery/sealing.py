"""A queued message's text sealed at rest: it can hold a single-use link or, for the referrer's
copy of the message back, what happened to a referral, and it waits in the database until the
worker sends it. Sealed with Fernet (AES-128-CBC with an HMAC-SHA256 tag, `cryptography`) under
DELIVERY_KEYS, newest first: the first key seals, every key opens, so a key is rotated by
putting the new one first, running `linkwell delivery reseal`, then dropping the old one.
Development without DELIVERY_KEYS derives a key from SECRET_KEY; production has none to derive
from and `check --deploy` refuses to start without one (checks.py)."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Unreadable(Exception):  # noqa: N818 — read as "raise Unreadable(...)"
    """No key in DELIVERY_KEYS opens this text (its key was dropped before it was sent)."""


def development_key() -> str:
    digest = hashlib.sha256(b"linkwell delivery text:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _keys() -> MultiFernet:
    keys = settings.DELIVERY_KEYS
    if not keys and settings.PRODUCTION:
        raise ImproperlyConfigured("DELIVERY_KEYS must be set in production (docs/operations.md).")
    return MultiFernet([Fernet(k) for k in keys or [development_key()]])


def seal(text: str) -> str:
    return _keys().encrypt(text.encode()).decode() if text else ""


def unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken as e:
        raise Unreadable(
            "The message's text cannot be opened with DELIVERY_KEYS: was its key dropped?"
        ) from e


def reseal(sealed: str) -> str:
    """The same text sealed under the newest key."""
    try:
        return _keys().rotate(sealed.encode()).decode() if sealed else ""
    except InvalidToken as e:
        raise Unreadable("The message's text cannot be opened with DELIVERY_KEYS.") from e
