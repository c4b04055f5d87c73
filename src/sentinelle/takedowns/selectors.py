"""Reads of a member's links. Every query starts from the member: nobody sees another's links."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from sentinelle.catalogue.models import Work
from sentinelle.linkkit import psl
from sentinelle.members.models import Member
from sentinelle.platforms.models import Platform
from sentinelle.stats.outcomes import statuses_of
from sentinelle.takedowns.models import ACTIVE_STATUSES, EventKind, LinkEvent, LinkStatus, ReportedLink
from sentinelle.takedowns.quota import daily_limit, quota_day


@dataclass(frozen=True)
class HistoryFilter:
    work_id: int | None = None
    status: str = ""
    outcome: str = ""  # an Outcome of stats.outcomes, or REPORTED (every accepted link)
    platform: str = ""  # platform name or site (registrable domain), case-insensitive
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def links_of_member(member: Member) -> QuerySet[ReportedLink]:
    return ReportedLink.objects.filter(member=member).select_related("work", "platform")


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the society's time zone: a range on ``created_at`` its index can serve."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _platform_or_site(text: str) -> Q:
    """A platform by name (any case), a site, or a host: conditions the indexes on platform and
    site serve (hosts and sites are stored in lower case; a host is looked up under its site)."""
    name = text.strip().lower()[:255]
    platform_ids = list(Platform.objects.filter(name__iexact=name).values_list("pk", flat=True))
    site = psl.registrable_domain(name) or name
    same_site = Q(registrable_domain=site) if site == name else Q(registrable_domain=site, host=name)
    return Q(platform_id__in=platform_ids) | same_site if platform_ids else same_site


def filtered_history(member: Member, flt: HistoryFilter) -> QuerySet[ReportedLink]:
    links = links_of_member(member)
    if flt.work_id is not None:
        links = links.filter(work_id=flt.work_id)
    if flt.status:
        links = links.filter(status=flt.status)
    if flt.outcome:
        links = links.filter(status__in=statuses_of(flt.outcome))
    if flt.platform:
        links = links.filter(_platform_or_site(flt.platform))
    if flt.date_from is not None:
        links = links.filter(created_at__gte=_day_start(flt.date_from))
    if flt.date_to is not None:
        links = links.filter(created_at__lt=_day_start(flt.date_to + dt.timedelta(days=1)))
    return links.order_by("-created_at", "-id")


# --- keyset pages ------------------------------------------------------------------------------
#
# A page is found from the last row of the one before (created_at, id), never by counting rows
# off: the 4,000th page costs what the first does. The cursor is opaque to its users; it only
# ever narrows the member's own rows, so a forged one shows nothing new.

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
COUNT_CAP = 1000  # an exact count up to this many rows; beyond, "more than COUNT_CAP"


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    created_at: dt.datetime
    pk: int
    backwards: bool = False  # True: the page *before* this row

    def encode(self) -> str:
        stamp = (self.created_at - _EPOCH) // dt.timedelta(microseconds=1)
        raw = f"{'b' if self.backwards else 'a'}{stamp}.{self.pk}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            direction, rest = raw[0], raw[1:]
            stamp, pk = rest.split(".")
            moment = _EPOCH + dt.timedelta(microseconds=int(stamp))
            if direction not in "ab" or not 0 < int(pk) < 2**63:
                raise ValueError(direction)
        except (ValueError, IndexError, UnicodeDecodeError, OverflowError) as exc:
            raise BadCursor(token) from exc
        return cls(moment, int(pk), direction == "b")


@dataclass(frozen=True)
class HistoryPage:
    items: list[ReportedLink]
    count: int | None  # exact, when at most COUNT_CAP rows match
    more_than: int | None  # else: more than this many
    next_cursor: str | None
    previous_cursor: str | None


def _after(links: QuerySet[ReportedLink], cursor: Cursor) -> QuerySet[ReportedLink]:
    # The plain bound on created_at lets the (member, created_at, id) index start at the cursor;
    # the OR settles ties on the same instant.
    if cursor.backwards:
        return links.filter(created_at__gte=cursor.created_at).filter(
            Q(created_at__gt=cursor.created_at) | Q(pk__gt=cursor.pk)
        )
    return links.filter(created_at__lte=cursor.created_at).filter(
        Q(created_at__lt=cursor.created_at) | Q(pk__lt=cursor.pk)
    )


def bounded_count(links: QuerySet[ReportedLink], cap: int | None = None) -> tuple[int | None, int | None]:
    """(count, None) when at most ``cap`` rows match, else (None, cap): never a full count."""
    cap = COUNT_CAP if cap is None else cap
    n = links.order_by()[: cap + 1].count()
    return (n, None) if n <= cap else (None, cap)


def history_page(member: Member, flt: HistoryFilter, cursor: Cursor | None, per_page: int) -> HistoryPage:
    """One page of the member's history, newest first, from ``cursor`` (None: the first page)."""
    links = filtered_history(member, flt)
    count, more_than = bounded_count(links)
    if cursor is None:
        rows = list(links[: per_page + 1])
        more_before = False
    elif cursor.backwards:
        rows = list(_after(links, cursor).order_by("created_at", "id")[: per_page + 1])
        more_before = len(rows) > per_page
        rows = rows[:per_page][::-1]
    else:
        rows = list(_after(links, cursor)[: per_page + 1])
        more_before = True
    more_after = len(rows) > per_page if cursor is None or not cursor.backwards else True
    items = rows[:per_page]
    return HistoryPage(
        items=items,
        count=count,
        more_than=more_than,
        next_cursor=Cursor(items[-1].created_at, items[-1].pk).encode() if items and more_after else None,
        previous_cursor=Cursor(items[0].created_at, items[0].pk, True).encode() if items and more_before else None,
    )


def get_member_link(member: Member, link_id: int) -> ReportedLink:
    """The member's link, or ReportedLink.DoesNotExist (a 404)."""
    return links_of_member(member).get(pk=link_id)


def link_timeline(link: ReportedLink) -> QuerySet[LinkEvent]:
    return link.events.order_by("at", "id")


def open_link_counts(member: Member, works: list[Work]) -> dict[int, int]:
    rows = (
        ReportedLink.objects.filter(member=member, work__in=works, status__in=ACTIVE_STATUSES)
        .values("work_id")
        .annotate(n=Count("url", distinct=True))
    )
    return {row["work_id"]: row["n"] for row in rows}


def quota_used_today(member: Member, now: dt.datetime | None = None) -> int:
    usage = member.quota_usage.filter(day=quota_day(now)).first()
    return usage.accepted if usage else 0


def quota_remaining(member: Member, now: dt.datetime | None = None) -> int:
    return max(0, daily_limit(member) - quota_used_today(member, now))


def member_platform_names(member: Member) -> list[str]:
    names = set(
        ReportedLink.objects.filter(member=member, platform__isnull=False).values_list("platform__name", flat=True)
    )
    return sorted(names)


def history_for_export(member: Member, flt: HistoryFilter) -> QuerySet[ReportedLink]:
    """The filtered history with the dates a time to removal is computed from (from the events).

    ``sent_at``: the first notice sent; ``answered_at``: the first answer from a recipient;
    ``removed_at``: the first time the link was found removed or delisted.
    """

    def first(**conditions: object) -> Subquery:
        events = LinkEvent.objects.filter(link=OuterRef("pk"), **conditions).order_by("at", "id")
        return Subquery(events.values("at")[:1])

    return filtered_history(member, flt).annotate(
        sent_at=first(kind=EventKind.NOTICE_SENT),
        answered_at=first(kind=EventKind.ANSWER),
        removed_at=first(to_status__in=(LinkStatus.REMOVED, LinkStatus.DELISTED)),
    )
