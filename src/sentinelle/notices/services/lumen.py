"""Posting sent notices to Lumen: one ``POST /notices`` per notice, through the safe fetcher.

Only when ``SENTINELLE_LUMEN_URL`` and ``SENTINELLE_LUMEN_TOKEN`` are both set; otherwise staff
download the same documents as JSON lines from the notice list. Each delivered (or answered)
notice gets one ``LumenSubmission``; the periodic task ``post_lumen_due`` posts the due ones, one
request per notice, each attempt a ``LumenAttempt`` row. 5xx, 408, 425, 429 and network errors
are retried with the notices' backoff up to ``SENTINELLE_LUMEN_MAX_ATTEMPTS``; any other answer is
final. Lumen has no idempotency key: an attempt whose worker died is posted again, so Lumen may
hold a duplicate of a public record, never miss one.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from sentinelle import conf
from sentinelle.checks import fetch
from sentinelle.notices.export import lumen_notice
from sentinelle.notices.models import AttemptOutcome, LumenAttempt, LumenState, LumenSubmission, Notice, NoticeStatus

SENT_STATUSES = (NoticeStatus.DELIVERED, NoticeStatus.ANSWERED)
RETRIED_STATUSES = {408, 425, 429}
POST_LEASE = dt.timedelta(minutes=10)


def lumen_enabled() -> bool:
    return bool(conf.lumen_url() and conf.lumen_token())


def queue_sent_notices() -> int:
    """A submission for every sent notice that has none yet; returns how many were queued."""
    missing = Notice.objects.filter(status__in=SENT_STATUSES, sent_at__isnull=False, lumen_submission__isnull=True)
    rows = [LumenSubmission(notice_id=pk) for pk in missing.values_list("pk", flat=True)]
    return len(LumenSubmission.objects.bulk_create(rows, ignore_conflicts=True))


def _claim(submission_id: int, now: dt.datetime) -> tuple[LumenSubmission, LumenAttempt] | None:
    due = Q(state=LumenState.QUEUED) | Q(state=LumenState.POSTING)  # posting: its worker's lease ran out
    with transaction.atomic():
        claimed = (
            LumenSubmission.objects.filter(due, pk=submission_id)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(state=LumenState.POSTING, attempt_count=F("attempt_count") + 1, next_attempt_at=now + POST_LEASE)
        )
        if not claimed:
            return None
        submission = LumenSubmission.objects.select_related("notice").get(pk=submission_id)
        LumenAttempt.objects.filter(submission=submission, outcome=AttemptOutcome.STARTED).update(
            outcome=AttemptOutcome.ABANDONED, finished_at=now
        )
        last = submission.attempts.aggregate(last=Max("number"))["last"] or 0
        attempt = LumenAttempt.objects.create(
            submission=submission, number=last + 1, started_at=now, outcome=AttemptOutcome.STARTED
        )
    return submission, attempt


def post_submission(submission_id: int, *, now: dt.datetime | None = None) -> str:
    """One attempt at posting one notice to Lumen; returns the submission's state afterwards."""
    now = now or timezone.now()
    claimed = _claim(submission_id, now)
    if claimed is None:
        return str(LumenSubmission.objects.filter(pk=submission_id).values_list("state", flat=True).first() or "")
    submission, attempt = claimed
    body = json.dumps(lumen_notice(submission.notice), ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "X-Authentication-Token": conf.lumen_token(),
    }
    try:
        response = fetch.fetch_sync(
            f"{conf.lumen_url()}/notices", method="POST", content=body, headers=headers, max_bytes=64 * 1024
        )
    except (fetch.BlockedAddress, fetch.InvalidURL, fetch.TooManyRedirects) as exc:
        return _finish(submission, attempt, None, f"{type(exc).__name__}: {exc}", retry=False)
    except fetch.FetchError as exc:
        return _finish(submission, attempt, None, f"{type(exc).__name__}: {exc}", retry=True)
    text = response.text()[:2000]
    if 200 <= response.status_code < 300:
        return _finish(submission, attempt, response.status_code, text, retry=False, lumen_id=_lumen_id(text))
    retry = response.status_code >= 500 or response.status_code in RETRIED_STATUSES
    return _finish(submission, attempt, response.status_code, text, retry=retry)


def _lumen_id(text: str) -> str:
    try:
        answer = json.loads(text)
    except ValueError:
        return ""
    found = answer.get("id", "") if isinstance(answer, dict) else ""
    return str(found)[:64]


def _finish(
    submission: LumenSubmission,
    attempt: LumenAttempt,
    status_code: int | None,
    text: str,
    *,
    retry: bool,
    lumen_id: str = "",
) -> str:
    at = timezone.now()
    posted = status_code is not None and 200 <= status_code < 300
    if posted:
        outcome, state, next_at = AttemptOutcome.DELIVERED, LumenState.POSTED, None
    elif retry and submission.attempt_count < conf.lumen_max_attempts():
        next_at = at + conf.notice_retry_delay(submission.attempt_count)
        outcome, state = AttemptOutcome.TEMPORARY_FAILURE, LumenState.QUEUED
    else:
        outcome, state, next_at = AttemptOutcome.PERMANENT_FAILURE, LumenState.FAILED, None
    with transaction.atomic():
        LumenAttempt.objects.filter(pk=attempt.pk).update(
            outcome=outcome,
            finished_at=at,
            status_code=status_code,
            response_excerpt=text if status_code is not None else "",
            error="" if posted else text,
        )
        LumenSubmission.objects.filter(pk=submission.pk).update(
            state=state, next_attempt_at=next_at, posted_at=at if posted else None, lumen_id=lumen_id
        )
    return str(state)


def post_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """The periodic sweep: queue the notices sent since, then post each due one once."""
    counts = {"queued": 0, "posted": 0, "failed": 0, "retrying": 0}
    if not lumen_enabled():
        return counts
    counts["queued"] = queue_sent_notices()
    now = now or timezone.now()
    due = (
        LumenSubmission.objects.filter(state__in=(LumenState.QUEUED, LumenState.POSTING))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for submission_id in list(due):
        state = post_submission(submission_id, now=now)
        key = {"posted": "posted", "failed": "failed", "queued": "retrying"}.get(state, "")
        if key:
            counts[key] += 1
    return counts
