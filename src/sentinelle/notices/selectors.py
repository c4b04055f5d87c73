"""Reads for the notice desk."""

from __future__ import annotations

from django.db.models import QuerySet

from sentinelle.notices.models import Notice, NoticeItem


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
