"""Recording the recipients' answers: one RecipientAnswer per URL and the status it calls for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sentinelle.core.errors import DomainError
from sentinelle.members.models import User
from sentinelle.notices.models import (
    Decision,
    Notice,
    NoticeItem,
    NoticeStatus,
    PlatformApiToken,
    RecipientAnswer,
)
from sentinelle.takedowns.models import Action, EventKind, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status

# --- answers -----------------------------------------------------------------------------------


class AnswerError(DomainError):
    """The answer cannot be recorded; nothing was saved."""


@dataclass
class ItemDecision:
    item: NoticeItem
    decision: str
    reason: str = ""
    content: str = ""


def _answer_status(link: ReportedLink, decision: str) -> str:
    if decision == Decision.ACTIONED:
        return LinkStatus.DELISTED if link.action == Action.DELIST else LinkStatus.REMOVED
    if decision == Decision.REFUSED:
        return LinkStatus.REFUSED_BY_PLATFORM
    return LinkStatus.COUNTER_NOTICE


def _validate(notice: Notice, decisions: Sequence[ItemDecision]) -> None:
    if notice.status not in (NoticeStatus.DELIVERED, NoticeStatus.ANSWERED):
        raise AnswerError("not_delivered", _("This notice has not been delivered; it cannot be answered yet."), 409)
    if not decisions:
        raise AnswerError("empty", _("Give a decision for at least one address."))
    for d in decisions:
        if d.item.notice_id != notice.pk:
            raise AnswerError("unknown_item", _("An address is not part of this notice."))
        if d.decision not in Decision.values:
            raise AnswerError("invalid_decision", _("Unknown decision %(d)s.") % {"d": d.decision})
        if d.decision == Decision.REFUSED and not d.reason.strip():
            raise AnswerError("reason_required", _("A refusal needs its reason."))
        if d.decision == Decision.COUNTER_NOTICE and not d.content.strip():
            raise AnswerError("content_required", _("A counter-notice needs its content."))


def _answer_message(d: ItemDecision, who: str) -> tuple[str, dict[str, object]]:
    """The event text (English source) and its params. The recipient's own words (a reason, a
    counter-notice) are a parameter, never the msgid."""
    if d.decision == Decision.ACTIONED:
        return gettext_noop("%(who)s says it acted on the notice."), {"who": who}
    if d.decision == Decision.REFUSED:
        return gettext_noop("%(who)s refused to act: %(reason)s"), {"who": who, "reason": d.reason}
    return gettext_noop("%(who)s forwarded a counter-notice: %(content)s"), {"who": who, "content": d.content}


def record_answers(
    notice: Notice,
    decisions: Sequence[ItemDecision],
    *,
    token: PlatformApiToken | None = None,
    user: User | None = None,
) -> list[RecipientAnswer]:
    """The recipient's decision per URL → RecipientAnswer rows and LinkEvents on the links."""
    _validate(notice, decisions)
    answers: list[RecipientAnswer] = []
    now = timezone.now()
    with transaction.atomic():
        for d in decisions:
            answer = RecipientAnswer.objects.create(
                notice=notice,
                item=d.item,
                decision=d.decision,
                reason=d.reason[:10_000],
                counter_notice=d.content[:100_000],
                via_token=token,
                recorded_by=user,
            )
            answers.append(answer)
            link = ReportedLink.objects.get(pk=d.item.link_id)
            message, params = _answer_message(d, notice.recipient_name)
            change_status(
                link,
                _answer_status(link, d.decision),
                kind=EventKind.ANSWER,
                message=message,
                params=params,
                actor=user,
                at=now,
                data={
                    "notice_id": notice.pk,
                    "answer_id": answer.pk,
                    "decision": d.decision,
                    "reason": d.reason,
                    "counter_notice": d.content,
                    "recorded_via": "api" if token is not None else "staff",
                },
            )
        Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.ANSWERED, answered_at=now)
    notice.status = NoticeStatus.ANSWERED
    return answers
