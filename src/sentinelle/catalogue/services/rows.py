"""Rows written by the set: ``INSERT … ON CONFLICT`` of many rows in one statement, for the writer.

Two paths, one result. On PostgreSQL the rows are copied (``COPY … FROM STDIN``, formatted by
psycopg's C code) into a temporary staging table, then moved with one
``INSERT … SELECT … ON CONFLICT … DO UPDATE``: no model instance is built and no value is quoted in
Python, which is most of the time ``bulk_create`` takes (Django compiling the INSERT). Elsewhere
(SQLite) the rows go through ``bulk_create(update_conflicts=…)``. ``tests/catalogue`` checks that
the two paths leave the same rows.

Rows are tuples in the order of ``fields`` (attribute names: ``work_id``, not ``work``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

#: PostgreSQL writes through COPY and a staging table; False sends it through the ORM as well
#: (the tests compare the two paths).
USE_COPY = True

Row = tuple[Any, ...]


def upsert(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Row],
    *,
    unique: Sequence[str],
    update: Sequence[str],
    returning: Sequence[str] = (),
) -> list[Row]:
    """Insert ``rows``; a row whose ``unique`` fields exist already updates its ``update`` fields
    (none: it is left alone). Returns ``returning`` of every row inserted or updated (in no
    particular order; ask for a unique key with the id)."""
    if not rows:
        return []
    if USE_COPY and connection.vendor == "postgresql":
        return _copy_upsert(model, fields, rows, unique, update, returning)
    objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    names = [model._meta.get_field(name).name for name in (*unique, *update)]
    if update:
        model._default_manager.bulk_create(
            objs, update_conflicts=True, unique_fields=names[: len(unique)], update_fields=names[len(unique) :]
        )
    else:
        model._default_manager.bulk_create(objs, ignore_conflicts=True)
    return [tuple(getattr(obj, name) for name in returning) for obj in objs]


def _copy_upsert(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Row],
    unique: Sequence[str],
    update: Sequence[str],
    returning: Sequence[str],
) -> list[Row]:
    opts = model._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    # The staging table has the columns of one field list: named after it.
    stage = quote(f"stage_{opts.db_table}_{zlib.crc32(' '.join(fields).encode()):08x}")

    def columns(names: Sequence[str]) -> list[str]:
        return [quote(opts.get_field(name).column) for name in names]  # type: ignore[union-attr, arg-type]

    listed = ", ".join(columns(fields))
    action = "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in columns(update)) if update else "DO NOTHING"
    # Every name below is a model's table or column, quoted: no value is ever put into the SQL.
    keys = ", ".join(columns(unique))
    sql = f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {stage} ON CONFLICT ({keys}) {action}"  # noqa: S608
    if returning:
        sql += " RETURNING " + ", ".join(columns(returning))
    with connection.cursor() as cursor:
        # One staging table per table and connection, emptied before each use; created again after
        # a rolled-back transaction took it away.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} AS SELECT {listed} FROM {table} WITH NO DATA; "  # noqa: S608
            f"TRUNCATE {stage}"
        )
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {stage} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()] if returning else []


__all__ = ["USE_COPY", "upsert"]
