"""Structured logs: one JSON object per line, with no patient identifiers in them.

Three parts, wired by LOGGING in settings.py and by gunicorn.conf.py:
- RequestLogMiddleware gives each request an id (X-Request-ID, in and out) and logs one line
  per request: method, path *without* the query string (the caseload search puts names and
  NHS numbers there), status, duration, the client's address (behind trusted proxies, the
  forwarded one: linkwell/client_address.py) and the user's id — never their name.
- RedactIdentifiers, a logging filter, is the safety net for everything else that is logged:
  it masks NHS numbers, email addresses, UK postcodes, phone numbers and the secrets of
  single-use links in messages, in gunicorn's access-log atoms and in exception text (a
  database error can quote a value).
- JsonFormatter writes the record as JSON lines for a log shipper to parse.

Importable without Django settings, because the gunicorn master loads it before the app.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime

from linkwell.client_address import client_address

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# What may be logged as a request id: short and plain, so a client cannot inject text.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Patterns for identifiers that must not reach the logs. Phone numbers first, so an 11-digit
# mobile is masked whole rather than leaving a digit after an NHS-number match.
# UK numbers per Ofcom's National Telephone Numbering Plan: 0 or +44, then 9–10 digits.
# NHS numbers: 10 digits, often written 3-3-4 (NHS Data Dictionary, "NHS NUMBER").
# Postcodes: the outward/inward shape of the ONS/Royal Mail format (e.g. LS1 4AP, SW1A 1AA).
_REDACTIONS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"), "[phone]"),
    (re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"), "[nhs-number]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
]


# A single-use link's secret (secrets_store.new_secret: 43 URL-safe characters) is a path
# segment of 20 or more such characters: only its first four are kept, enough to tell two
# apart, too few to use. Request paths (/accounts/link/…, /c/…) and message text both carry them.
_LINK_SECRET = re.compile(r"(?<=/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{16,}")


def mask_link_secrets(text: str) -> str:
    return _LINK_SECRET.sub(r"\1…", text)


def redact(text: str) -> str:
    for pattern, label in _REDACTIONS:
        text = pattern.sub(label, text)
    return mask_link_secrets(text)


class RedactIdentifiers(logging.Filter):
    """Masks identifiers in a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            # gunicorn's access log: the format is ours, the atoms come from the request.
            atoms = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
            record.args = type(record.args)(atoms)
        else:
            try:
                record.msg, record.args = redact(record.getMessage()), None
            except (TypeError, ValueError):
                # Arguments that do not fit the message: logging reports it at emit (a filter
                # that raised would break the caller). Mask the pieces meanwhile.
                record.msg, record.args = redact(str(record.msg)), redact(repr(record.args))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        if isinstance(getattr(record, "path", None), str):
            record.path = redact(record.path)
        return True


# The fields a request line carries, and where gunicorn's access atoms keep the same facts.
_REQUEST_FIELDS = ("request_id", "user_id", "client", "method", "path", "status", "duration_ms")
_ACCESS_ATOMS = {
    "request_id": "{x-request-id}o",
    "method": "m",
    "path": "U",
    "status": "s",
    "duration_ms": "M",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            for field, atom in _ACCESS_ATOMS.items():
                entry[field] = record.args.get(atom)
        for field in _REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        entry.setdefault("request_id", request_id_var.get())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps({k: v for k, v in entry.items() if v not in (None, "-")}, default=str)


request_log = logging.getLogger("linkwell.request")


class RequestLogMiddleware:
    """Assigns the request id and writes the one line per request (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _SAFE_ID.fullmatch(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            request_log.log(
                logging.ERROR if response.status_code >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                    "client": client_address(request),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def logging_config(*, root_level: str, loggers: dict) -> dict:
    """A dictConfig: JSON lines on stdout through the identifier filter, for Django and gunicorn."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "linkwell.logs.RedactIdentifiers"}},
        "formatters": {"json": {"()": "linkwell.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["console"], "level": root_level},
        "loggers": loggers,
    }
