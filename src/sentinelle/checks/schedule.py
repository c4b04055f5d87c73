"""The link-check schedule: when each link is due, the stored plan, and claiming due links.

The schedule starts from the latest ``notice_sent`` LinkEvent of a link (a reminder or a notice
to the hosting provider restarts it): checks at +1 h, +24 h, +72 h and +7 days
(``SENTINELLE_CHECK_SCHEDULE_HOURS``). After a "removed" verdict a confirmation check comes an
hour later (``SENTINELLE_CHECK_CONFIRM_HOURS``), after an "unreachable" one a retry. Removed
links stay watched (``SENTINELLE_REAPPEARANCE_CHECK_HOURS``, for
``SENTINELLE_REAPPEARANCE_WATCH_DAYS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from sentinelle import conf
from sentinelle.checks import rules
from sentinelle.checks.models import LinkCheck, LinkSchedule, ScheduleCursor
from sentinelle.takedowns.models import Action, EventKind, LinkEvent, LinkStatus, ReportedLink

# Statuses whose links are fetched after their notice (or after a removal announced by an answer).
FOLLOWED_STATUSES = (
    LinkStatus.NOTICE_SENT,
    LinkStatus.STILL_ONLINE,
    LinkStatus.ESCALATED,
    LinkStatus.REMOVAL_ANNOUNCED,
)
# Statuses that become "unverifiable" when the follow-up ends without a conclusive verdict.
UNSETTLED_STATUSES = (LinkStatus.NOTICE_SENT, LinkStatus.STILL_ONLINE, LinkStatus.REMOVAL_ANNOUNCED)
# Verdicts that settle nothing.
NOT_CONCLUSIVE = (rules.UNREACHABLE, rules.INCONCLUSIVE)
WATCHED_STATUSES = (*FOLLOWED_STATUSES, LinkStatus.REMOVED)


# --- Which links are due --------------------------------------------------------------------


@dataclass
class Watched:
    """A link with what the schedule needs to know about it."""

    link: ReportedLink
    notice_at: dt.datetime | None
    removed_at: dt.datetime | None
    last_check_at: dt.datetime | None
    last_verdict: str | None
    announced_at: dt.datetime | None = None

    @property
    def follow_from(self) -> dt.datetime | None:
        """Where the follow-up's slots start: the latest notice, or a removal announced after it."""
        if self.link.status == LinkStatus.REMOVAL_ANNOUNCED and self.announced_at is not None:
            return max(self.announced_at, self.notice_at) if self.notice_at else self.announced_at
        return self.notice_at


def watched_links(link_ids: Iterable[int] | None = None) -> QuerySet[ReportedLink]:
    notices = LinkEvent.objects.filter(link=OuterRef("pk"), kind=EventKind.NOTICE_SENT).order_by("-at", "-id")
    removals = LinkEvent.objects.filter(link=OuterRef("pk"), to_status=LinkStatus.REMOVED).order_by("-at", "-id")
    announced = LinkEvent.objects.filter(link=OuterRef("pk"), to_status=LinkStatus.REMOVAL_ANNOUNCED).order_by(
        "-at", "-id"
    )
    last = LinkCheck.objects.filter(link=OuterRef("pk")).order_by("-checked_at", "-id")
    qs = ReportedLink.objects.filter(action=Action.REMOVE, status__in=WATCHED_STATUSES)
    if link_ids is not None:
        qs = qs.filter(pk__in=list(link_ids))
    return (
        qs.select_related("platform", "platform__hosting_provider")
        .annotate(
            notice_at=Subquery(notices.values("at")[:1]),
            removed_at=Subquery(removals.values("at")[:1]),
            announced_at=Subquery(announced.values("at")[:1]),
            last_check_at=Subquery(last.values("checked_at")[:1]),
            last_verdict=Subquery(last.values("verdict")[:1]),
        )
        .order_by("pk")
    )


def as_watched(link: ReportedLink) -> Watched:
    return Watched(
        link=link,
        notice_at=link.notice_at,  # type: ignore[attr-defined]
        removed_at=link.removed_at,  # type: ignore[attr-defined]
        last_check_at=link.last_check_at,  # type: ignore[attr-defined]
        last_verdict=link.last_verdict,  # type: ignore[attr-defined]
        announced_at=link.announced_at,  # type: ignore[attr-defined]
    )


def next_check_at(w: Watched) -> dt.datetime | None:
    """When this link should next be fetched, or None when nothing is planned."""
    if w.link.status == LinkStatus.REMOVED:
        return _next_watch(w, w.removed_at) if w.removed_at is not None else None
    start = w.follow_from
    if start is None:
        return None
    return _next_follow_up(w, start)


def _next_watch(w: Watched, removed_at: dt.datetime) -> dt.datetime | None:
    """A removed link: looked at again at the dense slots after its removal (+1 d, +3 d, +7 d by
    default), then every interval while watched; confirmed soon when seen online."""
    since_removal = w.last_check_at if w.last_check_at and w.last_check_at >= removed_at else None
    if since_removal is not None and w.last_verdict == rules.STILL_ONLINE:
        return since_removal + conf.check_confirm_delay()  # is it really back?
    after = since_removal or removed_at
    slots = [removed_at + conf.hours(h) for h in conf.reappearance_schedule_hours()]
    upcoming = [slot for slot in slots if slot > after]
    if upcoming:
        watch_at = upcoming[0]
    else:
        last = slots[-1] if slots else removed_at
        interval = conf.reappearance_interval()
        watch_at = last + interval * ((after - last) // interval + 1)
    return watch_at if watch_at - removed_at <= conf.reappearance_watch() else None


def _next_follow_up(w: Watched, start: dt.datetime) -> dt.datetime | None:
    """A noticed link: the next slot after its notice, or sooner a confirmation or a retry; and,
    when nothing has settled it, one last check at the end of the retry window."""
    slots = [start + conf.hours(h) for h in conf.check_schedule_hours()]
    window_end = slots[-1] + conf.check_retry_window()
    after = w.last_check_at if w.last_check_at and w.last_check_at >= start else None
    upcoming = [slot for slot in slots if after is None or slot > after]
    due: dt.datetime | None = upcoming[0] if upcoming else None
    if after is not None and _needs_a_second_look(w):
        follow = after + (
            conf.check_retry_delay() if w.last_verdict == rules.UNREACHABLE else conf.check_confirm_delay()
        )
        if follow <= window_end:
            due = min(due, follow) if due is not None else follow
    unsettled = w.link.status in UNSETTLED_STATUSES and w.last_verdict in (*NOT_CONCLUSIVE, None, "")
    if due is None and unsettled and (after is None or after < window_end):
        due = window_end  # the last look before the link is declared unverifiable
    return due


def _needs_a_second_look(w: Watched) -> bool:
    """A removed verdict is confirmed, an unreachable one retried, and an announced removal seen
    online is looked at again before it counts as a contradiction."""
    if w.last_verdict in (rules.REMOVED, rules.UNREACHABLE):
        return True
    return w.link.status == LinkStatus.REMOVAL_ANNOUNCED and w.last_verdict == rules.STILL_ONLINE


def follow_up_over(w: Watched) -> bool:
    """Nothing more is planned for this noticed link (its slots, retries and window are spent)."""
    start = w.follow_from
    return start is not None and _next_follow_up(w, start) is None


def is_followed(w: Watched) -> bool:
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


def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _planned(pk: int, w: Watched | None, now: dt.datetime) -> LinkSchedule:
    """The stored plan of link ``pk`` (``w``: None when the link is no longer watched)."""
    if w is None:
        return LinkSchedule(link_id=pk, next_check_at=None, leased_until=None, last_verdict="", refreshed_at=now)
    return LinkSchedule(
        link_id=pk,
        next_check_at=next_check_at(w) if is_followed(w) else None,
        leased_until=None,
        notice_at=w.notice_at,
        last_check_at=w.last_check_at,
        last_verdict=w.last_verdict or "",
        refreshed_at=now,
    )


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
    for chunk in chunks(ids):
        with transaction.atomic():
            # Rows locked in link order, and the events and checks read after the lock: two
            # refreshes of one link run one after the other and the later one sees the latest check.
            held = set(
                LinkSchedule.objects.select_for_update()
                .filter(link_id__in=chunk)
                .order_by("link_id")
                .values_list("link_id", flat=True)
            )
            watched = {link.pk: as_watched(link) for link in watched_links(chunk)}
            updates: list[LinkSchedule] = []
            creates: list[LinkSchedule] = []
            for pk in chunk:
                w = watched.get(pk)
                row = _planned(pk, w, now)
                if pk in held:
                    updates.append(row)
                elif w is not None and is_followed(w):
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


def claimable(now: dt.datetime, include_all: bool) -> QuerySet[LinkSchedule]:
    qs = LinkSchedule.objects.filter(_free(timezone.now()))
    if include_all:
        return qs.filter(link__action=Action.REMOVE, link__status__in=WATCHED_STATUSES)
    return qs.filter(next_check_at__lte=now)


def claim_links(now: dt.datetime, size: int, *, include_all: bool = False, after: int = 0) -> list[int]:
    """Claim up to ``size`` due links (every followed one after ``after`` with ``include_all``).

    The rows are locked with SKIP LOCKED, so workers claiming at the same moment get different
    links, and leased until now + ``conf.check_lease()`` in the same transaction, so a worker that
    claims later does not take them either. Returns the link ids, soonest plan first.
    """
    wall = timezone.now()
    with transaction.atomic():
        qs = claimable(now, include_all).select_for_update(skip_locked=True, of=("self",))
        if include_all:
            qs = qs.filter(link_id__gt=after).order_by("link_id")
        else:
            qs = qs.order_by("next_check_at", "link_id")
        ids = list(qs.values_list("link_id", flat=True)[:size])
        if ids:
            LinkSchedule.objects.filter(link_id__in=ids).update(leased_until=wall + conf.check_lease())
    return ids


def still_to_check(ids: Sequence[int], now: dt.datetime, include_all: bool) -> list[Watched]:
    """The claimed links that their events and checks still call for a fetch of."""
    order = {pk: index for index, pk in enumerate(ids)}
    chosen = []
    for link in watched_links(ids):
        w = as_watched(link)
        if not is_followed(w):
            continue
        if not include_all and ((when := next_check_at(w)) is None or when > now):
            continue
        chosen.append(w)
    chosen.sort(key=lambda w: order[w.link.pk])
    return chosen
