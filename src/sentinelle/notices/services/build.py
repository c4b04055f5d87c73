"""Building notices: group every due link into legally complete notices per recipient.

A link is *due* when it is accepted (level 0) or escalated, no NoticeItem covers it at its
escalation level for a given recipient, and it is not parked for want of a contact
(services/held.py). Who receives it is ``notices.routing``'s answer (by kind of platform: the
platform itself, a site and its hosting provider or CDN, each search engine; level 2 the hosting
provider; level 3 the domain's registrar), with staff's contacts first, then the registry's, then
those discovery found. Due links are grouped by (recipient, action, regime, language, level) into
notices of at most
``SENTINELLE_NOTICE_MAX_URLS`` URLs. Each notice is made in its own transaction which locks its
links (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the IMMEDIATE write transaction) and
re-checks them; the unique (link, level, recipient) constraint is the backstop. Running the
builder twice builds nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, TextField
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import conf, linkkit
from sentinelle.catalogue.identifiers import format_iswc, normalise_society_code
from sentinelle.catalogue.models import Interest, Work
from sentinelle.core import collector
from sentinelle.notices import legal, routing
from sentinelle.notices.models import (
    Language,
    NoticeItem,
    NoticeStatus,
    ParkedLink,
    ReciprocalSociety,
    Regime,
)
from sentinelle.notices.routing import Route
from sentinelle.notices.services import held, make
from sentinelle.notices.services.delivery import AUTOMATIC_CHANNELS, enqueue_delivery
from sentinelle.notices.services.make import DUE_STATUSES, GroupKey
from sentinelle.platforms.models import LegalRegime, Platform
from sentinelle.takedowns.models import Action, EventKind, LinkEvent, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status_many

logger = logging.getLogger(__name__)


# --- building ----------------------------------------------------------------------------------


@dataclass
class BuildResult:
    notices: list[int] = field(default_factory=list)
    links: int = 0
    items: int = 0
    unroutable: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # links no notice may speak for (see hold_unrepresented)
    parked: list[int] = field(default_factory=list)  # links held for want of a contact (see routing)


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


def _rights_holders(work_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every interest of the works, with what decides whether the society speaks for it."""
    holders: dict[int, list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[int, str, str]] = set()
    rows = (
        Interest.objects.filter(work_id__any=list(work_ids))
        .order_by("work_id", "id")
        .values_list(
            "work_id",
            "role",
            "member_id",
            "pr_society",
            "mr_society",
            "sr_society",
            "party__first_name",
            "party__name",
            "party__kind",
            "party__member_id",
        )
    )
    for work_id, role, member_id, pr, mr, sr, first_name, last_name, kind, party_member_id in rows:
        name = legal.single_line(f"{first_name} {last_name}".strip())  # str(party)
        key = (work_id, name, role)
        if name and key not in seen:
            seen.add(key)
            holders[work_id].append(
                {
                    "name": name,
                    "role": role,
                    "kind": kind,
                    "member_id": member_id or party_member_id,
                    "societies": [normalise_society_code(c) for c in (pr, mr, sr) if c.strip()],
                }
            )
    return holders


def represented_societies() -> frozenset[str]:
    """The society's own CISAC code and those of the societies it has reciprocal agreements with."""
    codes = set(ReciprocalSociety.objects.filter(active=True).values_list("code", flat=True))
    own = conf.society_cisac_code()
    return frozenset(codes | ({own} if own else set()))


def represented_holders(
    holders: Sequence[dict[str, Any]], reporter_member_id: int | None, societies: frozenset[str]
) -> list[dict[str, Any]]:
    """The rights holders a notice may speak for, the reporting member's own parties marked ``reporter``.

    An interest CWR affiliates with a society (PR, MR or SR code) is represented when one of its
    codes is the society's own or a reciprocal society's; an interest with no code at all (a CSV
    import, a non-affiliated party) only when its party is one of the society's members, whose
    membership is the mandate. Every other party is left out: the notice names them nowhere.
    """
    out: list[dict[str, Any]] = []
    for holder in holders:
        codes = holder.get("societies") or []
        member = holder.get("member_id")
        by = next((c for c in codes if c in societies), "") if codes else ("member" if member else "")
        if by:
            row = {"name": holder["name"], "role": holder["role"], "kind": holder.get("kind", ""), "society": by}
            out.append({**row, "reporter": member is not None and member == reporter_member_id})
    return out


def hold_unrepresented(
    groups: dict[GroupKey, list[dict[str, Any]]], facts: WorkFacts, result: BuildResult, now: dt.datetime
) -> dict[GroupKey, list[dict[str, Any]]]:
    """Take out of ``groups`` the links no notice may speak for, and hold them with the reason.

    A link is held when its work has no represented rights holder, or when the member who reported
    it is not among them (the notice says that the report comes from a represented holder). The
    link keeps its status; its history says why, once per level and reason. It is built as soon
    as the catalogue or the list of reciprocal societies makes it representable.
    """
    reasons: dict[int, tuple[str, int]] = {}
    kept: dict[GroupKey, list[dict[str, Any]]] = {}
    for key, group in groups.items():
        ok = []
        for link in group:
            holders = facts.item(link).rights_holders
            if holders and any(h["reporter"] for h in holders):
                ok.append(link)
            else:
                reasons[link["id"]] = ("reporter_not_represented" if holders else "no_represented_party", key.level)
        if ok:
            kept[key] = ok
    if reasons:
        result.held.extend(sorted(reasons))
        _note_held(reasons, now)
    return kept


HELD_MESSAGES = {
    "no_represented_party": gettext_noop(
        "Held: no rights holder of this work is a member of the society or of a society with a reciprocal "
        "agreement, so no notice can be sent for it. Staff can complete the catalogue or the list of "
        "reciprocal societies."
    ),
    "reporter_not_represented": gettext_noop(
        "Held: the catalogue affiliates your rights in this work with a society the society has no "
        "reciprocal agreement with, so no notice can say it acts for you. Staff can check the catalogue."
    ),
}


def _note_held(reasons: dict[int, tuple[str, int]], now: dt.datetime) -> None:
    """One note per link, level and reason in the link's history (a later pass adds none)."""
    for (reason, level), ids in _by_value(reasons).items():
        noted = set(
            LinkEvent.objects.filter(
                link_id__in=ids, kind=EventKind.NOTE, data__held=reason, data__escalation_level=level
            ).values_list("link_id", flat=True)
        )
        fresh = [i for i in ids if i not in noted]
        if fresh:
            change_status_many(
                fresh,
                LinkStatus.ACCEPTED,
                kind=EventKind.NOTE,
                message=HELD_MESSAGES[reason],
                data={"held": reason, "escalation_level": level},
                at=now,
                only_from=(),
            )


def _by_value(mapping: dict[int, tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
    out: dict[tuple[str, int], list[int]] = defaultdict(list)
    for key, value in sorted(mapping.items()):
        out[value].append(key)
    return out


# Due links are read in keyset chunks of this many (never all at once), in the order notices are
# filled: by site, then by identity key, so that the reports of one content stay side by side.
CHUNK_LINKS = 5000
# Links kept between chunks in notices not yet full (a recipient whose links continue in the next
# chunk: a platform with several domains, a search engine). Past this, the open notices of the
# recipients the last chunk did not reach are closed as they are: memory stays flat.
CARRY_LINKS = 20_000
# Works whose title and rights holders a pass keeps from one chunk to the next (then read again).
FACTS_WORKS = 50_000
_DUE_FIELDS = (
    "id",
    "url",
    "identity_key",
    "registrable_domain",
    "action",
    "escalation_level",
    "work_id",
    "platform_id",
    "member_id",
)
# What the chunks' query reads: the fields, then the recipients as text (decoded for the part's links).
_DUE_COLUMNS = (*_DUE_FIELDS, "recipients_text")
_ID, _IDENTITY, _SITE, _RECIPIENTS_TEXT = 0, 2, 3, len(_DUE_FIELDS)


def _due_queryset() -> QuerySet[ReportedLink, tuple[Any, ...]]:
    """The due links, less those parked for want of a contact at their level, in keyset order
    (served by the partial index ``link_due``)."""
    return (
        ReportedLink.objects.filter(status__in=DUE_STATUSES)
        # NOT EXISTS, not the LEFT JOIN an exclude() across the relation makes: the planner, once the
        # parked links are analysed, took the join for "almost no rows", read every due link and
        # sorted them for each chunk (1.5 s a chunk at 1,000,000 links instead of an index scan).
        .filter(
            ~Exists(ParkedLink.objects.filter(link_id=OuterRef("pk"), escalation_level=OuterRef("escalation_level")))
        )
        # A short link waits until it is followed (takedowns.services.shortlinks): its target may
        # be licensed, and the target's platform is notified with it.
        .exclude(shortener=True, resolved_at__isnull=True, escalation_level=0)
        # A numbered torrent page waits until the info-hash it shows is read (services.torrentpages):
        # it may be another page of a torrent already reported there.
        .exclude(
            content_key__contains=linkkit.NUMBERED_TORRENT_KEY,
            info_hash="",
            page_read_at__isnull=True,
            escalation_level=0,
        )
        .order_by("registrable_domain", "identity_key", "id")
        # The recipients as text: decoded only for the links of this builder's part (_own).
        .annotate(recipients_text=Cast("recipients", TextField()))
        .values_list(*_DUE_COLUMNS)
    )


def due_link_chunks(size: int | None = None, part: int = 0, parts: int = 1) -> Iterator[list[dict[str, Any]]]:
    """The due links of builder ``part`` (``in_part``; every link when ``parts`` is 1), read in
    chunks of at most ``size`` (``CHUNK_LINKS``) due links, each from where the last one ended (site,
    identity key, id): a chunk deep in millions of due links costs what the first does. A chunk
    holding none of the part's links is not yielded."""
    size = size or CHUNK_LINKS
    links = _due_queryset()
    after: tuple[str, str, int] | None = None
    while True:
        page = links if after is None else links.filter(TupleGreaterThan(_KEYSET, after))
        rows = list(page[:size])
        own = _own(rows, part, parts)
        if own:
            yield own
        if len(rows) < size:
            return
        last = rows[-1]
        after = (last[_SITE], last[_IDENTITY], last[_ID])


def _own(rows: list[tuple[Any, ...]], part: int, parts: int) -> list[dict[str, Any]]:
    """The rows of the part as dicts, their recipients decoded (once per distinct text in the chunk:
    the links of a site share theirs; read only, never changed)."""
    decoded: dict[str, Any] = {}
    out = []
    for row in rows:
        if in_part(row[_SITE], part, parts):
            link = dict(zip(_DUE_FIELDS, row, strict=False))
            text = row[_RECIPIENTS_TEXT]
            if text not in decoded:
                decoded[text] = json.loads(text) if text is not None else None
            link["recipients"] = decoded[text]
            out.append(link)
    return out


_KEYSET = Tuple(F("registrable_domain"), F("identity_key"), F("id"))


def in_part(domain: str, part: int, parts: int) -> bool:
    """Whether the links of ``domain`` are builder ``part``'s (of ``parts``): every route of a link
    follows from its site, so one builder makes all of a site's notices and its hosting provider's."""
    return parts <= 1 or zlib.crc32(domain.encode()) % parts == part


def notice_chunks(group: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """``group`` (sorted by identity key) cut into notices of at most ``size`` links, never
    parting the reports of one content (one identity key) unless they alone exceed ``size``."""
    runs: list[list[dict[str, Any]]] = []
    for link in group:
        if runs and runs[-1][0]["identity_key"] == link["identity_key"]:
            runs[-1].append(link)
        else:
            runs.append([link])
    chunks: list[list[dict[str, Any]]] = []
    for run in runs:
        while run:
            if not chunks or len(chunks[-1]) + min(len(run), size) > size:
                chunks.append([])
            room = size - len(chunks[-1])
            chunks[-1].extend(run[:room])
            run = run[room:]
    return chunks


@dataclass(frozen=True)
class WorkFacts:
    """What the items of a notice say about each work: title, ISWC, rights holders."""

    works: dict[int, dict[str, Any]]
    holders: dict[int, list[dict[str, Any]]]
    societies: frozenset[str] = frozenset()
    cache: dict[tuple[int, int | None], list[dict[str, Any]]] = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, work_ids: set[int]) -> WorkFacts:
        facts = cls({}, {}, represented_societies())
        facts.extend(work_ids)
        return facts

    def extend(self, work_ids: set[int]) -> None:
        """Read the works not read yet (a pass reads each work once while it keeps its facts)."""
        missing = [pk for pk in work_ids if pk not in self.works]
        for start in range(0, len(missing), 5000):
            ids = missing[start : start + 5000]
            self.works.update(
                (w["id"], dict(w)) for w in Work.objects.filter(pk__any=ids).values("id", "title", "iswc")
            )
            self.holders.update(_rights_holders(ids))

    def item(self, link: dict[str, Any]) -> legal.ItemData:
        """The item of ``link`` (kept on the link's row: a link in two notices is made into one item)."""
        made = link.get("item")
        if made is None:
            work = self.works[link["work_id"]]
            made = link["item"] = legal.ItemData(
                url=link["url"],
                site=link["registrable_domain"],
                work_title=work["title"],
                work_iswc=format_iswc(work["iswc"]) if work["iswc"] else "",
                rights_holders=self.represented(link["work_id"], link.get("member_id")),
            )
        return made

    def represented(self, work_id: int, member_id: int | None) -> list[dict[str, Any]]:
        """``represented_holders`` of a work for a reporter, worked out once per pair."""
        pair = (work_id, member_id)
        if pair not in self.cache:
            self.cache[pair] = represented_holders(self.holders.get(work_id, []), member_id, self.societies)
        return self.cache[pair]


def build_notices(*, now: dt.datetime | None = None, part: int = 0, parts: int = 1) -> BuildResult:
    """Group every due link into notices. Idempotent; safe to run from several processes at once.

    The due links are read in keyset chunks and their notices made as they fill, so memory stays
    flat whatever their number. With ``parts`` > 1 this builder takes the sites of its ``part``
    (``in_part``): several builders share a pass without building the same notices.
    """
    run = _Pass(now or timezone.now())
    for chunk in due_link_chunks(part=part, parts=parts):
        with collector.paused():  # a chunk's rows live until its notices are made (core/collector.py)
            run.add(chunk)
    with collector.paused():
        run.cut(final=True)
    if run.held_domains:
        held.ask_discovery(run.held_domains)
    # Deliveries are queued once the whole pass is built (after the caller's transaction, if any):
    # a fast worker, or the immediate backend, then finds every notice of the pass already there.
    to_deliver = run.to_deliver
    if to_deliver:
        transaction.on_commit(lambda: _enqueue_all(to_deliver))
    return run.result


@dataclass
class _Pass:
    """One building pass: the notices being filled, by group, between one chunk of due links and the next."""

    now: dt.datetime
    result: BuildResult = field(default_factory=BuildResult)
    groups: dict[GroupKey, list[dict[str, Any]]] = field(default_factory=dict)
    recipients: dict[str, Route] = field(default_factory=dict)
    touched: set[GroupKey] = field(default_factory=set)
    to_deliver: list[int] = field(default_factory=list)
    held_domains: set[str] = field(default_factory=set)
    facts: WorkFacts | None = None

    def add(self, links: list[dict[str, Any]]) -> None:
        """Route a chunk of due links (this builder's part: ``due_link_chunks``) into the open notices,
        then make those that are full."""
        groups = _group(links, _book(links), self.recipients, self.result) if links else {}
        if groups:
            facts = self._facts({link["work_id"] for group in groups.values() for link in group})
            groups = hold_unrepresented(groups, facts, self.result, self.now)  # every link's item made
        for key, group in groups.items():
            self.groups.setdefault(key, []).extend(group)
        self.touched = set(groups)
        self.cut(final=False)

    def _facts(self, work_ids: set[int]) -> WorkFacts:
        """The facts of these works, kept from chunk to chunk up to ``FACTS_WORKS`` works."""
        if self.facts is None or len(self.facts.works) > FACTS_WORKS:
            self.facts = WorkFacts.load(work_ids)
        else:
            self.facts.extend(work_ids)
        return self.facts

    def cut(self, *, final: bool) -> None:
        """Make every full notice; at the end (or past ``CARRY_LINKS``) the partial ones too.

        A group the last chunk reached keeps its last, partial notice open: the next chunk may
        bring more of its links (of the same content, even). A site's links are contiguous in the
        keyset order, so a site group the last chunk did not reach is complete; a platform's (p:)
        may continue at another of its domains and stays open while the carried links fit.
        """
        size = conf.notice_max_urls()
        overflow = final or sum(len(g) for g in self.groups.values()) > CARRY_LINKS
        ready: list[make.Spec] = []
        for key in sorted(self.groups):
            chunks = notice_chunks(self.groups.pop(key), size)
            if not final and (key in self.touched or (not overflow and key.recipient_key.startswith("p:"))):
                self.groups[key] = chunks.pop()
            ready.extend(make.Spec(self.recipients[key.recipient_key], key, chunk) for chunk in chunks)
        for batch in make.batches(ready):
            links = {link["id"]: link for spec in batch for link in spec.links}
            self._made(make.make_notices(batch, self.now), links)
        still_open = {g.recipient_key for g in self.groups}
        self.recipients = {k: r for k, r in self.recipients.items() if k in still_open}
        self.held_domains.update(spec.rec.domain for spec in ready if spec.rec.hold)

    def _made(self, made: list[make.Made], links: dict[int, dict[str, Any]]) -> None:
        for notice, link_ids in made:
            if notice.hold_code == "no_contact":
                self.result.parked.extend(link_ids)
            self.result.notices.append(notice.pk)
            self.result.items += len(link_ids)
            for pk in link_ids:  # a link in two notices (its site's and its host's) counts once
                self.result.links += not links[pk].get("counted")
                links[pk]["counted"] = True
            if notice.status == NoticeStatus.QUEUED and notice.channel in AUTOMATIC_CHANNELS:
                self.to_deliver.append(notice.pk)


def _enqueue_all(notice_ids: list[int]) -> None:
    for notice_id in notice_ids:
        enqueue_delivery(notice_id)


def _covered(ids: list[int]) -> set[tuple[int, int, str]]:
    """(link, level, recipient) already in a notice that was not discarded."""
    covered: set[tuple[int, int, str]] = set()
    for start in range(0, len(ids), 5000):
        covered.update(
            NoticeItem.objects.filter(link_id__any=ids[start : start + 5000], discarded=False).values_list(
                "link_id", "escalation_level", "recipient_key"
            )
        )
    return covered


def _book(links: list[dict[str, Any]]) -> routing.Book:
    """The platforms and the contacts of every domain the links may be routed to."""
    return routing.book_for(links)


def _group(
    links: list[dict[str, Any]],
    book: routing.Book,
    recipients: dict[str, Route],
    result: BuildResult,
) -> dict[GroupKey, list[dict[str, Any]]]:
    """The due links by notice group, less those already covered; ``recipients`` filled by key."""
    covered = _covered([link["id"] for link in links])
    groups: dict[GroupKey, list[dict[str, Any]]] = defaultdict(list)
    routed: dict[tuple[Any, ...], list[tuple[Route, GroupKey]]] = {}
    for link in links:
        level = link["escalation_level"]
        # The links of one site share their routes: worked out once per what routing reads.
        same = (link["platform_id"], link["registrable_domain"], link["action"], level, _rows_key(link))
        if same not in routed:
            routed[same] = [(rec, _group_key(rec, link)) for rec in routing.routes_for(link, book)]
        if not routed[same]:
            result.unroutable.append(link["id"])
        for rec, key in routed[same]:
            if (link["id"], level, rec.key) not in covered:
                recipients[rec.key] = rec
                groups[key].append(link)
    return groups


def _rows_key(link: dict[str, Any]) -> tuple[tuple[Any, Any, Any], ...]:
    return tuple((r.get("platform_id"), r.get("domain"), r.get("name")) for r in link["recipients"] or [])


def _group_key(rec: Route, link: dict[str, Any]) -> GroupKey:
    level = link["escalation_level"]
    action = Action.REMOVE if level >= 2 else link["action"]
    return GroupKey(rec.key, action, _regime(rec.platform), _language(rec.platform, rec.domain), level)
