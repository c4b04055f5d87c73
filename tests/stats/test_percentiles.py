"""The database's medians and 90th percentiles (stats.percentiles) against stats.figures' arithmetic."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from sentinelle.stats.figures import median, percentile_90
from sentinelle.stats.models import PlatformDay
from sentinelle.stats.percentiles import Percentiles, percentiles_by
from tests.factories import make_platform

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def _rows(kind: str, histogram: dict[int | None, int]) -> None:
    PlatformDay.objects.bulk_create(
        PlatformDay(day=DAY, platform_kind=kind, action="remove", outcome="removed", days_to_removal=v, links=n)
        for v, n in histogram.items()
    )


def test_random_histograms_agree_with_the_arithmetic_per_key_and_in_total():
    rng = random.Random(15)
    expected: dict[str, Counter[int]] = {}
    for kind in ("a", "b", "c", "d", "e", "f"):
        histogram = {rng.randrange(0, 40): rng.randrange(1, 6) for _ in range(rng.randrange(1, 12))}
        _rows(kind, histogram)
        _rows(kind, {v: 1 for v in list(histogram)[:2]})  # the same value on two rows: summed
        expected[kind] = Counter(histogram) + Counter({v: 1 for v in list(histogram)[:2]})
    found, overall = percentiles_by(PlatformDay.objects.all(), ("platform_kind", None), "days_to_removal")
    for kind, histogram in expected.items():
        assert (found[kind].count, found[kind].median, found[kind].p90) == (
            sum(histogram.values()),
            median(histogram),
            percentile_90(histogram),
        ), kind
    everything = sum(expected.values(), Counter())
    [(key, total)] = overall.items()
    assert key is None and (total.median, total.p90) == (median(everything), percentile_90(everything))


def test_integer_keys_come_back_as_integers_and_null_keys_as_none():
    mega = make_platform("MEGA", "file_host", ["mega.nz"])
    PlatformDay.objects.bulk_create(
        PlatformDay(day=DAY, platform=platform, action="remove", outcome="removed", days_to_removal=v, links=1)
        for platform, v in ((mega, 1), (mega, 3), (None, 8))
    )
    [found] = percentiles_by(PlatformDay.objects.all(), ("platform_id",), "days_to_removal")
    assert found == {mega.pk: Percentiles(2, 2.0, 3), None: Percentiles(1, 8.0, 8)}


def test_even_and_odd_counts_and_null_values():
    _rows("even", {1: 1, 4: 1, 10: 1, 30: 1})  # median (4 + 10) / 2, 90th percentile the 4th: 30
    _rows("odd", {2: 2, 7: 1, None: 5})  # 2, 2, 7 (the never removed are left out)
    [found] = percentiles_by(PlatformDay.objects.all(), ("platform_kind",), "days_to_removal")
    assert (found["even"].median, found["even"].p90, found["even"].count) == (7.0, 30, 4)
    assert (found["odd"].median, found["odd"].p90, found["odd"].count) == (2.0, 7, 3)


def test_nothing_removed_gives_no_key():
    _rows("none", {None: 3})
    assert percentiles_by(PlatformDay.objects.all(), ("platform_kind", None), "days_to_removal") == [{}, {}]
