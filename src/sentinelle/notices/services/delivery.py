"""Delivering notices exactly once (docs/notices.md, "Exactly once").

claim (queued → sending, an attempt row "started", committed) → send → record. The channel
calls ``commit_point`` just before its point of no return; the attempt becomes "committing"
in a committed transaction. A notice left in "sending" past its lease is re-checked:
"started" means nothing left (resend); "committing" means the recipient may have it or not:
it is resent with the same Message-ID, reference and Idempotency-Key and marked "resent after
an unknown outcome" for staff — never a notice recorded as delivered that was not.

The channel is handed the notice and its data (``selectors.notice_data``); channels import no
service. ``enqueue_delivery`` imports the tasks module, which imports this package only inside
its task functions (the one place the cycle service → task → service is cut).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, TextField
from django.db.models.base import ModelState
from django.db.models.functions import Cast
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import conf
from sentinelle.core import collector
from sentinelle.members.models import User
from sentinelle.notices import faults, legal, tasks
from sentinelle.notices.channels.base import ChannelSet, DeliveryError
from sentinelle.notices.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Notice,
    NoticeItem,
    NoticeStatus,
)
from sentinelle.notices.selectors import notice_data
from sentinelle.takedowns.models import EventKind, LinkStatus
from sentinelle.takedowns.services import change_status_many

logger = logging.getLogger(__name__)

AUTOMATIC_CHANNELS = (Channel.EMAIL, Channel.HTTPS)
MANUAL_CHANNELS = (Channel.BULK_FILE, Channel.WEB_FORM)
# A delivered notice moves a link still waiting for one to "notice sent"; a link that has moved on
# (removed by an earlier notice, refused…) keeps its status and only gains the event.
_WAITING = {
    LinkStatus.ACCEPTED,
    LinkStatus.ESCALATED,
    LinkStatus.NOTICE_SENT,
    LinkStatus.STILL_ONLINE,
    LinkStatus.REAPPEARED,
}


def enqueue_delivery(notice_id: int, run_after: dt.datetime | None = None) -> None:
    """Queue one delivery attempt (after ``run_after`` where the tasks backend can defer)."""
    if not conf.notice_enqueue_delivery():
        return
    try:
        task = tasks.deliver_notice
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue(notice_id)
    except Exception:
        logger.exception("could not enqueue the delivery of notice %s", notice_id)


# --- delivering --------------------------------------------------------------------------------


def _due_filter(now: dt.datetime) -> Q:
    return Q(status=NoticeStatus.QUEUED, channel__in=AUTOMATIC_CHANNELS) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _open_attempt(notice: Notice, now: dt.datetime, *, worker: str, actor: User | None = None) -> DeliveryAttempt:
    """The row of an attempt that is starting; only the claimant of a notice gets here."""
    # Attempt rows are numbered across every series; ``attempt_count`` counts the current series only
    # (staff re-queueing a failed notice start a new one).
    last = DeliveryAttempt.objects.filter(notice=notice).aggregate(last=Max("number"))["last"]
    return DeliveryAttempt.objects.create(
        notice=notice,
        number=int(last or 0) + 1,
        started_at=now,
        channel=notice.channel,
        outcome=AttemptOutcome.STARTED,
        worker=worker[:100],
        actor=actor,
    )


# Claims take this PostgreSQL advisory lock (for their transaction), so two workers never claim at
# the same moment and the "recipient already being sent to" test below is exact. SQLite's write
# transactions (IMMEDIATE) already come one at a time.
_CLAIM_LOCK = 0x5E47_0001
CLAIM_BATCH = 20
# An attempt still "started" or "committing" is its notice's live one: a recovery (``recover_stale``) or
# a release (``_release``) ends it in the same transaction that takes the notice out of "sending".
_OPEN = (AttemptOutcome.STARTED, AttemptOutcome.COMMITTING)


class ClaimLost(Exception):
    """The worker's lease ran out and another worker took the notice over: hand nothing over."""


def _claim(
    due_at: dt.datetime, worker: str, *, limit: int, now: dt.datetime | None = None, only: int | None = None
) -> list[tuple[Notice, DeliveryAttempt]]:
    """Claim up to ``limit`` notices due at ``due_at``, in one transaction: each goes "sending" under a
    lease with its attempt row "started", committed before anything leaves.

    A notice whose recipient is already being sent to (another notice of the same recipient
    "sending" under a live lease) is left for later, so one recipient is sent to by one worker at a
    time and workers run side by side across recipients. ``only``: that notice, if it can be claimed.
    """
    now = now or timezone.now()
    busy = Notice.objects.filter(
        status=NoticeStatus.SENDING, lease_until__gte=now, recipient_key=OuterRef("recipient_key")
    )
    due = Notice.objects.filter(_due_filter(due_at)).exclude(Exists(busy))
    if only is not None:
        due = due.filter(pk=only)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLAIM_LOCK])
            due = due.select_for_update(skip_locked=True)
        rows = list(due.order_by("next_attempt_at", "pk").values_list("pk", "channel")[:limit])
        ids = [pk for pk, _ in rows]
        if not ids:
            return []
        lease_until = now + conf.notice_send_lease()
        Notice.objects.filter(pk__in=ids).update(
            status=NoticeStatus.SENDING, attempt_count=F("attempt_count") + 1, lease_until=lease_until
        )
        numbers = DeliveryAttempt.objects.filter(notice_id__in=ids).values("notice_id").order_by("notice_id")
        last = dict(numbers.annotate(last=Max("number")).values_list("notice_id", "last"))
        attempts = DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(
                notice_id=pk,
                number=last.get(pk, 0) + 1,
                started_at=now,
                channel=channel,
                outcome=AttemptOutcome.STARTED,
                worker=worker[:100],
            )
            for pk, channel in rows
        )
    # Read after the claim's commit (the lock is held for the claim only). The cyclic collector waits
    # meanwhile (``core.collector``): it rescanned the batch's thousands of items, all alive, again
    # and again (15 µs an item with it, 6 without: 20 notices of 216 links).
    with collector.paused():
        notices = with_items(ids)
    return [(notices[attempt.notice_id], attempt) for attempt in attempts]


def with_items(ids: list[int]) -> dict[int, Notice]:
    """The notices and, in one query, their items in position order, which the data, the channel
    and the record all read from (``notice.items.all()`` reads no more).

    What ``prefetch_related`` would do, less its work per item (a notice of hundreds of links spent
    more in it than in reading the rows): each item's notice is set in its cache directly, the items
    are made by ``_item_maker``, and each distinct rights-holders list is decoded once and shared by
    the items that carry it (a work's items in a notice; the validator reads a shared list once).
    """
    notices = Notice.objects.in_bulk(ids)
    groups: dict[int, list[NoticeItem]] = {pk: [] for pk in notices}
    names = [name for name in _ITEM_COLUMNS if name != "rights_holders"]
    rows = (
        NoticeItem.objects.filter(notice_id__in=ids)
        .order_by("notice_id", "position", "pk")
        .values_list(*names, Cast("rights_holders", TextField()))
    )
    make = _item_maker(rows.db)
    lists: dict[str, list[dict[str, Any]]] = {}
    for *values, holders_json in rows:
        fields = dict(zip(names, values, strict=True))
        holders = lists.get(holders_json)
        if holders is None:
            holders = lists[holders_json] = json.loads(holders_json)  # the column is NOT NULL (0001_initial)
        fields["rights_holders"] = holders
        notice = notices[fields["notice_id"]]
        groups[notice.pk].append(make(fields, notice))
    for pk, notice in notices.items():
        # The attributes Django's own prefetch sets (QuerySet internals; were they to change, items.all()
        # would query again: slower, not wrong).
        items = notice.items.all()
        items._result_cache = groups[pk]
        items._prefetch_done = True  # type: ignore[attr-defined]
        notice._prefetched_objects_cache = {"items": items}  # type: ignore[attr-defined]
    return notices


_ITEM_COLUMNS = tuple(field.attname for field in NoticeItem._meta.concrete_fields)


def _item_maker(db: str) -> Callable[[dict[str, Any], Notice], NoticeItem]:
    """How ``with_items`` makes an item of its notice from a full row (field name → value): as
    ``Model.from_db`` would, less ``Model.__init__``'s work per field (a third of reading a claimed
    batch), the attributes set as ``__init__`` sets them. ``__init__`` also sends ``pre_init`` and
    ``post_init``: while a receiver listens to them for NoticeItem, items are made the usual way."""
    if pre_init.has_listeners(NoticeItem) or post_init.has_listeners(NoticeItem):

        def from_db(fields: dict[str, Any], notice: Notice) -> NoticeItem:
            item = NoticeItem.from_db(db, list(_ITEM_COLUMNS), [fields[name] for name in _ITEM_COLUMNS])
            item._state.fields_cache["notice"] = notice
            return item

        return from_db

    def direct(fields: dict[str, Any], notice: Notice) -> NoticeItem:
        item = NoticeItem.__new__(NoticeItem)
        item.__dict__.update(fields)
        state = item._state = ModelState()
        state.adding = False
        state.db = db
        state.fields_cache = {"notice": notice}  # what the descriptor would make on first use
        return item

    return direct


def _attempt(notice: Notice, attempt: DeliveryAttempt, now: dt.datetime, channels: ChannelSet) -> str:
    """Send one claimed notice through its channel and record the outcome; returns its status."""
    faults.crash_point("after_claim")
    data = notice_data(notice)
    missing = legal.missing_elements(data, notice.body)
    if missing:  # held as a draft, unless another worker has the notice now (then its status)
        error = DeliveryError("; ".join(str(m) for m in missing), temporary=False)
        return _record_failure(notice, attempt, error, now, hold=True)

    def commit_point() -> None:
        # One UPDATE, committed on its own (autocommit); no row means the claim was taken over.
        handed = DeliveryAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.STARTED).update(
            outcome=AttemptOutcome.COMMITTING, handed_over=True
        )
        if not handed:
            raise ClaimLost(f"notice {notice.pk}: attempt {attempt.number} was recovered by another worker")

    try:
        receipt = channels.get(notice.channel).deliver(notice, data, commit_point=commit_point)
    except ClaimLost:
        logger.warning("notice %s was taken over by another worker before its hand-over; not sent", notice.pk)
        return Notice.objects.filter(pk=notice.pk).values_list("status", flat=True).get()
    except DeliveryError as exc:
        return _record_failure(notice, attempt, exc, now)
    return _record_delivered(notice, attempt, receipt.response_excerpt, outcome=AttemptOutcome.DELIVERED)


def _renew_lease(waiting: list[tuple[Notice, DeliveryAttempt]]) -> None:
    """Lengthen the lease of claimed notices still waiting their turn in a long batch: those whose
    attempt is still the live one (one another worker took over is its to renew)."""
    mine = DeliveryAttempt.objects.filter(
        notice_id=OuterRef("pk"), pk__in=[attempt.pk for _, attempt in waiting], outcome__in=_OPEN
    )
    Notice.objects.filter(pk__in=[notice.pk for notice, _ in waiting], status=NoticeStatus.SENDING).filter(
        Exists(mine)
    ).update(lease_until=timezone.now() + conf.notice_send_lease())


def _release(claimed: list[tuple[Notice, DeliveryAttempt]]) -> int:
    """Give claimed notices not yet tried back to the queue (the worker is stopping): each attempt
    row says so ("released"), the notice is due again at once with its attempt given back. A notice
    another worker has taken over meanwhile (its attempt no longer "started") is left to it. The
    notices are locked before their attempts, in the order ``recover_stale`` takes them."""
    now = timezone.now()
    with transaction.atomic():
        held = Notice.objects.select_for_update().filter(
            pk__in=[notice.pk for notice, _ in claimed], status=NoticeStatus.SENDING
        )
        held_ids = list(held.order_by("pk").values_list("pk", flat=True))
        mine = list(
            DeliveryAttempt.objects.filter(
                pk__in=[attempt.pk for _, attempt in claimed], notice_id__in=held_ids, outcome=AttemptOutcome.STARTED
            ).values_list("pk", "notice_id")
        )
        DeliveryAttempt.objects.filter(pk__in=[pk for pk, _ in mine]).update(
            outcome=AttemptOutcome.RELEASED, finished_at=now, error="the worker was stopping: not tried"
        )
        return Notice.objects.filter(pk__in=[notice_id for _, notice_id in mine]).update(
            status=NoticeStatus.QUEUED, lease_until=None, attempt_count=F("attempt_count") - 1
        )


def _deliver_claimed(
    claimed: list[tuple[Notice, DeliveryAttempt]],
    now: dt.datetime | None,
    channels: ChannelSet,
    stop: Callable[[], bool] | None = None,
) -> list[str]:
    """Send a claimed batch in order; past half the lease, the notices still waiting get a new one.
    When ``stop()`` turns true, the notices not yet tried are released (``_release``) and the list
    of statuses ends there."""
    half = conf.notice_send_lease() / 2
    renew_at = timezone.now() + half
    statuses = []
    for n, (notice, attempt) in enumerate(claimed):
        if stop is not None and stop():
            _release(claimed[n:])
            break
        if n and timezone.now() >= renew_at:
            _renew_lease(claimed[n:])
            renew_at = timezone.now() + half
        with collector.paused():  # and while one notice is sent (its data, its message); it runs between notices
            statuses.append(_attempt(notice, attempt, now or attempt.started_at, channels))
    return statuses


def deliver_notice(notice_id: int, *, now: dt.datetime | None = None, worker: str = "") -> str:
    """One delivery attempt of one notice, if it is due; returns the notice's status afterwards.

    A notice whose recipient another worker is sending to stays queued for the next sweep.
    """
    claimed = _claim(now or timezone.now(), worker, limit=1, now=now, only=notice_id)
    if not claimed:
        status = Notice.objects.filter(pk=notice_id).values_list("status", flat=True).first()
        return status or ""
    with contextlib.closing(ChannelSet()) as channels:
        return _deliver_claimed(claimed, now, channels)[0]


_TAKEN_OVER = "this worker's lease had run out and another worker took the notice over"


class _Superseded(Exception):
    """The attempt being recorded is no longer its notice's live one (see ``_settle``)."""


def _settle(
    notice: Notice, attempt: DeliveryAttempt, notice_fields: dict[str, Any], attempt_fields: dict[str, Any]
) -> None:
    """Inside a record's transaction: move the notice out of "sending" and end its attempt, only while
    that attempt is still the notice's live one; else raise ``_Superseded``, which rolls the record
    back. The notice's row is updated (so locked) first, in the order ``recover_stale`` and
    ``_release`` lock, and the attempt is read after it, as it then stands: a worker that stalled past
    its lease never records over the attempt of the worker that took its notice over."""
    if not Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING).update(**notice_fields):
        raise _Superseded
    if not DeliveryAttempt.objects.filter(pk=attempt.pk, outcome__in=_OPEN).update(**attempt_fields):
        raise _Superseded


def _record_superseded(notice: Notice, attempt: DeliveryAttempt, attempt_fields: dict[str, Any], note: str) -> str:
    """A worker whose notice was taken over learns its attempt's outcome: the attempt's row says it
    (``note``, then what the recovery had written), the notice is left to the worker that has it.
    Returns the notice's status."""
    logger.warning("notice %s, attempt %s: %s", notice.pk, attempt.number, note)
    previous = DeliveryAttempt.objects.filter(pk=attempt.pk).values_list("error", flat=True).get()
    error = note + (f" [{previous}]" if previous else "")
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(**{**attempt_fields, "error": error[:2000]})
    return Notice.objects.filter(pk=notice.pk).values_list("status", flat=True).get()


def _record_delivered(
    notice: Notice, attempt: DeliveryAttempt, excerpt: str, *, outcome: str, actor: User | None = None
) -> str:
    """Record the delivery; returns the notice's status: "delivered", or, when the notice was taken
    over, the status the other worker left it in (only this attempt's row is written then)."""
    at = timezone.now()
    attempt_fields = {"outcome": outcome, "finished_at": at, "response_excerpt": excerpt[:2000], "handed_over": True}
    notice_fields = {
        "status": NoticeStatus.DELIVERED,
        "sent_at": at,
        "lease_until": None,
        "next_attempt_at": None,
        "hold_reason": "",
    }
    try:
        with transaction.atomic():
            _settle(notice, attempt, notice_fields, attempt_fields)
            _record_sent_events(notice, actor, at)
    except _Superseded:
        note = f"accepted by the recipient, but {_TAKEN_OVER}, which sends it again: it may arrive twice"
        return _record_superseded(notice, attempt, attempt_fields, note)
    notice.status = NoticeStatus.DELIVERED
    return NoticeStatus.DELIVERED


def _record_sent_events(notice: Notice, actor: User | None, at: dt.datetime) -> None:
    message = gettext_noop("Notice #%(id)s sent to %(recipient)s (%(channel)s).")
    params: dict[str, object] = {
        "id": notice.pk,
        "recipient": notice.recipient_name,
        "channel": Channel(notice.channel).label,
    }
    data: dict[str, object] = {
        "notice_id": notice.pk,
        "recipient": notice.recipient_name,
        "channel": notice.channel,
        "escalation_level": notice.escalation_level,
        "reference": legal.reference(notice),
        "resent_after_unknown_outcome": notice.resent_after_unknown_outcome,
    }
    link_ids = [item.link_id for item in notice.items.all()]
    change_status_many(
        link_ids,
        LinkStatus.NOTICE_SENT,
        kind=EventKind.NOTICE_SENT,
        message=message,
        params=params,
        actor=actor,
        data=data,
        at=at,
        only_from=_WAITING,
    )


def _record_failure(
    notice: Notice, attempt: DeliveryAttempt, exc: DeliveryError, now: dt.datetime, *, hold: bool = False
) -> str:
    at = timezone.now()
    attempt_fields = {
        "outcome": AttemptOutcome.TEMPORARY_FAILURE if exc.temporary else AttemptOutcome.PERMANENT_FAILURE,
        "finished_at": at,
        "error": str(exc)[:2000],
        "response_excerpt": exc.response_excerpt[:2000],
    }
    fields: dict[str, Any] = {"lease_until": None, "hold_reason": str(exc)[:4000]}
    run_after = None
    if hold:
        fields.update(status=NoticeStatus.DRAFT, next_attempt_at=None)
    elif exc.temporary and notice.attempt_count < conf.notice_max_attempts():
        run_after = now + conf.notice_retry_delay(notice.attempt_count)
        fields.update(status=NoticeStatus.QUEUED, next_attempt_at=run_after)
    else:
        fields.update(status=NoticeStatus.FAILED, next_attempt_at=None)
    try:
        with transaction.atomic():
            _settle(notice, attempt, fields, attempt_fields)
            if run_after is not None:
                notice_id = notice.pk
                transaction.on_commit(lambda: enqueue_delivery(notice_id, run_after))
    except _Superseded:
        return _record_superseded(notice, attempt, attempt_fields, f"{exc} — {_TAKEN_OVER}, which goes on with it")
    notice.status = fields["status"]
    if exc.bounce and notice.channel == Channel.EMAIL and notice.status == NoticeStatus.FAILED:
        from sentinelle.notices.services.bounces import record_bounce

        if record_bounce(notice.pk, reason=str(exc), source="smtp"):
            notice.status = NoticeStatus.BOUNCED
    return str(notice.status)


def recover_stale(*, now: dt.datetime | None = None, worker: str = "") -> dict[str, int]:
    """Re-check notices left in "sending" by a worker that died (their lease has run out).

    Every one is queued again. One whose last attempt had passed its point of no return
    ("committing": the recipient may have it, or not) is resent with the same Message-ID,
    reference and idempotency key and marked ``resent_after_unknown_outcome``: a duplicate the
    recipient can recognise is better than a notice recorded as delivered that never arrived.
    """
    now = now or timezone.now()
    counts = {"resent": 0, "resent_after_unknown_outcome": 0}
    stale = Notice.objects.filter(status=NoticeStatus.SENDING, lease_until__lt=now)
    for notice_id in stale.order_by("pk").values_list("pk", flat=True):
        unknown = _recover(notice_id, now, worker)
        if unknown is not None:
            counts["resent"] += 1
            counts["resent_after_unknown_outcome"] += unknown
    return counts


def _recover(notice_id: int, now: dt.datetime, worker: str) -> bool | None:
    """Queue one stale notice again and end its last attempt; returns whether the attempt had passed
    its point of no return (None: the notice is no longer stale). The notice is locked first, then
    the attempt's outcome is settled by conditional updates, not read before: its worker may be
    passing ``commit_point`` at this very moment (one update either way, which the other waits for)."""
    with transaction.atomic():
        still = Notice.objects.select_for_update().filter(
            pk=notice_id, status=NoticeStatus.SENDING, lease_until__lt=now
        )
        if not still.exists():
            return None
        # The last attempt is the live one (a notice in "sending" gains none); only its outcome may move.
        last = DeliveryAttempt.objects.filter(notice_id=notice_id).order_by("-number").values_list("pk", flat=True)
        attempt = DeliveryAttempt.objects.filter(pk__in=list(last[:1]))
        ended = {"finished_at": now, "error": f"worker stopped; {worker}".strip()}
        unknown = False
        if not attempt.filter(outcome=AttemptOutcome.STARTED).update(outcome=AttemptOutcome.ABANDONED, **ended):
            unknown = bool(
                attempt.filter(outcome=AttemptOutcome.COMMITTING).update(outcome=AttemptOutcome.UNKNOWN, **ended)
            )
        fields: dict[str, Any] = {
            "status": NoticeStatus.QUEUED,
            "next_attempt_at": now,
            "lease_until": None,
            "hold_reason": "re-queued: the worker sending it stopped",
        }
        if unknown:
            fields.update(
                resent_after_unknown_outcome=True,
                hold_reason="resent after an unknown outcome: the worker stopped after handing it over",
            )
        Notice.objects.filter(pk=notice_id).update(**fields)
    return unknown


def deliver_due(
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    worker: str = "",
    recover: bool = True,
    batch: int = CLAIM_BATCH,
    stop: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """The sweep: re-check stale notices, then attempt once every notice due when it starts.

    Notices are claimed ``batch`` at a time (``_claim``), so any number of workers can sweep side
    by side; each keeps its channels (its SMTP connection) open for the whole sweep. ``stop``: asked
    before each notice; once true, the sweep ends after the notice being sent, the rest of its batch
    queued again at once (a worker told to stop does not hold notices until its lease runs out).
    """
    counts: dict[str, int] = {"delivered": 0, "queued": 0, "failed": 0, "draft": 0}
    if recover:
        counts.update(recover_stale(now=now, worker=worker))
    due_at = now or timezone.now()
    left = limit or None
    with contextlib.closing(ChannelSet()) as channels:
        while (left is None or left > 0) and not (stop is not None and stop()):
            claimed = _claim(due_at, worker, limit=min(batch, left or batch), now=now)
            if not claimed:
                break
            for status in _deliver_claimed(claimed, now, channels, stop):
                if status in counts:
                    counts[status] += 1
            left = None if left is None else left - len(claimed)
    return counts


def record_manual_delivery(notice: Notice, user: User, note: str = "") -> bool:
    """Staff uploaded the bulk file or filled the web form: the notice is delivered."""
    now = timezone.now()
    with transaction.atomic():
        moved = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.QUEUED, channel__in=MANUAL_CHANNELS).update(
            status=NoticeStatus.SENDING, attempt_count=F("attempt_count") + 1
        )
        if not moved:
            return False
        notice.refresh_from_db()
        attempt = _open_attempt(notice, now, worker="staff", actor=user)
        excerpt = note or f"delivered by hand by {user}"
        status = _record_delivered(notice, attempt, excerpt, outcome=AttemptOutcome.DELIVERED, actor=user)
        return status == NoticeStatus.DELIVERED


def requeue(notice: Notice) -> bool:
    """A failed notice, back in the queue for a new series of attempts (staff action).

    The notice keeps its text, Message-ID and idempotency key, so a recipient that did get an
    earlier attempt can recognise the resend; earlier attempt rows stay, the new ones follow them.
    """
    return bool(
        Notice.objects.filter(pk=notice.pk, status=NoticeStatus.FAILED).update(
            status=NoticeStatus.QUEUED, attempt_count=0, next_attempt_at=timezone.now(), hold_reason=""
        )
    )
