"""Reads of a member's links. Every query starts from the member: nobody sees another's links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member
from sentinelle.stats.outcomes import statuses_of
from sentinelle.takedowns.models import ACTIVE_STATUSES, LinkEvent, ReportedLink
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


def filtered_history(member: Member, flt: HistoryFilter) -> QuerySet[ReportedLink]:
    links = links_of_member(member)
    if flt.work_id is not None:
        links = links.filter(work_id=flt.work_id)
    if flt.status:
        links = links.filter(status=flt.status)
    if flt.outcome:
        links = links.filter(status__in=statuses_of(flt.outcome))
    if flt.platform:
        name = flt.platform.strip()[:255]
        links = links.filter(Q(platform__name__iexact=name) | Q(registrable_domain__iexact=name) | Q(host__iexact=name))
    if flt.date_from is not None:
        links = links.filter(created_at__date__gte=flt.date_from)
    if flt.date_to is not None:
        links = links.filter(created_at__date__lte=flt.date_to)
    return links.order_by("-created_at", "-id")


def history_page(
    member: Member, flt: HistoryFilter, page_number: str | int | None, per_page: int
) -> Page[ReportedLink]:
    return Paginator(filtered_history(member, flt), per_page).get_page(page_number)


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
