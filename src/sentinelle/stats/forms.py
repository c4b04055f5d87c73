from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sentinelle.platforms.models import Platform, PlatformKind
from sentinelle.takedowns.models import Action

# A period longer than this is refused (a typo in a year, not a question anyone asks).
MAX_PERIOD_DAYS = 366 * 10
# The years a DSA report may be asked for (the regulation applies from 2024; older years are allowed
# for a society that wants to look back).
MIN_YEAR, MAX_YEAR = 2000, 2100


class PeriodForm(forms.Form):
    """``from`` and ``to`` (both optional, both inclusive local days) — the dashboards' period."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def _served(self, name: str) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get(name)
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("Choose a day from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}, code="year_range"
            )
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._served("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._served("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start before it ends."), code="period_order")
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("The period may be at most ten years long."), code="period_length")
        return data

    def period(self, default: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
        """The chosen period, the default's ends filling what was left empty (or everything, if invalid)."""
        if not self.is_bound or not self.is_valid():
            return default
        start = self.cleaned_data.get("date_from") or default[0]
        end = self.cleaned_data.get("date_to") or default[1]
        return (start, end) if start <= end else default


class SocietyFilterForm(PeriodForm):
    """The society dashboard's period and filters; an unknown platform name is an error, not "all"."""

    platform_kind = forms.ChoiceField(
        label=_("Kind of platform"), required=False, choices=[("", _("all kinds")), *PlatformKind.choices]
    )
    platform = forms.CharField(label=_("Platform"), required=False, max_length=200)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("both")), *Action.choices])

    def clean_platform(self) -> int | None:
        name = self.cleaned_data.get("platform", "").strip()
        if not name:
            return None
        found = Platform.objects.filter(name__iexact=name).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(_("No platform of that name in the registry."), code="unknown_platform")
        return int(found)

    def filters(self) -> dict[str, Any]:
        """The valid filters (kind, platform id, action); none when the form is invalid."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"platform_kind": data["platform_kind"], "platform_id": data["platform"], "action": data["action"]}
