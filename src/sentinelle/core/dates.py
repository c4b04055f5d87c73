"""A date or a moment written for the reader: their language's format, the society's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone


def display(value: dt.datetime | dt.date) -> str:
    """``1 Dec 2026 10:46`` / ``1 déc. 2026 10:46`` (a moment), ``1 Dec 2026`` (a day)."""
    if isinstance(value, dt.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def from_iso(text: str) -> dt.datetime | dt.date:
    """What ``value.isoformat()`` wrote (a moment when it has a time)."""
    return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)


def zone_city() -> str:
    """The society's time zone as its readers say it: "Paris" for Europe/Paris, "UTC" for UTC."""
    return str(ZoneInfo(settings.TIME_ZONE)).rsplit("/", 1)[-1].replace("_", " ")
