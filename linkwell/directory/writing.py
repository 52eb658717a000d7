"""Writing thousands of directory rows at once.

bulk_create spends most of its time composing one SQL statement per batch, value by value; a
national import writes about a million rows. Here each table gets one INSERT (an upsert for
rows keyed by their ORUK id) composed once and run with executemany; values are still adapted by
each Django field, so types are exactly what the ORM would write. Our own tables only.
`INSERT … ON CONFLICT (id) DO UPDATE SET col = EXCLUDED.col` is the same on SQLite (3.24+) and
PostgreSQL.
"""

from functools import cache

from django.db import connection, models


@cache
def _statement(model, upsert: bool, keep: frozenset) -> tuple[str, list]:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    if upsert:
        pk = quote(model._meta.pk.column)
        updates = ", ".join(
            f"{quote(f.column)} = EXCLUDED.{quote(f.column)}"
            for f in fields
            if not f.primary_key and f.name not in keep
        )
        sql += f" ON CONFLICT ({pk}) DO UPDATE SET {updates}"
    return sql, fields


def insert(model, objects, *, upsert: bool = False, keep=frozenset()) -> None:
    """Insert (or, with `upsert`, insert-or-update by primary key) model instances, unsaved.

    `keep`: fields an upsert leaves as they are on existing rows."""
    objects = list(objects)
    if not objects:
        return
    sql, fields = _statement(model, upsert, frozenset(keep))
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
