"""Shapes of ``GET /api/v1/stats``."""

from __future__ import annotations

import datetime as dt
import re

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator, model_validator

from sentinelle.stats.forms import MAX_PERIOD_DAYS, MAX_YEAR, MIN_YEAR

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class StatsQuery(Schema):
    model_config = ConfigDict(populate_by_name=True)

    date_from: dt.date | None = Field(
        None,
        alias="from",
        description="First day of the period, YYYY-MM-DD, from 2000 to 2100 (default: twelve months ago).",
    )
    date_to: dt.date | None = Field(
        None,
        alias="to",
        description="Last day of the period, YYYY-MM-DD, from 2000 to 2100 (default: today); not before "
        "'from', at most ten years after it.",
    )

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_days_only(cls, value: object) -> object:
        if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
            raise ValueError("a day is written YYYY-MM-DD")
        return value

    @field_validator("date_from", "date_to", mode="after")
    @classmethod
    def _within_the_years_served(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(f"a day from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31")
        return value

    @model_validator(mode="after")
    def _a_real_period(self) -> StatsQuery:
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise ValueError("'from' must not be after 'to'")
            if (self.date_to - self.date_from).days > MAX_PERIOD_DAYS:
                raise ValueError("the period may be at most ten years long")
        return self


class FiguresOut(Schema):
    reported: int = Field(description="Links reported (accepted) in the period.")
    removed: int = Field(description="Of them, removed or delisted now.")
    online: int = Field(description="Still online (still online, escalated, reappeared).")
    refused: int = Field(description="Refused or contested by the platform (refusal, counter-notice).")
    pending: int = Field(description="Waiting for a notice, an answer or a check.")
    closed: int = Field(description="Closed without a result (unverifiable, closed by the society).")
    removal_rate: float | None = Field(description="removed / reported; null when nothing was reported.")
    median_hours_to_removal: float | None = Field(
        description="Median whole hours from the report to the first removal, over the links removed at least once."
    )
    p90_hours_to_removal: int | None = Field(description="90th percentile (nearest rank) of the same hours.")


class WorkFiguresOut(FiguresOut):
    work_id: int
    title: str


class PlatformFiguresOut(FiguresOut):
    platform_id: int | None = Field(description="null: sites not in the society's platform registry.")
    platform: str


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    reported: int
    removed: int


class StatsOut(Schema):
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    totals: FiguresOut
    works: list[WorkFiguresOut]
    platforms: list[PlatformFiguresOut]
    months: list[MonthOut] = Field(description="The twelve months ending with the period's last day.")
