"""Percentiles over histograms, by hand."""

from __future__ import annotations

import datetime as dt

from sentinelle.stats.figures import median, months_back, percentile_90, rate, week_start


def test_median_of_an_odd_count_is_the_middle_value():
    assert median({1: 1, 5: 1, 9: 1}) == 5.0
    assert median({2: 2, 7: 1}) == 2.0  # 2, 2, 7


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_values():
    assert median({1: 1, 4: 1, 10: 1, 30: 1}) == 7.0
    assert median({3: 2, 8: 2}) == 5.5


def test_90th_percentile_is_the_nearest_rank():
    values = {h: 1 for h in range(1, 11)}  # 1..10: ceil(0.9 * 10) = 9th
    assert percentile_90(values) == 9
    assert percentile_90({5: 1}) == 5
    assert percentile_90({1: 9, 100: 2}) == 100  # 11 values: the 10th is 100


def test_an_empty_period_has_no_median_no_percentile_no_rate():
    assert median({}) is None and median({4: 0}) is None
    assert percentile_90({}) is None
    assert rate(0, 0) is None
    assert rate(1, 4) == 0.25


def test_weeks_and_months():
    assert week_start(dt.date(2026, 3, 15)) == dt.date(2026, 3, 9)  # a Sunday → its Monday
    assert months_back(dt.date(2026, 2, 14), 3) == [dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


def test_days_are_counted_in_runs_of_consecutive_days():
    from sentinelle.stats.services import day_runs

    d = dt.date(2026, 3, 1)
    days = [d, d + dt.timedelta(days=1), d + dt.timedelta(days=2), d + dt.timedelta(days=5)]
    assert day_runs(days) == [(d, d + dt.timedelta(days=2)), (d + dt.timedelta(days=5), d + dt.timedelta(days=5))]
    month = [d + dt.timedelta(days=i) for i in range(40)]
    assert day_runs(month, longest=31) == [(d, d + dt.timedelta(days=30)), (d + dt.timedelta(days=31), month[-1])]
    assert day_runs([]) == []


def test_whole_months_of_a_period():
    from sentinelle.stats.figures import whole_months

    d = dt.date
    assert whole_months(d(2026, 3, 1), d(2026, 3, 31)) == (d(2026, 3, 1), d(2026, 3, 1))
    assert whole_months(d(2026, 2, 15), d(2026, 4, 20)) == (d(2026, 3, 1), d(2026, 3, 1))
    assert whole_months(d(2025, 12, 2), d(2026, 12, 1)) == (d(2026, 1, 1), d(2026, 11, 1))
    assert whole_months(d(2026, 1, 31), d(2026, 3, 31)) == (d(2026, 2, 1), d(2026, 3, 1))
    assert whole_months(d(2024, 2, 1), d(2024, 2, 29)) == (d(2024, 2, 1), d(2024, 2, 1))  # leap year
    assert whole_months(d(2026, 3, 10), d(2026, 3, 12)) == (None, None)
    assert whole_months(d(2026, 3, 2), d(2026, 4, 30)) == (d(2026, 4, 1), d(2026, 4, 1))
