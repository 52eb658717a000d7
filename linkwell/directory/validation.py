"""Is this ORUK service record fit to load? The schema first, then the rules it cannot express.

Every problem names the record (its id), the field path inside it and a reason a publisher can
act on, e.g. `ac148810-…: service_at_locations[0].location.latitude: 100 is not a latitude
(it must be between -90 and 90)`.
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker

from linkwell.dates import read_datetime

from .oruk import read_time
from .profile import BYDAY

SCHEMA = Path(__file__).resolve().parent / "schema" / "service.json"
MAX_PER_RECORD = 20

# Keywords that constrain a value; the ORUK schema also carries documentation keywords (title,
# example, core, constraints, datapackage_*) that validation skips — dropped once, for speed.
VALIDATING = {
    "type",
    "properties",
    "items",
    "required",
    "enum",
    "format",
    "minimum",
    "maximum",
    "pattern",
    "minLength",
    "maxLength",
    "additionalProperties",
    "anyOf",
    "oneOf",
    "allOf",
}


@dataclass(frozen=True)
class Problem:
    record: str
    field: str
    reason: str

    def __str__(self):
        return (
            f"{self.record}: {self.field}: {self.reason}"
            if self.field
            else (f"{self.record}: {self.reason}")
        )


def _validating(schema):
    if isinstance(schema, list):
        return [_validating(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    kept = {}
    for key, value in schema.items():
        if key == "properties":
            kept[key] = {name: _validating(s) for name, s in value.items()}
        elif key in VALIDATING:
            kept[key] = _validating(value)
    return kept


def _date(value) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _date_time(value) -> bool:
    return isinstance(value, str) and read_datetime(value) is not None


@cache
def quick_check():
    """The same schema compiled to Python by fastjsonschema: ~20× faster on a valid record, which
    is nearly every record. Only a record it rejects goes through jsonschema, for the messages."""
    formats = {"date": _date, "date-time": _date_time, "uri": _any, "email": _any, "uuid": _any}
    return fastjsonschema.compile(_validating(json.loads(SCHEMA.read_text())), formats=formats)


def _any(value) -> bool:
    return True


def _passes(record) -> bool:
    try:
        quick_check()(record)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@cache
def validator() -> Draft202012Validator:
    formats = FormatChecker(formats=())
    formats.checks("date")(_date)
    formats.checks("date-time")(_date_time)
    schema = _validating(json.loads(SCHEMA.read_text()))
    return Draft202012Validator(schema, format_checker=formats)


def path_of(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check(record, *, position: int, known_terms) -> list[Problem]:
    """Problems with one service record; `known_terms(ids)` says which term ids exist."""
    if not isinstance(record, dict):
        return [Problem(f"item {position}", "", "is not a JSON object (an ORUK service)")]
    rid = str(record.get("id") or f"item {position}")
    problems = []
    if not _passes(record):
        problems = [
            Problem(rid, path_of(e.absolute_path), e.message)
            for e in validator().iter_errors(record)
        ]
    if problems:
        return sorted(problems, key=lambda p: p.field)[:MAX_PER_RECORD]
    return [Problem(rid, f, reason) for f, reason in rules(record, known_terms)][:MAX_PER_RECORD]


def rules(record: dict, known_terms):
    """(field, reason) for each rule the schema cannot express."""
    low, high = record.get("minimum_age"), record.get("maximum_age")
    for key, age in (("minimum_age", low), ("maximum_age", high)):
        if age is not None and not (0 <= age <= 130 and float(age).is_integer()):
            yield key, f"{age} is not an age in whole years from 0 to 130"
    if low is not None and high is not None and low > high:
        yield "maximum_age", f"{high} is below the minimum age {low}"
    for i, sal in enumerate(record.get("service_at_locations") or []):
        location = sal.get("location") or {}
        at = f"service_at_locations[{i}].location"
        lat, lon = location.get("latitude"), location.get("longitude")
        if lat is not None and not -90 <= lat <= 90:
            yield f"{at}.latitude", f"{lat} is not a latitude (it must be between -90 and 90)"
        if lon is not None and not -180 <= lon <= 180:
            yield f"{at}.longitude", f"{lon} is not a longitude (it must be between -180 and 180)"
        if (lat is None) != (lon is None):
            yield at, "give both latitude and longitude, or neither"
    for i, schedule in enumerate(record.get("schedules") or []):
        yield from _schedule(schedule, f"schedules[{i}]")
    wanted = {}
    for i, attribute in enumerate(record.get("attributes") or []):
        term = attribute.get("taxonomy_term")
        term_id = (term or {}).get("id") or attribute.get("taxonomy_term_id")
        if not term_id:
            yield f"attributes[{i}]", "name the taxonomy term (taxonomy_term or taxonomy_term_id)"
        elif not term:
            wanted[term_id] = f"attributes[{i}].taxonomy_term_id"
    if wanted:
        known = known_terms(set(wanted))
        for term_id, at in wanted.items():
            if term_id not in known:
                yield at, f"unknown taxonomy term {term_id!r}: include it or import it first"


def _schedule(schedule: dict, at: str):
    times = {}
    for key in ("opens_at", "closes_at"):
        try:
            times[key] = read_time(schedule.get(key))
        except ValueError as e:
            yield f"{at}.{key}", f"{schedule.get(key)!r} {e}"
    opens, closes = times.get("opens_at"), times.get("closes_at")
    if opens and closes and closes <= opens:
        yield f"{at}.closes_at", f"closes at {closes:%H:%M}, before it opens at {opens:%H:%M}"
    for day in (schedule.get("byday") or "").split(","):
        if day.strip() and not BYDAY.match(day.strip().upper()):
            yield f"{at}.byday", f"{day.strip()!r} is not a day (use MO, TU, WE, TH, FR, SA, SU)"
