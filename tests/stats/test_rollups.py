"""The roll-ups against figures computed by hand (conftest.history).

Alice, 10-12 March 2026 (Paris days): six links accepted — removed after 5 h and after 24 h,
one still online, one pending, one removed after 10 h that reappeared, one refused by Google —
and one refused at intake, which is not counted. Times to removal: 5, 10, 24 h → median 10 h,
90th percentile (3rd of 3) 24 h. Removal rate 2/6.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sentinelle.stats import selectors, services
from sentinelle.stats.models import ActiveDay, EventDay, MemberDay, NoticeDay, PlatformDay, PlatformMonth
from sentinelle.takedowns.models import EventKind, LinkEvent, ReportedLink
from tests.stats.helpers import at

pytestmark = pytest.mark.django_db

D10, D11, D12 = dt.date(2026, 3, 10), dt.date(2026, 3, 11), dt.date(2026, 3, 12)


def test_the_members_figures_over_three_days(history):
    board = selectors.member_dashboard(history.alice, D10, D12)
    t = board.total.tally
    assert (t.reported, t.removed, t.online, t.refused, t.pending, t.closed) == (6, 2, 2, 1, 1, 0)
    assert t.removal_rate == pytest.approx(2 / 6)
    assert board.total.median_hours == 10.0
    assert board.total.p90_hours == 24


def test_per_work_and_per_platform(history):
    board = selectors.member_dashboard(history.alice, D10, D12)
    works = {line.label: line for line in board.works}
    assert works["Premier"].tally.reported == 4 and works["Premier"].tally.removed == 2
    assert works["Premier"].median_hours == 14.5  # (5 + 24) / 2
    # The reappeared link is online again, but its removal took 10 hours all the same.
    assert works["Second"].tally.online == 2 and works["Second"].median_hours == 10.0
    platforms = {line.label: line for line in board.platforms}
    assert platforms["MEGA"].tally.reported == 3 and platforms["MEGA"].tally.removal_rate == pytest.approx(2 / 3)
    assert platforms["MEGA"].median_hours == 10.0
    assert platforms[""].tally.pending == 1  # the site outside the registry
    assert platforms["Google"].tally.refused == 1


def test_days_are_the_societys_local_days_around_midnight(history):
    tenth = selectors.member_dashboard(history.alice, D10, D10).total.tally
    assert (tenth.reported, tenth.removed, tenth.online) == (2, 1, 1)  # 10:00 and 23:59 Paris
    eleventh = selectors.member_dashboard(history.alice, D11, D11)
    assert eleventh.total.tally.reported == 2  # 00:30 Paris (23:30 UTC the day before) and noon
    assert eleventh.total.median_hours == 24.0


def test_an_empty_period_has_zeros_and_no_rate(history):
    board = selectors.member_dashboard(history.alice, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert board.total.tally.reported == 0
    assert board.total.tally.removal_rate is None and board.total.median_hours is None
    assert board.works == [] and board.platforms == []


def test_the_twelve_months_end_with_the_period(history):
    months = selectors.member_dashboard(history.alice, D10, D12).months
    assert len(months) == 12 and months[-1].month == dt.date(2026, 3, 1) and months[0].month == dt.date(2025, 4, 1)
    assert (months[-1].reported, months[-1].removed) == (6, 2)


def test_a_day_of_daylight_saving_time_has_23_hours(settings):
    start, end = services.day_bounds(dt.date(2026, 3, 29))
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=23)
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)


def test_the_reappearance_is_counted_on_the_day_it_was_seen(history):
    rows = EventDay.objects.filter(kind="reappeared")
    assert [(r.day, r.platform_id, r.count) for r in rows] == [(dt.date(2026, 3, 20), history.mega.pk, 1)]


def _snapshot() -> dict[str, set[tuple[object, ...]]]:
    def rows(model: type) -> set[tuple[object, ...]]:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        return set(model.objects.values_list(*fields))

    return {m.__name__: rows(m) for m in (MemberDay, PlatformDay, PlatformMonth, ActiveDay, NoticeDay, EventDay)}


def test_refresh_counts_a_new_event_and_agrees_with_a_rebuild(history):
    pending = ReportedLink.objects.get(pk=history.links["pending"])
    LinkEvent.objects.create(
        link=pending, at=at("2026-03-14 12:00"), kind=EventKind.CHECK, from_status="accepted", to_status="removed"
    )
    ReportedLink.objects.filter(pk=pending.pk).update(status="removed")
    result = services.refresh_rollups()
    assert result.cohort_days >= 1
    board = selectors.member_dashboard(history.alice, D10, D12)
    assert board.total.tally.removed == 3 and board.total.tally.pending == 0
    assert board.total.median_hours == 17.0  # 5, 10, 24, 72 h: (10 + 24) / 2
    refreshed = _snapshot()
    services.rebuild_rollups()
    assert _snapshot() == refreshed


def test_a_refresh_with_nothing_new_changes_nothing(history):
    before = _snapshot()
    services.refresh_rollups()
    services.refresh_rollups()
    assert _snapshot() == before
