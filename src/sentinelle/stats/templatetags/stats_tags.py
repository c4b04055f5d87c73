"""Filters for the dashboards: rates as percentages, hours as a readable duration."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.756 → "75.6 %" (in the active locale); "—" when there is no rate (nothing reported)."""
    if value is None:
        return "—"
    return _("%(number)s %%") % {"number": number_format(round(value * 100, 1), decimal_pos=1, use_l10n=True)}


@register.filter
def duration_hours(value: float | None) -> str:
    """Hours as "5 hours" under two days, else as days with one decimal; "—" when there is none."""
    if value is None:
        return "—"
    if value < 48:
        hours = round(value, 1)
        shown = number_format(hours, decimal_pos=0 if float(hours).is_integer() else 1, use_l10n=True)
        return ngettext("%(n)s hour", "%(n)s hours", int(hours)) % {"n": shown}
    days = number_format(round(value / 24, 1), decimal_pos=1, use_l10n=True)
    return ngettext("%(n)s day", "%(n)s days", int(value // 24)) % {"n": days}


@register.filter
def duration_days(value: float | None) -> str:
    """Whole days (society figures); "—" when there is none."""
    if value is None:
        return "—"
    shown = number_format(round(value, 1), decimal_pos=0 if float(value).is_integer() else 1, use_l10n=True)
    return ngettext("%(n)s day", "%(n)s days", int(value)) % {"n": shown}
