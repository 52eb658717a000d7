"""Writing thousands of directory rows at once.

bulk_create spends most of its time composing one SQL statement per batch, value by value; a
national import writes about a million rows. Here each table gets one INSERT (an upsert for
rows keyed by their ORUK id) composed once per row count and cached; values are still adapted by
each Django field, so types are exactly what the ORM would write. Our own tables only.
Each statement carries a few thousand rows (multi-row VALUES), so PostgreSQL is not waiting on a
round trip per row.
`INSERT … ON CONFLICT (id) DO UPDATE SET col = EXCLUDED.col` is the same on SQLite (3.24+) and
PostgreSQL.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections, models


class Row:
    """An unsaved row: its model and column values by attname (building a model instance costs
    more than writing it). Reads and writes like one for the fields the importer touches."""

    __slots__ = ("model", "values")

    def __init__(self, model, values: dict):
        object.__setattr__(self, "model", model)
        object.__setattr__(self, "values", values)

    def __getattr__(self, name):
        return self.values.get("id" if name == "pk" else name)

    def __setattr__(self, name, value):
        self.values["id" if name == "pk" else name] = value


# Values of these fields go to the driver as they are; the rest are adapted by the field.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
)


def _adapter(field, db, copy: bool):
    """How a value reaches the driver: as it is (text, numbers, booleans, and foreign keys,
    which here always hold the target's plain key), or through the field (dates, times,
    decimals, JSON). psycopg takes dates, times and decimals as they are; SQLite and COPY take
    JSON as its text (what the field would write), and most rows' `extra` is empty, so that
    text is a constant."""
    if field.many_to_one or (isinstance(field, _PLAIN) and not field.is_relation):
        return None
    as_text = copy or db.vendor == "sqlite"
    if as_text and isinstance(field, models.JSONField) and field.encoder is None:
        return lambda value: json.dumps(value) if value else "{}"
    if db.vendor == "postgresql" and not isinstance(field, models.JSONField):
        return None
    return lambda value: field.get_db_prep_save(value, db)


# Bound parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
MAX_PARAMETERS = 30_000


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]


@lru_cache(maxsize=64)  # full chunks repeat; tails vary, so bounded
def _statement(model, upsert: bool, keep: frozenset, rows: int, vendor: str) -> str:
    """One multi-row INSERT for `rows` rows: one round trip per few thousand rows."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = _fields(model)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join([f"({', '.join(['%s'] * len(fields))})"] * rows)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {marks}"  # noqa: S608  # nosec B608 — names from the model
    if upsert:
        sql += _on_conflict(connections[DEFAULT_DB_ALIAS], model, keep)
    return sql


def _on_conflict(db, model, keep: frozenset) -> str:
    quote = db.ops.quote_name
    updates = ", ".join(
        f"{quote(f.column)} = EXCLUDED.{quote(f.column)}"
        for f in _fields(model)
        if not f.primary_key and f.name not in keep
    )
    return f" ON CONFLICT ({quote(model._meta.pk.column)}) DO UPDATE SET {updates}"  # nosec B608 — names from the model


def _plan(model, db, copy: bool) -> list:
    return [(f.attname, f.get_default(), _adapter(f, db, copy)) for f in _fields(model)]


def _values(plan, row) -> list:
    values = row.values
    return [
        (adapt(values[name]) if adapt else values[name]) if name in values else default
        for name, default, adapt in plan
    ]


def insert(model, rows, *, upsert: bool = False, keep=frozenset()) -> None:
    """Insert (or, with `upsert`, insert-or-update by primary key) Rows of one model.

    `keep`: fields an upsert leaves as they are on existing rows. An upsert's rows must have
    distinct keys (one statement cannot update a row twice)."""
    rows = list(rows)
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # once: the proxy costs a lookup per use
    keep = frozenset(keep)
    if db.vendor == "postgresql":
        if not upsert:
            _copy(db, model, _plan(model, db, copy=True), rows)
            return
        # One short statement, many parameter sets: psycopg parses it once and pipelines them.
        plan = _plan(model, db, copy=False)
        with db.cursor() as cursor:
            cursor.executemany(
                _statement(model, upsert, keep, 1, db.vendor), [_values(plan, r) for r in rows]
            )
        return
    plan = _plan(model, db, copy=False)
    per_statement = max(1, MAX_PARAMETERS // len(plan))
    # The driver's cursor, past DEBUG's query log: SQLite's would quote every value of every
    # statement again through a query of its own (40% of the time a write took).
    with db.cursor() as wrapper, db.wrap_database_errors:
        cursor = wrapper.cursor
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = _statement(model, upsert, keep, len(chunk), db.vendor)
            cursor.execute(sql, [value for row in chunk for value in _values(plan, row)])


def _columns(db, model) -> str:
    return ", ".join(db.ops.quote_name(f.column) for f in _fields(model))


def _copy(db, model, plan, rows, table=None) -> None:
    """PostgreSQL's COPY: the fastest way in for rows that are only inserted (children).
    (Multi-row INSERTs there spend their time in the driver splitting placeholders.)"""
    table = db.ops.quote_name(table or model._meta.db_table)
    with db.cursor() as cursor:
        sql = f"COPY {table} ({_columns(db, model)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(_values(plan, row))


@contextmanager
def batches():
    """A writer for one import's rows, batch by batch: `put` each table's rows parents first,
    `send` at the end of a batch, and `wait` before anything else reads what was sent."""
    db = connections[DEFAULT_DB_ALIAS]
    writer = _Staged(db) if db.vendor == "postgresql" else _Direct(db)
    try:
        yield writer
        writer.wait()
        writer.done()
    finally:
        writer.stop()


class _Direct:
    """SQLite: each put is written at once, with a page cache big enough for the directory's
    indexes while the import runs (SQLite's default, 2 MB, made a national import re-read
    index pages all the time: a fifth slower)."""

    CACHE_KIB = 128 * 1024

    def __init__(self, db):
        self.db = db
        self.cache_size = self._pragma("cache_size")
        self._pragma(f"cache_size = -{self.CACHE_KIB}")

    def put(self, model, rows, *, upsert=False, keep=frozenset()):
        insert(model, rows, upsert=upsert, keep=keep)

    def send(self):
        pass

    wait = done = send

    def stop(self):
        self._pragma(f"cache_size = {int(self.cache_size)}")

    def _pragma(self, text):
        with self.db.cursor() as cursor:
            cursor.execute(f"PRAGMA {text}")
            row = cursor.fetchone()
        return row and row[0]


class _Staged:
    """PostgreSQL: `put` copies rows into a temporary table (no indexes, no foreign keys, no
    WAL: cheap), and `send` moves the batch into the directory, table by table in the order
    they were put, with one multi-statement query that a helper thread waits on. So the server
    maintains the indexes and checks the foreign keys of one batch while Python reads and
    checks the next, on the other core; the thread holds the GIL only when the answer comes.
    Those foreign keys are checked as each statement ends rather than all at commit, which
    would be a quarter of the import done with Python idle. Anything else that uses the
    connection in between just waits for the batch (psycopg's connection lock); `wait` makes
    that explicit and raises the batch's error, if any."""

    def __init__(self, db):
        db.ensure_connection()
        self.db = db
        self.helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="directory-writer")
        self.pending = None
        self.batch: dict = {}  # model → its move statement, in the order first put
        self.staged: set = set()
        self.written: set = set()
        self.constraints = self._foreign_keys()
        self._check_constraints("IMMEDIATE")

    def put(self, model, rows, *, upsert=False, keep=frozenset()):
        rows = list(rows)
        if not rows:
            return
        self.wait()
        stage = self._stage(model)
        _copy(self.db, model, _plan(model, self.db, copy=True), rows, table=stage)
        if model not in self.batch:
            self.batch[model] = _move(self.db, model, stage, upsert, frozenset(keep))
        self.written.add(model)

    def send(self):
        if self.batch:
            sql = "; ".join(self.batch.values())
            self.batch = {}
            self.pending = self.helper.submit(self.db.connection.execute, sql)

    def wait(self):
        pending, self.pending = self.pending, None
        if pending:
            with self.db.wrap_database_errors:  # as Django's own errors (IntegrityError, …)
                pending.result()

    def done(self):
        # Fresh statistics for the tables written: without them (autovacuum off, or a minute
        # behind) PostgreSQL took 100,000 new points for a few hundred, and ranking read them
        # all in a sequential scan, 3× slower.
        tables = ", ".join(self.db.ops.quote_name(model._meta.db_table) for model in self.written)
        if tables:
            with self.db.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")
        self._check_constraints("DEFERRED")  # as Django made them, for the rest of the work

    def stop(self):
        self.helper.shutdown()  # after the batch in flight, if any: then a rollback can run

    def _stage(self, model) -> str:
        stage = f"lw_stage_{model._meta.db_table}"
        if stage not in self.staged:
            quote = self.db.ops.quote_name
            with self.db.cursor() as cursor:
                # Dropped at commit; an earlier import in the same transaction may have left it.
                columns, table = _columns(self.db, model), quote(model._meta.db_table)
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {quote(stage)} ON COMMIT DROP AS "  # noqa: S608  # nosec B608 — names from the model
                    f"SELECT {columns} FROM {table} WITH NO DATA"
                )
                cursor.execute(f"TRUNCATE {quote(stage)}")
            self.staged.add(stage)
        return stage

    def _foreign_keys(self) -> list[str]:
        with self.db.cursor() as cursor:
            cursor.execute(
                "SELECT quote_ident(conname) FROM pg_constraint WHERE contype = 'f' "
                "AND condeferrable AND conrelid::regclass::text LIKE 'directory\\_%'"
            )
            return [name for (name,) in cursor.fetchall()]

    def _check_constraints(self, when: str):
        if self.constraints:
            with self.db.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {', '.join(self.constraints)} {when}")


def _move(db, model, stage: str, upsert: bool, keep: frozenset) -> str:
    """Staged rows into their table (upserted by primary key, or inserted), then out of the
    stage."""
    quote = db.ops.quote_name
    columns = _columns(db, model)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608  # nosec B608 — names from the model
        f"SELECT {columns} FROM {quote(stage)}"
    )
    if upsert:
        sql += _on_conflict(db, model, keep)
    return f"{sql}; TRUNCATE {quote(stage)}"
