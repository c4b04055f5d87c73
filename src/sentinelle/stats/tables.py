"""The society dashboard as named tables: what its charts draw, its pages show and its exports hold.

One shaping for the three, so a CSV or JSON export is exactly the table behind a chart. Values
stay raw (rates between 0 and 1, days as numbers, ``None`` where there is no figure); the page
formats them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sentinelle.notices.models import Channel, Regime
from sentinelle.platforms.models import PlatformKind
from sentinelle.stats.selectors import PlatformLine, SocietyDashboard

RATE_COLUMNS = frozenset({"removal_rate", "share_actioned", "share_never_answered"})


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict[str, Any]]


def kind_label(kind: str) -> str:
    labels = dict(PlatformKind.choices)
    return str(labels[kind]) if kind in labels else _("not in the registry")


def platform_label(line: PlatformLine) -> str:
    return line.label or _("sites not in the registry")


def _weekly(board: SocietyDashboard) -> Table:
    return Table(
        "weekly",
        _("Volumes per week"),
        [
            ("week", _("week of")),
            ("links", _("links reported")),
            ("notices", _("notices sent")),
            ("answers", _("answers received")),
            ("counter_notices", _("counter-notices")),
            ("reappearances", _("reappearances")),
        ],
        [
            {
                "week": w.week.isoformat(),
                "links": w.links,
                "notices": w.notices,
                "answers": w.answers,
                "counter_notices": w.counter_notices,
                "reappearances": w.reappearances,
            }
            for w in board.weeks
        ],
    )


def _outcomes(line: PlatformLine) -> dict[str, Any]:
    t = line.tally
    return {
        "reported": t.reported,
        "removed": t.removed,
        "online": t.online,
        "refused": t.refused,
        "pending": t.pending,
        "closed": t.closed,
        "removal_rate": t.removal_rate,
        "median_days_to_removal": line.median_days,
    }


def _outcome_columns() -> list[tuple[str, str]]:
    return [
        ("reported", _("links reported")),
        ("removed", _("removed or delisted")),
        ("online", _("still online")),
        ("refused", _("refused or contested")),
        ("pending", _("pending")),
        ("closed", _("closed without a result")),
        ("removal_rate", _("removal rate")),
        ("median_days_to_removal", _("median days to removal")),
    ]


def _platforms(board: SocietyDashboard) -> Table:
    return Table(
        "platforms",
        _("Removal per platform"),
        [("platform", _("platform")), ("kind", _("kind")), *_outcome_columns()],
        [{"platform": platform_label(p), "kind": kind_label(p.kind), **_outcomes(p)} for p in board.platforms],
    )


def _kinds(board: SocietyDashboard) -> Table:
    return Table(
        "kinds",
        _("Removal per kind of platform"),
        [("kind", _("kind")), *_outcome_columns()],
        [{"kind": kind_label(k.kind), **_outcomes(k)} for k in board.kinds],
    )


def _compliance(board: SocietyDashboard) -> Table:
    return Table(
        "compliance",
        _("Compliance ranking of platforms"),
        [
            ("rank", _("rank")),
            ("platform", _("platform")),
            ("kind", _("kind")),
            ("notified", _("links notified")),
            ("share_actioned", _("share actioned")),
            ("median_days_to_removal", _("median days to removal")),
            ("share_never_answered", _("share never answered")),
        ],
        [
            {
                "rank": rank,
                "platform": platform_label(p),
                "kind": kind_label(p.kind),
                "notified": p.notified,
                "share_actioned": p.share_actioned,
                "median_days_to_removal": p.median_days,
                "share_never_answered": p.share_never_answered,
            }
            for rank, p in enumerate(board.compliance, start=1)
        ],
    )


def _label(choices: type[Regime] | type[Channel], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _notices(board: SocietyDashboard) -> Table:
    return Table(
        "notices",
        _("Notices per legal regime and channel"),
        [
            ("regime", _("legal regime")),
            ("channel", _("channel")),
            ("notices", _("notices sent")),
            ("links", _("links cited")),
        ],
        [
            {"regime": _label(Regime, r), "channel": _label(Channel, c), "notices": n, "links": links}
            for r, c, n, links in board.regimes
        ],
    )


def society_tables(board: SocietyDashboard) -> dict[str, Table]:
    tables = (_weekly(board), _platforms(board), _kinds(board), _compliance(board), _notices(board))
    return {t.name: t for t in tables}


TABLE_NAMES = ("weekly", "platforms", "kinds", "compliance", "notices")


# --- shown on a page -------------------------------------------------------------------------

ROWS_SHOWN = 50  # per table on a page; the exports hold every row


def display(key: str, value: object) -> str:
    """A cell as a page shows it: rates as percentages, days with their unit, numbers as they are."""
    from sentinelle.stats.templatetags.stats_tags import duration_days, percent

    if key in RATE_COLUMNS:
        return percent(value if isinstance(value, float) else None)
    if key.startswith("median_days"):
        return duration_days(value if isinstance(value, (int, float)) else None)
    return "" if value is None else str(value)


def html_table(header: list[str], rows: Sequence[Sequence[object]], css: str = "stats") -> SafeString:
    """A table built in one pass (a template loop costs ~1 ms per hundred cells): the first cell of a
    row is its header; cells are escaped unless already safe (a link)."""
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in header))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html('<th scope="row">{}</th>', row[0])
                + format_html_join("", "<td>{}</td>", ((cell,) for cell in row[1:])),
            )
            for row in rows
        ),
    )
    return format_html(
        '<div class="table-scroll"><table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>',
        css,
        head,
        body,
    )


def table_html(table: Table) -> SafeString:
    rows = [[display(key, row.get(key)) for key, _h in table.columns] for row in table.rows[:ROWS_SHOWN]]
    return html_table([heading for _k, heading in table.columns], rows)
