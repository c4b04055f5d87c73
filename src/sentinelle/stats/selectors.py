"""Reads behind the dashboards: a few grouped queries over the roll-ups, folded in Python."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet, Sum

from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member
from sentinelle.platforms.models import Platform
from sentinelle.stats.figures import Tally, month_start, months_back, rate, week_start, whole_months
from sentinelle.stats.models import ActiveDay, EventDay, EventKind, MemberDay, NoticeDay, PlatformDay, PlatformMonth
from sentinelle.stats.outcomes import REPORTED_OUTCOMES, Outcome
from sentinelle.stats.percentiles import Percentiles, percentiles_by

MONTHS_SHOWN = 12
_R = TypeVar("_R", bound=Model)


@dataclass
class Breakdown:
    """One line of a per-work or per-platform table."""

    key: int | None
    label: str
    tally: Tally = field(default_factory=Tally)
    removal: Percentiles | None = None  # hours to removal of its links removed at least once

    @property
    def median_hours(self) -> float | None:
        return self.removal.median if self.removal else None

    @property
    def p90_hours(self) -> int | None:
        return self.removal.p90 if self.removal else None


@dataclass
class MonthFigures:
    month: dt.date
    reported: int
    removed: int


@dataclass
class MemberDashboard:
    date_from: dt.date
    date_to: dt.date
    total: Breakdown
    works: list[Breakdown]
    platforms: list[Breakdown]
    months: list[MonthFigures]


def default_member_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    return months_back(today, MONTHS_SHOWN)[0], today


def _names(model: type[Work] | type[Platform], ids: set[int], attr: str) -> dict[int, str]:
    return {pk: name for pk, name in model.objects.filter(pk__in=ids).values_list("pk", attr)}


def _member_months(member: Member, date_to: dt.date) -> list[MonthFigures]:
    months = months_back(date_to, MONTHS_SHOWN)
    reported: Counter[dt.date] = Counter()
    removed: Counter[dt.date] = Counter()
    rows = (
        MemberDay.objects.filter(member=member, day__gte=months[0], day__lte=date_to, outcome__in=REPORTED_OUTCOMES)
        .values_list("day", "outcome")
        .annotate(n=Sum("links"))
        .order_by()
    )
    for day, outcome, n in rows:
        reported[month_start(day)] += n
        if outcome == Outcome.REMOVED:
            removed[month_start(day)] += n
    return [MonthFigures(m, reported[m], removed[m]) for m in months]


def _tallies(rows: QuerySet[MemberDay], column: str) -> dict[int | None, Breakdown]:
    """One line per value of ``column`` (work or platform), its outcomes summed by the database."""
    lines: dict[int | None, Breakdown] = {}
    for key, outcome, n in rows.values_list(column, "outcome").annotate(n=Sum("links")).order_by():
        lines.setdefault(key, Breakdown(key, "")).tally.add(outcome, n)
    return lines


def member_dashboard(member: Member, date_from: dt.date, date_to: dt.date) -> MemberDashboard:
    """The member's figures for the links they reported from ``date_from`` to ``date_to`` (local days).

    The database sums and folds the roll-up rows (a few hundred rows come back, whatever the
    member's volume): outcomes per work and per platform, then every percentile in one statement.
    """
    rows = MemberDay.objects.filter(member=member, day__gte=date_from, day__lte=date_to, outcome__in=REPORTED_OUTCOMES)
    works, platforms = _tallies(rows, "work_id"), _tallies(rows, "platform_id")
    total = Breakdown(None, "")
    for line in works.values():
        for outcome in REPORTED_OUTCOMES:
            total.tally.add(outcome, getattr(line.tally, outcome))
    per_work, per_platform, overall = percentiles_by(rows, ("work_id", "platform_id", None), "hours_to_removal")
    total.removal = overall.get(None)
    for lines, found in ((works, per_work), (platforms, per_platform)):
        for key, figures in found.items():
            lines[key].removal = figures
    titles = _names(Work, {w for w in works if w is not None}, "title")
    names = _names(Platform, {p for p in platforms if p is not None}, "name")
    for work_id, line in works.items():
        line.label = titles.get(work_id, "") if work_id is not None else ""
    for platform_id, line in platforms.items():
        line.label = names.get(platform_id, "") if platform_id is not None else ""
    return MemberDashboard(
        date_from=date_from,
        date_to=date_to,
        total=total,
        works=sorted(works.values(), key=lambda b: (-b.tally.reported, b.label)),
        platforms=sorted(platforms.values(), key=lambda b: (-b.tally.reported, b.label)),
        months=_member_months(member, date_to),
    )


# --- the society's dashboard -----------------------------------------------------------------

WEEKS_SHOWN = 12


@dataclass(frozen=True)
class SocietyFilter:
    date_from: dt.date
    date_to: dt.date
    platform_kind: str = ""
    platform_id: int | None = None
    action: str = ""

    def narrow(self, rows: QuerySet[_R]) -> QuerySet[_R]:
        return self.dimensions(rows.filter(day__gte=self.date_from, day__lte=self.date_to))

    def cohort(self) -> list[QuerySet[Any]]:
        """The period's cohort rows: ``PlatformMonth`` for its whole months, ``PlatformDay`` for the
        days before and after them (the sums are the same; twelve months read twelve rows per
        combination instead of 365)."""
        first, last = whole_months(self.date_from, self.date_to)
        reported = {"outcome__in": REPORTED_OUTCOMES}
        if first is None or last is None:
            return [self.narrow(PlatformDay.objects.filter(**reported))]
        after_last = month_start(last + dt.timedelta(days=31))
        edges = Q(day__gte=self.date_from, day__lt=first) | Q(day__gte=after_last, day__lte=self.date_to)
        return [
            self.dimensions(PlatformMonth.objects.filter(month__gte=first, month__lte=last, **reported)),
            self.dimensions(PlatformDay.objects.filter(edges, **reported)),
        ]

    def dimensions(self, rows: QuerySet[_R]) -> QuerySet[_R]:
        if self.platform_kind:
            rows = rows.filter(platform_kind=self.platform_kind)
        if self.platform_id is not None:
            rows = rows.filter(platform_id=self.platform_id)
        if self.action:
            rows = rows.filter(action=self.action)
        return rows


@dataclass
class PlatformLine:
    """A platform's (or a kind's) cohort: links reported, what became of them, and compliance."""

    key: int | str | None
    label: str
    kind: str = ""
    tally: Tally = field(default_factory=Tally)
    removal: Percentiles | None = None  # days to removal of its links removed at least once
    notified: int = 0
    notified_removed: int = 0
    never_answered: int = 0

    @property
    def median_days(self) -> float | None:
        return self.removal.median if self.removal else None

    @property
    def share_actioned(self) -> float | None:
        return rate(self.notified_removed, self.notified)

    @property
    def share_never_answered(self) -> float | None:
        return rate(self.never_answered, self.notified)

    def add(self, outcome: str, notified: bool, answered: bool, links: int) -> None:
        self.tally.add(outcome, links)
        if notified:
            self.notified += links
            self.notified_removed += links if outcome == Outcome.REMOVED else 0
            self.never_answered += 0 if answered else links


@dataclass
class WeekLine:
    week: dt.date
    links: int = 0
    notices: int = 0
    answers: int = 0
    counter_notices: int = 0
    reappearances: int = 0


@dataclass
class SocietyDashboard:
    filter: SocietyFilter
    total: PlatformLine
    weeks: list[WeekLine]
    platforms: list[PlatformLine]
    kinds: list[PlatformLine]
    regimes: list[tuple[str, str, int, int]]  # regime, channel, notices, links
    members_active: int

    @property
    def compliance(self) -> list[PlatformLine]:
        """Platforms that received notices, the most compliant first."""
        ranked = [p for p in self.platforms if p.notified]
        return sorted(
            ranked,
            key=lambda p: (
                -(p.share_actioned or 0),
                p.median_days if p.median_days is not None else float("inf"),
                -p.notified,
                p.label,
            ),
        )


def default_society_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve weeks: from the Monday eleven weeks before this week's to today."""
    return week_start(today) - dt.timedelta(weeks=WEEKS_SHOWN - 1), today


def _cohort(flt: SocietyFilter) -> tuple[PlatformLine, list[PlatformLine], list[PlatformLine]]:
    cohort = flt.cohort()
    rows = [
        row
        for part in cohort
        for row in part.values_list("platform_id", "platform_kind", "outcome", "notified", "answered")
        .annotate(n=Sum("links"))
        .order_by()
    ]
    total = PlatformLine(None, "")
    platforms: dict[int | None, PlatformLine] = {}
    kinds: dict[str, PlatformLine] = {}
    for platform_id, kind, outcome, notified, answered, n in rows:
        for line in (
            total,
            platforms.setdefault(platform_id, PlatformLine(platform_id, "", kind)),
            kinds.setdefault(kind, PlatformLine(kind, kind, kind)),
        ):
            line.add(outcome, notified, answered, n)
    overall, per_platform, per_kind = percentiles_by(cohort, (None, "platform_id", "platform_kind"), "days_to_removal")
    total.removal = overall.get(None)
    for lines, found in ((platforms, per_platform), (kinds, per_kind)):
        for key, figures in found.items():
            lines[key].removal = figures
    names = _names(Platform, {p for p in platforms if p is not None}, "name")
    for platform_id, line in platforms.items():
        line.label = names.get(platform_id, "") if platform_id is not None else ""
    by_size = sorted(platforms.values(), key=lambda p: (-p.tally.reported, p.label))
    return total, by_size, sorted(kinds.values(), key=lambda k: (-k.tally.reported, k.label))


def _weeks(flt: SocietyFilter) -> list[WeekLine]:
    weeks: dict[dt.date, WeekLine] = {}
    first = week_start(flt.date_from)
    while first <= flt.date_to:
        weeks[first] = WeekLine(first)
        first += dt.timedelta(weeks=1)
    for day, n in flt.narrow(ActiveDay.objects.all()).values_list("day").annotate(n=Sum("links")).order_by():
        weeks[week_start(day)].links += n
    notices = flt.narrow(NoticeDay.objects.all()).values_list("day")
    for day, n in notices.annotate(n=Sum("notices")):
        weeks[week_start(day)].notices += n
    flt_events = replace(flt, action="")  # answers and reappearances are not kept per action
    for day, kind, n in flt_events.narrow(EventDay.objects.all()).values_list("day", "kind").annotate(n=Sum("count")):
        week = weeks[week_start(day)]
        if kind == EventKind.REAPPEARED:
            week.reappearances += n
        else:
            week.answers += n
            week.counter_notices += n if kind == EventKind.COUNTER_NOTICE else 0
    return list(weeks.values())


def society_dashboard(flt: SocietyFilter) -> SocietyDashboard:
    """The society's figures for a period and filters, from the roll-ups (a handful of queries)."""
    total, platforms, kinds = _cohort(flt)
    regimes = (
        flt.narrow(NoticeDay.objects.all())
        .values_list("regime", "channel")
        .annotate(notices=Sum("notices"), links=Sum("links"))
        .order_by("regime", "channel")
    )
    members = flt.narrow(ActiveDay.objects.all()).values("member_id").distinct()
    return SocietyDashboard(
        filter=flt,
        total=total,
        weeks=_weeks(flt),
        platforms=platforms,
        kinds=kinds,
        regimes=[(r, c, n, links) for r, c, n, links in regimes],
        members_active=members.count(),
    )
