"""Intake: pasted text for one work → a verdict per line, accepted links saved with their events.

The rules live here, once, for the page and the API alike: own works only, the licensed
platforms, duplicates, search-engine pages, and the daily quota — which holds under
concurrent submissions because every submission of a member locks that member's quota row
for the day (PostgreSQL: SELECT … FOR UPDATE; SQLite: the write transaction is IMMEDIATE).

Each line goes through three steps: what is known of it is gathered (its classification, then
— only when the line could still be accepted — the earlier reports of its link), a pure judge
turns that into a ``Decision`` (``judge_line``, then ``judge_history``), and the ``Recorder``
writes what the decision says (links, events, the quota count) and fills the line's verdict.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from sentinelle import conf, linkkit
from sentinelle.catalogue.models import Work
from sentinelle.catalogue.selectors import get_member_work
from sentinelle.core import collector
from sentinelle.core.copyrows import Encoded
from sentinelle.core.dates import zone_city
from sentinelle.core.errors import DomainError
from sentinelle.members.models import Member, User
from sentinelle.platforms.selectors import get_registry
from sentinelle.takedowns.models import (
    Action,
    DailyQuotaUsage,
    EventKind,
    LinkStatus,
    RefusalReason,
    ReportedLink,
    TakedownRequest,
    shown_params,
)
from sentinelle.takedowns.quota import daily_limit, quota_day, quota_resets_at
from sentinelle.takedowns.services.links import (
    SEEN_BY_IMPORT,
    SEEN_BY_MEMBER,
    EarlierReports,
    LinkFacts,
    LinkIdentity,
    NewEvent,
    lock_work,
    mark_reappeared,
    new_link,
    open_links,
    recipient_rows,
)

logger = logging.getLogger(__name__)

ACCEPTED = "accepted"
REFUSED = "refused"


class IntakeError(DomainError):
    """The submission as a whole cannot be taken; nothing was saved."""


class WorkNotFound(IntakeError):
    def __init__(self) -> None:
        super().__init__("work_not_found", _("No such work in your catalogue."), 404)


@dataclass
class LineVerdict:
    """The answer for one pasted line (several when a line holds several URLs)."""

    line_no: int
    text: str
    outcome: str  # ACCEPTED or REFUSED
    reason: str = ""  # a RefusalReason value when refused
    message: str = ""
    url: str = ""
    platform: str = ""
    actions: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    link_ids: list[int] = field(default_factory=list)
    duplicate_of: int | None = None
    reappearance_of: int | None = None
    next_steps: list[str] = field(default_factory=list)  # what happens next, per recipient


@dataclass
class SubmissionResult:
    request: TakedownRequest | None
    verdicts: list[LineVerdict]
    quota_limit: int
    quota_remaining: int
    quota_resets_at: dt.datetime

    @property
    def accepted(self) -> list[LineVerdict]:
        return [v for v in self.verdicts if v.outcome == ACCEPTED]

    @property
    def refused(self) -> list[LineVerdict]:
        return [v for v in self.verdicts if v.outcome == REFUSED]


def max_lines() -> int:
    return conf.max_lines_per_submission()


def max_text_bytes() -> int:
    return conf.max_submission_bytes()


# --- The judge: what is known of a line → a decision (no I/O) ---------------------------------


@dataclass(frozen=True)
class Line:
    """What is known of one pasted line before the earlier reports of its link are looked up."""

    pasted: linkkit.PastedLine
    classification: linkkit.Classification | None = None
    error: linkkit.LinkError | None = None
    identity: LinkIdentity | None = None  # of the classified URL
    # An earlier line of this submission with the same link: (its line number, its first link id).
    same_as: tuple[int, int | None] | None = None


@dataclass(frozen=True)
class History:
    """The earlier reports of the link for this work, per chosen action (any member's)."""

    active: Mapping[str, ReportedLink]  # an active duplicate
    taken_down: Mapping[str, ReportedLink]  # no active one, and the latest ended removed or delisted


@dataclass(frozen=True)
class Quota:
    limit: int
    used: int
    resets_at: dt.datetime


@dataclass(frozen=True)
class Decision:
    """What to do with one line. ``message`` is the English source (``gettext_noop``)."""

    outcome: str
    reason: str = ""
    message: str = ""
    params: Mapping[str, object] | None = None
    store: bool = False  # a refused URL line kept as refused links, so the member sees it in the history
    duplicate_of: int | None = None
    take: tuple[str, ...] = ()  # accepted: the actions to open links for
    reappeared: Mapping[str, ReportedLink] = field(default_factory=dict)  # action → the earlier link
    counts_on_quota: bool = False


_LINK_ERROR_MESSAGES = {
    "empty": gettext_noop("This line is empty."),
    "not_a_url": gettext_noop("This is not a web address."),
    "unsupported_scheme": gettext_noop("Only web addresses (http or https) can be reported."),
    "no_host": gettext_noop("This address names no site."),
    "private_address": gettext_noop("This address points to a private network, not to a public site."),
    "too_long": gettext_noop("This address is longer than 8 KB; no site uses such addresses."),
}


_MAGNET_MESSAGE = gettext_noop(
    "A magnet link names a torrent, not a page that can be taken down: report the address of the "
    "torrent site's page where you found it."
)


def judge_line(line: Line) -> Decision | None:
    """The decision that the line alone settles (not a URL, a search page, a licensed platform,
    the same link as an earlier line), or None when the earlier reports must be looked at."""
    if line.classification is None:
        if line.error is None:
            return Decision(REFUSED, RefusalReason.NOT_A_URL, gettext_noop("This line holds no web address."))
        message = _LINK_ERROR_MESSAGES.get(line.error.code, gettext_noop("This is not a web address."))
        if linkkit.magnet_key(line.pasted.url):
            message = _MAGNET_MESSAGE
        return Decision(REFUSED, RefusalReason.NOT_A_URL, message)
    classification = line.classification
    if classification.flag in (linkkit.FLAG_SEARCH_PAGE, linkkit.FLAG_OPAQUE_REDIRECT):
        message = gettext_noop(
            "This is a search-engine page, not the page it points to. Open the result and report "
            "the address of the page itself."
        )
        return Decision(REFUSED, RefusalReason.SEARCH_PAGE, message, store=True)
    if classification.licensed:
        message = gettext_noop(
            "%(platform)s is licensed by the society: its use of your works is already paid for. "
            "Contact the society if you think this use is outside the licence."
        )
        return Decision(
            REFUSED, RefusalReason.LICENSED_PLATFORM, message, {"platform": _platform_label(classification)}, True
        )
    if line.same_as is not None:
        first_line, first_link = line.same_as
        message = gettext_noop("The same link as line %(line)d of this submission.")
        return Decision(REFUSED, RefusalReason.DUPLICATE, message, {"line": first_line}, duplicate_of=first_link)
    return None


def judge_history(history: History, chosen: Sequence[str], member_id: int, quota: Quota) -> Decision:
    """The decision for a URL line from the earlier reports of its link and the day's quota.

    Active for every chosen action: a duplicate. Otherwise the actions without an active report
    are taken; a link taken down before and back online comes back without using the quota (one
    the platform refused is a new request like any other).
    """
    if len(history.active) == len(chosen):
        dup = history.active[chosen[0]]
        if dup.member_id == member_id:
            message = gettext_noop("You reported this link on %(date)s; it is still being handled.")
            params = {"date": timezone.localdate(dup.created_at)}
            return Decision(REFUSED, RefusalReason.DUPLICATE, message, params, duplicate_of=dup.pk)
        message = gettext_noop("Another rights holder of this work already reported this link; it is being handled.")
        return Decision(REFUSED, RefusalReason.DUPLICATE, message)
    if not history.active and not history.taken_down:  # a new link: the usual case
        take, reappeared, counts_on_quota = tuple(chosen), _NOTHING, True
    else:
        take = tuple(a for a in chosen if a not in history.active)
        reappeared = {a: history.taken_down[a] for a in take if a in history.taken_down}
        counts_on_quota = len(reappeared) < len(take)
    if counts_on_quota and quota.used >= quota.limit:
        message = gettext_noop(
            "Daily limit reached: %(limit)d links a day, none left today. The count resets at midnight, %(city)s time."
        )
        return Decision(REFUSED, RefusalReason.QUOTA, message, {"limit": quota.limit, "city": zone_city()}, True)
    if reappeared is _NOTHING:
        return _taking(take)
    return Decision(ACCEPTED, take=take, reappeared=reappeared, counts_on_quota=counts_on_quota)


_NOTHING: Mapping[str, ReportedLink] = MappingProxyType({})
_NO_HISTORY = History(_NOTHING, _NOTHING)


@functools.cache
def _taking(take: tuple[str, ...]) -> Decision:
    """The decision to take a new link for ``take``, made once: a decision is a value."""
    return Decision(ACCEPTED, take=take, reappeared=_NOTHING, counts_on_quota=True)


# The quota refusal recorded before it named the time zone: those events keep their French.
EARLIER_QUOTA_MESSAGE = gettext_noop(
    "Daily limit reached: %(limit)d links a day, none left today. The count resets on %(when)s."
)


def _platform_label(classification: linkkit.Classification) -> str:
    platform = classification.platform
    return platform.name if platform else classification.url.registrable_domain


# --- Gathering what is known -------------------------------------------------------------------


def _validate_actions(actions: Sequence[str]) -> list[str]:
    chosen = [a for a in Action.values if a in set(actions)]
    unknown = set(actions) - set(Action.values)
    if unknown or not chosen:
        raise IntakeError("invalid_action", _("Choose the action: remove from the site, delist, or both."))
    return chosen


def _pasted_lines(text: str) -> list[linkkit.PastedLine]:
    if len(text.encode("utf-8", "surrogatepass")) > max_text_bytes():
        raise IntakeError(
            "too_large",
            _("The pasted text is larger than %(limit)d KB. Send it in several parts.")
            % {"limit": max_text_bytes() // 1024},
            413,
        )
    if "\x00" in text:
        raise IntakeError("binary", _("The pasted text contains binary data. Paste web addresses only."))
    non_blank = sum(1 for line in text.splitlines() if line.strip())
    if non_blank == 0:
        raise IntakeError("empty", _("Paste at least one web address."))
    if non_blank > max_lines():
        raise IntakeError(
            "too_many_lines",
            _("%(count)d lines were pasted; at most %(limit)d are taken at once. Send them in several parts.")
            % {"count": non_blank, "limit": max_lines()},
            413,
        )
    return list(linkkit.extract_lines(text, max_lines=max_lines()))


def _classified(pasted: linkkit.PastedLine, registry: linkkit.Registry) -> Line:
    if pasted.url is None:
        return Line(pasted)
    try:
        classification = linkkit.classify(pasted.url, registry)
    except linkkit.LinkError as exc:
        return Line(pasted, error=exc)
    return Line(pasted, classification, identity=LinkIdentity.of(classification.url))


def _history(reports: EarlierReports, chosen: Sequence[str], identity: LinkIdentity, host: str) -> History:
    active: dict[str, ReportedLink] = {}
    taken_down: dict[str, ReportedLink] = {}
    for action in chosen:
        found = reports.active_duplicate(action, identity)
        if found is not None:
            active[action] = found
        elif (earlier := reports.taken_down(action, identity, host)) is not None:
            taken_down[action] = earlier
    return History(active, taken_down)


# PostgreSQL: the day's row made, or locked, in one statement: an upsert locks the row it meets as
# SELECT … FOR UPDATE would (waiting for a submission holding it) and returns its latest count.
_LOCK_QUOTA = """
INSERT INTO {table} (member_id, day, accepted) VALUES (%s, %s, 0)
ON CONFLICT (member_id, day) DO UPDATE SET accepted = {table}.accepted
RETURNING id, accepted
"""


def _lock_quota(member: Member, day: dt.date) -> DailyQuotaUsage:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _LOCK_QUOTA.format(table=connection.ops.quote_name(DailyQuotaUsage._meta.db_table)), [member.pk, day]
            )
            pk, accepted = cursor.fetchone()
        return DailyQuotaUsage.from_db(
            connection.alias, ["id", "member_id", "day", "accepted"], [pk, member.pk, day, accepted]
        )
    DailyQuotaUsage.objects.get_or_create(member=member, day=day)
    return DailyQuotaUsage.objects.select_for_update().get(member=member, day=day)


# --- The recorder: a decision → links, events, the verdict -------------------------------------


def _recipient_names(classification: linkkit.Classification, action: str) -> list[str]:
    if action == Action.REMOVE:
        rec = classification.remove_recipient
        return [rec.name] if rec is not None else []
    return [r.name for r in classification.delist_recipients]


_RECEIVED = NewEvent(EventKind.RECEIVED, "", gettext_noop("Reported by the member."))
# A new link's acceptance, by whether it came from a staff import (its only first event then).
_ACCEPTED = {
    False: gettext_noop("Accepted (%(who)s): its notices are being prepared."),
    True: gettext_noop("Imported by the society's staff and accepted (%(who)s): its notices are being prepared."),
}
_ACCEPTED_AGAIN = {
    False: gettext_noop("Accepted again: the link had been %(status)s and is back online."),
    True: gettext_noop(
        "Imported by the society's staff and accepted again: the link had been %(status)s and is back online."
    ),
}


@dataclass
class Recorder:
    """Writes the decisions of one submission: its request, links and events, its quota count."""

    request: TakedownRequest
    member: Member
    work: Work
    chosen: list[str]
    actor: User | None
    now: dt.datetime
    usage: DailyQuotaUsage | None  # None: outside the daily quota (a staff import)
    platform_ids: set[int | str]
    # A staff import (``services.bulk``): a refused line is reported, not stored as a refused link,
    # and a new link has one first event, its acceptance, which says it was imported (the member
    # did not report it; the link's creation is its receipt): half the rows a line writes.
    staff_import: bool = False
    # Written by finish() in two inserts: the new links (plain values) with their first events, and
    # which verdict each belongs to; the earlier links back online (with the position of the link
    # that follows each); lines naming an earlier line's link.
    opened: list[tuple[dict[str, Any], list[NewEvent]]] = field(default_factory=list)
    owners: list[LineVerdict] = field(default_factory=list)
    reappearances: list[tuple[ReportedLink, int]] = field(default_factory=list)
    same_as: list[tuple[LineVerdict, LineVerdict]] = field(default_factory=list)
    # The accepted lines' texts, translated once per submission (a thousand lines share a handful).
    messages: dict[tuple[object, ...], str] = field(default_factory=dict)
    short_links: list[int] = field(default_factory=list)  # accepted short links, followed after commit
    torrent_pages: list[int] = field(default_factory=list)  # accepted numbered torrent pages, read after commit
    # The accepted links by what their routing reads (``notices.selectors.next_steps_of``): filled by
    # settle(), with the first link of each group as routing reads it.
    routed: dict[tuple[object, ...], list[int]] = field(default_factory=dict)
    routed_links: dict[tuple[object, ...], dict[str, Any]] = field(default_factory=dict)
    # Per line, once per submission: the recipients of a site and action (``recipient_rows``, one
    # list shared by the links it names, dumped once), the accepted event of those recipients.
    recipients: dict[tuple[object, ...], list[dict[str, object]]] = field(default_factory=dict)
    accepted_events: dict[tuple[object, ...], NewEvent] = field(default_factory=dict)
    # The new links' ids when taken beforehand (``core.copyrows.next_ids``: a staff import judges a
    # chunk before its writer thread writes it, ``services.bulk``); else taken as they are written.
    link_ids: list[int] | None = None
    encoded: list[Encoded] = field(default_factory=list)  # and the links and events encoded for COPY
    settled: bool = False  # settle() has run: the ids were taken and told before the writing
    # False: the request was prepared ahead and is not written yet (a staff import's chunk judged
    # before its writer thread writes it, ``services.bulk``): finish() inserts it, with its counts.
    request_written: bool = True
    resets_at: dt.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.resets_at = quota_resets_at(self.now)

    def record(self, verdict: LineVerdict, line: Line, decision: Decision) -> None:
        shown = _(decision.message) if decision.message else ""
        verdict.outcome, verdict.reason = decision.outcome, decision.reason
        verdict.message = shown % shown_params(decision.params) if decision.params else shown
        verdict.duplicate_of = decision.duplicate_of
        if decision.outcome == ACCEPTED:
            self._accept(verdict, line, decision)
        elif decision.store and not self.staff_import and line.classification is not None:
            self._store_refused(verdict, line, decision)

    def _recipient_rows(self, classification: linkkit.Classification, action: str) -> list[dict[str, object]]:
        if action == Action.REMOVE:
            key: tuple[object, ...] = (action, classification.remove_recipient)
        else:
            key = (action, *classification.delist_recipients)
        if (rows := self.recipients.get(key)) is None:
            rows = self.recipients[key] = recipient_rows(classification, action)
        return rows

    def _open(
        self,
        verdict: LineVerdict,
        line: Line,
        action: str,
        *,
        status: str,
        events: list[NewEvent],
        recipients: list[dict[str, object]],
        refusal_reason: str = "",
        quota_day: dt.date | None = None,
    ) -> int:
        """Queue one new link for finish(); returns its position. ``recipients``: ``_recipient_rows``."""
        classification = line.classification
        assert classification is not None and line.identity is not None
        canonical = classification.url
        platform_id = classification.platform.platform_id if classification.platform else None
        facts = LinkFacts(
            submitted_url=verdict.text,
            url=canonical.url,
            identity=line.identity,
            host=canonical.host,
            registrable_domain=canonical.registrable_domain,
            platform_id=platform_id if platform_id in self.platform_ids and isinstance(platform_id, int) else None,
            unwrapped_from=classification.unwrapped_from or "",
            shortener=classification.flag == linkkit.FLAG_SHORTENER,
            line_number=verdict.line_no,
        )
        link = new_link(
            request_id=self.request.pk,
            member_id=self.member.pk,
            work_id=self.work.pk,
            action=action,
            facts=facts,
            recipients=recipients,
            status=status,
            refusal_reason=refusal_reason,
            quota_day=quota_day,
        )
        self.opened.append((link, events))
        self.owners.append(verdict)
        return len(self.opened) - 1

    def _store_refused(self, verdict: LineVerdict, line: Line, decision: Decision) -> None:
        assert line.classification is not None
        refused = NewEvent(
            EventKind.REFUSED,
            LinkStatus.REFUSED,
            decision.message,
            data={"reason": decision.reason},
            params=dict(decision.params) if decision.params else None,
        )
        for action in self.chosen:
            self._open(
                verdict,
                line,
                action,
                status=LinkStatus.REFUSED,
                refusal_reason=decision.reason,
                events=[_RECEIVED, refused],
                recipients=self._recipient_rows(line.classification, action),
            )

    def _accept(self, verdict: LineVerdict, line: Line, decision: Decision) -> None:
        classification = line.classification
        assert classification is not None
        verdict.actions = list(decision.take)
        counted = decision.counts_on_quota and self.usage is not None
        day = self.usage.day if counted and self.usage is not None else None
        for action in decision.take:
            earlier = decision.reappeared.get(action)
            names = _recipient_names(classification, action)
            rows = self._recipient_rows(classification, action)
            accepted = self._accepted_event(rows, action, names, earlier)
            opened = self._open(
                verdict,
                line,
                action,
                status=LinkStatus.ACCEPTED,
                quota_day=day,
                events=[accepted] if self.staff_import else [_RECEIVED, accepted],
                recipients=rows,
            )
            verdict.recipients.extend(n for n in names if n not in verdict.recipients)
            if earlier is not None:
                verdict.reappearance_of = earlier.pk
                self.reappearances.append((earlier, opened))
        if counted and self.usage is not None:
            self.usage.accepted += 1
        key = (*verdict.actions, classification.unwrapped_from, classification.flag, bool(verdict.reappearance_of))
        if (message := self.messages.get(key)) is None:
            message = self.messages[key] = _accepted_message(verdict, classification)
        verdict.message = message

    def _accepted_event(
        self, rows: list[dict[str, object]], action: str, names: list[str], earlier: ReportedLink | None
    ) -> NewEvent:
        """The accepted event of a new link (``rows``: its ``_recipient_rows``): one object for every
        link with the same recipients (its data is then dumped once); a reappearance names its earlier link."""
        if earlier is not None:
            why = _ACCEPTED_AGAIN[self.staff_import]
            params: dict[str, object] = {"status": LinkStatus(earlier.status).label}
            data: dict[str, object] = {"recipients": rows, "reappearance_of": earlier.pk}
            return NewEvent(EventKind.ACCEPTED, LinkStatus.ACCEPTED, why, data=data, params=params)
        key = (action, id(rows))  # the rows are kept in self.recipients: the id stays theirs
        if (found := self.accepted_events.get(key)) is None:
            why = _ACCEPTED[self.staff_import]
            data = {"recipients": rows, "reappearance_of": None}
            params = {"who": ", ".join(names) or "—"}
            found = NewEvent(EventKind.ACCEPTED, LinkStatus.ACCEPTED, why, data=data, params=params)
            self.accepted_events[key] = found
        return found

    def finish(self, verdicts: list[LineVerdict]) -> None:
        """Write what was decided: the new links and their events, the earlier links back online,
        the quota count, the request with its counts."""
        ids = open_links(self.opened, actor=self.actor, at=self.now, ids=self.link_ids, encoded=self.encoded)
        if not self.settled:  # the ids are known once the links are written
            self.settle(verdicts, ids)
        for earlier, position in self.reappearances:
            follow_up = ReportedLink(pk=ids[position], **self.opened[position][0])
            seen_by = SEEN_BY_IMPORT if self.staff_import else SEEN_BY_MEMBER
            mark_reappeared(earlier, follow_up, seen_by=seen_by, actor=self.actor, at=self.now)
        if self.usage is not None:
            self.usage.save(update_fields=["accepted"])
        request = self.request
        if not self.request_written:  # prepared ahead: written once, with its counts
            request.save(force_insert=True)
            self.request_written = True
        else:
            request.save(update_fields=["line_count", "accepted_count", "refused_count"])

    def settle(self, verdicts: list[LineVerdict], ids: Sequence[int]) -> None:
        """What the new links' ``ids`` tell, in memory: each verdict's links, the links by routing,
        the short links and torrent pages to follow, the request's counts. A staff import settles
        a chunk judged ahead, its ids taken beforehand, before its writer thread writes it
        (``services.bulk``): the writer then only writes."""
        self.link_ids, self.settled = list(ids), True
        for pk, (link, _events) in zip(ids, self.opened, strict=True):
            if link["status"] != LinkStatus.ACCEPTED:
                continue
            routed = (link["action"], link["platform_id"], link["registrable_domain"], id(link["recipients"]))
            if routed not in self.routed:
                self.routed[routed] = []
                self.routed_links[routed] = {**link, "id": pk, "escalation_level": 0}  # a new link's level
            self.routed[routed].append(pk)
            if link["shortener"]:
                self.short_links.append(pk)
            elif linkkit.shows_its_hash_only_on_the_page(link["content_key"]):
                self.torrent_pages.append(pk)
        for verdict, pk in zip(self.owners, ids, strict=True):
            verdict.link_ids.append(pk)
        for verdict, first in self.same_as:
            verdict.duplicate_of = first.link_ids[0] if first.link_ids else None
        request = self.request
        request.line_count = len({v.line_no for v in verdicts})
        request.accepted_count = sum(1 for v in verdicts if v.outcome == ACCEPTED)
        request.refused_count = len(verdicts) - request.accepted_count


def _accepted_message(verdict: LineVerdict, classification: linkkit.Classification) -> str:
    parts = [
        ngettext("Accepted: %(actions)s.", "Accepted: %(actions)s.", len(verdict.actions))
        % {"actions": ", ".join(str(Action(a).label) for a in verdict.actions)}
    ]
    if classification.unwrapped_from:
        parts.append(
            _("Taken from a %(engine)s result: the target page is reported.")
            % {"engine": linkkit.display_name(classification.unwrapped_from)}
        )
    if classification.flag == linkkit.FLAG_SHORTENER:
        parts.append(_("This is a short link: the society will find where it leads before acting."))
    if verdict.reappearance_of:
        parts.append(_("It had been taken down before; it does not count against your daily limit."))
    return " ".join(parts)


# --- The service ---------------------------------------------------------------------------------


def submit_links(
    member: Member,
    work_id: int,
    text: str,
    actions: Sequence[str],
    *,
    actor: User | None = None,
    via_api: bool = False,
    now: dt.datetime | None = None,
) -> SubmissionResult:
    """Take one submission. Raises WorkNotFound or IntakeError (then nothing is saved)."""
    try:
        work = get_member_work(member, work_id)
    except Work.DoesNotExist:
        raise WorkNotFound() from None
    chosen = _validate_actions(actions)
    registry = get_registry()
    now = now or timezone.now()
    limit = daily_limit(member)

    # The collector held off for the whole submission: one pass after it, when its lines, links and
    # events are gone, instead of one after each step over all that is still alive (core.collector).
    with collector.paused():
        lines = _pasted_lines(text or "")
        with transaction.atomic():
            usage = _lock_quota(member, quota_day(now))
            lock_work(work.pk)
            request = TakedownRequest.objects.create(member=member, work=work, actions=chosen, via_api=via_api)
            rules = {r.platform_id for r in registry.rules}
            recorder = Recorder(request, member, work, chosen, actor, now, usage, rules)
            verdicts = judge_and_record(recorder, classify_lines(lines, registry), limit)
        _tell_next_steps(verdicts, recorder)
    return SubmissionResult(
        request=request,
        verdicts=verdicts,
        quota_limit=limit,
        quota_remaining=max(0, limit - usage.accepted),
        quota_resets_at=quota_resets_at(now),
    )


def classify_lines(lines: Sequence[linkkit.PastedLine], registry: linkkit.Registry) -> list[Line]:
    """What the lines alone say (``linkkit.classify``): no database. A staff import classifies its
    next chunk with this while the previous one is written (``services.bulk``)."""
    with collector.paused():
        return [_classified(pasted, registry) for pasted in lines]


def judge_and_record(recorder: Recorder, classified: Sequence[Line], limit: int) -> list[LineVerdict]:
    """The judge of one submission (or one chunk of a staff import) for one work and its actions:
    read the earlier reports of all the classified lines' links in one query, judge each line,
    write what was decided. The caller holds the transaction and the locks."""
    reports = EarlierReports(recorder.work.pk, recorder.chosen, _identities(classified))
    verdicts = judge_lines(recorder, classified, reports, limit)
    record_judged(recorder, verdicts)
    return verdicts


def judge_lines(
    recorder: Recorder, classified: Sequence[Line], reports: EarlierReports, limit: int
) -> list[LineVerdict]:
    """Judge each line on what is known (``reports``: the earlier reports of their links); the
    recorder queues what is decided, nothing is written (``record_judged`` writes it). The garbage
    collector waits meanwhile (``core.collector``): what is built here lives until it is written."""
    with collector.paused():
        seen: dict[str, LineVerdict] = {}
        return [_take_line(line, reports, recorder, limit, seen) for line in classified]


def record_judged(recorder: Recorder, verdicts: list[LineVerdict]) -> None:
    """Write what ``judge_lines`` decided (in the caller's transaction, under its locks)."""
    with collector.paused():
        recorder.finish(verdicts)
    if recorder.short_links:
        transaction.on_commit(functools.partial(_enqueue, "resolve_short_links", recorder.short_links))
    if recorder.torrent_pages:
        transaction.on_commit(functools.partial(_enqueue, "read_torrent_pages", recorder.torrent_pages))


def _enqueue(task_name: str, link_ids: list[int]) -> None:
    """Short links are followed (``services.shortlinks``) and torrent pages read
    (``services.torrentpages``) by a task after the submission is saved; the periodic run of the
    same task picks up any this misses."""
    from sentinelle.takedowns import tasks  # the tasks module imports the services

    try:
        getattr(tasks, task_name).enqueue(link_ids)
    except Exception:
        logger.exception("could not enqueue %s for links %s", task_name, link_ids)


def _tell_next_steps(verdicts: list[LineVerdict], recorder: Recorder) -> None:
    """Each accepted line says what happens next, as the routing stands (never "will be sent" when nothing can be).

    ``recorder.routed``: the accepted links by what routing reads of a new link (its action,
    platform, site and recipients; ``notices.routing.routes_for``): the next steps of one link of
    each group are those of all its links, so they are worked out for one link a group, from the
    values just written (``recorder.routed_links``), not read back.
    """
    from sentinelle.notices.selectors import next_steps_of

    steps = next_steps_of(list(recorder.routed_links.values()))
    by_link: dict[int, tuple[str, ...]] = {}  # a group's texts, worked out once for its links
    for ids in recorder.routed.values():
        texts = tuple(dict.fromkeys(step.text for step in steps.get(ids[0], [])))
        by_link.update(dict.fromkeys(ids, texts))
    for verdict in verdicts:
        if verdict.outcome != ACCEPTED or not verdict.link_ids:
            continue
        if len(verdict.link_ids) == 1:
            verdict.next_steps = list(by_link.get(verdict.link_ids[0], ()))
        else:
            verdict.next_steps = list(dict.fromkeys(t for i in verdict.link_ids for t in by_link.get(i, ())))
        if verdict.next_steps:
            verdict.message = " ".join([verdict.message, *verdict.next_steps])


def _identities(lines: Sequence[Line]) -> list[LinkIdentity]:
    """The links whose earlier reports a judge may need: every line holding a usable URL."""
    return [line.identity for line in lines if line.identity is not None]


def _take_line(
    line: Line,
    reports: EarlierReports,
    recorder: Recorder,
    limit: int,
    seen: dict[str, LineVerdict],
) -> LineVerdict:
    """Judge one classified line on what is known, record the decision.

    ``seen``: the lines of this submission that were judged on their history, by link key. A
    later line with the same link names the earlier line's first link once the links are saved.
    """
    pasted = line.pasted
    verdict = LineVerdict(line_no=pasted.line_no, text=pasted.text, outcome=REFUSED)
    key = ""
    first = None
    if line.classification is not None:
        canonical = line.classification.url
        verdict.url = canonical.url
        verdict.platform = _platform_label(line.classification)
        assert line.identity is not None
        key = line.identity.key
        if (first := seen.get(key)) is not None:
            line = replace(line, same_as=(first.line_no, None))
    decision = judge_line(line)
    if decision is not None and decision.reason == RefusalReason.DUPLICATE and first is not None:
        recorder.same_as.append((verdict, first))
    if decision is None:
        assert line.classification is not None and line.identity is not None
        seen[key] = verdict
        if reports.by_key:
            history = _history(reports, recorder.chosen, line.identity, line.classification.url.host[:255])
        else:  # none of the submission's links was reported before
            history = _NO_HISTORY
        used = recorder.usage.accepted if recorder.usage is not None else 0
        quota = Quota(limit, used, recorder.resets_at)
        decision = judge_history(history, recorder.chosen, recorder.member.pk, quota)
    recorder.record(verdict, line, decision)
    return verdict
