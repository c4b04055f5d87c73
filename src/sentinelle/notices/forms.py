"""Staff forms of the notice desk: the answer sheet of a notice, the reason for discarding notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sentinelle.notices.models import Decision, NoticeItem

NO_ANSWER = ""


class DiscardForm(forms.Form):
    """Why staff discard the selected notices (kept on each notice and in its links' history)."""

    reason = forms.CharField(
        label=_("Why are these notices discarded?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Shown on each notice and in the history of each of its links."),
    )


@dataclass
class AnswerRow:
    item: NoticeItem
    decision: forms.BoundField
    reason: forms.BoundField
    content: forms.BoundField


@dataclass
class ItemAnswer:
    item: NoticeItem
    decision: str
    reason: str
    content: str


class AnswerSheetForm(forms.Form):
    """One row per item of the notice: a decision, and the reason or counter-notice it needs."""

    DECISIONS = [(NO_ANSWER, _("no answer")), *Decision.choices]

    def __init__(self, *args: Any, items: Sequence[NoticeItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"decision_{item.pk}"] = forms.ChoiceField(
                label=_("decision"), choices=self.DECISIONS, required=False
            )
            self.fields[f"reason_{item.pk}"] = forms.CharField(
                label=_("reason for the refusal"),
                required=False,
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
            )
            self.fields[f"content_{item.pk}"] = forms.CharField(
                label=_("content of the counter-notice"),
                required=False,
                max_length=100_000,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
            )

    def rows(self) -> list[AnswerRow]:
        return [
            AnswerRow(item, self[f"decision_{item.pk}"], self[f"reason_{item.pk}"], self[f"content_{item.pk}"])
            for item in self.items
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answered = 0
        for item in self.items:
            decision = cleaned.get(f"decision_{item.pk}") or NO_ANSWER
            if decision == NO_ANSWER:
                continue
            answered += 1
            if decision == Decision.REFUSED and not (cleaned.get(f"reason_{item.pk}") or "").strip():
                self.add_error(f"reason_{item.pk}", _("A refusal needs its reason."))
            if decision == Decision.COUNTER_NOTICE and not (cleaned.get(f"content_{item.pk}") or "").strip():
                self.add_error(f"content_{item.pk}", _("A counter-notice needs its content."))
        if not answered and not self.errors:
            raise forms.ValidationError(_("Give a decision for at least one address."))
        return cleaned

    def answers(self) -> list[ItemAnswer]:
        out = []
        for item in self.items:
            decision = self.cleaned_data.get(f"decision_{item.pk}") or NO_ANSWER
            if decision != NO_ANSWER:
                out.append(
                    ItemAnswer(
                        item=item,
                        decision=decision,
                        reason=(self.cleaned_data.get(f"reason_{item.pk}") or "").strip(),
                        content=(self.cleaned_data.get(f"content_{item.pk}") or "").strip(),
                    )
                )
        return out
