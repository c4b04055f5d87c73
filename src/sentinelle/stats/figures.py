"""Pure arithmetic of the dashboards (no Django): percentiles over histograms, rates, weeks.

A roll-up keeps times to removal as histograms (whole hours or whole days → number of links), so
the median and the 90th percentile are computed from counts, exactly as from the list of values:

* **median**: the middle value; with an even number of values, the mean of the two middle ones;
* **90th percentile**: the nearest-rank value, the ceil(0.9 n)-th smallest.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass


def _nth(histogram: list[tuple[int, int]], rank: int) -> int:
    """The ``rank``-th smallest value (1-based) of a sorted histogram."""
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    raise ValueError("rank beyond the histogram")


def median(histogram: Mapping[int, int]) -> float | None:
    items = sorted((v, c) for v, c in histogram.items() if c > 0)
    n = sum(c for _v, c in items)
    if n == 0:
        return None
    if n % 2:
        return float(_nth(items, n // 2 + 1))
    return (_nth(items, n // 2) + _nth(items, n // 2 + 1)) / 2


def percentile_90(histogram: Mapping[int, int]) -> int | None:
    items = sorted((v, c) for v, c in histogram.items() if c > 0)
    n = sum(c for _v, c in items)
    if n == 0:
        return None
    return _nth(items, math.ceil(0.9 * n))


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide (an empty period has no rate)."""
    return part / whole if whole else None


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def whole_months(first: dt.date, last: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first days of the first and the last calendar months lying wholly from ``first`` to
    ``last`` (both included); (None, None) when no month does."""
    start = first if first.day == 1 else month_start(first + dt.timedelta(days=31 - first.day + 1))
    after_last = last + dt.timedelta(days=1)
    end = month_start(last) - dt.timedelta(days=1) if after_last.day != 1 else last
    if start > end:
        return None, None
    return start, month_start(end)


def months_back(end: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months ending with ``end``'s month, oldest first."""
    first = month_start(end)
    months = []
    for _ in range(count):
        months.append(first)
        first = month_start(first - dt.timedelta(days=1))
    return months[::-1]


@dataclass
class Tally:
    """Links reported over a period and what became of them."""

    reported: int = 0
    removed: int = 0
    online: int = 0
    refused: int = 0
    pending: int = 0
    closed: int = 0

    def add(self, outcome: str, links: int) -> None:
        self.reported += links
        setattr(self, outcome, getattr(self, outcome) + links)

    @property
    def removal_rate(self) -> float | None:
        return rate(self.removed, self.reported)
