"""Reads for the notice desk."""

from __future__ import annotations

from django.db.models import QuerySet

from sentinelle.notices import legal
from sentinelle.notices.models import Notice, NoticeItem
from sentinelle.takedowns.models import Action


def answer_sheet_items(notice: Notice) -> QuerySet[NoticeItem]:
    """The notice's items in their order, with their link and the answers already recorded."""
    return notice.items.select_related("link").prefetch_related("answers").order_by("position", "pk")


def recipients_with_notices() -> list[tuple[str, str]]:
    """(recipient key, recipient name) of every recipient that has notices, for the list filter."""
    rows = Notice.objects.order_by("recipient_name", "recipient_key").values_list("recipient_key", "recipient_name")
    seen: dict[str, str] = {}
    for key, name in rows.distinct():
        seen.setdefault(key, name)
    return sorted(seen.items(), key=lambda kv: (kv[1].casefold(), kv[0]))


def notice_data(notice: Notice) -> legal.NoticeData:
    """What the notice says, from its stored row and items: for rendering and validation."""
    items = [
        legal.ItemData(
            url=i.url,
            site=i.site,
            work_title=i.work_title,
            work_iswc=i.work_iswc,
            rights_holders=list(i.rights_holders),
        )
        for i in notice.items.order_by("position")
    ]
    return legal.NoticeData(
        regime=notice.regime,
        language=notice.language,
        action=notice.action,
        escalation_level=notice.escalation_level,
        recipient_name=notice.recipient_name,
        recipient_domain=notice.recipient_domain,
        sender=dict(notice.sender),
        dated=notice.dated,
        reference=legal.reference(notice),
        items=items,
        search_engine=notice.action == Action.DELIST,
    )
