"""The database refuses to change or delete a custody event (the application never asks to)."""

from django.db import migrations

TABLE = "investigations_custodyevent"

SQLITE = [
    f"CREATE TRIGGER custody_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;",
    f"CREATE TRIGGER custody_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS custody_no_update;", "DROP TRIGGER IF EXISTS custody_no_delete;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION custody_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'custody events are append-only'; END; $$ LANGUAGE plpgsql;",
    f"CREATE TRIGGER custody_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION custody_append_only();",
]
POSTGRES_REVERSE = [f"DROP TRIGGER IF EXISTS custody_no_change ON {TABLE};", "DROP FUNCTION IF EXISTS custody_append_only();"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("investigations", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
