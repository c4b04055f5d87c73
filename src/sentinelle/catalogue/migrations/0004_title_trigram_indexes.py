"""Title search at scale on PostgreSQL: trigram indexes for ``icontains`` on titles.

Django's ``title__icontains`` is ``UPPER(title::text) LIKE UPPER('%…%')``; a GIN index of
``pg_trgm`` trigrams on that expression serves it. pg_trgm is a trusted extension (PostgreSQL 13+):
the database's owner may create it. Where it cannot be created the search still works, unindexed
(the member's pages do not need it: they start from the member's interests). SQLite: nothing.
"""

from django.db import migrations, transaction

INDEXES = [
    ("catalogue_work_title_trgm", "catalogue_work"),
    ("catalogue_alternatetitle_title_trgm", "catalogue_alternatetitle"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 — no privilege: the search stays unindexed, as before
        return
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER(title::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_society_codes_authorised_example")]

    operations = [migrations.RunPython(create, drop)]
