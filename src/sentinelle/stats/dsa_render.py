"""The DSA art. 22(3) report as CSV, HTML and PDF: the same tables and method text in each."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sentinelle import conf
from sentinelle.core import charts
from sentinelle.core.csvsafe import csv_text
from sentinelle.investigations.report import Section, render
from sentinelle.stats.dsa import (
    ACTIONS,
    DsaReport,
    action_label,
    content_label,
    method_text,
    provider_type_label,
)

FORMATS = ("csv", "html", "pdf")


@dataclass(frozen=True)
class ReportTable:
    key: str
    title: str
    header: list[str]
    rows: list[list[object]]


def report_tables(report: DsaReport) -> list[ReportTable]:
    notices, links = _("notices"), _("links cited")
    by_type = [[provider_type_label(k), c.notices, c.links] for k, c in sorted(report.by_provider_type.items())]
    by_provider = [
        [name, provider_type_label(ptype), c.notices, c.links]
        for (name, ptype), c in sorted(report.by_provider.items(), key=lambda kv: (-kv[1].notices, kv[0]))
    ]
    actions = [a for a in ACTIONS if report.by_action.get(a)]
    types = sorted(report.by_provider_type)
    return [
        ReportTable(
            "provider_type", _("Notices by type of provider"), [_("type of provider"), notices, links], by_type
        ),
        ReportTable(
            "provider",
            _("Notices by provider"),
            [_("provider"), _("type of provider"), notices, links],
            by_provider,
        ),
        ReportTable(
            "content",
            _("Notices by type of allegedly illegal content"),
            [_("type of content"), notices, links],
            [[content_label(k), c.notices, c.links] for k, c in sorted(report.by_content.items())],
        ),
        ReportTable(
            "action",
            _("Links by action taken by the provider"),
            [_("action taken"), links],
            [[action_label(a), report.by_action[a]] for a in actions],
        ),
        ReportTable(
            "provider_type_action",
            _("Links by type of provider and action taken"),
            [_("type of provider"), *(action_label(a) for a in actions)],
            [[provider_type_label(t), *(report.by_type_and_action.get((t, a), 0) for a in actions)] for t in types],
        ),
    ]


def _title(report: DsaReport) -> str:
    return _("%(society)s — trusted flagger report for %(year)s (DSA art. 22(3))") % {
        "society": conf.society().get("name", ""),
        "year": report.year,
    }


def _independence(report: DsaReport) -> str:
    return report.independence or _(
        "The society has not yet written its explanation of the procedures that keep it independent "
        "(setting SENTINELLE_DSA_INDEPENDENCE_STATEMENT)."
    )


def _summary(report: DsaReport) -> list[str]:
    return [
        _("Notices submitted under article 16 and delivered in %(year)s: %(notices)s, citing %(links)s links.")
        % {"year": report.year, "notices": report.notices, "links": report.links},
        _("Notices sent under another legal regime that year, not in this report: %(n)s.")
        % {"n": report.other_regimes},
        _("Generated on %(when)s.") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    ]


def as_csv(report: DsaReport) -> str:
    """One row per figure: table, category (and action), notices, links — easy to load anywhere."""
    rows: list[list[object]] = [["total", "", "", report.notices, report.links]]
    rows.append(["other_regimes", "", "", report.other_regimes, ""])
    for key, c in sorted(report.by_provider_type.items()):
        rows.append(["provider_type", provider_type_label(key), "", c.notices, c.links])
    for (name, ptype), c in sorted(report.by_provider.items()):
        rows.append(["provider", name, provider_type_label(ptype), c.notices, c.links])
    for key, c in sorted(report.by_content.items()):
        rows.append(["content", content_label(key), "", c.notices, c.links])
    for action, n in sorted(report.by_action.items()):
        rows.append(["action", action_label(action), "", "", n])
    for (ptype, action), n in sorted(report.by_type_and_action.items()):
        rows.append(["provider_type_action", provider_type_label(ptype), action_label(action), "", n])
    return csv_text(["table", "category", "subcategory", "notices", "links"], rows)


def report_charts(report: DsaReport) -> list[SafeString]:
    types = sorted(report.by_provider_type.items())
    actions = [(a, report.by_action[a]) for a in ACTIONS if report.by_action.get(a)]
    return [
        charts.bar_chart(
            _("Notices by type of provider"),
            [provider_type_label(k) for k, _c in types],
            [c.notices for _k, c in types],
            description=_("Number of notices delivered in the year, per type of provider."),
        ),
        charts.bar_chart(
            _("Links by action taken by the provider"),
            [action_label(a) for a, _n in actions],
            [n for _a, n in actions],
            description=_("Number of links cited by the year's notices, per action the provider took."),
        ),
    ]


def context(report: DsaReport) -> dict[str, object]:
    return {
        "report": report,
        "title": _title(report),
        "summary": _summary(report),
        "tables": report_tables(report),
        "charts": report_charts(report),
        "method": method_text(),
        "independence": _independence(report),
    }


def as_html(report: DsaReport) -> str:
    """A standalone HTML document (styles inline, no external file) fit to publish as it is."""
    return render_to_string("stats/dsa_report_document.html", context(report))


def as_pdf(report: DsaReport) -> bytes:
    sections = [
        Section(t.title, [], header=t.header, rows=[[str(c) for c in row] for row in t.rows])
        for t in report_tables(report)
    ]
    sections.append(Section(_("Independence"), [_independence(report)]))
    sections.append(Section(_("Method"), method_text()))
    return render(_title(report), _summary(report), sections)


def render_report(report: DsaReport, fmt: str) -> bytes:
    if fmt == "csv":
        return as_csv(report).encode("utf-8")
    if fmt == "html":
        return as_html(report).encode("utf-8")
    if fmt == "pdf":
        return as_pdf(report)
    raise ValueError(f"unknown format {fmt!r}")
