"""Recording the recipients' answers: one RecipientAnswer per URL and the status it calls for."""

from __future__ import annotations

import datetime as dt
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


def derived_status(link: ReportedLink) -> str:
    """The link's status from the latest answer of every recipient of its live notices.

    A link may have several notices (one per search engine, one per recipient and level): one
    recipient's answer does not settle it alone. Any "actioned" makes a removal *announced* (the
    checks confirm it: two removed verdicts) or a delisting done; otherwise any counter-notice
    makes it a counter-notice (final for that notice: the society decides); a refusal settles it
    only when every delivered notice was refused. A link already verified removed stays removed.
    """
    if link.status in (LinkStatus.REMOVED, LinkStatus.DELISTED):
        return link.status
    latest: dict[int, str] = {}
    for item_id, decision in (
        RecipientAnswer.objects.filter(item__link=link, item__discarded=False)
        .order_by("received_at", "id")
        .values_list("item_id", "decision")
    ):
        latest[item_id] = decision
    decisions = set(latest.values())
    if Decision.ACTIONED in decisions:
        return LinkStatus.DELISTED if link.action == Action.DELIST else LinkStatus.REMOVAL_ANNOUNCED
    if Decision.COUNTER_NOTICE in decisions:
        return LinkStatus.COUNTER_NOTICE
    delivered = NoticeItem.objects.filter(
        link=link, discarded=False, notice__status__in=(NoticeStatus.DELIVERED, NoticeStatus.ANSWERED)
    ).count()
    if decisions == {Decision.REFUSED} and len(latest) >= delivered:
        return LinkStatus.REFUSED_BY_PLATFORM
    return link.status


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


@dataclass(frozen=True)
class RecordedAnswer:
    """One decision as recorded: a new row, or the identical answer already on record (a replay)."""

    answer: RecipientAnswer
    replay: bool


def _same_as_latest(latest: RecipientAnswer, d: ItemDecision) -> bool:
    return (
        latest.decision == d.decision
        and latest.reason == d.reason[:10_000]
        and latest.counter_notice == d.content[:100_000]
    )


def record_answers(
    notice: Notice,
    decisions: Sequence[ItemDecision],
    *,
    token: PlatformApiToken | None = None,
    user: User | None = None,
) -> list[RecordedAnswer]:
    """The recipient's decision per URL → RecipientAnswer rows and LinkEvents on the links.

    Idempotent: a decision identical to the latest answer on record for its address (same
    decision, same reason, same counter-notice) is a replay — a retried request, a double
    submit — and records nothing: no row, no event; the earlier answer is returned instead.
    The notice row is locked first, so two identical answers racing record one.
    """
    _validate(notice, decisions)
    recorded: list[RecordedAnswer] = []
    now = timezone.now()
    with transaction.atomic():
        Notice.objects.select_for_update().filter(pk=notice.pk).first()
        for d in decisions:
            latest = RecipientAnswer.objects.filter(item=d.item).order_by("-received_at", "-id").first()
            if latest is not None and _same_as_latest(latest, d):  # a replay
                recorded.append(RecordedAnswer(latest, replay=True))
                continue
            answer = RecipientAnswer.objects.create(
                notice=notice,
                item=d.item,
                decision=d.decision,
                reason=d.reason[:10_000],
                counter_notice=d.content[:100_000],
                via_token=token,
                recorded_by=user,
            )
            recorded.append(RecordedAnswer(answer, replay=False))
            _record_event(notice, d, answer, user=user, via_api=token is not None, at=now)
        if any(not r.replay for r in recorded):
            Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.ANSWERED, answered_at=now)
            notice.status = NoticeStatus.ANSWERED
    return recorded


def _record_event(
    notice: Notice, d: ItemDecision, answer: RecipientAnswer, *, user: User | None, via_api: bool, at: dt.datetime
) -> None:
    link = ReportedLink.objects.get(pk=d.item.link_id)
    message, params = _answer_message(d, notice.recipient_name)
    change_status(
        link,
        derived_status(link),
        kind=EventKind.ANSWER,
        message=message,
        params=params,
        actor=user,
        at=at,
        data={
            "notice_id": notice.pk,
            "platform_id": notice.recipient_platform_id,
            "answer_id": answer.pk,
            "decision": d.decision,
            "reason": d.reason,
            "counter_notice": d.content,
            "recorded_via": "api" if via_api else "staff",
        },
    )


# --- the society's decision after a counter-notice ---------------------------------------------


def decide_counter_notice(link: ReportedLink, *, actor: User, pursue: bool, reason: str) -> None:
    """Staff record whether the society pursues (court action) after a counter-notice, and why.

    The counter-notice is final for its notice; this closes the link either way (``pursued`` or
    ``closed``), the member is told in the digest, and a later report of the URL is a new request.
    """
    if not reason.strip():
        raise AnswerError("reason_required", _("Give the reason for the society's decision."))
    with transaction.atomic():
        locked = ReportedLink.objects.select_for_update().get(pk=link.pk)
        if locked.status != LinkStatus.COUNTER_NOTICE:
            raise AnswerError("not_counter_notice", _("This link has no counter-notice awaiting a decision."), 409)
        _decide(link, actor=actor, pursue=pursue, reason=reason)


def _decide(link: ReportedLink, *, actor: User, pursue: bool, reason: str) -> None:
    if pursue:
        to_status, message = (
            LinkStatus.PURSUED,
            gettext_noop("After the counter-notice, the society pursues: %(reason)s"),
        )
    else:
        to_status, message = (
            LinkStatus.CLOSED,
            gettext_noop("After the counter-notice, the society does not pursue: %(reason)s"),
        )
    change_status(
        link,
        to_status,
        kind=EventKind.NOTE,
        message=message,
        params={"reason": reason.strip()[:2000]},
        actor=actor,
        data={"counter_notice_decision": "pursue" if pursue else "drop"},
    )
