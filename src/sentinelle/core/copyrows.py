"""New rows of one model written in one stream: PostgreSQL's COPY, ``bulk_create`` elsewhere.

Measured on a 1,000-line submission (``bench/intake.py``, issue 14): ``bulk_create`` of 1,000 links
and 2,000 events spent most of the intake's time preparing each of the 40,000 values through its
field's methods and having psycopg quote the INSERT's arrays client-side. COPY sends the rows as
text; psycopg escapes them. The ids a caller needs (``want_ids``) are taken from the table's
sequence first (``nextval`` over ``generate_series``), so the rows go in with their ids and the
objects know them, as after ``bulk_create``.

For plain models only (no multi-table inheritance); like ``bulk_create``, no ``save()`` and no
signals. Values go as the model's attributes hold them: ``auto_now``/``auto_now_add`` fields are
filled (``pre_save``), JSON fields dumped with their encoder.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone
from django.utils.functional import Promise

M = TypeVar("M", bound=models.Model)


def insert_rows(objs: Sequence[M], *, want_ids: bool = False, batch_size: int = 1000) -> list[M]:
    """Insert ``objs`` (new, unsaved, one model) in the caller's transaction; returns them."""
    if not objs:
        return []
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=batch_size)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, True)
    if want_ids:
        _reserve_ids(objs, meta.db_table, _column(pk))
        fields = [pk, *fields]
    converters = [_converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(f)) for f in fields)
    rows = ([convert(obj.__dict__[name]) for convert, name in zip(converters, attnames, strict=True)] for obj in objs)
    _copy(meta.db_table, columns, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


def insert_values(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    want_ids: bool = False,
    ids: Sequence[int] | None = None,
) -> list[int]:
    """Insert rows given as ``{attname: value}`` (the same keys in every row; no model instances
    built on PostgreSQL, where that is most of the cost of a small row). Returns the new ids
    when ``want_ids`` (in the rows' order), else an empty list. ``ids``: the rows' ids, taken
    beforehand from the table's sequence (``next_ids``; PostgreSQL only).

    A field a row does not name gets its default, the same for every row (``auto_now`` and
    ``auto_now_add`` fields: the moment of the insert), as ``bulk_create`` would give it.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        assert ids is None, "ids taken beforehand: PostgreSQL only"
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=1000)
        return [obj.pk for obj in objs] if want_ids else []
    if ids is None:
        ids = next_ids(model, len(rows)) if want_ids else []
    columns, values = _copy_rows(model, rows, ids)
    _copy(model._meta.db_table, columns, values)
    return list(ids)


@dataclass(frozen=True)
class Encoded:
    """New rows of one table already encoded for COPY (``encode_values``), written later by
    ``copy_encoded``, on any connection: a staff import encodes a chunk while the chunk before it
    is being written (``takedowns.services.bulk``)."""

    table: str
    columns: str
    data: bytes


def encode_values(model: type[models.Model], rows: Sequence[dict[str, Any]], *, ids: Sequence[int]) -> Encoded:
    """``insert_values`` up to the writing (PostgreSQL): the rows, with their ``ids`` taken
    beforehand (``next_ids``; empty: the table's default), encoded by psycopg's own COPY text
    encoder. ``auto_now`` fields hold the moment of the encoding."""
    from psycopg._copy_base import format_row_text  # what Copy.write_row runs (C in psycopg[binary])
    from psycopg.adapt import Transformer

    columns, values = _copy_rows(model, rows, ids)
    connection.ensure_connection()
    transformer = Transformer(connection.connection)
    data = bytearray()
    for row in values:
        format_row_text(row, transformer, data)
    return Encoded(model._meta.db_table, columns, bytes(data))


def copy_encoded(encoded: Encoded) -> None:
    """Write rows encoded by ``encode_values``, in the caller's transaction."""
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(encoded.table)} ({encoded.columns}) FROM STDIN") as copy,
    ):
        copy.write(encoded.data)


def _copy_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], ids: Sequence[int]
) -> tuple[str, Iterator[list[Any]]]:
    """The quoted column names and the COPY rows of ``rows`` (``[id,] *values, *defaults``)."""
    meta = model._meta
    names = list(rows[0])
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    given = {f.attname: f for f in fields if f.attname in names}
    assert len(given) == len(names), f"not fields of {meta.label}: {set(names) - set(given)}"
    rest = [f for f in fields if f.attname not in given]
    now = timezone.now()
    tail = [
        _converter(f)(now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default())
        for f in rest
    ]
    columns = [_column(given[name]) for name in names] + [_column(f) for f in rest]
    if ids:
        assert meta.pk is not None and len(ids) == len(rows)
        columns.insert(0, _column(meta.pk))
    quote = connection.ops.quote_name
    converters = [_converter(given[name], memo={}) for name in names]
    return ", ".join(quote(c) for c in columns), _values(rows, names, converters, tail, ids)


def _values(
    rows: Sequence[dict[str, Any]],
    names: list[str],
    converters: list[Callable[[Any], Any]],
    tail: list[Any],
    ids: Sequence[int],
) -> Iterator[list[Any]]:
    """The COPY rows of ``insert_values``: ``[id,] *values, *tail``. A value is converted only where
    its field needs it (JSON; text that is a lazy translation): a call per value costs more than
    the rest of the row."""
    # itemgetter of one name gives a value, of several a tuple: a tuple always.
    get: Callable[[dict[str, Any]], tuple[Any, ...]] = (
        operator.itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    )
    offset = 1 if ids else 0
    json_at = [(i + offset, c) for i, c in enumerate(converters) if c not in (_plain, _as_is)]
    text_at = [i + offset for i, c in enumerate(converters) if c is _plain]
    for n, row in enumerate(rows):
        values = [ids[n], *get(row), *tail] if offset else [*get(row), *tail]
        for i, convert in json_at:
            values[i] = convert(values[i])
        for i in text_at:
            if type(values[i]) is not str:
                values[i] = _plain(values[i])
        yield values


def _copy(table: str, columns: str, rows: Iterable[list[Any]]) -> None:
    # psycopg's COPY is below Django's cursor wrapper: its errors are turned into Django's here
    # (a lock timeout is an OperationalError, which the pages and the API answer with a 503).
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _reserve_ids(objs: Sequence[models.Model], table: str, column: str) -> None:
    for obj, pk in zip(objs, _next_ids(table, column, len(objs)), strict=True):
        obj.pk = pk


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new ids of ``model`` taken from its table's sequence (PostgreSQL), in order."""
    assert model._meta.pk is not None
    return _next_ids(model._meta.db_table, _column(model._meta.pk), count)


def _next_ids(table: str, column: str, count: int) -> list[int]:
    """``count`` ids taken from the table's sequence, in order. The sequence is looked up once (a
    sub-select): ``pg_get_serial_sequence`` per row read the catalogue for each id, 3-4 ms for
    1,000 ids where ``nextval`` alone takes 0.3 ms."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # a concrete field always has its column
    return field.column


def _as_is(value: Any) -> Any:
    return value


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Promise) else value  # a lazy translation: its text


def _converter(field: models.Field[Any, Any], memo: dict[int, Any] | None = None) -> Callable[[Any], Any]:
    """How a value of ``field`` goes into COPY (text: as it is unless a lazy translation, ``_plain``).
    ``memo``: JSON values dumped once per object (many rows of one insert often share one list or
    dict; they are alive, so unchanged, until it ends)."""
    if isinstance(field, models.JSONField):
        encoder, null = field.encoder, field.null

        def dump(value: Any) -> Any:
            return None if value is None and null else json.dumps(value, cls=encoder)

        if memo is None:
            return dump

        def dump_once(value: Any) -> Any:
            key = id(value)
            if key not in memo:
                memo[key] = (value, dump(value))  # the value held: its id stays its own
            return memo[key][1]

        return dump_once
    return _plain if isinstance(field, models.CharField | models.TextField) else _as_is
