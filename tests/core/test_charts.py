"""core.charts: accessible server-side SVG charts."""

from __future__ import annotations

import re

from django.utils import translation

from sentinelle.core import charts


def test_a_bar_chart_has_a_title_a_description_and_its_figures_as_a_table():
    html = charts.bar_chart("Links per site", ["a.to", "b.cc"], [12, 3], description="Top sites")
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-labelledby="(chart-\d+)-title \1-desc"', html)
    assert "<title id=" in html and ">Links per site</title>" in html and ">Top sites</desc>" in html
    assert '<th scope="row">a.to</th><td>12</td>' in html
    assert html.count('class="chart-bar"') == 2


def test_bars_are_proportional_to_their_values():
    html = charts.bar_chart("t", ["a", "b"], [10, 5])
    widths = [float(w) for w in re.findall(r'class="chart-bar"[^>]*width="([\d.]+)"', html)]
    assert widths[0] == 2 * widths[1]


def test_labels_are_escaped():
    html = charts.bar_chart("<b>t</b>", ["<script>x</script>"], [1])
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>t</b>" not in html


def test_a_line_chart_draws_one_line_per_series_and_a_legend():
    html = charts.line_chart(
        "Per month",
        ["2026-01", "2026-02", "2026-03"],
        [charts.Series("a.to", [1, 4, 2]), charts.Series("b.cc", [0, 1, 1])],
        area=True,
    )
    assert html.count('class="chart-line"') == 2 and html.count('class="chart-area"') == 2
    assert "<li>" in html and "a.to" in html
    assert '<th scope="row">2026-02</th><td>4</td><td>1</td>' in html


def test_an_empty_chart_says_so():
    assert "No data for this chart yet." in charts.bar_chart("t", [], [])


def test_numbers_follow_the_active_language():
    with translation.override("fr"):
        html = charts.bar_chart("t", ["a"], [1234567])
    assert "1\u202f234\u202f567" in html or "1 234 567" in html or "1\xa0234\xa0567" in html
