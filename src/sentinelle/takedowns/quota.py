"""The member's daily quota: which local day a moment falls on, and when the count resets."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from sentinelle import conf
from sentinelle.members.models import Member


def quota_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def quota_day(now: dt.datetime | None = None) -> dt.date:
    """The calendar day in the society's time zone that ``now`` counts against."""
    return (now or timezone.now()).astimezone(quota_zone()).date()


def quota_resets_at(now: dt.datetime | None = None) -> dt.datetime:
    """The next local midnight, as an aware datetime (DST-safe)."""
    day = quota_day(now) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=quota_zone())


def daily_limit(member: Member) -> int:
    if member.daily_link_quota is not None:
        return member.daily_link_quota
    return conf.daily_link_quota()
