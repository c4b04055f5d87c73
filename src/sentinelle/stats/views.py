"""The dashboards' pages (thin: parse the period, call one selector, render)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sentinelle.core import charts
from sentinelle.core.csvsafe import csv_text
from sentinelle.members.selectors import member_for_user
from sentinelle.stats import dsa, dsa_render, selectors
from sentinelle.stats.access import staff_only
from sentinelle.stats.forms import MAX_YEAR, MIN_YEAR, PeriodForm, SocietyFilterForm
from sentinelle.stats.outcomes import REPORTED, Outcome
from sentinelle.stats.services import local_day
from sentinelle.stats.tables import ROWS_SHOWN, TABLE_NAMES, Table, html_table, society_tables, table_html
from sentinelle.stats.templatetags.stats_tags import duration_hours, percent


class HistoryLinks:
    """URLs of the member's history filtered to the links behind a figure (the base reversed once)."""

    def __init__(self, date_from: dt.date, date_to: dt.date) -> None:
        self.base = reverse("takedowns:history")
        self.period = f"date_from={date_from.isoformat()}&date_to={date_to.isoformat()}"

    def url(self, **filters: object) -> str:
        extra = urlencode({k: str(v) for k, v in filters.items() if v not in (None, "")})
        return f"{self.base}?{self.period}&{extra}" if extra else f"{self.base}?{self.period}"


def _member_charts(board: selectors.MemberDashboard) -> list[str]:
    months = [m.month.strftime("%Y-%m") for m in board.months]
    trend = charts.line_chart(
        _("Links reported and removed, last 12 months"),
        months,
        [
            charts.Series(_("reported"), [m.reported for m in board.months]),
            charts.Series(_("removed or delisted"), [m.removed for m in board.months]),
        ],
        description=_("Per month of the report: the links you reported, and how many of them are removed or delisted."),
    )
    top = board.platforms[:10]
    per_platform = charts.bar_chart(
        _("Links reported per platform"),
        [line.label or _("sites not in the registry") for line in top],
        [line.tally.reported for line in top],
        description=_("The ten platforms where you reported the most links in the period."),
    )
    return [trend, per_platform]


def _breakdown_table(first: str, lines: list[tuple[selectors.Breakdown, str]]) -> SafeString | None:
    """A member's per-work or per-platform table, each name linked to the links behind it."""
    if not lines:
        return None
    header = [first, _("reported"), _("removed or delisted"), _("still online"), _("pending")]
    header += [_("removal rate"), _("median time to removal")]
    rows: list[list[object]] = []
    for line, url in lines:
        label = line.label or _("sites not in the registry")
        t = line.tally
        rows.append(
            [
                format_html('<a href="{}">{}</a>', url, label) if url else label,
                t.reported,
                t.removed,
                t.online,
                t.pending,
                percent(t.removal_rate),
                duration_hours(line.median_hours),
            ]
        )
    return html_table(header, rows)


def _every_platform_url(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["platforms"] = "all"
    return f"?{query.urlencode()}"


@require_GET
@login_required
def member_dashboard(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    if member is None:
        return render(request, "stats/member_dashboard.html", {"member": None})
    form = PeriodForm(request.GET or None)
    date_from, date_to = form.period(selectors.default_member_period(local_day(timezone.now())))
    board = selectors.member_dashboard(member, date_from, date_to)
    every_platform = request.GET.get("platforms") == "all"
    links = HistoryLinks(date_from, date_to)
    figures = [
        (_("Links reported"), board.total.tally.reported, links.url(outcome=REPORTED)),
        *(
            (label, getattr(board.total.tally, value), links.url(outcome=value))
            for value, label in Outcome.choices
            if value != Outcome.NOT_ACCEPTED
        ),
    ]
    context = {
        "member": member,
        "form": form,
        "board": board,
        "figures": figures,
        "charts": _member_charts(board),
        "work_table": _breakdown_table(
            _("Work"),
            [(line, links.url(work=line.key, outcome=REPORTED)) for line in board.works],
        ),
        "platform_table": _breakdown_table(
            _("Platform"),
            [
                (line, links.url(platform=line.label, outcome=REPORTED) if line.label else "")
                for line in (board.platforms if every_platform else board.platforms[:ROWS_SHOWN])
            ],
        ),
        "platforms_more": None
        if every_platform or len(board.platforms) <= ROWS_SHOWN
        else _every_platform_url(request),
        "platforms_shown": ROWS_SHOWN,
        "platforms_total": len(board.platforms),
    }
    return render(request, "stats/member_dashboard.html", context)


# --- the society's dashboard -----------------------------------------------------------------


def _society_filter(request: HttpRequest) -> tuple[SocietyFilterForm, selectors.SocietyFilter]:
    form = SocietyFilterForm(request.GET or None)
    date_from, date_to = form.period(selectors.default_society_period(local_day(timezone.now())))
    return form, selectors.SocietyFilter(date_from, date_to, **form.filters())


def _percent_values(values: list[float | None]) -> list[float]:
    return [round((v or 0) * 100, 1) for v in values]


def _society_charts(tables: dict[str, Table]) -> list[str]:
    weekly, kinds, compliance, notices = (tables[n].rows for n in ("weekly", "kinds", "compliance", "notices"))
    weeks = [row["week"] for row in weekly]
    top = compliance[:10]
    return [
        charts.line_chart(
            _("Volumes per week"),
            weeks,
            [
                charts.Series(_("links reported"), [r["links"] for r in weekly]),
                charts.Series(_("notices sent"), [r["notices"] for r in weekly]),
                charts.Series(_("answers received"), [r["answers"] for r in weekly]),
            ],
            description=_("Per week (starting Monday): links reported, notices sent and answers received."),
        ),
        charts.line_chart(
            _("Reappearances and counter-notices per week"),
            weeks,
            [
                charts.Series(_("reappearances"), [r["reappearances"] for r in weekly]),
                charts.Series(_("counter-notices"), [r["counter_notices"] for r in weekly]),
            ],
            description=_("Per week: links seen back online after a removal, and counter-notices received."),
        ),
        charts.bar_chart(
            _("Removal rate per kind of platform, in per cent"),
            [r["kind"] for r in kinds],
            _percent_values([r["removal_rate"] for r in kinds]),
            description=_("Links removed or delisted out of the links reported, per kind of platform, in per cent."),
        ),
        charts.bar_chart(
            _("Share actioned by the most compliant platforms, in per cent"),
            [r["platform"] for r in top],
            _percent_values([r["share_actioned"] for r in top]),
            description=_("The ten platforms at the top of the compliance ranking: links removed out of notified."),
        ),
        charts.bar_chart(
            _("Notices per legal regime and channel"),
            [f"{r['regime']} · {r['channel']}" for r in notices],
            [r["notices"] for r in notices],
            description=_("Notices sent in the period, per legal regime and delivery channel."),
        ),
    ]


@require_GET
@login_required
@staff_only
def society_dashboard(request: HttpRequest) -> HttpResponse:
    form, flt = _society_filter(request)
    board = selectors.society_dashboard(flt)
    tables = society_tables(board)
    shown = {
        name: {
            "name": name,
            "title": t.title,
            "rows": bool(t.rows),
            "html": table_html(t),
            "more": len(t.rows) > ROWS_SHOWN,
            "shown": ROWS_SHOWN,
            "total": len(t.rows),
        }
        for name, t in tables.items()
    }
    context = {"form": form, "board": board, "tables": shown, "charts": _society_charts(tables)}
    return render(request, "stats/society_dashboard.html", context)


@require_GET
@login_required
@staff_only
def society_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in TABLE_NAMES or fmt not in ("csv", "json"):
        raise Http404("No such table")
    form, flt = _society_filter(request)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    found = society_tables(selectors.society_dashboard(flt))[table]
    name = f"sentinelle-{table}-{flt.date_from.isoformat()}-{flt.date_to.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(
            csv_text([k for k, _h in found.columns], ([row[k] for k, _h in found.columns] for row in found.rows)),
            content_type="text/csv; charset=utf-8",
        )
    else:
        response = JsonResponse(
            {
                "table": found.name,
                "title": found.title,
                "from": flt.date_from.isoformat(),
                "to": flt.date_to.isoformat(),
                "filters": {"platform_kind": flt.platform_kind, "platform_id": flt.platform_id, "action": flt.action},
                "columns": [{"key": k, "heading": h} for k, h in found.columns],
                "rows": found.rows,
            }
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- the DSA art. 22(3) report ---------------------------------------------------------------

_CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _report_year(raw: str | None, default: int) -> tuple[int, str]:
    if not raw:
        return default, ""
    if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw), ""
    return default, _("The year must be a number from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}


@require_GET
@login_required
@staff_only
def dsa_report(request: HttpRequest) -> HttpResponse:
    year, error = _report_year(request.GET.get("year"), local_day(timezone.now()).year - 1)
    report = dsa.dsa_report(year)
    context = {**dsa_render.context(report), "error": error}
    return render(request, "stats/dsa_report.html", context, status=400 if error else 200)


@require_GET
@login_required
@staff_only
def dsa_download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    if fmt not in dsa_render.FORMATS or not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such report")
    body = dsa_render.render_report(dsa.dsa_report(year), fmt)
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="dsa-art22-report-{year}.{fmt}"'
    return response
