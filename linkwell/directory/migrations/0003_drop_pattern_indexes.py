"""Drop the second index PostgreSQL gets on every text key of the directory.

Django adds a `varchar_pattern_ops` copy (`…_like`) of each index on a text column, for LIKE
'prefix%' queries outside the C locale. Directory ids are publishers' opaque ids (mostly
UUIDs) that nothing searches by prefix, and the copies doubled the index work of a national
import: a 100,000-service import spent a third of its COPY time maintaining them. Nothing on
SQLite. (A later AlterField of one of these columns would add its copy back.)
"""

from django.db import migrations

FIND = """
    SELECT i.indexname FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename LIKE 'directory\\_%'
      AND i.indexdef LIKE '%varchar_pattern_ops%'
"""


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FIND)
        for (name,) in cursor.fetchall():
            schema_editor.execute(f"DROP INDEX {quote(name)}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_matchpoint")]

    # The copies were never part of the migration state, so going back leaves them out.
    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
