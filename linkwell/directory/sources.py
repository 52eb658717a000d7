"""Reading ORUK service records from a file, one at a time.

Accepted (ORUK API and HSDS 3.0 shapes):
- JSON: one service; a list of services; a `/services` page (`{"contents": [...]}`); an
  organisation with its `services`. Lists and pages stream through ijson, so a file of any size
  is never held in memory whole.
- An HSDS tabular data package: a folder (or its datapackage.json) of CSV files — services.csv
  streams; the other tables (locations, schedules, …) are indexed by parent id in memory, which
  is what joining them needs, and they are far smaller than the services they hang from.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import ijson

from .validation import SCHEMA


class SourceError(ValueError):
    """The file cannot be read as ORUK data; the message says why and where."""


SERVICE_KEYS = {"status", "service_at_locations", "schedules", "organization"}
# What a document that is not a service looks like (ORUK/HSDS entity → a key only it has).
OTHER_KINDS = [
    ("an HSDS tabular JSON document (import its CSV folder instead)", {"services.csv"}),
    ("the API description (GET /)", {"openapi_url"}),
    ("a location", {"location_type", "latitude"}),
    ("a taxonomy", {"taxonomy_terms", "version"}),
    ("a taxonomy term", {"term", "code", "parent_id", "taxonomy"}),
]


def _service(record):
    """The service in a record; refuse a document that is some other ORUK entity outright,
    rather than fail it field by field."""
    if not isinstance(record, dict):
        return record
    if "service" in record and "location" in record:  # a service_at_location document
        service = dict(record["service"] or {})
        where = {k: v for k, v in record.items() if k != "service"}
        service.setdefault("service_at_locations", [where])
        return service
    kind = next((k for k, keys in OTHER_KINDS if keys & record.keys()), None)
    if "status" in record or (kind is None and SERVICE_KEYS & record.keys()):
        return record
    kind = kind or "an organisation"
    raise SourceError(
        f"this is {kind} ({record.get('id', 'no id')}), not services. Import one service, a "
        "list of them, a /services or /service_at_locations page, an organisation with its "
        "services, or a folder of HSDS CSV files."
    )


def records(path: Path) -> Iterator:
    path = Path(path)
    if path.is_dir() or path.name == "datapackage.json" or path.suffix.lower() == ".csv":
        yield from _package(path if path.is_dir() else path.parent)
        return
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    with open(path, "rb") as f:
        first = f.read(64).lstrip()[:1]
    try:
        if first == b"[":
            yield from _stream(path, "item")
        elif first == b"{":
            kind = _top_level_key(path, {"contents", "services"})
            if kind == "contents":
                yield from _stream(path, "contents.item")
            elif kind == "services":
                yield from _organisation(path)
            else:
                with open(path, "rb") as f:
                    yield _service(json.load(f))
        else:
            raise SourceError(f"{path}: not JSON (it should start with {{ or [)")
    except (ijson.JSONError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: malformed JSON ({e})") from e


def _stream(path: Path, prefix: str):
    with open(path, "rb") as f:
        for record in ijson.items(f, prefix, use_float=True):
            yield _service(record)


def _top_level_key(path: Path, wanted: set[str]) -> str | None:
    with open(path, "rb") as f:
        for prefix, event, value in ijson.parse(f):
            if prefix == "" and event == "map_key" and value in wanted:
                return value
    return None


def _organisation(path: Path):
    with open(path, "rb") as f:
        organisation = json.load(f)
    services = organisation.pop("services") or []
    for service in services:
        if isinstance(service, dict) and "organization" not in service:
            service = {**service, "organization": organisation}
        yield service


@cache
def _numeric_fields() -> frozenset[str]:
    """Field names the schema types as numbers: CSV gives text, JSON Schema wants numbers."""
    names = set()

    def walk(schema):
        if isinstance(schema, dict):
            for name, prop in (schema.get("properties") or {}).items():
                if isinstance(prop, dict) and prop.get("type") in ("number", "integer"):
                    names.add(name)
                walk(prop)
            walk(schema.get("items"))

    walk(json.loads(SCHEMA.read_text()))
    return frozenset(names)


def _row(row: dict) -> dict:
    record = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        if key in _numeric_fields():
            try:
                value = float(value)
                value = int(value) if value.is_integer() else value
            except ValueError:
                pass  # left as text: validation reports the field
        record[key] = value
    return record


def _table(folder: Path, *names: str) -> Iterator[dict]:
    for name in names:
        path = folder / name
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as f:
                try:
                    for row in csv.DictReader(f):
                        yield _row(row)
                except csv.Error as e:
                    raise SourceError(f"{path}: malformed CSV ({e})") from e
            return


def _by(folder: Path, key: str, *names: str) -> dict[str, list[dict]]:
    index = defaultdict(list)
    for row in _table(folder, *names):
        index[str(row.get(key, ""))].append(row)
    return index


def _package(folder: Path):
    if not (folder / "services.csv").exists():
        raise SourceError(f"{folder}: no services.csv, so not an HSDS CSV data package")
    organisations = {o["id"]: o for o in _table(folder, "organizations.csv") if "id" in o}
    terms = {t["id"]: t for t in _table(folder, "taxonomy_terms.csv") if "id" in t}
    addresses = _by(folder, "location_id", "addresses.csv", "address.csv")
    access = _by(folder, "location_id", "accessibility.csv")
    locations = {}
    for location in _table(folder, "locations.csv"):
        lid = str(location.get("id", ""))
        if addresses.get(lid):
            location["addresses"] = addresses[lid]
        if access.get(lid):
            location["accessibility"] = access[lid]
        locations[lid] = location
    children = {
        key: _by(folder, "service_id", *files)
        for key, files in {
            "schedules": ("schedules.csv", "schedule.csv"),
            "cost_options": ("cost_options.csv",),
            "languages": ("languages.csv",),
            "contacts": ("contacts.csv",),
            "phones": ("phones.csv",),
            "service_areas": ("service_areas.csv",),
        }.items()
    }
    at_locations = _by(folder, "service_id", "service_at_location.csv")
    attributes = _by(folder, "link_id", "attributes.csv", "attribute.csv")
    for service in _table(folder, "services.csv"):
        sid = str(service.get("id", ""))
        organisation = organisations.get(str(service.get("organization_id", "")))
        if organisation:
            service["organization"] = organisation
        for key, index in children.items():
            if index.get(sid):
                service[key] = index[sid]
        if at_locations.get(sid):
            service["service_at_locations"] = [
                {**sal, "location": locations[str(sal.get("location_id"))]}
                if str(sal.get("location_id")) in locations
                else sal
                for sal in at_locations[sid]
            ]
        if attributes.get(sid):
            service["attributes"] = [
                {**a, "taxonomy_term": terms[a["taxonomy_term_id"]]}
                if a.get("taxonomy_term_id") in terms
                else a
                for a in attributes[sid]
            ]
        yield service
