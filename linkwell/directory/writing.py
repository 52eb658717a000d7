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

from functools import lru_cache

from django.db import connection, models


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


def _adapter(field):
    """How a value reaches the driver: as it is (text, numbers, booleans, and foreign keys,
    which here always hold the target's plain key), or through the field (dates, times,
    decimals, JSON)."""
    if field.many_to_one or (isinstance(field, _PLAIN) and not field.is_relation):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


# Bound parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
MAX_PARAMETERS = 30_000


@lru_cache(maxsize=64)  # full chunks repeat; tails vary, so bounded
def _statement(model, upsert: bool, keep: frozenset, rows: int) -> tuple[str, list]:
    """One multi-row INSERT for `rows` rows: one round trip per few thousand rows."""
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join([f"({', '.join(['%s'] * len(fields))})"] * rows)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {marks}"  # noqa: S608  # nosec B608 — names from the model
    if upsert:
        pk = quote(model._meta.pk.column)
        updates = ", ".join(
            f"{quote(f.column)} = EXCLUDED.{quote(f.column)}"
            for f in fields
            if not f.primary_key and f.name not in keep
        )
        sql += f" ON CONFLICT ({pk}) DO UPDATE SET {updates}"  # nosec B608 — names from the model
    plan = [(f.attname, f.get_default(), _adapter(f)) for f in fields]
    return sql, plan


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
    _, plan = _statement(model, upsert, frozenset(keep), 1)
    if connection.vendor == "postgresql":
        if not upsert:
            _copy(model, plan, rows)
            return
        # One short statement, many parameter sets: psycopg parses it once and pipelines them.
        sql, _ = _statement(model, upsert, frozenset(keep), 1)
        with connection.cursor() as cursor:
            cursor.executemany(sql, [_values(plan, row) for row in rows])
        return
    per_statement = max(1, MAX_PARAMETERS // len(plan))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql, _ = _statement(model, upsert, frozenset(keep), len(chunk))
            cursor.execute(sql, [value for row in chunk for value in _values(plan, row)])


def _copy(model, plan, rows) -> None:
    """PostgreSQL's COPY: the fastest way in for rows that are only inserted (children).
    (Multi-row INSERTs there spend their time in the driver splitting placeholders.)"""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name, _, _ in plan)
    with connection.cursor() as cursor:
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(_values(plan, row))
