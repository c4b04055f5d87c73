"""PlatformMonth and ActiveDay (the society's long periods) against the daily roll-ups and by hand.

A period's whole months are read from PlatformMonth, its other days from PlatformDay: the figures
must be the same whichever way a period is cut. conftest.history + society: 7 links reported on
10-12 March 2026 (Paris), 3 removed, days to removal 0, 0, 0, 1.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sentinelle.stats import selectors, services
from sentinelle.stats.models import ActiveDay, PlatformMonth
from sentinelle.takedowns.models import EventKind, LinkEvent, ReportedLink
from tests.stats.helpers import at, make_link

pytestmark = pytest.mark.django_db

D = dt.date


def _figures(first: dt.date, last: dt.date, **filters: object) -> tuple[object, ...]:
    board = selectors.society_dashboard(selectors.SocietyFilter(first, last, **filters))  # type: ignore[arg-type]
    platforms = {
        p.label: (p.tally, p.median_days, p.notified, p.notified_removed, p.never_answered) for p in board.platforms
    }
    kinds = {k.kind: (k.tally, k.median_days) for k in board.kinds}
    weeks = sum(w.links for w in board.weeks)
    return board.total.tally, board.total.median_days, platforms, kinds, board.members_active, weeks


def test_a_whole_month_gives_the_figures_of_its_days(society):
    days = _figures(D(2026, 3, 10), D(2026, 3, 12))
    assert PlatformMonth.objects.filter(month=D(2026, 3, 1)).exists()
    assert _figures(D(2026, 3, 1), D(2026, 3, 31)) == days  # March from PlatformMonth alone
    assert _figures(D(2026, 2, 15), D(2026, 4, 20)) == days  # edges from PlatformDay, March from the month
    assert _figures(D(2026, 1, 1), D(2026, 4, 30), platform_kind="file_host") == _figures(
        D(2026, 3, 10), D(2026, 3, 12), platform_kind="file_host"
    )
    total, median, *_rest, members, weeks = days
    assert (total.reported, total.removed, median, members, weeks) == (7, 3, 0.0, 2, 7)  # type: ignore[attr-defined]


def test_a_month_cut_after_its_first_days_counts_only_the_rest(society):
    # 11 March to the end of April: April whole (empty), 11-31 March from the days: the links of
    # the 11th and 12th (removed after 24 h, pending, reappeared, refused by Google).
    assert _figures(D(2026, 3, 11), D(2026, 4, 30)) == _figures(D(2026, 3, 11), D(2026, 3, 12))
    board = selectors.society_dashboard(selectors.SocietyFilter(D(2026, 3, 11), D(2026, 4, 30)))
    assert board.total.tally.reported == 4 and board.total.median_days == 0.5  # 0 and 1 day


def test_a_link_reported_half_an_hour_into_april_in_paris_belongs_to_april(history):
    # 00:30 on 1 April in Paris is 22:30 on 31 March in UTC.
    make_link(history.alice, history.w1, history.mega, "2026-04-01 00:30", ("2026-04-01 10:30", "removed"))
    make_link(history.alice, history.w1, history.mega, "2026-03-31 23:59")  # still March in Paris
    services.rebuild_rollups()
    april = selectors.society_dashboard(selectors.SocietyFilter(D(2026, 4, 1), D(2026, 4, 30)))
    assert april.total.tally.reported == 1 and april.total.median_days == 0.0
    march = selectors.society_dashboard(selectors.SocietyFilter(D(2026, 3, 1), D(2026, 3, 31)))
    assert march.total.tally.reported == 8 and march.total.tally.pending == 2  # 7 of the history + 23:59


def test_a_refresh_recounts_the_month_and_agrees_with_a_rebuild(society):
    pending = ReportedLink.objects.get(pk=society.links["pending"])
    LinkEvent.objects.create(
        link=pending, at=at("2026-03-14 12:00"), kind=EventKind.CHECK, from_status="accepted", to_status="removed"
    )
    ReportedLink.objects.filter(pk=pending.pk).update(status="removed")
    services.refresh_rollups()
    march = selectors.society_dashboard(selectors.SocietyFilter(D(2026, 3, 1), D(2026, 3, 31)))
    assert march.total.tally.removed == 4 and march.total.tally.pending == 0
    # Days to removal 0, 0, 0, 1 and now 3 (the pending link, 11 March 12:00 to 14 March 12:00).
    assert march.total.median_days == 0.0 and march.total.removal is not None and march.total.removal.p90 == 3
    columns = ("month", "platform_id", "outcome", "notified", "answered", "days_to_removal", "links")
    refreshed = set(PlatformMonth.objects.values_list(*columns))
    services.rebuild_rollups()
    assert set(PlatformMonth.objects.values_list(*columns)) == refreshed


def test_active_days_count_accepted_links_per_member_platform_and_action(history):
    rows = set(ActiveDay.objects.values_list("day", "member_id", "platform_id", "action", "links"))
    alice, bob, mega = history.alice.pk, history.bob.pk, history.mega.pk
    assert rows == set(
        [
            (D(2026, 3, 10), alice, mega, "remove", 1),
            (D(2026, 3, 10), alice, history.fichier.pk, "remove", 1),  # 23:59 in Paris
            (D(2026, 3, 10), bob, mega, "remove", 1),
            (D(2026, 3, 11), alice, mega, "remove", 1),  # 00:30 in Paris
            (D(2026, 3, 11), alice, None, "remove", 1),
            (D(2026, 3, 12), alice, mega, "remove", 1),  # the reappeared one; the intake refusal is not counted
            (D(2026, 3, 12), alice, history.google.pk, "delist", 1),
        ]
    )
