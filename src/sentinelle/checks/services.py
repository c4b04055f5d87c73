"""Verification, escalation and reappearance of reported links.

The schedule starts from the latest ``notice_sent`` LinkEvent of a link (a reminder or a notice
to the hosting provider restarts it): checks at +1 h, +24 h, +72 h and +7 days
(``SENTINELLE_CHECK_SCHEDULE_HOURS``). After a "removed" verdict a confirmation check comes an
hour later (``SENTINELLE_CHECK_CONFIRM_HOURS``), after an "unreachable" one a retry; the link
becomes *removed* only after two consecutive removed verdicts at least that far apart.

Only "remove" links are fetched. A delisting cannot be verified by fetching the page (the page
may well stay online; what goes is the search result), so "delist" links are settled by the
search engines' answers alone.

Removed links stay watched (``SENTINELLE_REAPPEARANCE_CHECK_HOURS``, for
``SENTINELLE_REAPPEARANCE_WATCH_DAYS``); two consecutive still-online verdicts mark the link
*reappeared* and open a new accepted link for the same URL, outside the quota, so a fresh
notice goes out (a new link rather than a reset one: the notice history of the first stays whole
and a notice is never sent twice for one link).

Still online past the deadline of its regime (``SENTINELLE_ESCALATION_DEADLINE_HOURS``,
counted from the notice): a reminder to the same recipient (level 1), then a notice to the
hosting provider where the registry knows it (level 2), then, for a removal when
``SENTINELLE_ESCALATE_TO_DELIST`` allows it, a delisting request to the search engines (a new
"delist" link). Each step is a LinkEvent the member sees.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import linkkit
from sentinelle.checks import rules
from sentinelle.checks.engine import Outcome, Politeness, Target, check_targets
from sentinelle.checks.fetch import SafeFetcher
from sentinelle.checks.models import LinkCheck, LinkSchedule, ScheduleCursor
from sentinelle.platforms.selectors import get_registry
from sentinelle.takedowns import services as links
from sentinelle.takedowns.models import Action, EventKind, LinkEvent, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status

# Statuses whose links are fetched after their notice.
FOLLOWED_STATUSES = (LinkStatus.NOTICE_SENT, LinkStatus.STILL_ONLINE, LinkStatus.ESCALATED)
WATCHED_STATUSES = (*FOLLOWED_STATUSES, LinkStatus.REMOVED)
STEP_REMINDER = "reminder"
STEP_HOSTING_PROVIDER = "hosting_provider"
STEP_DELIST = "delist"
STEP_EXHAUSTED = "exhausted"


# --- Settings -------------------------------------------------------------------------------


def _hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=float(value))


def schedule_hours() -> list[float]:
    raw: Any = getattr(settings, "SENTINELLE_CHECK_SCHEDULE_HOURS", "1,24,72,168")
    items = raw.split(",") if isinstance(raw, str) else raw
    return sorted(float(item) for item in items if str(item).strip())


def confirm_delay() -> dt.timedelta:
    return _hours(getattr(settings, "SENTINELLE_CHECK_CONFIRM_HOURS", 1))


def retry_delay() -> dt.timedelta:
    return _hours(getattr(settings, "SENTINELLE_CHECK_RETRY_HOURS", 1))


def retry_window() -> dt.timedelta:
    """How long after the last scheduled check confirmations and retries still happen."""
    return _hours(getattr(settings, "SENTINELLE_CHECK_RETRY_WINDOW_HOURS", 48))


def reappearance_interval() -> dt.timedelta:
    return _hours(getattr(settings, "SENTINELLE_REAPPEARANCE_CHECK_HOURS", 168))


def reappearance_watch() -> dt.timedelta:
    return dt.timedelta(days=float(getattr(settings, "SENTINELLE_REAPPEARANCE_WATCH_DAYS", 90)))


def escalation_deadline(regime: str) -> dt.timedelta:
    """``SENTINELLE_ESCALATION_DEADLINE_HOURS``: hours, or {"eu": 72, "us": 72, "other": 72}."""
    raw: Any = getattr(settings, "SENTINELLE_ESCALATION_DEADLINE_HOURS", 72)
    if isinstance(raw, dict):
        raw = raw.get(regime or "other", raw.get("default", 72))
    return _hours(raw)


def escalate_to_delist() -> bool:
    return bool(getattr(settings, "SENTINELLE_ESCALATE_TO_DELIST", True))


def batch_size() -> int:
    return max(1, int(getattr(settings, "SENTINELLE_CHECK_BATCH", 1000)))


# --- Which links are due --------------------------------------------------------------------


@dataclass
class Watched:
    """A link with what the schedule needs to know about it."""

    link: ReportedLink
    notice_at: dt.datetime | None
    removed_at: dt.datetime | None
    last_check_at: dt.datetime | None
    last_verdict: str | None


def _watched_links(link_ids: Iterable[int] | None = None) -> QuerySet[ReportedLink]:
    notices = LinkEvent.objects.filter(link=OuterRef("pk"), kind=EventKind.NOTICE_SENT).order_by("-at", "-id")
    removals = LinkEvent.objects.filter(link=OuterRef("pk"), to_status=LinkStatus.REMOVED).order_by("-at", "-id")
    last = LinkCheck.objects.filter(link=OuterRef("pk")).order_by("-checked_at", "-id")
    qs = ReportedLink.objects.filter(action=Action.REMOVE, status__in=WATCHED_STATUSES)
    if link_ids is not None:
        qs = qs.filter(pk__in=list(link_ids))
    return (
        qs.select_related("platform", "platform__hosting_provider")
        .annotate(
            notice_at=Subquery(notices.values("at")[:1]),
            removed_at=Subquery(removals.values("at")[:1]),
            last_check_at=Subquery(last.values("checked_at")[:1]),
            last_verdict=Subquery(last.values("verdict")[:1]),
        )
        .order_by("pk")
    )


def _as_watched(link: ReportedLink) -> Watched:
    return Watched(
        link=link,
        notice_at=link.notice_at,  # type: ignore[attr-defined]
        removed_at=link.removed_at,  # type: ignore[attr-defined]
        last_check_at=link.last_check_at,  # type: ignore[attr-defined]
        last_verdict=link.last_verdict,  # type: ignore[attr-defined]
    )


def next_check_at(w: Watched) -> dt.datetime | None:
    """When this link should next be fetched, or None when nothing is planned."""
    if w.link.status == LinkStatus.REMOVED:
        if w.removed_at is None:
            return None
        since_removal = w.last_check_at if w.last_check_at and w.last_check_at >= w.removed_at else None
        if since_removal is not None and w.last_verdict == rules.STILL_ONLINE:
            return since_removal + confirm_delay()  # is it really back?
        base = since_removal or w.removed_at
        watch_at = base + reappearance_interval()
        return watch_at if watch_at - w.removed_at <= reappearance_watch() else None
    if w.notice_at is None:
        return None
    slots = [w.notice_at + _hours(h) for h in schedule_hours()]
    after = w.last_check_at if w.last_check_at and w.last_check_at >= w.notice_at else None
    upcoming = [slot for slot in slots if after is None or slot > after]
    due: dt.datetime | None = upcoming[0] if upcoming else None
    if after is not None and w.last_verdict in (rules.REMOVED, rules.UNREACHABLE):
        follow = after + (confirm_delay() if w.last_verdict == rules.REMOVED else retry_delay())
        if follow <= slots[-1] + retry_window():
            due = min(due, follow) if due is not None else follow
    return due


def _is_followed(w: Watched) -> bool:
    """Fetched after its notice, or watched for a reappearance after its removal."""
    return w.notice_at is not None or w.link.status == LinkStatus.REMOVED


# --- The stored schedule --------------------------------------------------------------------
#
# ``LinkSchedule.next_check_at`` caches ``next_check_at(w)`` so the due links are an indexed range
# scan. The plan changes with two kinds of facts: checks (this app refreshes the rows it checked)
# and LinkEvents recorded elsewhere — a notice sent (the notices app moves links with
# ``change_status_many``, which knows nothing of checks), a platform's answer, a new report that
# marks a link reappeared. ``sync_schedules`` reads those events at the start of every run. A
# claimed row is checked against its link's events and checks once more before the fetch, so a
# stale plan costs at most a skipped claim, never a wrong check.

# Events are read again this far behind the previous pass: an event is stamped before its
# transaction commits, so a pass may miss one that commits just after it looked.
SYNC_OVERLAP = dt.timedelta(hours=1)
# Intake events: a link has no plan before its notice goes out.
_INTAKE_KINDS = (EventKind.RECEIVED, EventKind.ACCEPTED, EventKind.REFUSED)
_CHUNK = 1000


def lease_duration() -> dt.timedelta:
    """How long a worker holds the links it claimed (``SENTINELLE_CHECK_LEASE_SECONDS``)."""
    return dt.timedelta(seconds=max(1.0, float(getattr(settings, "SENTINELLE_CHECK_LEASE_SECONDS", 1800))))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def refresh_schedules(link_ids: Iterable[int], *, release: bool = False) -> None:
    """Recompute the stored plan of these links from their events and checks.

    Creates the rows of followed links that have none. With ``release``, also ends the
    claim on them (the caller is the worker that claimed them).
    """
    ids = sorted(set(link_ids))
    fields = ["next_check_at", "notice_at", "last_check_at", "last_verdict", "refreshed_at"]
    if release:
        fields.append("leased_until")
    now = timezone.now()
    for chunk in _chunks(ids):
        with transaction.atomic():
            # Rows locked in link order, and the events and checks read after the lock: two
            # refreshes of one link run one after the other and the later one sees the latest check.
            held = set(
                LinkSchedule.objects.select_for_update()
                .filter(link_id__in=chunk)
                .order_by("link_id")
                .values_list("link_id", flat=True)
            )
            watched = {link.pk: _as_watched(link) for link in _watched_links(chunk)}
            updates: list[LinkSchedule] = []
            creates: list[LinkSchedule] = []
            for pk in chunk:
                w = watched.get(pk)
                followed = w is not None and _is_followed(w)
                row = LinkSchedule(
                    link_id=pk,
                    next_check_at=next_check_at(w) if w is not None and followed else None,
                    leased_until=None,
                    notice_at=w.notice_at if w is not None else None,
                    last_check_at=w.last_check_at if w is not None else None,
                    last_verdict=(w.last_verdict or "") if w is not None else "",
                    refreshed_at=now,
                )
                if pk in held:
                    updates.append(row)
                elif followed:
                    creates.append(row)
            if updates:
                LinkSchedule.objects.bulk_update(updates, fields)
            if creates:
                LinkSchedule.objects.bulk_create(creates, ignore_conflicts=True)


def sync_schedules() -> int:
    """Bring the schedules up to date with the LinkEvents recorded since the previous pass.

    The first pass plans every link that ever had a notice (links noticed before this table
    existed included); later ones refresh the links with an event (other than intake) since the
    previous pass, less ``SYNC_OVERLAP``. One worker at a time: the others skip the pass.
    Returns the number of links refreshed.
    """
    started = timezone.now()
    ScheduleCursor.objects.get_or_create(pk=1)
    with transaction.atomic():
        cursor = ScheduleCursor.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if cursor is None:
            return 0
        events = LinkEvent.objects.filter(link__action=Action.REMOVE)
        if cursor.synced_until is None:
            events = events.filter(kind=EventKind.NOTICE_SENT)
        else:
            events = events.filter(at__gte=cursor.synced_until - SYNC_OVERLAP).exclude(kind__in=_INTAKE_KINDS)
        link_ids = set(events.values_list("link_id", flat=True).order_by().distinct())
        refresh_schedules(link_ids)
        cursor.synced_until = started
        cursor.save(update_fields=["synced_until"])
    return len(link_ids)


def _free(wall: dt.datetime) -> Q:
    return Q(leased_until__isnull=True) | Q(leased_until__lte=wall)


def _claimable(now: dt.datetime, include_all: bool) -> QuerySet[LinkSchedule]:
    qs = LinkSchedule.objects.filter(_free(timezone.now()))
    if include_all:
        return qs.filter(link__action=Action.REMOVE, link__status__in=WATCHED_STATUSES)
    return qs.filter(next_check_at__lte=now)


def claim_links(now: dt.datetime, size: int, *, include_all: bool = False, after: int = 0) -> list[int]:
    """Claim up to ``size`` due links (every followed one after ``after`` with ``include_all``).

    The rows are locked with SKIP LOCKED, so workers claiming at the same moment get different
    links, and leased until now + ``lease_duration()`` in the same transaction, so a worker that
    claims later does not take them either. Returns the link ids, soonest plan first.
    """
    wall = timezone.now()
    with transaction.atomic():
        qs = _claimable(now, include_all).select_for_update(skip_locked=True, of=("self",))
        if include_all:
            qs = qs.filter(link_id__gt=after).order_by("link_id")
        else:
            qs = qs.order_by("next_check_at", "link_id")
        ids = list(qs.values_list("link_id", flat=True)[:size])
        if ids:
            LinkSchedule.objects.filter(link_id__in=ids).update(leased_until=wall + lease_duration())
    return ids


def _still_to_check(ids: Sequence[int], now: dt.datetime, include_all: bool) -> list[Watched]:
    """The claimed links that their events and checks still call for a fetch of."""
    order = {pk: index for index, pk in enumerate(ids)}
    chosen = []
    for link in _watched_links(ids):
        w = _as_watched(link)
        if not _is_followed(w):
            continue
        if not include_all and ((when := next_check_at(w)) is None or when > now):
            continue
        chosen.append(w)
    chosen.sort(key=lambda w: order[w.link.pk])
    return chosen


# --- Running checks -------------------------------------------------------------------------


@dataclass
class RunSummary:
    checked: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    removed: list[int] = field(default_factory=list)
    still_online: list[int] = field(default_factory=list)
    reappeared: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "verdicts": dict(self.verdicts),
            "removed": len(self.removed),
            "still_online": len(self.still_online),
            "reappeared": len(self.reappeared),
            "escalated": len(self.escalated),
        }


def _target(link: ReportedLink) -> Target:
    markers = tuple(link.platform.removal_marker_list) if link.platform else ()
    return Target(link_id=link.pk, url=link.url, host=link.host or "", markers=markers)


FetcherFactory = Callable[[], SafeFetcher]


async def _check_async(
    targets: Sequence[Target],
    politeness: Politeness,
    fetcher_factory: FetcherFactory | None,
    on_done: Callable[[Outcome], None] | None,
) -> list[Outcome]:
    fetcher = fetcher_factory() if fetcher_factory else SafeFetcher()
    async with fetcher:
        return await check_targets(targets, fetcher, politeness, on_done)


def run_checks(
    *,
    include_all: bool = False,
    limit: int | None = None,
    now: dt.datetime | None = None,
    politeness: Politeness | None = None,
    fetcher_factory: FetcherFactory | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    escalate: bool = True,
) -> RunSummary:
    """Fetch the due links (or all followed ones), record a LinkCheck each, move their statuses,
    then escalate the links left online past their deadline.

    Safe to run on many workers at once: each batch is claimed (``claim_links``) before it is
    fetched, so no link is checked twice.
    """
    now = now or timezone.now()
    sync_schedules()
    if on_total is not None:
        total = _claimable(now, include_all).count()
        on_total(total if limit is None else min(total, limit))
    politeness = politeness or Politeness.from_settings()
    summary = RunSummary()
    size = batch_size()
    seen: set[int] = set()
    after = 0
    while limit is None or len(seen) < limit:
        take = size if limit is None else min(size, limit - len(seen))
        ids = claim_links(now, take, include_all=include_all, after=after)
        if not ids:
            break
        after = ids[-1]
        # A link planned again before this run ends (a ``now`` ahead of the clock) waits for the next run.
        fresh = [pk for pk in ids if pk not in seen]
        seen.update(fresh)
        try:
            batch = _still_to_check(fresh, now, include_all)
            if batch:
                outcomes = asyncio.run(
                    _check_async([_target(w.link) for w in batch], politeness, fetcher_factory, on_done)
                )
                record_outcomes(batch, outcomes, summary)
        finally:
            refresh_schedules(ids, release=True)
        if not fresh:
            break
    if escalate:
        summary.escalated = escalate_overdue(timezone.now())
    return summary


def record_outcomes(batch: Sequence[Watched], outcomes: Sequence[Outcome], summary: RunSummary) -> None:
    """A LinkCheck row per outcome, then the status each pair of verdicts calls for."""
    by_id = {w.link.pk: w for w in batch}
    rows = LinkCheck.objects.bulk_create(
        [
            LinkCheck(
                link_id=o.target.link_id,
                checked_at=o.checked_at,
                url=o.target.url,
                status_code=o.status_code,
                final_url=o.final_url,
                redirects=o.redirects,
                bytes_read=o.bytes_read,
                truncated=o.truncated,
                body_sha256=o.body_sha256,
                elapsed_ms=o.elapsed_ms,
                verdict=o.verdict,
                rule=o.rule[:120],
                error=o.error,
            )
            for o in outcomes
        ]
    )
    for outcome, row in zip(outcomes, rows, strict=True):
        summary.checked += 1
        summary.verdicts[outcome.verdict] += 1
        w = by_id[outcome.target.link_id]
        apply_verdict(w, outcome, row, summary)


def _confirmed(w: Watched, outcome: Outcome, verdict: str, since: dt.datetime | None) -> bool:
    """Two consecutive ``verdict`` checks, at least the confirmation delay apart."""
    if w.last_verdict != verdict or w.last_check_at is None:
        return False
    if since is not None and w.last_check_at < since:
        return False
    return outcome.checked_at - w.last_check_at >= confirm_delay()


def _gone_message(outcome: Outcome) -> tuple[str, dict[str, object]]:
    """The "page is gone" event text (English source) and its params: translated when shown."""
    if outcome.status_code:
        return (
            gettext_noop(
                "Verified: the page is gone (two checks at least an hour apart; HTTP %(code)d, rule “%(rule)s”)."
            ),
            {"code": outcome.status_code, "rule": outcome.rule},
        )
    return (
        gettext_noop("Verified: the page is gone (two checks at least an hour apart; rule “%(rule)s”)."),
        {"rule": outcome.rule},
    )


def apply_verdict(w: Watched, outcome: Outcome, row: LinkCheck, summary: RunSummary) -> None:
    link = w.link
    data: dict[str, object] = {"check": row.pk, "verdict": outcome.verdict, "rule": outcome.rule}
    if link.status == LinkStatus.REMOVED:
        if outcome.verdict == rules.STILL_ONLINE and _confirmed(w, outcome, rules.STILL_ONLINE, w.removed_at):
            follow_up = mark_reappeared(link, data=data, at=outcome.checked_at)
            summary.reappeared.append(follow_up.pk)
        return
    if outcome.verdict == rules.REMOVED and _confirmed(w, outcome, rules.REMOVED, w.notice_at):
        message, params = _gone_message(outcome)
        change_status(
            link,
            LinkStatus.REMOVED,
            kind=EventKind.CHECK,
            message=message,
            params=params,
            data=data,
            at=outcome.checked_at,
        )
        summary.removed.append(link.pk)
    elif outcome.verdict == rules.STILL_ONLINE and link.status == LinkStatus.NOTICE_SENT:
        change_status(
            link,
            LinkStatus.STILL_ONLINE,
            kind=EventKind.CHECK,
            message=gettext_noop(
                "Checked: the page is still online. It will be checked again, and the request escalated "
                "if it stays online."
            ),
            data=data,
            at=outcome.checked_at,
        )
        summary.still_online.append(link.pk)


# --- Follow-up links (reappearance, delisting) ---------------------------------------------


def _delist_recipients(url: str) -> list[dict[str, object]]:
    """The search engines a delisting of ``url`` goes to (the registry's, as at intake)."""
    registry = get_registry()
    try:
        recipients = linkkit.classify(url, registry).delist_recipients
    except linkkit.LinkError:
        recipients = registry.delist_recipients
    return [{"platform_id": r.platform_id, "name": r.name, "domain": r.domain} for r in recipients]


def open_follow_up_link(
    source: ReportedLink, action: str, *, why: str, data: dict[str, object], at: dt.datetime | None = None
) -> tuple[ReportedLink, bool]:
    """``takedowns.services.open_follow_up_link`` with the recipients of ``action``: the source's
    own for the same action, the registry's search engines for a delisting."""
    recipients = source.recipients if action == source.action else _delist_recipients(source.url)
    return links.open_follow_up_link(source, action, recipients=recipients, why=why, data=data, at=at)


def mark_reappeared(link: ReportedLink, *, data: dict[str, object], at: dt.datetime) -> ReportedLink:
    """The removed ``link`` is back online: mark it and open a new link for a new notice."""
    with transaction.atomic():
        follow_up, _created = open_follow_up_link(
            link,
            link.action,
            why=gettext_noop(
                "Accepted again: the page had been removed and is back online. A new notice will be sent; "
                "this does not count against your daily limit."
            ),
            data={"reappearance_of": link.pk},
            at=at,
        )
        links.mark_reappeared(link, follow_up, seen_by=links.SEEN_BY_CHECK, data=data, at=at)
    return follow_up


# --- Escalation -----------------------------------------------------------------------------


def _steps_taken(link: ReportedLink) -> set[str]:
    return {
        str(step)
        for step in LinkEvent.objects.filter(link=link, kind=EventKind.ESCALATED).values_list("data__step", flat=True)
        if step
    }


def escalate_link(link: ReportedLink, *, at: dt.datetime) -> str | None:
    """Take the next escalation step for a link still online past its deadline; the step or None."""
    with transaction.atomic():
        link = (
            ReportedLink.objects.select_for_update(of=("self",))
            .select_related("platform__hosting_provider")
            .get(pk=link.pk)
        )
        if link.status != LinkStatus.STILL_ONLINE:
            return None
        platform = link.platform
        provider = platform.hosting_provider if platform is not None else None
        recipient = platform.name if platform is not None else link.registrable_domain
        if link.escalation_level == 0:
            level, step = 1, STEP_REMINDER
            message = gettext_noop("Still online after the deadline: a reminder is sent to %(who)s.")
            params: dict[str, object] = {"who": recipient}
        elif link.escalation_level == 1 and provider is not None:
            level, step = 2, STEP_HOSTING_PROVIDER
            message = gettext_noop(
                "Still online after the reminder: a notice is sent to %(provider)s, which hosts %(who)s."
            )
            params = {"provider": provider.name, "who": recipient}
        else:
            return _last_step(link, at)
        ReportedLink.objects.filter(pk=link.pk).update(escalation_level=level)
        link.escalation_level = level
        change_status(
            link,
            LinkStatus.ESCALATED,
            kind=EventKind.ESCALATED,
            message=message,
            params=params,
            data={"step": step, "level": level},
            at=at,
        )
        return step


def _last_step(link: ReportedLink, at: dt.datetime) -> str | None:
    taken = _steps_taken(link)
    if STEP_DELIST in taken or STEP_EXHAUSTED in taken:
        return None
    if link.action == Action.REMOVE and escalate_to_delist():
        delist, created = open_follow_up_link(
            link,
            Action.DELIST,
            why=gettext_noop(
                "Accepted: the page stays online despite the notices, so the search engines are asked to delist it."
            ),
            data={"escalated_from": link.pk},
            at=at,
        )
        message = (
            gettext_noop("Still online after every notice: the search engines are asked to delist it (link #%(id)d).")
            if created
            else gettext_noop("Still online after every notice; its delisting is already requested (link #%(id)d).")
        )
        change_status(
            link,
            LinkStatus.STILL_ONLINE,
            kind=EventKind.ESCALATED,
            message=message,
            params={"id": delist.pk},
            data={"step": STEP_DELIST, "delist_link": delist.pk},
            at=at,
        )
        return STEP_DELIST
    change_status(
        link,
        LinkStatus.STILL_ONLINE,
        kind=EventKind.ESCALATED,
        message=gettext_noop("Still online after every notice. The society's staff will review it."),
        data={"step": STEP_EXHAUSTED},
        at=at,
    )
    return STEP_EXHAUSTED


def _shortest_deadline() -> dt.timedelta:
    raw: Any = getattr(settings, "SENTINELLE_ESCALATION_DEADLINE_HOURS", 72)
    if isinstance(raw, dict):
        return min(_hours(value) for value in [*raw.values(), raw.get("default", 72)])
    return _hours(raw)


def escalate_overdue(now: dt.datetime | None = None) -> list[int]:
    """Escalate every "still online" link whose latest notice is older than its regime's deadline."""
    now = now or timezone.now()
    escalated: list[int] = []
    # The schedule rows narrow the search; the link's own events and checks decide.
    candidates = list(
        LinkSchedule.objects.filter(
            link__status=LinkStatus.STILL_ONLINE,
            last_verdict=rules.STILL_ONLINE,
            notice_at__lte=now - _shortest_deadline(),
        )
        .order_by("link_id")
        .values_list("link_id", flat=True)
    )
    for chunk in _chunks(candidates):
        for link in list(_watched_links(chunk).filter(status=LinkStatus.STILL_ONLINE)):
            w = _as_watched(link)
            regime = link.platform.regime if link.platform else "other"
            if w.notice_at is None or now - w.notice_at < escalation_deadline(regime):
                continue
            if w.last_verdict != rules.STILL_ONLINE:
                continue
            if escalate_link(link, at=now) is not None:
                escalated.append(link.pk)
    return escalated
