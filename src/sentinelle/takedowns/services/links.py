"""The one writer of ``ReportedLink`` and ``LinkEvent``: open a link, find its active duplicate,
change its status, mark it reappeared.

Intake (a member's report) and the checks app (a reappearance seen by a check, an escalation to
the search engines) open links through ``open_link`` and look for duplicates through
``find_active_duplicate``, so both apply the same rule: a duplicate is an *active* link for the
same work and action with the same identity key, or the same file key on a known file host.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import linkkit
from sentinelle.core.copyrows import Encoded, copy_encoded, encode_values, insert_values
from sentinelle.members.models import User
from sentinelle.takedowns.models import (
    ACTIVE_STATUSES,
    Action,
    DailyQuotaUsage,
    EventKind,
    LinkEvent,
    LinkStatus,
    RefusalReason,
    ReportedLink,
    WorkIntake,
    message_params,
)

# Who saw a removed link back online.
SEEN_BY_MEMBER = "member"
SEEN_BY_IMPORT = "import"  # a staff import (``services.bulk``) for the member
SEEN_BY_CHECK = "check"


@dataclass(frozen=True)
class LinkIdentity:
    """What makes two reports the same link.

    ``identity_key`` is the content key when the platform has one (a tweet's status id on any of
    X's hosts, a post's code, a file id, a torrent page: ``linkkit/identity.py``), else the URL
    without scheme, ``www.`` and trailing ``/``; ``content_key`` repeats the content key (blank
    when there is none), ``file_key`` it on a known file host, ``info_hash`` a torrent's
    info-hash. Two reports are the same link when their identity keys, or their file keys, match.
    """

    identity_key: str
    file_key: str = ""
    content_key: str = ""
    info_hash: str = ""

    @classmethod
    def of(cls, canonical: linkkit.CanonicalURL) -> LinkIdentity:
        content = (canonical.content_key or "")[:512]
        return cls(
            canonical.identity_key[:2048],
            (canonical.file_key or "")[:512],
            content,
            linkkit.info_hash_of(content) or "",
        )

    @classmethod
    def of_link(cls, link: ReportedLink) -> LinkIdentity:
        return cls(link.identity_key, link.file_key, link.content_key, link.info_hash)

    def matches(self) -> Q:
        same = Q(identity_key=self.identity_key)
        if self.content_key and self.content_key != self.identity_key:
            same |= Q(content_key=self.content_key)
        if self.file_key:
            same |= Q(file_key=self.file_key)
        return same

    def same_link(self, link: ReportedLink) -> bool:
        """``matches()`` for a row already read: the same rule, in memory."""
        if link.identity_key == self.identity_key:
            return True
        if self.content_key and self.content_key != self.identity_key and link.content_key == self.content_key:
            return True
        return bool(self.file_key) and link.file_key == self.file_key

    @property
    def key(self) -> str:
        """The one string that names the link within a submission (file key first)."""
        return self.file_key or self.identity_key


@dataclass(frozen=True)
class LinkFacts:
    """What a link is, apart from whose and which action: from a classification at intake, or
    copied from an earlier link when the society opens a follow-up."""

    submitted_url: str
    url: str
    identity: LinkIdentity
    host: str
    registrable_domain: str
    platform_id: int | None = None
    unwrapped_from: str = ""
    shortener: bool = False
    line_number: int = 0

    @classmethod
    def of_link(cls, link: ReportedLink) -> LinkFacts:
        return cls(
            submitted_url=link.submitted_url,
            url=link.url,
            identity=LinkIdentity.of_link(link),
            host=link.host,
            registrable_domain=link.registrable_domain,
            platform_id=link.platform_id,
            unwrapped_from=link.unwrapped_from,
            shortener=link.shortener,
            line_number=link.line_number,
        )


@dataclass(frozen=True)
class NewEvent:
    """An event to record on a link being opened (``message``: English source, ``gettext_noop``)."""

    kind: str
    to_status: str
    message: str
    data: dict[str, object] | None = None
    params: dict[str, object] | None = None


def event(
    link: ReportedLink,
    new: NewEvent,
    *,
    actor: User | None,
    at: dt.datetime,
    from_status: str = "",
) -> LinkEvent:
    """An unsaved LinkEvent; ``message`` is the English source text, translated when shown."""
    return LinkEvent(**_event_row(link.pk, new, actor.pk if actor is not None else None, at, from_status))


def _event_row(
    link_id: int,
    new: NewEvent,
    actor_id: int | None,
    at: dt.datetime,
    from_status: str = "",
    data: dict[str, object] | None = None,
) -> dict[str, Any]:
    # The ids, not the objects: the relation descriptors cost more than the rest of the row.
    return {
        "link_id": link_id,
        "at": at,
        "kind": new.kind,
        "actor_id": actor_id,
        "from_status": from_status,
        "to_status": new.to_status,
        "message": new.message,
        "data": _event_data(new) if data is None else data,
    }


def _event_data(new: NewEvent) -> dict[str, object]:
    return {**(new.data or {}), **message_params(new.params)}


def _reports(work_id: int, action: str, identity: LinkIdentity) -> QuerySet[ReportedLink]:
    """Earlier reports of the same link for this work and action (any member), latest first."""
    return (
        ReportedLink.objects.filter(identity.matches(), work_id=work_id, action=action)
        .exclude(status=LinkStatus.REFUSED)
        .order_by("-created_at", "-id")
    )


def find_active_duplicate(
    work_id: int, action: str, identity: LinkIdentity, *, exclude: int | None = None, lock: bool = False
) -> ReportedLink | None:
    """The latest *active* report of the same link for this work and action, or None.

    ``lock`` takes a row lock on it (the caller is in a transaction and may open a new link).
    """
    reports = _reports(work_id, action, identity).filter(status__in=ACTIVE_STATUSES)
    if exclude is not None:
        reports = reports.exclude(pk=exclude)
    if lock:
        reports = reports.select_for_update()
    return reports.first()


def find_taken_down(work_id: int, action: str, identity: LinkIdentity, host: str) -> ReportedLink | None:
    """The latest report of the same link on the same host, when it ended removed or delisted
    (a reappearance).

    A link the platform refused is not one: reported again, it is a new request like any other.
    Nor is the same file on another host (a mirror, another address of the file host): that is
    a link of its own, and the earlier one, still gone where it was, keeps its state.
    """
    latest = _reports(work_id, action, identity).filter(host=host).first()
    if latest is not None and latest.status in (LinkStatus.REMOVED, LinkStatus.DELISTED):
        return latest
    return None


class EarlierReports:
    """The earlier reports of many links for one work, read in one query: ``find_active_duplicate``
    and ``find_taken_down`` answered in memory for a whole submission."""

    def __init__(self, work_id: int, actions: Sequence[str], identities: Collection[LinkIdentity]) -> None:
        self.by_key: dict[tuple[str, str], list[ReportedLink]] = {}
        self.rows: list[ReportedLink] = []  # as read, latest first
        if not identities:
            return
        keys = {i.identity_key for i in identities}
        contents = {i.content_key for i in identities if i.content_key and i.content_key != i.identity_key}
        files = {i.file_key for i in identities if i.file_key}
        if connection.vendor == "postgresql":
            rows = _earlier_rows_by_key(
                work_id, actions, {"identity_key": keys, "content_key": contents, "file_key": files}
            )
        else:
            same = Q(identity_key__in=keys)
            if contents:
                same |= Q(content_key__in=contents)
            if files:
                same |= Q(file_key__in=files)
            rows = list(
                ReportedLink.objects.filter(same, work_id=work_id, action__in=list(actions))
                .exclude(status=LinkStatus.REFUSED)
                .order_by("-created_at", "-id")
            )
        self.rows = rows
        self.add(rows)

    def add(self, rows: Iterable[ReportedLink]) -> None:
        """Know ``rows`` too (links being written by this import, not committed yet: ``services.bulk``),
        in any order: a key's reports are sorted, latest first, when read (``_reports``)."""
        for row in rows:
            for kind, value in (("i", row.identity_key), ("c", row.content_key), ("f", row.file_key)):
                if value:
                    self.by_key.setdefault((kind, value), []).append(row)

    def _reports(self, action: str, identity: LinkIdentity) -> list[ReportedLink]:
        if not self.by_key:  # none of the submission's links was reported before: the usual case
            return []
        found = list(self.by_key.get(("i", identity.identity_key), ()))
        if identity.content_key and identity.content_key != identity.identity_key:
            found += self.by_key.get(("c", identity.content_key), ())
        if identity.file_key:
            found += self.by_key.get(("f", identity.file_key), ())
        if not found:
            return []
        unique = {row.pk: row for row in found if row.action == action and identity.same_link(row)}
        return sorted(unique.values(), key=lambda row: (row.created_at, row.pk), reverse=True)

    def active_duplicate(self, action: str, identity: LinkIdentity) -> ReportedLink | None:
        return next((r for r in self._reports(action, identity) if r.status in ACTIVE_STATUSES), None)

    def taken_down(self, action: str, identity: LinkIdentity, host: str) -> ReportedLink | None:
        latest = next((r for r in self._reports(action, identity) if r.host == host), None)
        if latest is not None and latest.status in (LinkStatus.REMOVED, LinkStatus.DELISTED):
            return latest
        return None


# One index probe per key (``OFFSET 0`` keeps each lateral subquery apart, so the planner cannot
# turn the keys into a filter over all the work's links: it did so whenever the table's statistics
# were older than its rows — a fresh work, a big import — and each 1,000-line chunk then read every
# earlier link of the work, 7 to 17 ms a chunk with 20,000 links and growing; probed, 2 ms whatever
# the size). ``{column} <> ''`` lets the partial indexes on the content and file keys serve. The keys
# go as one JSON text: a text array's literal is quoted element by element in Python by psycopg (a
# 1,000-line submission spent as long on it as the server on the query).
_EARLIER_BRANCH = """
    SELECT r.* FROM jsonb_array_elements_text(%s::jsonb) AS k(key) CROSS JOIN LATERAL (
        SELECT * FROM {table} WHERE {column} = k.key AND {column} <> '' AND work_id = %s
        AND action = ANY(%s::text[]) AND status <> %s OFFSET 0
    ) r"""


def _earlier_rows_by_key(
    work_id: int, actions: Sequence[str], keys_by_column: dict[str, set[str]]
) -> list[ReportedLink]:
    """PostgreSQL: the earlier reports (a refused one aside) of any of the keys, each once, latest first."""
    table = connection.ops.quote_name(ReportedLink._meta.db_table)
    branches, params = [], []
    for column, keys in keys_by_column.items():
        if keys:
            branches.append(_EARLIER_BRANCH.format(table=table, column=connection.ops.quote_name(column)))
            params += [json.dumps(sorted(keys)), work_id, list(actions), LinkStatus.REFUSED]
    sql = " UNION ALL ".join(branches)  # names from the model, values as parameters
    unique = {row.pk: row for row in ReportedLink.objects.raw(sql, params)}
    return sorted(unique.values(), key=lambda row: (row.created_at, row.pk), reverse=True)


def new_link(
    *,
    request_id: int,
    member_id: int,
    work_id: int,
    action: str,
    facts: LinkFacts,
    status: str,
    recipients: list[dict[str, object]],
    quota_day: dt.date | None = None,
    refusal_reason: str = "",
) -> dict[str, Any]:
    """A new link's values by attribute name: ``open_link`` saves one, ``open_links`` many in one
    insert (plain values: a model instance costs more than the rest of the intake of its line)."""
    identity = facts.identity
    return {
        "request_id": request_id,
        "member_id": member_id,
        "work_id": work_id,
        "action": action,
        "status": status,
        "refusal_reason": refusal_reason,
        "submitted_url": facts.submitted_url[:8192],
        "url": facts.url,
        "identity_key": identity.identity_key,
        "file_key": identity.file_key,
        "content_key": identity.content_key,
        "info_hash": identity.info_hash,
        "host": facts.host,
        "registrable_domain": facts.registrable_domain,
        "platform_id": facts.platform_id,
        "unwrapped_from": facts.unwrapped_from,
        "shortener": facts.shortener,
        "recipients": recipients,
        "line_number": facts.line_number,
        "quota_day": quota_day,
    }


# --- Opening links: the work's lock ----------------------------------------------------------

# The work's row made, or locked, and counted in one statement: an upsert locks the row it meets as
# SELECT … FOR UPDATE would (waiting for a writer holding it) and returns its new version.
_LOCK_WORK = """
INSERT INTO {table} (work_id, version) VALUES (%s, 1)
ON CONFLICT (work_id) DO UPDATE SET version = {table}.version + 1
RETURNING version
"""


def lock_work(work_id: int) -> int:
    """Lock the work for the rest of the transaction, before looking for earlier reports and opening
    links for it: two writers reporting the same link at once make one link (the second sees the
    first's). Every opening of links locks it (``open_link``, the intake's ``Recorder``), and each
    lock counts one more version of the work's intake (``WorkIntake``): returned, so that a staff
    import that judged a chunk ahead knows whether anyone else opened links for the work since
    (``services.bulk``). One plain statement: a queryset cost ten times its round trip in Python."""
    if not connection.in_atomic_block:  # as select_for_update: a lock that would end at once
        raise TransactionManagementError("lock_work() is for inside a transaction")
    table = connection.ops.quote_name(WorkIntake._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_WORK.format(table=table), [work_id])
        return int(cursor.fetchone()[0])


def intake_version(work_id: int) -> int:
    """The work's intake version as committed (0: links were never opened for it under the lock)."""
    table = connection.ops.quote_name(WorkIntake._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE work_id = %s", [work_id])  # noqa: S608 (the model's table)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def statuses(link_ids: Collection[int]) -> frozenset[tuple[int, str]]:
    """(id, status) of each of the links that still exist."""
    if not link_ids:
        return frozenset()
    return frozenset(ReportedLink.objects.filter(pk__in=list(link_ids)).values_list("pk", "status"))


def open_links(
    opened: Sequence[tuple[dict[str, Any], Sequence[NewEvent]]],
    *,
    actor: User | None,
    at: dt.datetime,
    ids: Sequence[int] | None = None,
    encoded: Sequence[Encoded] = (),
) -> list[int]:
    """Save many new links (from ``new_link``) and their first events: two inserts in all (COPY on
    PostgreSQL, ``core.copyrows``). Returns the links' ids, in order (``ids``: taken beforehand,
    ``core.copyrows.next_ids``; ``encoded``: both inserts encoded beforehand, ``encode_links``).

    The caller's transaction holds both, and the work's lock (``lock_work``).
    """
    if encoded:
        assert ids is not None
        for table in encoded:
            copy_encoded(table)
        return list(ids)
    ids = insert_values(ReportedLink, [values for values, _events in opened], want_ids=True, ids=ids)
    if connection.vendor != "postgresql":
        insert_values(LinkEvent, _first_events(opened, ids, actor, at))
    elif (events := _encode_first_events(opened, ids, actor, at)) is not None:
        copy_encoded(events)
    return ids


def _encode_first_events(
    opened: Sequence[tuple[dict[str, Any], Sequence[NewEvent]]],
    ids: Sequence[int],
    actor: User | None,
    at: dt.datetime,
) -> Encoded | None:
    """``_first_events`` encoded for COPY (PostgreSQL; None: no event), each distinct event encoded
    once: the links of a submission share a handful (its received event, an accepted event per
    recipients list), and a COPY row per event cost the client as much to encode as the link's own
    row (issue 14, item 4). Each event row is its link's id and its event's encoded rest."""
    actor_id = actor.pk if actor is not None else None
    number_of: dict[int, int] = {}  # id(event) → its row in ``distinct`` (the events are alive meanwhile)
    distinct: list[dict[str, Any]] = []
    order: list[tuple[int, int]] = []
    for pk, (_values, news) in zip(ids, opened, strict=True):
        for new in news:
            if (number := number_of.get(id(new))) is None:
                number = number_of[id(new)] = len(distinct)
                distinct.append(_event_row(0, new, actor_id, at))  # link_id first, as 0
            order.append((pk, number))
    if not order:
        return None
    encoded = encode_values(LinkEvent, distinct, ids=[])
    lines = encoded.data.split(b"\n")[:-1]  # COPY's text format escapes a newline in a value
    if len(lines) != len(distinct) or not all(line.startswith(b"0\t") for line in lines):
        # Each rest below would be another event's, or cut wrong: the links would get false histories.
        raise RuntimeError(f"{len(distinct)} events encoded as {len(lines)} COPY lines, not one each after the id 0")
    rests = [line[1:] for line in lines]
    return replace(encoded, data=b"".join(b"%d%s\n" % (pk, rests[number]) for pk, number in order))


def encode_links(
    opened: Sequence[tuple[dict[str, Any], Sequence[NewEvent]]],
    *,
    actor: User | None,
    at: dt.datetime,
    ids: Sequence[int],
) -> list[Encoded]:
    """``open_links``' two inserts encoded for COPY ahead of their writing (PostgreSQL; the links'
    ``ids`` taken beforehand): a staff import encodes a chunk while the one before is written."""
    links = encode_values(ReportedLink, [values for values, _events in opened], ids=ids)
    events = _encode_first_events(opened, ids, actor, at)
    return [links] if events is None else [links, events]


def _first_events(
    opened: Sequence[tuple[dict[str, Any], Sequence[NewEvent]]],
    ids: Sequence[int],
    actor: User | None,
    at: dt.datetime,
) -> list[dict[str, Any]]:
    actor_id = actor.pk if actor is not None else None
    # One data dict per event object: the links that share an event (the intake's received and
    # accepted events) share its row's data, dumped once. The events are alive, their ids their own.
    data_of: dict[int, dict[str, object]] = {}
    rows = []
    for pk, (_values, events) in zip(ids, opened, strict=True):
        for new in events:
            if (data := data_of.get(id(new))) is None:
                data = data_of[id(new)] = _event_data(new)
            rows.append(_event_row(pk, new, actor_id, at, data=data))
    return rows


def open_link(
    values: dict[str, Any],
    *,
    events: Sequence[NewEvent],
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> ReportedLink:
    """Create a link (``values`` from ``new_link``) with its first events (received, then accepted or
    refused); ``open_links`` opens many at once."""
    at = at or timezone.now()
    link = ReportedLink(**values)
    with transaction.atomic():
        lock_work(link.work_id)  # held already by a caller that looked for a duplicate first
        link.save()
        LinkEvent.objects.bulk_create([event(link, new, actor=actor, at=at) for new in events])
    return link


def open_follow_up_link(
    source: ReportedLink,
    action: str,
    *,
    recipients: list[dict[str, object]],
    why: str,
    data: dict[str, object],
    at: dt.datetime | None = None,
) -> tuple[ReportedLink, bool]:
    """A new accepted link for the same work and URL, opened by the society, outside the quota.

    Returns (link, created): when the same work and action already has an active duplicate
    (``find_active_duplicate``), that link is returned and nothing is created. The new link
    carries its received and accepted events, like a link taken at intake, so the notice builder
    picks it up.
    """
    at = at or timezone.now()
    with transaction.atomic():
        lock_work(source.work_id)  # before looking: an intake of the same link waits, then sees this one
        existing = find_active_duplicate(
            source.work_id, action, LinkIdentity.of_link(source), exclude=source.pk, lock=True
        )
        if existing is not None:
            return existing, False
        link = open_link(
            new_link(
                request_id=source.request_id,
                member_id=source.member_id,
                work_id=source.work_id,
                action=action,
                facts=LinkFacts.of_link(source),
                status=LinkStatus.ACCEPTED,
                recipients=recipients,
            ),
            at=at,
            events=[
                NewEvent(
                    EventKind.RECEIVED,
                    "",
                    gettext_noop("Opened by the society from link #%(id)d."),
                    data={"source_link": source.pk},
                    params={"id": source.pk},
                ),
                NewEvent(
                    EventKind.ACCEPTED,
                    LinkStatus.ACCEPTED,
                    why,
                    data={"source_link": source.pk, "recipients": recipients, **data},
                ),
            ],
        )
    return link, True


def mark_reappeared(
    earlier: ReportedLink,
    follow_up: ReportedLink,
    *,
    seen_by: str,
    actor: User | None = None,
    data: dict[str, object] | None = None,
    at: dt.datetime | None = None,
) -> LinkEvent:
    """The taken-down ``earlier`` link is back online and followed as ``follow_up``.

    ``seen_by`` is ``SEEN_BY_MEMBER`` (reported again), ``SEEN_BY_IMPORT`` (imported again by the
    society's staff) or ``SEEN_BY_CHECK`` (two checks saw it).
    """
    if seen_by == SEEN_BY_MEMBER:
        kind = EventKind.NOTE
        message = gettext_noop("Reported again by a rights holder: the link is back online (followed as #%(id)d).")
    elif seen_by == SEEN_BY_IMPORT:
        kind = EventKind.NOTE
        message = gettext_noop("Imported again by the society's staff: the link is back online (followed as #%(id)d).")
    else:
        kind = EventKind.CHECK
        message = gettext_noop(
            "The page is back online after its removal (seen on two checks). It is reported again "
            "as link #%(id)d, outside your daily limit."
        )
    return change_status(
        earlier,
        LinkStatus.REAPPEARED,
        kind=kind,
        message=message,
        params={"id": follow_up.pk},
        actor=actor,
        data={**(data or {}), "follow_up_link": follow_up.pk},
        at=at,
    )


# --- Status changes ---------------------------------------------------------------------------


def change_status(
    link: ReportedLink,
    to_status: str,
    *,
    kind: str,
    message: str = "",
    actor: User | None = None,
    data: dict[str, object] | None = None,
    at: dt.datetime | None = None,
    params: dict[str, object] | None = None,
) -> LinkEvent:
    """Move a link to ``to_status`` and record why. The one way any app changes a link's status.

    ``message`` is the English source text (mark it with ``gettext_noop``) and ``params`` fill
    its placeholders: it is translated when shown (``LinkEvent.display_message``), in the reader's
    language rather than the writer's.
    """
    if to_status not in LinkStatus.values:
        raise ValueError(f"unknown status {to_status!r}")
    with transaction.atomic():
        locked = ReportedLink.objects.select_for_update().get(pk=link.pk)
        row = LinkEvent.objects.create(
            link=locked,
            at=at or timezone.now(),
            kind=kind,
            actor=actor,
            from_status=locked.status,
            to_status=to_status,
            message=message,
            data={**(data or {}), **message_params(params)},
        )
        if locked.status != to_status:
            locked.status = to_status
            locked.save(update_fields=["status", "updated_at"])
        link.status = to_status
    return row


def change_status_many(
    link_ids: Sequence[int],
    to_status: str,
    *,
    kind: str,
    message: str = "",
    actor: User | None = None,
    data: dict[str, object] | None = None,
    at: dt.datetime | None = None,
    only_from: Collection[str] | None = None,
    params: dict[str, object] | None = None,
) -> int:
    """``change_status`` for many links at once: lock, event per link, update.

    Links whose status is not in ``only_from`` (when given) keep it but still get the event.
    Returns the number of links whose status changed. On PostgreSQL one statement does it all
    (``_change_status_sql``); elsewhere one lock query, one insert and one update.
    """
    if to_status not in LinkStatus.values:
        raise ValueError(f"unknown status {to_status!r}")
    if not link_ids:
        return 0
    event = {
        "at": at or timezone.now(),
        "kind": kind,
        "actor_id": actor.pk if actor is not None else None,
        "message": message,
        "data": {**(data or {}), **message_params(params)},
    }
    if connection.vendor == "postgresql":
        return _change_status_sql(link_ids, to_status, only_from, event)
    with transaction.atomic():
        rows = list(
            ReportedLink.objects.select_for_update().filter(pk__in=link_ids).order_by("pk").values_list("pk", "status")
        )
        changed = [pk for pk, status in rows if status != to_status and (only_from is None or status in only_from)]
        moving = set(changed)
        # Plain rows, every one sharing the same ``data`` (dumped once): bulk_create here, COPY on PostgreSQL.
        insert_values(
            LinkEvent,
            [
                {**event, "link_id": pk, "from_status": status, "to_status": to_status if pk in moving else status}
                for pk, status in rows
            ],
        )
        if changed:
            ReportedLink.objects.filter(pk__in=changed).update(status=to_status, updated_at=timezone.now())
    return len(changed)


# The links locked in id order, the ones that move updated, one event per link (in id order): one
# round trip and no row through Python. A delivered notice of hundreds of links spent most of its
# record here: the lock query's rows read into Python, the events sent back by COPY, the update,
# each its own round trip, and a savepoint around them (issue 14, item 5).
_CHANGE_STATUS = """
WITH locked AS (
    SELECT id, status FROM {links} WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE
), moved AS (
    UPDATE {links} AS link SET status = %(to)s, updated_at = %(now)s FROM locked
    WHERE link.id = locked.id AND locked.status <> %(to)s AND (%(any)s OR locked.status = ANY(%(from)s::text[]))
    RETURNING link.id
), events AS (
    INSERT INTO {events} (link_id, at, kind, actor_id, from_status, to_status, message, data)
    SELECT locked.id, %(at)s, %(kind)s, %(actor_id)s, locked.status,
           CASE WHEN moved.id IS NULL THEN locked.status ELSE %(to)s END, %(message)s, %(data)s
    FROM locked LEFT JOIN moved ON moved.id = locked.id ORDER BY locked.id
)
SELECT count(*) FROM moved
"""


def _change_status_sql(
    link_ids: Sequence[int], to_status: str, only_from: Collection[str] | None, event: dict[str, Any]
) -> int:
    sql = _CHANGE_STATUS.format(links=ReportedLink._meta.db_table, events=LinkEvent._meta.db_table)
    params = {
        **event,
        "data": LinkEvent._meta.get_field("data").get_db_prep_value(event["data"], connection),
        "ids": list(link_ids),
        "to": to_status,
        "now": timezone.now(),
        "any": only_from is None,
        "from": list(only_from or ()),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


# --- Short links ------------------------------------------------------------------------------


def recipient_rows(classification: linkkit.Classification, action: str) -> list[dict[str, object]]:
    """Who receives a link's notices for ``action``, as stored in ``ReportedLink.recipients``."""
    if action == Action.REMOVE:
        recs = [classification.remove_recipient] if classification.remove_recipient else []
    else:
        recs = list(classification.delist_recipients)
    return [{"platform_id": r.platform_id, "name": r.name, "domain": r.domain} for r in recs]


def record_resolution(
    link: ReportedLink,
    *,
    chain: list[dict[str, object]],
    target: str = "",
    target_link: ReportedLink | None = None,
    error: str = "",
    refusal_reason: str = "",
    message: str = "",
    params: dict[str, object] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record where a short link leads (its redirect chain, the target and the target's link),
    with an event saying it when ``message`` is given. The link's status is not changed here."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = ReportedLink.objects.select_for_update().get(pk=link.pk)
        locked.redirect_chain = chain
        locked.resolved_url = target
        locked.resolved_at = at
        locked.resolution_error = error[:64]
        locked.target_link = target_link
        fields = ["redirect_chain", "resolved_url", "resolved_at", "resolution_error", "target_link", "updated_at"]
        if refusal_reason:
            locked.refusal_reason = refusal_reason
            fields.append("refusal_reason")
        locked.save(update_fields=fields)
        if message:
            data: dict[str, object] = {"redirect_chain": chain, "resolved_url": target, "error": error}
            new = NewEvent(EventKind.NOTE, locked.status, message, data=data, params=params)
            event(locked, new, actor=None, at=at, from_status=locked.status).save()
    for name in ("redirect_chain", "resolved_url", "resolved_at", "resolution_error", "target_link"):
        setattr(link, name, getattr(locked, name))


def give_back_quota(link: ReportedLink) -> None:
    """The quota unit of a link refused after intake, unless another action of the same line
    still holds it."""
    if link.quota_day is None:
        return
    still_held = ReportedLink.objects.filter(
        request_id=link.request_id, url=link.url, quota_day=link.quota_day, status=LinkStatus.ACCEPTED
    ).exclude(pk=link.pk)
    if still_held.exists():
        return
    DailyQuotaUsage.objects.filter(member_id=link.member_id, day=link.quota_day, accepted__gt=0).update(
        accepted=F("accepted") - 1
    )


# --- Torrent pages ----------------------------------------------------------------------------


def find_same_torrent(link: ReportedLink, info_hash: str) -> ReportedLink | None:
    """The latest other report of the torrent ``info_hash`` on the link's site, for its work
    and action (a link refused at intake aside)."""
    return (
        ReportedLink.objects.filter(
            work_id=link.work_id, action=link.action, registrable_domain=link.registrable_domain, info_hash=info_hash
        )
        .exclude(pk=link.pk)
        .exclude(status=LinkStatus.REFUSED)
        .order_by("-created_at", "-pk")
        .first()
    )


def record_page_hash(
    link: ReportedLink,
    *,
    info_hash: str,
    message: str,
    params: dict[str, object] | None = None,
    data: dict[str, object] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record that a torrent page was read and the info-hash it shows (blank when none was
    taken), with an event saying it. The link's status is not changed here."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = ReportedLink.objects.select_for_update().get(pk=link.pk)
        locked.page_read_at = at
        fields = ["page_read_at", "updated_at"]
        if info_hash:
            locked.info_hash = info_hash
            fields.append("info_hash")
        locked.save(update_fields=fields)
        new = NewEvent(
            EventKind.NOTE, locked.status, message, data={"info_hash": info_hash, **(data or {})}, params=params
        )
        event(locked, new, actor=None, at=at, from_status=locked.status).save()
    link.page_read_at, link.info_hash = locked.page_read_at, locked.info_hash


def mark_duplicate(
    link: ReportedLink, earlier: ReportedLink | None, *, message: str, params: dict[str, object]
) -> None:
    """Refuse ``link`` found after intake to be a report of ``earlier`` (named as its duplicate
    when both are the member's own), and give back its quota unit."""
    with transaction.atomic():
        ReportedLink.objects.filter(pk=link.pk).update(refusal_reason=RefusalReason.DUPLICATE, duplicate_of=earlier)
        change_status_many(
            [link.pk],
            LinkStatus.REFUSED,
            kind=EventKind.REFUSED,
            message=message,
            params=params,
            data={"reason": RefusalReason.DUPLICATE},
        )
        give_back_quota(link)
