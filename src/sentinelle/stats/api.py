"""``GET /api/v1/stats``: the member dashboard's figures as JSON (thin: one selector, shaped)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from sentinelle.stats import selectors
from sentinelle.stats.schemas import StatsOut, StatsQuery
from sentinelle.stats.services import local_day
from sentinelle.takedowns.api import _COMMON_ERRORS, _member, _only_known_query

router = Router(tags=["stats"])


def _figures(line: selectors.Breakdown) -> dict[str, Any]:
    t = line.tally
    return {
        "reported": t.reported,
        "removed": t.removed,
        "online": t.online,
        "refused": t.refused,
        "pending": t.pending,
        "closed": t.closed,
        "removal_rate": t.removal_rate,
        "median_hours_to_removal": line.median_hours,
        "p90_hours_to_removal": line.p90_hours,
    }


@router.get(
    "",
    response={200: StatsOut, **_COMMON_ERRORS},
    by_alias=True,
    summary="My figures",
    description="The figures of my dashboard for the links I reported in a period (local days, both ends "
    "included): totals, per work, per platform, and the twelve months ending with the period.",
)
def my_stats(request: HttpRequest, filters: Query[StatsQuery]) -> dict[str, Any]:
    _only_known_query(request, ("from", "to"))
    member = _member(request)
    default = selectors.default_member_period(local_day(timezone.now()))
    date_from, date_to = filters.date_from or default[0], filters.date_to or default[1]
    if date_from > date_to:
        date_from, date_to = (date_to, date_to) if filters.date_to else (date_from, date_from)
    board = selectors.member_dashboard(member, date_from, date_to)
    return {
        "from": date_from,
        "to": date_to,
        "totals": _figures(board.total),
        "works": [{"work_id": w.key, "title": w.label, **_figures(w)} for w in board.works],
        "platforms": [{"platform_id": p.key, "platform": p.label, **_figures(p)} for p in board.platforms],
        "months": [
            {"month": m.month.strftime("%Y-%m"), "reported": m.reported, "removed": m.removed} for m in board.months
        ],
    }
