from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sentinelle.stats.outcomes import REPORTED, Outcome
from sentinelle.takedowns.models import LinkStatus

ACTION_CHOICES = [
    ("remove", _("Remove from the site")),
    ("delist", _("Delist from search engines")),
    ("both", _("Both")),
]
# One line under each choice: what it sends, to whom (nothing is preselected: the member decides).
ACTION_HELP = {
    "remove": _("A notice to the site or platform hosting the page, asking it to take the page down."),
    "delist": _(
        "A notice to each search engine, asking it to drop the page from its results; the page itself stays online."
    ),
    "both": _("Both notices: to the host and to every search engine. A link still counts once in your daily quota."),
}


class ReportLinksForm(forms.Form):
    links = forms.CharField(
        label=_("Links"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "One web address per line, or paste any text (an e-mail, a notice): the addresses are found in it."
        ),
        strip=False,
    )
    action = forms.ChoiceField(
        label=_("What should happen"),
        choices=ACTION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what should happen to these links.")},
    )

    def action_options(self) -> list[tuple[object, object]]:
        """Each radio button of ``action`` with its one-line explanation, for the template."""
        return [(radio, ACTION_HELP[radio.data["value"]]) for radio in self["action"]]

    def actions(self) -> list[str]:
        action = self.cleaned_data["action"]
        return ["remove", "delist"] if action == "both" else [action]


class HistoryFilterForm(forms.Form):
    work = forms.TypedChoiceField(label=_("Work"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("any")), *LinkStatus.choices])
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("any")), (REPORTED, _("reported (accepted)")), *Outcome.choices],
    )
    platform = forms.CharField(label=_("Platform or site"), required=False, max_length=255)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, works: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["work"].choices = [("", _("all my works")), *works]  # type: ignore[attr-defined]
