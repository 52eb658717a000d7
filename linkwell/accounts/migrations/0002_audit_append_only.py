"""Make the audit log append-only in the database itself, not just in the ORM.

PostgreSQL refuses UPDATE and DELETE on every row. TRUNCATE stays possible for the table's
owner only (test databases are emptied that way); production runs the app as a role that
owns no tables and is granted INSERT and SELECT on this one (docs/operations.md).
SQLite refuses UPDATE; it cannot refuse DELETE without also breaking Django's test flush, and
anyone who can write the database file can drop a trigger anyway.
"""

from django.db import migrations

TABLE = "accounts_auditentry"
MESSAGE = "the audit log is append-only"

SQLITE = [
    f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER audit_no_update;"]

POSTGRES = [
    f"""CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;""",
    f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();",
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER audit_append_only ON {TABLE};",
    "DROP FUNCTION audit_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
