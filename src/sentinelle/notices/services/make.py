"""Making notices: the rows of a batch of notices, written together in one transaction.

The builder (services/build.py) hands over notices ready to be made: a recipient, a group key
and the due links of one notice. A batch of them (at most ``BATCH_LINKS`` links) is made in one
transaction: its links locked in one query (PostgreSQL: FOR UPDATE SKIP LOCKED, a link another
builder holds is left to it; SQLite: the IMMEDIATE write transaction already serialises
builders), each notice keeps its links still due and not yet in a notice to its recipient at its
level, then the notices, their items and their parked links are written in three streams (COPY on
PostgreSQL: ``core.copyrows``). If another builder made one of these (link, level, recipient)
between the check and the write, the unique constraint refuses the batch and its notices are
made again one by one, each in its own transaction, the taken links left out.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sentinelle import conf
from sentinelle.core.copyrows import insert_rows, insert_values
from sentinelle.notices import legal, routing
from sentinelle.notices.models import Channel, Notice, NoticeItem, NoticeStatus
from sentinelle.notices.routing import Route
from sentinelle.notices.services import held
from sentinelle.takedowns.models import Action, LinkStatus, ReportedLink

logger = logging.getLogger(__name__)

# Links (of several notices) made in one transaction: few round trips, short locks.
BATCH_LINKS = 2000
THREAD_MAX = 20  # Message-IDs a reminder refers to (a header of a few lines; the first notices first)
# Links waiting for their notices (level 0: accepted; a higher level: escalated).
DUE_STATUSES = (LinkStatus.ACCEPTED, LinkStatus.ESCALATED)
# A link due when the pass began is still built into every notice it needs after one of them was
# delivered (a link needs one notice per recipient, per search engine say, and a worker may deliver
# the first before the pass reaches the next): "notice sent" does not end its building.
BUILDABLE_STATUSES = (*DUE_STATUSES, LinkStatus.NOTICE_SENT)


class GroupKey(NamedTuple):
    """The links of one notice share these (and a notice holds at most ``SENTINELLE_NOTICE_MAX_URLS``)."""

    recipient_key: str
    action: str
    regime: str
    language: str
    level: int


class Spec(NamedTuple):
    """One notice to make: its recipient, its group and its links (each with its ``item``)."""

    rec: Route
    key: GroupKey
    links: list[dict[str, Any]]


Made = tuple[Notice, list[int]]


def batches(specs: Sequence[Spec]) -> list[list[Spec]]:
    """``specs`` in batches of at most ``BATCH_LINKS`` links (a larger notice alone in its batch)."""
    out: list[list[Spec]] = []
    size = 0
    for spec in specs:
        if not out or size + len(spec.links) > BATCH_LINKS:
            out.append([])
            size = 0
        out[-1].append(spec)
        size += len(spec.links)
    return out


def make_notices(batch: Sequence[Spec], now: dt.datetime) -> list[Made]:
    """Make the notices of ``batch`` in one transaction; on a race, one by one (see the module)."""
    try:
        with transaction.atomic():
            return _write(_still_due(batch), now)
    except IntegrityError:
        logger.info("a batch of %s notices lost a race; made one by one", len(batch))
        made = (make_one(spec, now) for spec in batch)
        return [m for m in made if m is not None]


def make_one(spec: Spec, now: dt.datetime) -> Made | None:
    """One notice in its own transaction; None when no link of it is still due (or another builder won)."""
    try:
        with transaction.atomic():
            made = _write(_still_due([spec]), now)
            return made[0] if made else None
    except IntegrityError:
        logger.info("notice for %s level %s lost a race; its links are in another notice", spec.rec.key, spec.key.level)
        return None


def _still_due(batch: Sequence[Spec]) -> list[Spec]:
    """Lock the batch's links; each notice keeps those still due and not yet in a notice to its recipient."""
    ids = sorted({link["id"] for spec in batch for link in spec.links})
    lock = ReportedLink.objects.filter(pk__any=ids, status__in=BUILDABLE_STATUSES).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        lock = lock.select_for_update(skip_locked=True)
    live = set(lock.values_list("pk", flat=True))
    taken = set(
        NoticeItem.objects.filter(link_id__any=live, discarded=False).values_list(
            "link_id", "escalation_level", "recipient_key"
        )
    )
    out = []
    for spec in batch:
        key = spec.key
        links = [x for x in spec.links if x["id"] in live and (x["id"], key.level, spec.rec.key) not in taken]
        if links:
            out.append(Spec(spec.rec, key, links))
    return out


def _write(specs: list[Spec], now: dt.datetime) -> list[Made]:
    """The notices, their items and their parked links, each written in one stream."""
    threads = _threads(specs)
    notices = [_notice_row(s, now, thread=threads(s)) for s in specs]
    insert_rows(notices, want_ids=True)
    insert_values(
        NoticeItem,
        [
            {
                "notice_id": notice.pk,
                "link_id": link["id"],
                "escalation_level": spec.key.level,
                "recipient_key": spec.rec.key,
                "position": n,
                "url": link["item"].url,
                "site": link["item"].site,
                "work_title": link["item"].work_title[:200],
                "work_iswc": link["item"].work_iswc,
                "rights_holders": link["item"].rights_holders,
                "discarded": False,
            }
            for spec, notice in zip(specs, notices, strict=True)
            for n, link in enumerate(spec.links, start=1)
        ],
    )
    made = [(notice, [link["id"] for link in spec.links]) for spec, notice in zip(specs, notices, strict=True)]
    held.park_many([(notice, ids) for notice, ids in made if notice.hold_code == "no_contact"], now)
    return made


def _threads(specs: list[Spec]) -> Callable[[Spec], list[str]]:
    """For each notice, the Message-IDs of the first notices about its links, which a reminder or
    an escalation replies to (the first ones first, at most ``THREAD_MAX``); none at level 0."""
    ids = sorted({link["id"] for s in specs if s.key.level > 0 for link in s.links})
    first: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        rows = (
            NoticeItem.objects.filter(link_id__any=ids[start : start + 5000], escalation_level=0)
            .exclude(notice__status=NoticeStatus.DISCARDED)
            .values_list("link_id", "notice_id", "notice__message_id")
        )
        for link_id, notice_id, message_id in rows:
            first[link_id].append((notice_id, message_id))

    def thread(spec: Spec) -> list[str]:
        if spec.key.level == 0:
            return []
        found = sorted({pair for link in spec.links for pair in first.get(link["id"], [])})
        return list(dict.fromkeys(message_id for _n, message_id in found))[:THREAD_MAX]

    return thread


def _status(rec: Route, missing: Sequence[object]) -> tuple[str, str, dict[str, Any]]:
    """(status, hold code, its parameters) of a new notice: queued, or a draft held for staff."""
    if rec.channel == Channel.NONE:
        return NoticeStatus.DRAFT, "no_contact", {"recipient": rec.name, "domain": rec.domain}
    if rec.channel == Channel.HTTPS and not conf.public_url():
        return NoticeStatus.DRAFT, "no_public_url", {}
    if missing:
        return NoticeStatus.DRAFT, "missing_elements", {"missing": "; ".join(str(m) for m in missing)}
    return NoticeStatus.QUEUED, "", {}


def _notice_row(spec: Spec, now: dt.datetime, *, thread: list[str]) -> Notice:
    """The notice (not saved): its text rendered for the recipient's regime and language, its channel and status."""
    rec, key = spec.rec, spec.key
    idempotency_key = uuid.uuid4().hex
    sender = conf.society()
    data = legal.NoticeData(
        regime=key.regime,
        language=key.language,
        action=key.action,
        escalation_level=key.level,
        recipient_name=rec.name,
        recipient_domain=rec.domain,
        sender=sender,
        dated=timezone.localdate(now),
        reference=legal.reference_for_key(idempotency_key),
        items=[link["item"] for link in spec.links],
        search_engine=key.action == Action.DELIST,
        recipient_role=rec.role if key.level < 2 else "",
    )
    data = replace(data, recipient_address=legal.designated_address(rec.channel, rec.email, rec.endpoint))
    ctx = legal.context(data)
    body = legal.render_body(data, ctx)
    status, hold_code, hold_params = _status(rec, legal.missing_elements(data, body, ctx))
    domain = sender.get("email", "").rpartition("@")[2].strip() or "sentinelle.invalid"
    return Notice(
        recipient_platform=rec.platform,
        recipient_key=rec.key,
        recipient_name=legal.single_line(rec.name, 200),
        recipient_domain=rec.domain[:255],
        recipient_email=rec.email,
        recipient_endpoint=rec.endpoint,
        channel=rec.channel,
        action=key.action,
        regime=key.regime,
        language=key.language,
        escalation_level=key.level,
        status=status,
        hold_reason=routing.hold_text_en(hold_code, hold_params),
        hold_code=hold_code,
        hold_params=hold_params,
        route=rec.as_json(),
        sender=sender,
        dated=data.dated,
        subject=legal.render_subject(data, ctx),
        body=body,
        message_id=f"<notice.{idempotency_key}@{legal.single_line(domain, 200)}>",
        thread_message_ids=thread,
        idempotency_key=idempotency_key,
        next_attempt_at=now if status == NoticeStatus.QUEUED else None,
    )
