"""Medians and 90th percentiles of roll-up histograms, computed by the database.

A roll-up row says "``links`` links took ``value`` (whole hours or days) to be removed". Folding
every such row in Python costs a few microseconds a row, and a busy member's year holds tens of
thousands of them; the database folds them in a few milliseconds and returns one row per key
(work, platform, kind or the total).

The definitions are those of ``stats.figures`` (and ``tests/stats/test_percentiles.py`` checks
that both agree on random histograms, on SQLite and PostgreSQL):

* **median**: the middle value; with an even count, the mean of the two middle ones. The lower
  middle value is the ⌈n/2⌉-th smallest (the first whose running count ``c`` has ``2c ≥ n``), the
  upper one the (⌊n/2⌋+1)-th (the first with ``2c > n``); they are equal when n is odd.
* **90th percentile**: the nearest rank, the ⌈0.9 n⌉-th smallest (the first with ``10c ≥ 9n``).

Everything stays in integers: no rounding anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet, Sum


@dataclass(frozen=True)
class Percentiles:
    count: int  # values (links) in the histogram
    median: float
    p90: int


_FOLD = """
SELECT {dim} AS d, CAST(k AS TEXT), MAX(tot),
       MIN(CASE WHEN 2 * cum >= tot THEN v END),
       MIN(CASE WHEN 2 * cum > tot THEN v END),
       MIN(CASE WHEN 10 * cum >= 9 * tot THEN v END)
FROM (
    SELECT k, v,
           SUM(n) OVER (PARTITION BY k ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
           SUM(n) OVER (PARTITION BY k) AS tot
    FROM (SELECT {key} AS k, v, SUM(n) AS n FROM h GROUP BY {group}) g
) c
GROUP BY k
"""


def _histogram(rows: QuerySet[Any], columns: list[str], value: str, weight: str) -> tuple[str, tuple[Any, ...]]:
    named = {f"k{i}": F(column) for i, column in enumerate(columns)}
    grouped = rows.filter(**{f"{value}__isnull": False}).order_by().annotate(**named, v=F(value))
    histogram = grouped.values(*named, "v").annotate(n=Sum(weight)).values_list(*named, "v", "n")
    sql, params = histogram.query.sql_with_params()
    return sql, tuple(params)


def percentiles_by(
    rows: QuerySet[Any] | Sequence[QuerySet[Any]], keys: Sequence[str | None], value: str, weight: str = "links"
) -> list[dict[Any, Percentiles]]:
    """The median and 90th percentile of ``value`` (weighted by ``weight``) per key of ``rows``.

    ``rows`` is a filtered queryset of a roll-up, or several (of tables with the same columns, e.g.
    the edge days of a period and its whole months) taken together; each of ``keys`` a column to
    group by, or None for one group over every row (returned under the key None). Returns one
    dictionary per key, in the order of ``keys``. Rows whose ``value`` is null are left out. One
    statement: the rows are read once (grouped by every key and the value), then folded per key.
    """
    parts = [rows] if isinstance(rows, QuerySet) else list(rows)
    columns = [k for k in keys if k is not None]
    pieces = [_histogram(part, columns, value, weight) for part in parts]
    sql = " UNION ALL ".join(f"SELECT * FROM ({piece}) p{i}" for i, (piece, _p) in enumerate(pieces))  # noqa: S608 (SQL compiled by Django)
    params = tuple(p for _s, piece_params in pieces for p in piece_params)
    folds = []
    for dim, key in enumerate(keys):
        # Grouped and sorted by the typed column (an integer sorts faster than its text); only the
        # output is text, so that the keys of different types can share one UNION ALL.
        column = f"k{columns.index(key)}" if key is not None else None
        folds.append(_FOLD.format(dim=dim, key=column or "0", group=f"{column}, v" if column else "v"))
    found: list[dict[Any, Percentiles]] = [{} for _ in keys]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH h AS ({sql}) " + " UNION ALL ".join(folds), params)
        for dim, k, total, lower, upper, p90 in cursor.fetchall():
            key = keys[dim]
            value_of = parts[0].model._meta.get_field(key).to_python if key is not None else None
            figures = Percentiles(int(total), (int(lower) + int(upper)) / 2, int(p90))
            found[dim][value_of(k) if value_of and k is not None else None] = figures
    return found
