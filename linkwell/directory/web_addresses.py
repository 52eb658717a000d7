"""A service's website is shown as a link to link workers and the public, so it may only be a
web address: `http` or `https` with a host. Anything else (`javascript:`, `data:`, `vbscript:`,
`file:`) would run or open something when clicked. One rule for every way an address arrives:
the provider's edit form (a model field validator) and ORUK/HSDS imports (the field reader)."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

SCHEMES = ("http", "https")
MESSAGE = "Enter a web address starting with https:// or http://"


def web_address(value) -> str:
    """The address, or ValueError. Empty stays empty (no website)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    # No spaces or control characters anywhere: browsers drop tabs and newlines, so
    # "java\tscript:" is javascript: to them.
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        raise ValueError(MESSAGE)
    parts = urlsplit(text)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ValueError(MESSAGE)
    return text


def validate_web_address(value) -> None:
    try:
        web_address(value)
    except ValueError as e:
        raise ValidationError(str(e), code="invalid") from e
