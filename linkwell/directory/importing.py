"""Loading ORUK services into the directory: validated, upserted by id, all or nothing.

Records stream from the source in batches; each is checked (schema, then rules) and turned into
rows, and batches are written with bulk upserts inside one transaction. After the first invalid
record nothing more is written, but every record is still checked so the publisher gets the whole
list of problems at once; then the transaction rolls back and the database is as it was.

On PostgreSQL a batch is copied into temporary tables and moved into the directory by one
server-side query that a helper thread waits on, so the server works on one batch while Python
checks the next (writing._Staged; figures in bench/README.md).
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction

from . import oruk, points, profile, sources, validation, writing
from .models import (
    Accessibility,
    Address,
    Attribute,
    DirectoryOrganisation,
    Location,
    MatchPoint,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from .validation import Problem

BATCH = 1000
MAX_PROBLEMS = 1000  # listed; the count covers them all
IMPORT_LOCK = 0x4C57_0D12  # pg_advisory_xact_lock key: "LW", directory import


class ImportRefused(Exception):
    """The source had problems; nothing was imported."""

    def __init__(self, problems: list[Problem], total: int):
        super().__init__(f"{total} problem(s); nothing was imported")
        self.problems = problems
        self.total = total


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    retired: int = 0


@dataclass
class Prepared:
    """One service record as rows, ready to write."""

    service: writing.Row
    organisation: writing.Row | None
    locations: list = field(default_factory=list)  # (location, [its children])
    at_locations: list = field(default_factory=list)
    children: list = field(default_factory=list)
    attributes: list = field(default_factory=list)
    terms: list = field(default_factory=list)
    taxonomies: list = field(default_factory=list)


KEYED = {Service, Location, DirectoryOrganisation, TaxonomyTerm, Taxonomy}  # by their ORUK id


def _build(entity, record: dict, path: str, **links) -> writing.Row:
    values = entity.read(record, path)
    values.update(links)
    if entity.model in KEYED:
        values["id"] = str(record["id"])
    elif "id" in record:
        values["oruk_id"] = str(record["id"])
    return writing.Row(entity.model, values)


class Loader:
    def __init__(self, started, writer):
        self.started = started
        self.writer = writer
        self.elsewhere: list[str] = []  # services whose points wait for their batch
        self.terms: dict[str, tuple[str, str]] = {}  # id → (code, name): this import's and the DB's
        self.result = ImportResult()
        self.seen: set[str] = set()
        # Ids a record may refer to: stored ones, and those given earlier in this source
        # (whether or not their batch has been written yet).
        self.organisations = set(DirectoryOrganisation.objects.values_list("id", flat=True))
        self.locations = set(Location.objects.values_list("id", flat=True))
        # Ids in the tables (read once, then kept up to date): which rows to insert and which to
        # update, without asking the database batch by batch.
        self.stored = {
            Service: set(Service.objects.values_list("id", flat=True)),
            Location: set(self.locations),
        }
        self.written: dict[tuple, dict] = {}  # (model, id) → values, for `_shared`

    def known_terms(self, ids: set[str]) -> set[str]:
        missing = ids - self.terms.keys()
        if missing:
            for tid, code, name in TaxonomyTerm.objects.filter(id__in=missing).values_list(
                "id", "code", "name"
            ):
                self.terms[tid] = (code, name)
        return ids & self.terms.keys()

    def prepare(self, record: dict) -> Prepared:
        sid = str(record["id"])
        if sid in self.seen:
            raise oruk.FieldProblem("id", "this service appears more than once in the source")
        self.seen.add(sid)
        organisation = None
        org_record = record.get("organization")
        if org_record and org_record.get("id"):
            organisation = _build(oruk.ORGANISATION, org_record, "organization.")
        service = _build(oruk.SERVICE, record, "")
        service.organisation_id = (
            organisation.pk if organisation else record.get("organization_id") or None
        )
        if organisation:
            self.organisations.add(organisation.pk)
        elif service.organisation_id and service.organisation_id not in self.organisations:
            raise oruk.FieldProblem(
                "organization_id",
                f"unknown organisation {service.organisation_id!r}: include `organization`",
            )
        service.imported_at = self.started
        service.retired_at = None
        for attribute in record.get("attributes") or []:
            term = attribute.get("taxonomy_term")
            if term:
                self.terms[str(term["id"])] = (term.get("code") or "", term.get("name") or "")
        for name, value in profile.match_columns(record, self.terms).items():
            setattr(service, name, value)
        prepared = Prepared(service=service, organisation=organisation)
        for key, (entity, _) in oruk.SERVICE_CHILDREN.items():
            for i, child in enumerate(record.get(key) or []):
                prepared.children.append(_build(entity, child, f"{key}[{i}].", service_id=sid))
        for i, sal in enumerate(record.get("service_at_locations") or []):
            prepared.at_locations.append(self._at_location(prepared, sal, sid, i))
        for i, attribute in enumerate(record.get("attributes") or []):
            prepared.attributes.append(self._attribute(prepared, attribute, sid, i))
        return prepared

    def _at_location(self, prepared, sal, sid, i):
        path = f"service_at_locations[{i}]."
        location = sal.get("location")
        if location:
            row = _build(oruk.LOCATION, location, path + "location.")
            kids = [
                _build(entity, child, f"{path}location.{key}[{j}].", location_id=row.pk)
                for key, (entity, _) in oruk.LOCATION_CHILDREN.items()
                for j, child in enumerate(location.get(key) or [])
            ]
            prepared.locations.append((row, kids))
            self.locations.add(row.pk)
            location_id = row.pk
        else:
            location_id = str(sal.get("location_id") or "")
            if location_id not in self.locations:
                raise oruk.FieldProblem(
                    path + "location_id", f"unknown location {location_id!r}: include it"
                )
        return _build(oruk.SERVICE_AT_LOCATION, sal, path, service_id=sid, location_id=location_id)

    def _attribute(self, prepared, attribute, sid, i):
        path = f"attributes[{i}]."
        term = attribute.get("taxonomy_term")
        if term:
            term_row = _build(oruk.TERM, term, path + "taxonomy_term.")
            detail = term.get("taxonomy_detail")
            if detail and detail.get("id"):
                taxonomy = _build(oruk.TAXONOMY, detail, path + "taxonomy_term.taxonomy_detail.")
                prepared.taxonomies.append(taxonomy)
                term_row.taxonomy_detail_id = taxonomy.pk
            prepared.terms.append(term_row)
            term_id = term_row.pk
        else:
            term_id = str(attribute["taxonomy_term_id"])
        return _build(oruk.ATTRIBUTE, attribute, path, service_id=sid, taxonomy_term_id=term_id)

    def write(self, batch: list[Prepared]) -> None:
        """One batch, parents before children. Rows given again (never, in a fresh directory)
        first lose their old children, at once; the rest goes through the writer."""
        if not batch:
            return
        self.settle()
        locations = {loc.pk: (loc, kids) for p in batch for loc, kids in p.locations}
        services = {p.service.pk: p.service for p in batch}
        again = self._stored_already(Location, locations)
        for model in (Address, Accessibility) if again else ():
            model.objects.filter(location_id__in=again).delete()
        again = self._stored_already(Service, services)
        for model in (*CHILD_MODELS, MatchPoint) if again else ():
            model.objects.filter(service_id__in=again).delete()
        self.result.updated += len(again)
        self.result.created += len(services) - len(again)

        self._shared(Taxonomy, {t.pk: t for p in batch for t in p.taxonomies})
        self._shared(TaxonomyTerm, {t.pk: t for p in batch for t in p.terms})
        # The link to a Linkwell provider organisation is ours, never the publisher's.
        self._shared(
            DirectoryOrganisation,
            {p.organisation.pk: p.organisation for p in batch if p.organisation},
            keep={"account"},
        )
        self.writer.put(Location, [loc for loc, _ in locations.values()], upsert=True)
        self._put_children([k for _, kids in locations.values() for k in kids])
        self.writer.put(Service, services.values(), upsert=True)
        self._put_children(
            [c for p in batch for c in (*p.children, *p.at_locations, *p.attributes)]
        )
        self.writer.put(MatchPoint, self._points(batch))
        self.writer.send()

    def settle(self) -> None:
        """The batch sent last is in the database; then the points it could not make itself."""
        self.writer.wait()
        points.refresh(self.elsewhere, replace=())
        self.elsewhere = []

    def _stored_already(self, model, rows: dict) -> set:
        stored = self.stored[model]
        again = {pk for pk in rows if pk in stored}
        stored.update(rows)
        return again

    def _shared(self, model, rows: dict, keep=frozenset()) -> None:
        """Organisations and terms recur across a source's services: each is written once, and
        again only when a later record gives it different values (the last one wins)."""
        fresh = {pk: row for pk, row in rows.items() if self.written.get((model, pk)) != row.values}
        self.written.update({(model, pk): row.values for pk, row in fresh.items()})
        self.writer.put(model, fresh.values(), upsert=True, keep=keep)

    def _put_children(self, rows: list) -> None:
        by_model = {}
        for row in rows:
            by_model.setdefault(row.model, []).append(row)
        for model, items in by_model.items():
            self.writer.put(model, items)

    def _points(self, batch) -> list:
        """Points straight from the rows being written. Services whose places were given by id
        rather than in the record get theirs from the database once the batch is there."""
        rows = []
        for p in batch:
            if len(p.locations) < len(p.at_locations):
                self.elsewhere.append(p.service.pk)
                continue
            places = {(loc.latitude, loc.longitude) for loc, _ in p.locations}
            rows.extend(points.rows_for(p.service.values, places - {(None, None)}))
        return rows

    def retire_missing(self) -> int:
        missing = Service.objects.filter(
            Q(imported_at__lt=self.started) | Q(imported_at__isnull=True), retired_at__isnull=True
        )
        MatchPoint.objects.filter(service__in=missing).update(live=False)
        return missing.update(retired_at=self.started)


CHILD_MODELS = [
    *(entity.model for entity, _ in oruk.SERVICE_CHILDREN.values()),
    ServiceAtLocation,
    Attribute,
]


def _one_import_at_a_time() -> None:
    """Imports decide insert or update from the ids stored when they start, so a second import
    waits for the first to commit (PostgreSQL; SQLite has one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


@contextmanager
def _without_cycle_collection():
    """Records are trees that reference counting frees as each batch is written, but Python's
    cycle collector would still walk every live object again and again as a national import
    allocates millions of them (an eighth of the import's CPU time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_services(*, source: Path, sync: bool = False, by=None) -> ImportResult:
    """Import every service in `source`, or none (ImportRefused lists the problems)."""
    return import_records(records=sources.records(source), label=str(source), sync=sync, by=by)


def import_records(*, records, label: str, sync: bool = False, by=None) -> ImportResult:
    """Import ORUK service records from any iterable (a file's, or generated ones)."""
    problems: list[Problem] = []
    total = 0
    batch = []

    def refuse(found):
        nonlocal total
        total += len(found)
        problems.extend(found[: max(0, MAX_PROBLEMS - len(problems))])

    try:
        with transaction.atomic(), _without_cycle_collection():
            _one_import_at_a_time()
            with writing.batches() as writer:
                loader = Loader(timezone.now(), writer)
                for position, record in enumerate(records, start=1):
                    found = validation.check(
                        record, position=position, known_terms=loader.known_terms
                    )
                    if not found:
                        try:
                            prepared = loader.prepare(record)
                        except oruk.FieldProblem as e:
                            found = [Problem(str(record["id"]), e.path, e.reason)]
                    if found:
                        refuse(found)
                        continue
                    if total:
                        continue  # checking the rest, writing nothing
                    batch.append(prepared)
                    if len(batch) >= BATCH:
                        loader.write(batch)
                        batch = []
                if total:
                    raise ImportRefused(problems, total)
                loader.write(batch)
                loader.settle()
            if sync:
                loader.result.retired = loader.retire_missing()
            audit.record(
                user=by,
                action=AuditAction.UPDATE,
                object_type="directory.import",
                object_id=label[:50],
                created=loader.result.created,
                updated=loader.result.updated,
                retired=loader.result.retired,
            )
    except sources.SourceError as e:
        refuse([Problem("(file)", "", str(e))])
        raise ImportRefused(problems, total) from e
    return loader.result
