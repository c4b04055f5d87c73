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

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import conf
from sentinelle.members.models import User
from sentinelle.notices import faults, legal, tasks
from sentinelle.notices.channels.base import DeliveryError, get_channel
from sentinelle.notices.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Notice,
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


def _claim(notice_id: int, now: dt.datetime, worker: str) -> tuple[Notice, DeliveryAttempt] | None:
    with transaction.atomic():
        claimed = Notice.objects.filter(_due_filter(now), pk=notice_id).update(
            status=NoticeStatus.SENDING,
            attempt_count=F("attempt_count") + 1,
            lease_until=now + conf.notice_send_lease(),
        )
        if not claimed:
            return None
        notice = Notice.objects.get(pk=notice_id)
        attempt = _open_attempt(notice, now, worker=worker)
    return notice, attempt


def deliver_notice(notice_id: int, *, now: dt.datetime | None = None, worker: str = "") -> str:
    """One delivery attempt of one notice, if it is due; returns the notice's status afterwards."""
    now = now or timezone.now()
    claimed = _claim(notice_id, now, worker)
    if claimed is None:
        status = Notice.objects.filter(pk=notice_id).values_list("status", flat=True).first()
        return status or ""
    notice, attempt = claimed
    faults.crash_point("after_claim")
    data = notice_data(notice)
    missing = legal.missing_elements(data, notice.body)
    if missing:
        _record_failure(
            notice, attempt, DeliveryError("; ".join(str(m) for m in missing), temporary=False), now, hold=True
        )
        return NoticeStatus.DRAFT

    def commit_point() -> None:
        with transaction.atomic():
            DeliveryAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.STARTED).update(
                outcome=AttemptOutcome.COMMITTING, handed_over=True
            )

    try:
        receipt = get_channel(notice.channel).deliver(notice, data, commit_point=commit_point)
    except DeliveryError as exc:
        return _record_failure(notice, attempt, exc, now)
    _record_delivered(notice, attempt, receipt.response_excerpt, outcome=AttemptOutcome.DELIVERED)
    return NoticeStatus.DELIVERED


def _record_delivered(
    notice: Notice, attempt: DeliveryAttempt, excerpt: str, *, outcome: str, actor: User | None = None
) -> bool:
    at = timezone.now()
    with transaction.atomic():
        moved = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING).update(
            status=NoticeStatus.DELIVERED,
            sent_at=at,
            lease_until=None,
            next_attempt_at=None,
            hold_reason="",
        )
        if not moved:
            return False
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            outcome=outcome, finished_at=at, response_excerpt=excerpt[:2000], handed_over=True
        )
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
        link_ids = list(notice.items.values_list("link_id", flat=True))
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
    notice.status = NoticeStatus.DELIVERED
    return True


def _record_failure(
    notice: Notice, attempt: DeliveryAttempt, exc: DeliveryError, now: dt.datetime, *, hold: bool = False
) -> str:
    at = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            outcome=AttemptOutcome.TEMPORARY_FAILURE if exc.temporary else AttemptOutcome.PERMANENT_FAILURE,
            finished_at=at,
            error=str(exc)[:2000],
            response_excerpt=exc.response_excerpt[:2000],
        )
        fields: dict[str, Any] = {"lease_until": None, "hold_reason": str(exc)[:4000]}
        run_after = None
        if hold:
            fields.update(status=NoticeStatus.DRAFT, next_attempt_at=None)
        elif exc.temporary and notice.attempt_count < conf.notice_max_attempts():
            run_after = now + conf.notice_retry_delay(notice.attempt_count)
            fields.update(status=NoticeStatus.QUEUED, next_attempt_at=run_after)
        else:
            fields.update(status=NoticeStatus.FAILED, next_attempt_at=None)
        moved = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING).update(**fields)
        if run_after is not None:
            notice_id = notice.pk
            transaction.on_commit(lambda: enqueue_delivery(notice_id, run_after))
    notice.status = fields["status"]
    if moved and exc.bounce and notice.channel == Channel.EMAIL and notice.status == NoticeStatus.FAILED:
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
    for notice in Notice.objects.filter(status=NoticeStatus.SENDING, lease_until__lt=now).order_by("pk"):
        attempt = notice.attempts.order_by("-number").first()
        unknown = attempt is not None and attempt.outcome == AttemptOutcome.COMMITTING
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
        with transaction.atomic():
            moved = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING, lease_until__lt=now).update(
                **fields
            )
            if moved and attempt is not None and attempt.outcome in (AttemptOutcome.STARTED, AttemptOutcome.COMMITTING):
                DeliveryAttempt.objects.filter(pk=attempt.pk).update(
                    outcome=AttemptOutcome.UNKNOWN if unknown else AttemptOutcome.ABANDONED,
                    finished_at=now,
                    error=f"worker stopped; {worker}".strip(),
                )
        counts["resent"] += moved
        counts["resent_after_unknown_outcome"] += moved if unknown else 0
    return counts


def deliver_due(
    *, now: dt.datetime | None = None, limit: int | None = None, worker: str = "", recover: bool = True
) -> dict[str, int]:
    """The sweep: re-check stale notices, then attempt every due notice once."""
    counts: dict[str, int] = {"delivered": 0, "queued": 0, "failed": 0, "draft": 0}
    if recover:
        counts.update(recover_stale(now=now, worker=worker))
    moment = now or timezone.now()
    ids = list(
        Notice.objects.filter(_due_filter(moment))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: limit or None]
    )
    for notice_id in ids:
        status = deliver_notice(notice_id, now=now, worker=worker)
        if status in counts:
            counts[status] += 1
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
        return _record_delivered(
            notice, attempt, note or f"delivered by hand by {user}", outcome=AttemptOutcome.DELIVERED, actor=user
        )


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
