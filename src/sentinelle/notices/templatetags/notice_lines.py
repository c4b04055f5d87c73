"""The works of a notice as lines of text, one call instead of a template loop.

A notice naming 1,000 works spent most of its rendering in ``{% for %}`` (seven nodes a work); the
wording — the labels — stays in each regime's and language's template, this tag only puts it
together, as ``legal._item_line`` does for the URLs.
"""

from __future__ import annotations

from typing import Any

from django import template

from sentinelle.notices.legal import work_line

register = template.Library()


@register.simple_tag(takes_context=True)
def work_lines(context: Any, works: list[dict[str, Any]], holders_label: str, reporters_label: str) -> str:
    """Each work on a line of its own, after a line break:
    ``W1. "title" — ISWC T-… — <holders_label> names — <reporters_label> names``."""
    quotes = context["quotes"]
    return "".join(f"\n{work_line(w, quotes, holders_label, reporters_label)}" for w in works)
