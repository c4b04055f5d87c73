"""Notices: build them from due links, deliver them exactly once, record the recipients' answers.

Building
    A link is *due* when it is accepted (level 0) or escalated, and no NoticeItem covers it at
    its escalation level for a given recipient. Levels 0 and 1 go to the link's recipients (the
    platform or host for "remove"; each search engine, one notice per engine, for "delist");
    level 2 goes to the hosting provider of the link's platform. Due links are grouped by
    (recipient, action, regime, language, level) into notices of at most
    ``SENTINELLE_NOTICE_MAX_URLS`` URLs. Each notice is made in its own transaction which locks its
    links (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the IMMEDIATE write transaction) and
    re-checks them; the unique (link, level, recipient) constraint is the backstop. Running the
    builder twice builds nothing new.

Delivering (docs/notices.md, "Exactly once")
    claim (queued → sending, an attempt row "started", committed) → send → record. The channel
    calls ``commit_point`` just before its point of no return; the attempt becomes "committing"
    in a committed transaction. A notice left in "sending" past its lease is re-checked:
    "started" means nothing left (resend); "committing" means the recipient may have it (no
    resend: recorded as delivered, unconfirmed) — except over HTTPS, where the endpoint dedupes
    by Idempotency-Key and the notice is simply resent.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sentinelle.catalogue.identifiers import format_iswc
from sentinelle.catalogue.models import Interest, Work
from sentinelle.core.tokens import new_token, token_digest
from sentinelle.members.models import User
from sentinelle.notices import faults, legal
from sentinelle.notices.channels.base import DeliveryError, get_channel
from sentinelle.notices.models import (
    DISCARDABLE_STATUSES,
    AttemptOutcome,
    Channel,
    Decision,
    DeliveryAttempt,
    Language,
    Notice,
    NoticeItem,
    NoticeStatus,
    PlatformApiToken,
    RecipientAnswer,
    Regime,
)
from sentinelle.platforms.models import LegalRegime, NoticeChannel, Platform, PlatformKind
from sentinelle.takedowns.models import Action, EventKind, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status, change_status_many

logger = logging.getLogger(__name__)

AUTOMATIC_CHANNELS = (Channel.EMAIL, Channel.HTTPS)
MANUAL_CHANNELS = (Channel.BULK_FILE, Channel.WEB_FORM)
DUE_STATUSES = (LinkStatus.ACCEPTED, LinkStatus.ESCALATED)
# A delivered notice moves a link still waiting for one to "notice sent"; a link that has moved on
# (removed by an earlier notice, refused…) keeps its status and only gains the event.
_WAITING = {
    LinkStatus.ACCEPTED,
    LinkStatus.ESCALATED,
    LinkStatus.NOTICE_SENT,
    LinkStatus.STILL_ONLINE,
    LinkStatus.REAPPEARED,
}


def max_urls() -> int:
    return max(1, int(getattr(settings, "SENTINELLE_NOTICE_MAX_URLS", 1000)))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "SENTINELLE_NOTICE_MAX_ATTEMPTS", 8)))


def retry_delay(attempt_number: int) -> dt.timedelta:
    base = float(getattr(settings, "SENTINELLE_NOTICE_RETRY_BASE_SECONDS", 60))
    cap = float(getattr(settings, "SENTINELLE_NOTICE_RETRY_MAX_SECONDS", 6 * 3600))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempt_number - 1)))


def send_lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "SENTINELLE_NOTICE_SEND_LEASE_SECONDS", 600)))


def society() -> dict[str, str]:
    return {k: str(v) for k, v in getattr(settings, "SENTINELLE_SOCIETY", {}).items()}


# --- building ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    key: str
    name: str
    domain: str
    platform: Platform | None


@dataclass
class BuildResult:
    notices: list[int] = field(default_factory=list)
    links: int = 0
    items: int = 0
    unroutable: list[int] = field(default_factory=list)


def _regime(platform: Platform | None) -> str:
    # The DSA applies to services offered to users in the Union wherever they are established
    # (art. 2(1)): every recipient outside the US regime gets the EU notice.
    if platform is not None and platform.regime == LegalRegime.US:
        return Regime.US
    return Regime.EU


def _language(platform: Platform | None, domain: str) -> str:
    if platform is not None:
        return Language.FR if (platform.notice_language or "").lower().startswith("fr") else Language.EN
    return Language.FR if domain.endswith(".fr") else Language.EN


def _channel(platform: Platform | None) -> tuple[str, str, str]:
    """(channel, e-mail, endpoint) for a recipient."""
    if platform is None:
        return Channel.NONE, "", ""
    email, url = platform.contact_email or "", platform.contact_url or ""
    if platform.notice_channel == NoticeChannel.EMAIL:
        return (Channel.EMAIL if email else Channel.NONE), email, url
    if platform.notice_channel == NoticeChannel.HTTPS:
        return (Channel.HTTPS if url else Channel.NONE), email, url
    if platform.notice_channel == NoticeChannel.BULK_FILE:
        return Channel.BULK_FILE, email, url
    return Channel.WEB_FORM, email, url


def _recipients_for(link: dict[str, Any], platforms: dict[int, Platform]) -> list[Recipient]:
    level = link["escalation_level"]
    if level >= 2:
        platform = platforms.get(link["platform_id"]) if link["platform_id"] else None
        host = platforms.get(platform.hosting_provider_id) if platform and platform.hosting_provider_id else None
        if host is None:
            return []
        domain = next((d.domain for d in host.domains.all()), "")
        return [Recipient(f"p:{host.pk}", host.name, domain, host)]
    out: list[Recipient] = []
    rows = link["recipients"] or []
    if not rows and link["platform_id"] in platforms:
        platform = platforms[link["platform_id"]]
        rows = [{"platform_id": platform.pk, "name": platform.name, "domain": link["registrable_domain"]}]
    for row in rows:
        pid = row.get("platform_id")
        platform = platforms.get(pid) if isinstance(pid, int) else None
        domain = str(row.get("domain") or link["registrable_domain"] or "")
        key = f"p:{platform.pk}" if platform is not None else f"d:{domain}"
        out.append(Recipient(key, str(row.get("name") or (platform.name if platform else domain)), domain, platform))
    return out


def _rights_holders(work_ids: Iterable[int]) -> dict[int, list[dict[str, str]]]:
    holders: dict[int, list[dict[str, str]]] = defaultdict(list)
    seen: set[tuple[int, str, str]] = set()
    for interest in (
        Interest.objects.filter(work_id__in=list(work_ids)).select_related("party").order_by("work_id", "id")
    ):
        name = legal.single_line(str(interest.party))
        key = (interest.work_id, name, interest.role)
        if name and key not in seen:
            seen.add(key)
            holders[interest.work_id].append({"name": name, "role": interest.role})
    return holders


def due_links() -> list[dict[str, Any]]:
    rows: Iterable[Any] = (
        ReportedLink.objects.filter(status__in=DUE_STATUSES)
        .order_by("registrable_domain", "id")
        .values("id", "url", "registrable_domain", "action", "recipients", "escalation_level", "work_id", "platform_id")
    )
    return [dict(row) for row in rows]


def build_notices(*, now: dt.datetime | None = None) -> BuildResult:
    """Group every due link into notices. Idempotent; safe to run from several processes at once."""
    now = now or timezone.now()
    result = BuildResult()
    links = due_links()
    if not links:
        return result
    ids = [link["id"] for link in links]
    covered: set[tuple[int, int, str]] = set()
    for start in range(0, len(ids), 5000):
        covered.update(
            NoticeItem.objects.filter(link_id__in=ids[start : start + 5000], discarded=False).values_list(
                "link_id", "escalation_level", "recipient_key"
            )
        )
    platform_ids = {link["platform_id"] for link in links if link["platform_id"]}
    platform_ids |= {
        r.get("platform_id")
        for link in links
        for r in (link["recipients"] or [])
        if isinstance(r.get("platform_id"), int)
    }
    platforms = {p.pk: p for p in Platform.objects.filter(pk__in=platform_ids).prefetch_related("domains")}
    hosts = {p.hosting_provider_id for p in platforms.values() if p.hosting_provider_id}
    platforms.update(
        {p.pk: p for p in Platform.objects.filter(pk__in=hosts - set(platforms)).prefetch_related("domains")}
    )

    groups: dict[tuple[str, str, str, str, int], list[dict[str, Any]]] = defaultdict(list)
    recipients: dict[str, Recipient] = {}
    for link in links:
        level = link["escalation_level"]
        routes = _recipients_for(link, platforms)
        if not routes:
            result.unroutable.append(link["id"])
        for rec in routes:
            if (link["id"], level, rec.key) in covered:
                continue
            recipients[rec.key] = rec
            action = Action.REMOVE if level >= 2 else link["action"]
            key = (rec.key, action, _regime(rec.platform), _language(rec.platform, rec.domain), level)
            groups[key].append(link)
    if not groups:
        return result
    work_ids = {link["work_id"] for group in groups.values() for link in group}
    works: dict[int, dict[str, Any]] = {
        w["id"]: dict(w) for w in Work.objects.filter(pk__in=work_ids).values("id", "title", "iswc")
    }
    holders = _rights_holders(work_ids)
    size = max_urls()
    included: set[int] = set()
    for (rkey, action, regime, language, level), group in sorted(groups.items(), key=lambda kv: kv[0]):
        for start in range(0, len(group), size):
            chunk = group[start : start + size]
            built = _create_notice(recipients[rkey], action, regime, language, level, chunk, works, holders, now)
            if built is not None:
                result.notices.append(built[0].pk)
                result.items += len(built[1])
                included.update(built[1])
    result.links = len(included)
    return result


def _create_notice(
    rec: Recipient,
    action: str,
    regime: str,
    language: str,
    level: int,
    chunk: Sequence[dict[str, Any]],
    works: dict[int, dict[str, Any]],
    holders: dict[int, list[dict[str, str]]],
    now: dt.datetime,
) -> tuple[Notice, list[int]] | None:
    try:
        with transaction.atomic():
            ids = [link["id"] for link in chunk]
            lock = ReportedLink.objects.filter(pk__in=ids, status__in=DUE_STATUSES)
            if connection.features.has_select_for_update_skip_locked:
                lock = lock.select_for_update(skip_locked=True)
            live = set(lock.values_list("pk", flat=True))
            taken = set(
                NoticeItem.objects.filter(
                    link_id__in=live, escalation_level=level, recipient_key=rec.key, discarded=False
                ).values_list("link_id", flat=True)
            )
            chunk = [link for link in chunk if link["id"] in live and link["id"] not in taken]
            if not chunk:
                return None
            items = [
                legal.ItemData(
                    url=link["url"],
                    site=link["registrable_domain"],
                    work_title=works[link["work_id"]]["title"],
                    work_iswc=format_iswc(works[link["work_id"]]["iswc"]) if works[link["work_id"]]["iswc"] else "",
                    rights_holders=holders.get(link["work_id"], []),
                )
                for link in chunk
            ]
            key = uuid.uuid4().hex
            sender = society()
            data = legal.NoticeData(
                regime=regime,
                language=language,
                action=action,
                escalation_level=level,
                recipient_name=rec.name,
                recipient_domain=rec.domain,
                sender=sender,
                dated=timezone.localdate(now),
                reference=legal.reference_for_key(key),
                items=items,
                search_engine=action == Action.DELIST,
            )
            body = legal.render_body(data)
            channel, email, endpoint = _channel(rec.platform)
            missing = legal.missing_elements(data, body)
            if channel == Channel.NONE:
                status, hold = NoticeStatus.DRAFT, _("No notice channel or contact is known for this recipient.")
            elif missing:
                status, hold = NoticeStatus.DRAFT, "; ".join(str(m) for m in missing)
            else:
                status, hold = NoticeStatus.QUEUED, ""
            domain = sender.get("email", "").rpartition("@")[2].strip() or "sentinelle.invalid"
            notice = Notice.objects.create(
                recipient_platform=rec.platform,
                recipient_key=rec.key,
                recipient_name=legal.single_line(rec.name, 200),
                recipient_domain=rec.domain[:255],
                recipient_email=email,
                recipient_endpoint=endpoint,
                channel=channel,
                action=action,
                regime=regime,
                language=language,
                escalation_level=level,
                status=status,
                hold_reason=hold,
                sender=sender,
                dated=data.dated,
                subject=legal.render_subject(data),
                body=body,
                message_id=f"<notice.{key}@{legal.single_line(domain, 200)}>",
                idempotency_key=key,
                next_attempt_at=now if status == NoticeStatus.QUEUED else None,
            )
            NoticeItem.objects.bulk_create(
                [
                    NoticeItem(
                        notice=notice,
                        link_id=link["id"],
                        escalation_level=level,
                        recipient_key=rec.key,
                        position=n,
                        url=item.url,
                        site=item.site,
                        work_title=item.work_title[:200],
                        work_iswc=item.work_iswc,
                        rights_holders=item.rights_holders,
                    )
                    for n, (link, item) in enumerate(zip(chunk, items, strict=True), start=1)
                ]
            )
            if status == NoticeStatus.QUEUED and channel in AUTOMATIC_CHANNELS:
                notice_id = notice.pk
                transaction.on_commit(lambda: enqueue_delivery(notice_id))
            return notice, [link["id"] for link in chunk]
    except IntegrityError:
        # Another builder took these links between our check and our insert (the constraint held).
        logger.info("notice for %s level %s lost a race; its links are in another notice", rec.key, level)
        return None


def enqueue_delivery(notice_id: int, run_after: dt.datetime | None = None) -> None:
    if not getattr(settings, "SENTINELLE_NOTICE_ENQUEUE_DELIVERY", True):
        return
    from sentinelle.notices import tasks

    try:
        task = tasks.deliver_notice
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue(notice_id)
    except Exception:
        logger.exception("could not enqueue the delivery of notice %s", notice_id)


# --- the notice's data, for rendering and validation -------------------------------------------


def notice_data(notice: Notice) -> legal.NoticeData:
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
            lease_until=now + send_lease(),
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
    missing = legal.missing_elements(notice_data(notice), notice.body)
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
        receipt = get_channel(notice.channel).deliver(notice, commit_point=commit_point)
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
            "unconfirmed": outcome == AttemptOutcome.RECOVERED,
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
        elif exc.temporary and notice.attempt_count < max_attempts():
            run_after = now + retry_delay(notice.attempt_count)
            fields.update(status=NoticeStatus.QUEUED, next_attempt_at=run_after)
        else:
            fields.update(status=NoticeStatus.FAILED, next_attempt_at=None)
        Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING).update(**fields)
        if run_after is not None:
            notice_id = notice.pk
            transaction.on_commit(lambda: enqueue_delivery(notice_id, run_after))
    notice.status = fields["status"]
    return str(fields["status"])


def recover_stale(*, now: dt.datetime | None = None, worker: str = "") -> dict[str, int]:
    """Re-check notices left in "sending" by a worker that died (their lease has run out)."""
    now = now or timezone.now()
    counts = {"resent": 0, "recovered": 0}
    for notice in Notice.objects.filter(status=NoticeStatus.SENDING, lease_until__lt=now).order_by("pk"):
        attempt = notice.attempts.order_by("-number").first()
        if attempt is not None and attempt.outcome == AttemptOutcome.COMMITTING and notice.channel != Channel.HTTPS:
            # The message may be in the recipient's hands: never send it twice.
            if _record_delivered(
                notice,
                attempt,
                "recovered after a worker crash at the point of no return",
                outcome=AttemptOutcome.RECOVERED,
            ):
                counts["recovered"] += 1
            continue
        # Nothing left the machine (or the endpoint dedupes by Idempotency-Key): queue it again.
        with transaction.atomic():
            moved = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING, lease_until__lt=now).update(
                status=NoticeStatus.QUEUED,
                next_attempt_at=now,
                lease_until=None,
                hold_reason="re-queued: the worker sending it stopped",
            )
            if moved and attempt is not None and attempt.outcome in (AttemptOutcome.STARTED, AttemptOutcome.COMMITTING):
                DeliveryAttempt.objects.filter(pk=attempt.pk).update(
                    outcome=AttemptOutcome.ABANDONED, finished_at=now, error=f"worker stopped; {worker}".strip()
                )
        counts["resent"] += moved
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


# --- discarding --------------------------------------------------------------------------------


class DiscardError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def discard_notice(notice: Notice, actor: User | None, reason: str) -> int:
    """Withdraw a held or failed notice that never reached its recipient; its links become due again.

    The notice row, its items and its attempts all stay (status "discarded"); the items stop counting
    for the (link, level, recipient) constraint, so the next ``build_notices`` puts the links into a
    new notice, with the registry as it stands then. Each link gets a note in its history. A notice
    that may be in the recipient's hands is refused: rebuilt, it would reach them a second time
    under another Message-ID and idempotency key (``requeue`` resends it under the same ones).
    Returns the number of links released.
    """
    reason = reason.strip()
    if not reason:
        raise DiscardError("reason_required", _("Say why the notice is discarded."))
    now = timezone.now()
    with transaction.atomic():
        # PostgreSQL: a concurrent claim or re-queue waits for us (SQLite: the write lock does it).
        row = Notice.objects.select_for_update().filter(pk=notice.pk).first()
        if row is None:
            raise DiscardError("not_found", _("This notice does not exist."))
        if row.status not in DISCARDABLE_STATUSES:
            raise DiscardError(
                "not_discardable",
                _("Notice #%(id)s is %(status)s: only a held (draft) or failed notice can be discarded.")
                % {"id": row.pk, "status": NoticeStatus(row.status).label},
            )
        # An attempt that passed its point of no return and was not refused outright may have
        # reached the recipient (a dropped connection after the final ".", a 5xx, a timeout).
        risky = row.attempts.filter(handed_over=True).exclude(outcome=AttemptOutcome.PERMANENT_FAILURE)
        if risky.exists():
            raise DiscardError(
                "may_have_been_delivered",
                _(
                    "Notice #%(id)s may have reached %(recipient)s during an earlier attempt; discarding it "
                    "would send the same links again under another reference. Queue it again instead."
                )
                % {"id": row.pk, "recipient": row.recipient_name},
            )
        moved = Notice.objects.filter(pk=row.pk, status__in=DISCARDABLE_STATUSES).update(
            status=NoticeStatus.DISCARDED,
            discarded_at=now,
            discarded_by=actor,
            discard_reason=reason[:4000],
            next_attempt_at=None,
            lease_until=None,
        )
        if not moved:  # pragma: no cover - the row lock makes this unreachable on PostgreSQL
            raise DiscardError("not_discardable", _("The notice changed meanwhile; try again."))
        NoticeItem.objects.filter(notice=row).update(discarded=True)
        link_ids = list(row.items.values_list("link_id", flat=True))
        message = gettext_noop("Notice #%(id)s to %(recipient)s was discarded before it was sent (%(reason)s).")
        params: dict[str, object] = {"id": row.pk, "recipient": row.recipient_name, "reason": reason}
        # ``only_from`` empty: every link keeps its status and only gains the note.
        change_status_many(
            link_ids,
            LinkStatus.ACCEPTED,
            kind=EventKind.NOTE,
            message=message,
            params=params,
            actor=actor,
            data={"notice_id": row.pk, "discarded": True, "reason": reason, "recipient": row.recipient_name},
            at=now,
            only_from=(),
        )
    notice.status = NoticeStatus.DISCARDED
    return len(link_ids)


# --- answers -----------------------------------------------------------------------------------


class AnswerError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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


def record_answers(
    notice: Notice,
    decisions: Sequence[ItemDecision],
    *,
    token: PlatformApiToken | None = None,
    user: User | None = None,
) -> list[RecipientAnswer]:
    """The recipient's decision per URL → RecipientAnswer rows and LinkEvents on the links."""
    if notice.status not in (NoticeStatus.DELIVERED, NoticeStatus.ANSWERED):
        raise AnswerError("not_delivered", _("This notice has not been delivered; it cannot be answered yet."))
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
    who = notice.recipient_name
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
            # The recipient's own words (a reason, a counter-notice) are a parameter, never the msgid.
            params: dict[str, object] = {"who": who}
            if d.decision == Decision.ACTIONED:
                message = gettext_noop("%(who)s says it acted on the notice.")
            elif d.decision == Decision.REFUSED:
                message = gettext_noop("%(who)s refused to act: %(reason)s")
                params["reason"] = d.reason
            else:
                message = gettext_noop("%(who)s forwarded a counter-notice: %(content)s")
                params["content"] = d.content
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


# --- platform tokens ---------------------------------------------------------------------------

PLATFORM_TOKEN_SCHEME = "snp"  # noqa: S105 - a prefix, not a secret


def create_platform_token(platform: Platform, name: str = "") -> tuple[PlatformApiToken, str]:
    """A token for ``platform``'s answers. The plaintext is returned once and never stored."""
    prefix, plaintext = new_token(PLATFORM_TOKEN_SCHEME)
    row = PlatformApiToken.objects.create(
        platform=platform, name=name[:100], prefix=prefix, key_hash=token_digest(plaintext)
    )
    return row, plaintext


def authenticate_platform_token(plaintext: str) -> PlatformApiToken | None:
    if not isinstance(plaintext, str) or not plaintext.startswith(f"{PLATFORM_TOKEN_SCHEME}_") or len(plaintext) > 200:
        return None
    return (
        PlatformApiToken.objects.select_related("platform")
        .filter(key_hash=token_digest(plaintext), revoked_at__isnull=True, platform__is_active=True)
        .first()
    )


def is_search_engine(platform: Platform | None) -> bool:
    return platform is not None and platform.kind == PlatformKind.SEARCH_ENGINE
