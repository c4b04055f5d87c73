"""The one writer of the roll-up tables (``stats.models``): count days again, refresh, rebuild.

Counting a run of days deletes those days' rows and writes them again from the links, events,
notices and answers, in a few queries per run (not per day), so running it twice gives the same
rows (the task is idempotent). ``refresh_rollups``
counts again only the days that something new touched; ``rebuild_rollups`` counts every day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone

from sentinelle.notices.models import DeliveryAttempt, Notice, NoticeItem, RecipientAnswer
from sentinelle.stats.figures import month_start
from sentinelle.stats.models import (
    ActiveDay,
    EventDay,
    EventKind,
    MemberDay,
    NoticeDay,
    PlatformDay,
    PlatformMonth,
    RollupState,
)
from sentinelle.stats.outcomes import REMOVAL_STATUSES, Outcome, outcome_of
from sentinelle.takedowns.models import LinkEvent, LinkStatus, ReportedLink

_ANSWER_KIND = {"actioned": EventKind.ANSWER_ACTIONED, "refused": EventKind.ANSWER_REFUSED}


def local_day(at: dt.datetime) -> dt.date:
    """The calendar day of ``at`` in the society's time zone (``SENTINELLE_TIME_ZONE``)."""
    return timezone.localtime(at, timezone.get_default_timezone()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``day`` and of the next day, in the society's time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


# --- cohort tables: the links reported on a run of days ---------------------------------------


def _first_removals(start: dt.datetime, end: dt.datetime) -> dict[int, dt.datetime]:
    rows = (
        LinkEvent.objects.filter(link__created_at__gte=start, link__created_at__lt=end, to_status__in=REMOVAL_STATUSES)
        .values("link_id")
        .annotate(first=Min("at"))
    )
    return {row["link_id"]: row["first"] for row in rows.iterator(5000)}


def _linked_ids(start: dt.datetime, end: dt.datetime) -> tuple[set[int], set[int]]:
    """The links of the days cited by a delivered notice, and those the recipient answered about."""
    notified = set(
        NoticeItem.objects.filter(
            link__created_at__gte=start, link__created_at__lt=end, notice__sent_at__isnull=False
        ).values_list("link_id", flat=True)
    )
    answered = set(
        RecipientAnswer.objects.filter(item__link__created_at__gte=start, item__link__created_at__lt=end).values_list(
            "item__link_id", flat=True
        )
    )
    return notified, answered


# (day, member, work, platform, kind, action, outcome, hours) and (day, platform, kind, action,
# outcome, notified, answered, days): the dimensions of a MemberDay and of a PlatformDay row.
_MemberKey = tuple[dt.date, int, int, int | None, str, str, str, int | None]
_PlatformKey = tuple[dt.date, int | None, str, str, str, bool, bool, int | None]
_ActiveKey = tuple[dt.date, int, int | None, str, str]
_PLATFORM_COLUMNS = (
    "platform_id", "platform_kind", "action", "outcome", "notified", "answered", "days_to_removal",
)  # fmt: skip


def _write_active(first: dt.date, last: dt.date, active: Counter[_ActiveKey]) -> None:
    ActiveDay.objects.filter(day__gte=first, day__lte=last).delete()
    ActiveDay.objects.bulk_create(
        (
            ActiveDay(day=d, member_id=m, platform_id=p, platform_kind=k, action=a, links=n)
            for (d, m, p, k, a), n in active.items()
        ),
        batch_size=5000,
    )


def count_months(months: Iterable[dt.date]) -> None:
    """Sum every ``PlatformDay`` row of each month (its first day) into ``PlatformMonth`` again."""
    for month in sorted({month_start(m) for m in months}):
        after = month_start(month + dt.timedelta(days=31))
        days = PlatformDay.objects.filter(day__gte=month, day__lt=after)
        sums = days.values_list(*_PLATFORM_COLUMNS).annotate(n=Sum("links")).order_by()
        with transaction.atomic():
            PlatformMonth.objects.filter(month=month).delete()
            PlatformMonth.objects.bulk_create(
                (
                    PlatformMonth(
                        month=month, platform_id=p, platform_kind=k, action=a, outcome=o, notified=nt, answered=an,
                        days_to_removal=dd, links=n,
                    )
                    for p, k, a, o, nt, an, dd, n in sums.iterator(5000)
                ),
                batch_size=5000,
            )  # fmt: skip


def months_of(first: dt.date, last: dt.date) -> set[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s."""
    months, month = set(), month_start(first)
    while month <= last:
        months.add(month)
        month = month_start(month + dt.timedelta(days=31))
    return months


def count_cohort_days(first: dt.date, last: dt.date, *, months: bool = True) -> int:
    """Count again the links reported from ``first`` to ``last`` (``MemberDay``, ``PlatformDay``,
    ``ActiveDay``) and, unless ``months`` is false (the caller will), their months' ``PlatformMonth``.

    One pass over the run of days (a few queries, whatever its length); returns the links counted.
    """
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    links = ReportedLink.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "id", "member_id", "work_id", "platform_id", "platform__kind", "action", "status", "created_at"
    )
    removals = _first_removals(start, end)
    notified, answered = _linked_ids(start, end)
    per_member: Counter[_MemberKey] = Counter()
    per_platform: Counter[_PlatformKey] = Counter()
    active: Counter[_ActiveKey] = Counter()
    total = 0
    for link_id, member_id, work_id, platform_id, kind, action, status, created_at in links.iterator(5000):
        total += 1
        day = local_day(created_at)
        removed_at = removals.get(link_id)
        hours = None if removed_at is None else max(0, int((removed_at - created_at).total_seconds() // 3600))
        outcome = outcome_of(status)
        kind = kind or ""
        per_member[(day, member_id, work_id, platform_id, kind, action, outcome, hours)] += 1
        days = None if hours is None else hours // 24
        per_platform[(day, platform_id, kind, action, outcome, link_id in notified, link_id in answered, days)] += 1
        if outcome != Outcome.NOT_ACCEPTED:
            active[(day, member_id, platform_id, kind, action)] += 1
    with transaction.atomic():
        MemberDay.objects.filter(day__gte=first, day__lte=last).delete()
        PlatformDay.objects.filter(day__gte=first, day__lte=last).delete()
        MemberDay.objects.bulk_create(
            (
                MemberDay(
                    day=d, member_id=m, work_id=w, platform_id=p, platform_kind=k, action=a, outcome=o,
                    hours_to_removal=h, links=n,
                )
                for (d, m, w, p, k, a, o, h), n in per_member.items()
            ),
            batch_size=5000,
        )  # fmt: skip
        PlatformDay.objects.bulk_create(
            (
                PlatformDay(
                    day=d, platform_id=p, platform_kind=k, action=a, outcome=o, notified=nt, answered=an,
                    days_to_removal=dd, links=n,
                )
                for (d, p, k, a, o, nt, an, dd), n in per_platform.items()
            ),
            batch_size=5000,
        )  # fmt: skip
        _write_active(first, last, active)
        if months:
            count_months(months_of(first, last))
    return total


def count_cohort_day(day: dt.date) -> int:
    """Count again the links reported on ``day``; returns how many."""
    return count_cohort_days(day, day)


# --- event tables: what happened on a run of days --------------------------------------------


def _notice_rows(start: dt.datetime, end: dt.datetime) -> list[NoticeDay]:
    sent = (
        Notice.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .annotate(cited=Count("items"))
        .values_list(
            "recipient_platform_id", "recipient_platform__kind", "action", "regime", "channel", "sent_at", "cited"
        )
    )
    notices: Counter[tuple[dt.date, int | None, str, str, str, str]] = Counter()
    links: Counter[tuple[dt.date, int | None, str, str, str, str]] = Counter()
    for platform_id, kind, action, regime, channel, sent_at, cited in sent.iterator(5000):
        if sent_at is None:  # not possible within the range; keeps the types honest
            continue
        key = (local_day(sent_at), platform_id, kind or "", action, regime, channel)
        notices[key] += 1
        links[key] += cited
    return [
        NoticeDay(day=d, platform_id=p, platform_kind=k, action=a, regime=r, channel=c, notices=n, links=links[key])
        for key, n in notices.items()
        for (d, p, k, a, r, c) in [key]
    ]


def _event_rows(start: dt.datetime, end: dt.datetime) -> list[EventDay]:
    counts: Counter[tuple[dt.date, int | None, str, str]] = Counter()
    answers = RecipientAnswer.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        "notice__recipient_platform_id", "notice__recipient_platform__kind", "decision", "received_at"
    )
    for platform_id, kind, decision, received_at in answers.iterator(5000):
        event = _ANSWER_KIND.get(decision, EventKind.COUNTER_NOTICE)
        counts[(local_day(received_at), platform_id, kind or "", event)] += 1
    reappeared = (
        LinkEvent.objects.filter(at__gte=start, at__lt=end, to_status=LinkStatus.REAPPEARED)
        .exclude(from_status=LinkStatus.REAPPEARED)
        .values_list("link__platform_id", "link__platform__kind", "at")
    )
    for platform_id, kind, at in reappeared.iterator(5000):
        counts[(local_day(at), platform_id, kind or "", EventKind.REAPPEARED)] += 1
    return [EventDay(day=d, platform_id=p, platform_kind=k, kind=e, count=n) for (d, p, k, e), n in counts.items()]


def count_event_days(first: dt.date, last: dt.date) -> None:
    """Count again the notices, answers and reappearances from ``first`` to ``last``."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    notices = _notice_rows(start, end)
    events = _event_rows(start, end)
    with transaction.atomic():
        NoticeDay.objects.filter(day__gte=first, day__lte=last).delete()
        EventDay.objects.filter(day__gte=first, day__lte=last).delete()
        NoticeDay.objects.bulk_create(notices, batch_size=5000)
        EventDay.objects.bulk_create(events, batch_size=5000)


def count_event_day(day: dt.date) -> None:
    count_event_days(day, day)


def day_runs(days: Iterable[dt.date], longest: int = 31) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs of at most ``longest`` days."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == dt.timedelta(days=1) and (day - runs[-1][0]).days < longest:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# --- refresh and rebuild ---------------------------------------------------------------------


@dataclass(frozen=True)
class RollupResult:
    cohort_days: int
    event_days: int
    links: int


def _touched_days(state: RollupState) -> tuple[set[dt.date], set[dt.date]]:
    """The report days and the event days touched by rows newer than ``state``; moves ``state`` on."""
    cohort: set[dt.date] = set()
    events: set[dt.date] = set()
    for pk, at, reported in (
        LinkEvent.objects.filter(pk__gt=state.last_event_id).values_list("id", "at", "link__created_at").iterator(5000)
    ):
        state.last_event_id = max(state.last_event_id, pk)
        events.add(local_day(at))
        cohort.add(local_day(reported))
    for pk, reported in ReportedLink.objects.filter(pk__gt=state.last_link_id).values_list("id", "created_at"):
        state.last_link_id = max(state.last_link_id, pk)
        cohort.add(local_day(reported))
    for pk, received, reported in RecipientAnswer.objects.filter(pk__gt=state.last_answer_id).values_list(
        "id", "received_at", "item__link__created_at"
    ):
        state.last_answer_id = max(state.last_answer_id, pk)
        events.add(local_day(received))
        cohort.add(local_day(reported))
    for pk, sent in DeliveryAttempt.objects.filter(pk__gt=state.last_attempt_id).values_list("id", "notice__sent_at"):
        state.last_attempt_id = max(state.last_attempt_id, pk)
        if sent is not None:
            events.add(local_day(sent))
    return cohort, events


def _count_days(cohort: Iterable[dt.date], events: Iterable[dt.date]) -> RollupResult:
    cohort, events = set(cohort), set(events)
    runs = day_runs(cohort)
    links = sum(count_cohort_days(first, last, months=False) for first, last in runs)
    months: set[dt.date] = set()
    for first, last in runs:
        months |= months_of(first, last)
    count_months(months)
    for first, last in day_runs(events):
        count_event_days(first, last)
    return RollupResult(cohort_days=len(cohort), event_days=len(events), links=links)


def refresh_rollups(now: dt.datetime | None = None) -> RollupResult:
    """Count again every day touched since the last refresh, and always today and yesterday.

    Today and yesterday are counted every time because a row committed late (a transaction that
    took an id before ours and committed after) would otherwise be passed over.
    """
    today = local_day(now or timezone.now())
    recent = {today, today - dt.timedelta(days=1)}
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        cohort, events = _touched_days(state)
        result = _count_days(cohort | recent, events | recent)
        state.refreshed_at = timezone.now()
        state.save()
    return result


def _days_of(*columns: tuple[QuerySet[Any], str]) -> set[dt.date]:
    days: set[dt.date] = set()
    for rows, column in columns:
        instants = rows.filter(**{f"{column}__isnull": False}).values_list(column, flat=True)
        days.update(local_day(at) for at in instants.iterator(20000))
    return days


def rebuild_rollups(now: dt.datetime | None = None) -> RollupResult:
    """Empty the roll-ups and count again every day that has a link, a notice, an answer or an event."""
    today = local_day(now or timezone.now())
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        for model in (MemberDay, PlatformDay, PlatformMonth, ActiveDay, NoticeDay, EventDay):
            model.objects.all().delete()
        state.last_event_id = LinkEvent.objects.aggregate(m=Max("id"))["m"] or 0
        state.last_link_id = ReportedLink.objects.aggregate(m=Max("id"))["m"] or 0
        state.last_answer_id = RecipientAnswer.objects.aggregate(m=Max("id"))["m"] or 0
        state.last_attempt_id = DeliveryAttempt.objects.aggregate(m=Max("id"))["m"] or 0
        cohort = _days_of((ReportedLink.objects.all(), "created_at"))
        events = _days_of(
            (Notice.objects.all(), "sent_at"),
            (RecipientAnswer.objects.all(), "received_at"),
            (LinkEvent.objects.filter(to_status=LinkStatus.REAPPEARED), "at"),
        )
        result = _count_days(cohort | {today}, events | {today})
        state.refreshed_at = timezone.now()
        state.save()
    return result


def settle_rollups() -> None:
    """After a rebuild, on PostgreSQL: VACUUM ANALYZE the roll-ups (outside any transaction).

    The dashboards read the roll-ups through covering indexes; an index-only scan skips the table
    only for pages the visibility map marks all-visible, which a VACUUM does (autovacuum would,
    later). ANALYZE gives the planner the new tables' sizes. Nothing to do on other databases.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (MemberDay, PlatformDay, PlatformMonth, ActiveDay, NoticeDay, EventDay):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
