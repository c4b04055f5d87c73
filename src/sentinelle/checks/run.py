"""Running checks: fetch the due links, record a LinkCheck each, move their statuses.

Only "remove" links are fetched. A delisting cannot be verified by fetching the page (the page
may well stay online; what goes is the search result), so "delist" links are settled by the
search engines' answers alone. A link becomes *removed* only after two consecutive removed
verdicts at least ``SENTINELLE_CHECK_CONFIRM_HOURS`` apart; a removed link seen online on two
consecutive checks is marked *reappeared* and followed by a new accepted link for the same URL,
outside the quota, so a fresh notice goes out (a new link rather than a reset one: the notice
history of the first stays whole and a notice is never sent twice for one link).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import conf
from sentinelle.checks import rules
from sentinelle.checks.engine import Outcome, Politeness, Target, check_targets
from sentinelle.checks.escalation import escalate_overdue, open_follow_up_link
from sentinelle.checks.fetch import SafeFetcher
from sentinelle.checks.models import LinkCheck
from sentinelle.checks.outcomes import mark_unverifiable, record_contradiction
from sentinelle.checks.schedule import (
    NOT_CONCLUSIVE,
    UNSETTLED_STATUSES,
    Watched,
    claim_links,
    claimable,
    follow_up_over,
    refresh_schedules,
    still_to_check,
    sync_schedules,
)
from sentinelle.takedowns import services as links
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status

# --- Running checks -------------------------------------------------------------------------


@dataclass
class RunSummary:
    checked: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    removed: list[int] = field(default_factory=list)
    still_online: list[int] = field(default_factory=list)
    reappeared: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    unverifiable: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "verdicts": dict(self.verdicts),
            "removed": len(self.removed),
            "still_online": len(self.still_online),
            "reappeared": len(self.reappeared),
            "escalated": len(self.escalated),
            "unverifiable": len(self.unverifiable),
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
        total = claimable(now, include_all).count()
        on_total(total if limit is None else min(total, limit))
    politeness = politeness or Politeness.from_settings()
    summary = RunSummary()
    size = conf.check_batch()
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
            batch = still_to_check(fresh, now, include_all)
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
        summary.escalated += escalate_overdue(timezone.now())
    return summary


def rehearse_checks(
    *,
    include_all: bool = False,
    limit: int | None = None,
    now: dt.datetime | None = None,
    fetcher_factory: FetcherFactory | None = None,
) -> list[Outcome]:
    """A dry run: fetch the links a run would check and give their verdicts, recording nothing.

    No claim, no LinkCheck, no status change, no escalation: an operator rehearses the checks
    (against test servers named by SENTINELLE_FETCH_RESOLVE, say) and the real run finds the same
    links still due.
    """
    now = now or timezone.now()
    sync_schedules()
    rows = claimable(now, include_all).order_by("link_id" if include_all else "next_check_at", "link_id")
    ids = list(rows.values_list("link_id", flat=True)[: limit or conf.check_batch()])
    batch = still_to_check(ids, now, include_all)
    if not batch:
        return []
    targets = [_target(w.link) for w in batch]
    return asyncio.run(_check_async(targets, Politeness.from_settings(), fetcher_factory, None))


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
    return outcome.checked_at - w.last_check_at >= conf.check_confirm_delay()


def _gone_message(outcome: Outcome) -> tuple[str, dict[str, object]]:
    """The "page is gone" event text (English source) and its params: translated when shown.

    A redirect is quoted as such (its own status and where it led), not as the final page's 200.
    """
    if outcome.redirect_status and outcome.rule.startswith("redirect_"):
        return (
            gettext_noop(
                "Verified: the page is gone (two checks at least an hour apart; HTTP %(code)d redirect to "
                "%(target)s, rule “%(rule)s”)."
            ),
            {"code": outcome.redirect_status, "target": outcome.final_url, "rule": outcome.rule},
        )
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
    """The status a verdict calls for, given the link's status and its previous verdict."""
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
    elif outcome.verdict == rules.STILL_ONLINE and link.status == LinkStatus.REMOVAL_ANNOUNCED:
        if _confirmed(w, outcome, rules.STILL_ONLINE, w.announced_at):
            record_contradiction(link, data=data, at=outcome.checked_at)
            summary.escalated.append(link.pk)
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
    elif outcome.verdict in NOT_CONCLUSIVE and link.status in UNSETTLED_STATUSES:
        seen = Watched(link, w.notice_at, w.removed_at, outcome.checked_at, outcome.verdict, w.announced_at)
        if follow_up_over(seen):
            mark_unverifiable(link, seen, data=data, at=outcome.checked_at)
            summary.unverifiable.append(link.pk)


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
