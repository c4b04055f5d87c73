"""Small server-side SVG charts: a horizontal bar chart and a line (or area) chart.

No JavaScript, no external service: each function returns safe HTML — a ``<figure>`` holding an
SVG that scales to its container (``viewBox``, width 100%), with a ``<title>`` and a ``<desc>``
for assistive technology, and the same figures as a plain ``<table>`` inside a ``<details>``
element, so a screen-reader user (or anyone on a small phone) reads the numbers rather than the
shapes. Bars are horizontal, with their label above the bar, so long labels (domain names, titles)
stay readable on a narrow screen.

API (keep it small; other apps reuse it)::

    bar_chart(title, labels, values, *, description="", value_format=format_number) -> SafeString
    line_chart(title, x_labels, series, *, description="", area=False, value_format=format_number) -> SafeString
    Series(name, values)

``title`` and ``description`` are shown and read out: pass translated strings. The
``chart*`` CSS classes are in ``static/sentinelle/site.css``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def format_number(value: float) -> str:
    """A number in the active locale (1 234,5 in French), without needless decimals."""
    if float(value).is_integer():
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(round(value, 2), decimal_pos=2, use_l10n=True, force_grouping=True)


def _n(value: float) -> str:
    """A coordinate: one decimal is finer than a pixel."""
    return f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _figure(chart_id: str, title: str, description: str, svg: SafeString, table: SafeString) -> SafeString:
    return format_html(
        '<figure class="chart" aria-labelledby="{0}-caption">'
        '<figcaption id="{0}-caption">{1}</figcaption>{2}'
        '<details class="chart-data"><summary>{3}</summary>{4}</details></figure>',
        chart_id,
        title,
        svg,
        _("The figures as a table"),
        table,
    )


def _svg_open(chart_id: str, width: int, height: int, title: str, description: str) -> SafeString:
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description or title,
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in header))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html('<th scope="row">{}</th>', row[0])
                + format_html_join("", "<td>{}</td>", ((c,) for c in row[1:])),
            )
            for row in rows
        ),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _empty(chart_id: str, title: str) -> SafeString:
    return format_html(
        '<figure class="chart"><figcaption id="{}-caption">{}</figcaption><p class="chart-empty">{}</p></figure>',
        chart_id,
        title,
        _("No data for this chart yet."),
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    description: str = "",
    value_format: Callable[[float], str] = format_number,
) -> SafeString:
    """One horizontal bar per label, its value written at its end."""
    chart_id = f"chart-{next(_ids)}"
    if not labels:
        return _empty(chart_id, title)
    width, row, bar = 600, 44, 18
    height = row * len(labels) + 8
    top = _nice_max(max(max(values), 0))
    parts = [_svg_open(chart_id, width, height, title, description)]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 8 + index * row
        length = max(0.0, value) / top * (width - 120)
        parts.append(
            format_html(
                '<text class="chart-label" x="0" y="{}">{}</text>'
                '<rect class="chart-bar" x="0" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                y + 12,
                label,
                y + 17,
                _n(length),
                bar,
                PALETTE[0],
                _n(length + 6),
                y + 31,
                value_format(value),
            )
        )
    parts.append(mark_safe("</svg>"))
    table = _table(
        [_("label"), _("value")], [[label, value_format(v)] for label, v in zip(labels, values, strict=True)]
    )
    return _figure(chart_id, title, description, SafeString("".join(parts)), table)


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    description: str = "",
    area: bool = False,
    value_format: Callable[[float], str] = format_number,
) -> SafeString:
    """One line per series over the x labels (dates, months…); ``area`` fills under each line."""
    chart_id = f"chart-{next(_ids)}"
    if not x_labels or not series:
        return _empty(chart_id, title)
    width, height, left, bottom, top_pad = 600, 260, 56, 40, 12
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = _nice_max(max((max(s.values, default=0) for s in series), default=0))
    step = plot_w / max(1, len(x_labels) - 1)

    def point(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h - max(0.0, v) / top * plot_h

    parts = [_svg_open(chart_id, width, height, title, description)]
    for fraction in (0, 0.5, 1):
        y = top_pad + plot_h - fraction * plot_h
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                _n(y),
                width - 8,
                _n(y),
                left - 6,
                _n(y + 4),
                value_format(top * fraction),
            )
        )
    every = max(1, math.ceil(len(x_labels) / 6))  # at most ~6 x labels: readable on a phone
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            x, _y = point(i, 0)
            parts.append(
                format_html(
                    '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(x),
                    height - bottom + 18,
                    label,
                )
            )
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = [point(i, v) for i, v in enumerate(s.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        if area and points:
            base = top_pad + plot_h
            polygon = f"{points[0][0]:.1f},{base:.1f} {path} {points[-1][0]:.1f},{base:.1f}"
            parts.append(format_html('<polygon class="chart-area" points="{}" fill="{}"></polygon>', polygon, colour))
        parts.append(
            format_html('<polyline class="chart-line" points="{}" fill="none" stroke="{}"></polyline>', path, colour)
        )
    parts.append(mark_safe("</svg>"))
    legend = format_html_join(
        "",
        # An SVG swatch, not a style attribute: the Content-Security-Policy allows no inline style.
        '<li><svg class="chart-key" viewBox="0 0 1 1" aria-hidden="true"><rect width="1" height="1" fill="{}"></rect>'
        "</svg>{}</li>",
        ((PALETTE[i % len(PALETTE)], s.name) for i, s in enumerate(series)),
    )
    rows = [
        [label, *(value_format(s.values[i]) if i < len(s.values) else "" for s in series)]
        for i, label in enumerate(x_labels)
    ]
    table = _table(["", *(s.name for s in series)], rows)
    svg = SafeString("".join(parts)) + format_html('<ul class="chart-legend">{}</ul>', legend)
    return _figure(chart_id, title, description, svg, table)


__all__ = ["PALETTE", "Series", "bar_chart", "format_number", "line_chart"]
