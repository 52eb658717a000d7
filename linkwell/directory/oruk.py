"""Open Referral UK records ↔ directory rows: the one place that knows the field mapping.

Each entity lists the ORUK fields kept as columns (with how to read and write them); every other
field of a record is kept verbatim in the row's `extra`, so export(import(x)) gives x back apart
from formatting (times as HH:MM:SS, numbers as numbers). Field names: ORUK profile schema,
linkwell/directory/schema/service.json (HSDS 3.0 fields such as eligibility_description too).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from django.utils.dateparse import parse_datetime

from . import models as m
from .web_addresses import web_address


class FieldProblem(ValueError):
    """A value that cannot be read; `path` is relative to the record holding it."""

    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path = path
        self.reason = reason


def _text(value):
    return "" if value is None else str(value)


def _int(value):
    if value is None or value == "":
        return None
    number = float(value)
    if not number.is_integer():
        raise ValueError("must be a whole number")
    return int(number)


def _float(value):
    return None if value is None or value == "" else float(value)


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as e:
        raise ValueError("must be a number") from e


def _date(value):
    return None if value in (None, "") else date.fromisoformat(str(value)[:10])


# ORUK times are HH:MM or HH:MM:SS, optionally with Z or an offset (schedule.opens_at).
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def read_time(value):
    return None if value in (None, "") else _time(str(value).strip())


@lru_cache(maxsize=1024)  # a directory's opening times are a few hundred distinct values
def _time(text: str):
    match = _TIME.match(text)
    if not match:
        raise ValueError("must be a time like 09:30 or 09:30:00")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    return time(hour, minute, second)


def _datetime(value):
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError("must be a date and time like 2025-03-15T10:30:00Z")
    return parsed


def _dump(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Field:
    key: str  # the ORUK field name
    column: str  # the model field
    read: object = _text


def fields(*names, **typed):
    """Plain text fields by name; typed ones as name=reader or name=(column, reader)."""
    result = [Field(n, n) for n in names]
    for key, spec in typed.items():
        column, read = spec if isinstance(spec, tuple) else (key, spec)
        result.append(Field(key, column, read))
    return result


@dataclass(frozen=True)
class Entity:
    model: type
    fields: list
    nested: tuple = ()  # ORUK keys handled by the caller, never kept in extra

    def read(self, record: dict, path: str = "") -> dict:
        """Column values and `extra` for one ORUK record; FieldProblem if a value is unreadable.
        (One pass over the record's keys: an import reads a million of these.)"""
        values, extra = {}, {}
        readers, known = self.readers, self.known_keys
        for key, value in record.items():
            spec = readers.get(key)
            if spec is None:
                if key not in known:
                    extra[key] = value
            elif spec[1] is _text and value.__class__ is str:  # most values, as they are
                values[spec[0]] = value
            else:
                try:
                    values[spec[0]] = spec[1](value)
                except (TypeError, ValueError) as e:
                    raise FieldProblem(f"{path}{key}", f"{value!r} {e}") from e
        values["extra"] = extra
        return values

    @cached_property
    def readers(self) -> dict:
        return {f.key: (f.column, f.read) for f in self.fields}

    @cached_property
    def known_keys(self) -> frozenset:
        """Keys kept as columns or handled by the caller: everything else goes to `extra`."""
        return frozenset({f.key for f in self.fields} | set(self.nested) | {"id"})

    def write(self, row) -> dict:
        """The ORUK record for one row (nested parts are added by the caller)."""
        record = {"id": getattr(row, "oruk_id", None) or row.pk}
        record.update(row.extra)
        for f in self.fields:
            value = getattr(row, f.column)
            if value is not None and value != "":
                record[f.key] = _dump(value)
        return record


TAXONOMY = Entity(m.Taxonomy, fields("name", "description", "uri", "version"))
TERM = Entity(
    m.TaxonomyTerm,
    fields("code", "name", "description", "parent_id", "taxonomy", "term_uri"),
    nested=("taxonomy_detail", "taxonomy_id"),
)
ORGANISATION = Entity(
    m.DirectoryOrganisation,
    fields("name", "description", "email", website=web_address),
    nested=("services",),
)
SERVICE = Entity(
    m.Service,
    fields(
        "name",
        "description",
        "email",
        "status",
        "fees",
        "eligibility_description",
        "alert",
        "assurer_email",
        url=web_address,
        minimum_age=_int,
        maximum_age=_int,
        assured_date=("last_verified", _date),
        last_modified=_datetime,
    ),
    nested=(
        "organization",
        "organization_id",
        "service_at_locations",
        "schedules",
        "cost_options",
        "languages",
        "contacts",
        "phones",
        "service_areas",
        "attributes",
    ),
)
LOCATION = Entity(
    m.Location,
    fields("location_type", "name", "description", latitude=_float, longitude=_float),
    nested=("addresses", "accessibility"),
)
SERVICE_AT_LOCATION = Entity(m.ServiceAtLocation, [], nested=("location", "location_id"))
ADDRESS = Entity(
    m.Address,
    fields("address_1", "city", "region", "postal_code", "country", "address_type"),
)
ACCESSIBILITY = Entity(m.Accessibility, fields("description", "details", url=web_address))
SCHEDULE = Entity(
    m.Schedule,
    fields(
        "freq",
        "byday",
        "description",
        opens_at=read_time,
        closes_at=read_time,
        valid_from=_date,
        valid_to=_date,
    ),
)
COST_OPTION = Entity(m.CostOption, fields("option", "amount_description", amount=_decimal))
LANGUAGE = Entity(m.Language, fields("name", "code", "note"))
CONTACT = Entity(m.Contact, fields("name", "title", "email"))
PHONE = Entity(m.Phone, fields("number", "type", "description"))
SERVICE_AREA = Entity(m.ServiceArea, fields("name", "extent", "extent_type", "uri"))
ATTRIBUTE = Entity(m.Attribute, fields("link_type"), nested=("taxonomy_term", "taxonomy_term_id"))

# Lists of children on a service: ORUK key → (entity, the reverse accessor on Service).
SERVICE_CHILDREN = {
    "schedules": (SCHEDULE, "schedules"),
    "cost_options": (COST_OPTION, "cost_options"),
    "languages": (LANGUAGE, "languages"),
    "contacts": (CONTACT, "contacts"),
    "phones": (PHONE, "phones"),
    "service_areas": (SERVICE_AREA, "service_areas"),
}
LOCATION_CHILDREN = {
    "addresses": (ADDRESS, "addresses"),
    "accessibility": (ACCESSIBILITY, "accessibility"),
}
