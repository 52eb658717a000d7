"""Matching a username or email address as someone typed it to the one an account has: the
same but for the case of the ASCII letters A-Z, and nothing looser.

Looser folding lets one address stand for another. PostgreSQL's UPPER() and LOWER() (so
Django's `__iexact`) and Python's str.lower() fold every letter: the long s 'ſ' upper-cases
to 'S', the dotless 'ı' to 'I', and the Kelvin sign 'K' lower-cases to 'k', so "adſmin@x"
would find the account of "adsmin@x", and a password reset link would go to it. (RFC 5321, section
2.4, lets a mailbox's local part be case-sensitive but discourages relying on it: people type
addresses in either case, so A-Z case is ignored and nothing more.)

Both sides are folded the same way, A-Z only: in SQL with TRANSLATE (SQLite's lower() folds
only ASCII already), in Python with str.translate. Stored values keep the case they were given.
"""

import string

from django.db.models import CharField, F, Func
from django.db.models.lookups import Exact

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def ascii_lower(value: str) -> str:
    return value.translate(_ASCII_LOWER)


class AsciiLower(Func):
    template = f"TRANSLATE(%(expressions)s, '{string.ascii_uppercase}', '{string.ascii_lowercase}')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # https://sqlite.org/lang_corefunc.html#lower: "works for ASCII characters only"
        return self.as_sql(compiler, connection, template="LOWER(%(expressions)s)", **extra)


def ascii_iexact(field: str, value: str) -> Exact:
    """A filter: `field` equals `value` but for the case of A-Z (`.filter()` it, or `|` two)."""
    return Exact(AsciiLower(F(field)), ascii_lower(value))
