"""Bounces: an e-mail notice the receiving server refused (a 5xx to RCPT TO or at the final ".", or a DSN).

``record_bounce`` marks the notice ``bounced`` and the contact it went to *suspect*
(``recipients.services.mark_suspect``: discovery's contacts only; the selectors then skip it). When
the contact was one discovery found, the notice's links are released and a building pass routes them
to the next source (the next contact of the site, its hosting provider, its CDN — or a draft held for
want of any, which parks them). When it was the registry's or staff's, there is no next source to
trust: the links are parked with the notice held (``hold_code = "bounced"``) until staff give a
contact (``release_held``). ``read_bounces`` ties the DSNs of a mailbox to their notices by the
returned Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging
import mailbox
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle.notices import routing
from sentinelle.notices.dsn import parse_dsn
from sentinelle.notices.models import Channel, Notice, NoticeItem, NoticeStatus
from sentinelle.notices.services import held
from sentinelle.recipients.services import mark_suspect
from sentinelle.takedowns.models import EventKind, LinkStatus
from sentinelle.takedowns.services import change_status_many

logger = logging.getLogger(__name__)

# A DSN may come after the notice was recorded delivered; a refusal at the final "." leaves it failed.
BOUNCEABLE = (NoticeStatus.DELIVERED, NoticeStatus.FAILED)
MOVED = gettext_noop("The notice to %(recipient)s bounced (%(address)s refused it); it moves to the next contact.")
HELD = gettext_noop(
    "The notice to %(recipient)s bounced (%(address)s refused it); the society is looking for another address."
)


def record_bounce(notice_id: int, *, reason: str, source: str, at: dt.datetime | None = None) -> bool:
    """The notice bounced: mark its contact suspect and move it to the next one. False when not applicable.

    Idempotent: a second bounce of the same notice (a DSN after the 5xx) changes nothing.
    """
    now = at or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id, channel=Channel.EMAIL).first()
        if notice is None or notice.status not in BOUNCEABLE:
            return False
        route = dict(notice.route or {})
        finding_id = route.get("finding_id")
        suspect = isinstance(finding_id, int) and mark_suspect(finding_id, f"{source}: {reason}"[:2000], now)
        params = {"address": notice.recipient_email, "reason": " ".join(reason.split())[:300]}
        Notice.objects.filter(pk=notice.pk).update(
            status=NoticeStatus.BOUNCED,
            hold_code="" if suspect else "bounced",
            hold_params=params,
            hold_reason=routing.hold_text_en("bounced", params),
            next_attempt_at=None,
            lease_until=None,
            route={**route, "bounced": {"source": source, "at": now.isoformat()}},
        )
        link_ids = list(notice.items.values_list("link_id", flat=True))
        _links_due_again(notice, link_ids, now, moved=suspect)
        if suspect:
            NoticeItem.objects.filter(notice=notice).update(discarded=True)
            transaction.on_commit(held.queue_build)
        else:
            held.park(link_ids, notice, now)
    return True


def _links_due_again(notice: Notice, link_ids: list[int], now: dt.datetime, *, moved: bool) -> None:
    """The links whose only notice that left was this one wait again for one; each gets a note."""
    others = set(
        NoticeItem.objects.filter(
            link_id__in=link_ids,
            escalation_level=notice.escalation_level,
            discarded=False,
            notice__status__in=(NoticeStatus.DELIVERED, NoticeStatus.ANSWERED),
        )
        .exclude(notice=notice)
        .values_list("link_id", flat=True)
    )
    due = LinkStatus.ACCEPTED if notice.escalation_level == 0 else LinkStatus.ESCALATED
    params: dict[str, object] = {"recipient": notice.recipient_name, "address": notice.recipient_email}
    data: dict[str, object] = {"notice_id": notice.pk, "bounced": True}
    waiting = [pk for pk in link_ids if pk not in others]
    for ids, only_from in ((waiting, (LinkStatus.NOTICE_SENT,)), ([pk for pk in link_ids if pk in others], ())):
        if ids:
            change_status_many(
                ids,
                due,
                kind=EventKind.NOTE,
                message=MOVED if moved else HELD,
                params=params,
                data=data,
                at=now,
                only_from=only_from,
            )


# --- reading the bounces of a mailbox ---------------------------------------------------------------


@dataclass
class BounceReport:
    read: int = 0
    bounces: int = 0
    recorded: list[int] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # Message-IDs that are none of our notices'


def read_bounces(messages: Iterable[bytes]) -> BounceReport:
    """Record every permanent failure the DSNs among ``messages`` report for one of our notices."""
    report = BounceReport()
    for raw in messages:
        report.read += 1
        for bounce in parse_dsn(raw):
            report.bounces += 1
            notice = Notice.objects.filter(message_id=bounce.message_id).only("pk", "recipient_email").first()
            if notice is None:
                report.unmatched.append(bounce.message_id)
                continue
            if bounce.recipient and bounce.recipient != notice.recipient_email.lower():
                continue  # a copy to another address bounced, not the notice's recipient
            reason = f"{bounce.status} {bounce.diagnostic}".strip()
            if record_bounce(notice.pk, reason=reason, source="dsn"):
                report.recorded.append(notice.pk)
    return report


def read_maildir(path: str | Path) -> BounceReport:
    """Read the new messages of a Maildir (moved to ``cur`` and marked seen once read: never read twice)."""
    box = mailbox.Maildir(str(path), factory=None, create=False)
    keys = [key for key in box.iterkeys() if "S" not in box.get_message(key).get_flags()]

    def messages() -> Iterable[bytes]:
        for key in keys:
            raw = box.get_bytes(key)
            yield raw
            message = box.get_message(key)
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message

    return read_bounces(messages())
