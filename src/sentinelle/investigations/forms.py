from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sentinelle.investigations import damages
from sentinelle.investigations.models import DomainRelation, SiteStatus
from sentinelle.investigations.selectors import PERIODS, UNKNOWN_KIND
from sentinelle.platforms.models import PlatformKind

MAX_URLS = 100


class RankingFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[("30", _("30 days")), ("90", _("90 days")), ("365", _("12 months")), ("all", _("all time"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("every kind")), (UNKNOWN_KIND, _("not in the platform registry")), *PlatformKind.choices],
    )

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return "365", ""
        period = self.cleaned_data.get("period") or "365"
        return (period if period in PERIODS else "365"), self.cleaned_data.get("kind") or ""


class OpenDossierForm(forms.Form):
    domains = forms.CharField(
        label=_("Domains"), max_length=5000, help_text=_("One or more, separated by spaces or new lines.")
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)

    def domain_list(self) -> list[str]:
        return self.cleaned_data["domains"].split()


class DossierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=SiteStatus.choices)
    operator_notes = forms.CharField(
        label=_("Notes on its operators"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class AddDomainForm(forms.Form):
    domain = forms.CharField(label=_("Domain"), max_length=300)
    relation = forms.ChoiceField(label=_("Relation"), choices=DomainRelation.choices, initial=DomainRelation.MIRROR)


class CaptureForm(forms.Form):
    urls = forms.CharField(
        label=_("Addresses to capture"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One per line.")
    )

    def clean_urls(self) -> list[str]:
        urls = [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]
        if not urls:
            raise forms.ValidationError(_("Give at least one address."))
        if len(urls) > MAX_URLS:
            raise forms.ValidationError(_("At most %(n)s addresses at a time.") % {"n": MAX_URLS})
        return urls


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=2000)


class TransferForm(forms.Form):
    recipient = forms.CharField(label=_("Handed over to"), max_length=300)
    reason = forms.CharField(label=_("Why"), max_length=2000)


INPUT_LABELS = {
    "visits_per_day": _("Visits per day"),
    "period_days": _("Period (days)"),
    "music_share": _("Share of visits that take music (0-1)"),
    "items_per_visit": _("Items taken per such visit"),
    "repertoire_share": _("Share of the society's repertoire in the site's content (0-1)"),
    "unit_value_eur": _("Value of a lawful unit (EUR)"),
    "substitution_low": _("Substitution rate, low"),
    "substitution_central": _("Substitution rate, central"),
    "substitution_high": _("Substitution rate, high"),
}


class DamageForm(forms.Form):
    """One value field and one source field per input of the model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in damages.INPUTS:
            self.fields[name] = forms.DecimalField(
                label=INPUT_LABELS[name], max_digits=20, decimal_places=6, min_value=0
            )
            self.fields[f"{name}_source"] = forms.CharField(
                label=_("Source"), max_length=2000, widget=forms.TextInput(attrs={"class": "source"})
            )
        for name, (value, source) in damages.DEFAULT_SUBSTITUTION.items():
            self.fields[name].initial = value
            self.fields[f"{name}_source"].initial = source

    def pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[name], self[f"{name}_source"]) for name in damages.INPUTS]

    def inputs(self) -> dict[str, dict[str, object]]:
        return {
            name: {"value": self.cleaned_data[name], "source": self.cleaned_data[f"{name}_source"]}
            for name in damages.INPUTS
        }
