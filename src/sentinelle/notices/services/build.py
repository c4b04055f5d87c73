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
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from sentinelle import conf, linkkit
from sentinelle.catalogue.identifiers import format_iswc, normalise_society_code
from sentinelle.catalogue.models import Interest, Work
from sentinelle.notices import legal, routing
from sentinelle.notices.models import (
    Channel,
    Language,
    Notice,
    NoticeItem,
    NoticeStatus,
    ReciprocalSociety,
    Regime,
)
from sentinelle.notices.routing import Route
from sentinelle.notices.services import held
from sentinelle.notices.services.delivery import AUTOMATIC_CHANNELS, enqueue_delivery
from sentinelle.platforms.models import LegalRegime, Platform
from sentinelle.takedowns.models import Action, EventKind, LinkEvent, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status_many

logger = logging.getLogger(__name__)

# Links waiting for their notices (level 0: accepted; a higher level: escalated).
DUE_STATUSES = (LinkStatus.ACCEPTED, LinkStatus.ESCALATED)
# A link due when the pass began is still built into every notice it needs after one of them was
# delivered (a link needs one notice per recipient, per search engine say, and a worker may deliver
# the first before the pass reaches the next): "notice sent" does not end its building.
BUILDABLE_STATUSES = (*DUE_STATUSES, LinkStatus.NOTICE_SENT)


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
    for interest in (
        Interest.objects.filter(work_id__in=list(work_ids)).select_related("party").order_by("work_id", "id")
    ):
        name = legal.single_line(str(interest.party))
        key = (interest.work_id, name, interest.role)
        if name and key not in seen:
            seen.add(key)
            societies = [interest.pr_society, interest.mr_society, interest.sr_society]
            holders[interest.work_id].append(
                {
                    "name": name,
                    "role": interest.role,
                    "kind": interest.party.kind,
                    "member_id": interest.member_id or interest.party.member_id,
                    "societies": [normalise_society_code(c) for c in societies if c.strip()],
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


def due_links() -> list[dict[str, Any]]:
    """The due links, less those parked for want of a contact at their level; the reports of one
    content (one identity key) side by side, so that a notice split at ``SENTINELLE_NOTICE_MAX_URLS``
    keeps them in the same notice."""
    rows: Iterable[Any] = (
        ReportedLink.objects.filter(status__in=DUE_STATUSES)
        .exclude(parked__escalation_level=F("escalation_level"))
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
        .values(
            "id",
            "url",
            "identity_key",
            "registrable_domain",
            "action",
            "recipients",
            "escalation_level",
            "work_id",
            "platform_id",
            "member_id",
        )
    )
    return [dict(row) for row in rows]


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


class GroupKey(NamedTuple):
    """The links of one notice share these (and a notice holds at most ``SENTINELLE_NOTICE_MAX_URLS``)."""

    recipient_key: str
    action: str
    regime: str
    language: str
    level: int


@dataclass(frozen=True)
class WorkFacts:
    """What the items of a notice say about each work: title, ISWC, rights holders."""

    works: dict[int, dict[str, Any]]
    holders: dict[int, list[dict[str, Any]]]
    societies: frozenset[str] = frozenset()

    @classmethod
    def load(cls, work_ids: set[int]) -> WorkFacts:
        works = {w["id"]: dict(w) for w in Work.objects.filter(pk__in=work_ids).values("id", "title", "iswc")}
        return cls(works, _rights_holders(work_ids), represented_societies())

    def item(self, link: dict[str, Any]) -> legal.ItemData:
        work = self.works[link["work_id"]]
        return legal.ItemData(
            url=link["url"],
            site=link["registrable_domain"],
            work_title=work["title"],
            work_iswc=format_iswc(work["iswc"]) if work["iswc"] else "",
            rights_holders=represented_holders(
                self.holders.get(link["work_id"], []), link.get("member_id"), self.societies
            ),
        )


def build_notices(*, now: dt.datetime | None = None) -> BuildResult:
    """Group every due link into notices. Idempotent; safe to run from several processes at once."""
    now = now or timezone.now()
    result = BuildResult()
    links = due_links()
    if not links:
        return result
    recipients: dict[str, Route] = {}
    groups = _group(links, _book(links), recipients, result)
    if not groups:
        return result
    facts = WorkFacts.load({link["work_id"] for group in groups.values() for link in group})
    groups = hold_unrepresented(groups, facts, result, now)
    size = conf.notice_max_urls()
    included: set[int] = set()
    to_deliver: list[int] = []
    for key, group in sorted(groups.items(), key=lambda kv: kv[0]):
        for chunk in notice_chunks(group, size):
            built = _create_notice(recipients[key.recipient_key], key, chunk, facts, now)
            if built is not None:
                if built[0].hold_code == "no_contact":
                    result.parked.extend(built[1])
                result.notices.append(built[0].pk)
                result.items += len(built[1])
                included.update(built[1])
                if built[0].status == NoticeStatus.QUEUED and built[0].channel in AUTOMATIC_CHANNELS:
                    to_deliver.append(built[0].pk)
    result.links = len(included)
    held_domains = {recipients[k.recipient_key].domain for k in groups if recipients[k.recipient_key].hold}
    if held_domains:
        held.ask_discovery(held_domains)
    # Deliveries are queued once the whole pass is built (after the caller's transaction, if any):
    # a fast worker, or the immediate backend, then finds every notice of the pass already there.
    if to_deliver:
        transaction.on_commit(lambda: _enqueue_all(to_deliver))
    return result


def _enqueue_all(notice_ids: list[int]) -> None:
    for notice_id in notice_ids:
        enqueue_delivery(notice_id)


def _covered(ids: list[int]) -> set[tuple[int, int, str]]:
    """(link, level, recipient) already in a notice that was not discarded."""
    covered: set[tuple[int, int, str]] = set()
    for start in range(0, len(ids), 5000):
        covered.update(
            NoticeItem.objects.filter(link_id__in=ids[start : start + 5000], discarded=False).values_list(
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
    for link in links:
        level = link["escalation_level"]
        routes = routing.routes_for(link, book)
        if not routes:
            result.unroutable.append(link["id"])
        for rec in routes:
            if (link["id"], level, rec.key) in covered:
                continue
            recipients[rec.key] = rec
            action = Action.REMOVE if level >= 2 else link["action"]
            key = GroupKey(rec.key, action, _regime(rec.platform), _language(rec.platform, rec.domain), level)
            groups[key].append(link)
    return groups


def _lock_still_due(chunk: Sequence[dict[str, Any]], key: GroupKey) -> list[dict[str, Any]]:
    """Lock the chunk's links and keep those still due and not yet in a notice to this recipient.

    PostgreSQL: FOR UPDATE SKIP LOCKED (a link another builder holds is left to it); SQLite: the
    IMMEDIATE write transaction already serialises builders.
    """
    ids = [link["id"] for link in chunk]
    lock = ReportedLink.objects.filter(pk__in=ids, status__in=BUILDABLE_STATUSES)
    if connection.features.has_select_for_update_skip_locked:
        lock = lock.select_for_update(skip_locked=True)
    live = set(lock.values_list("pk", flat=True))
    taken = set(
        NoticeItem.objects.filter(
            link_id__in=live, escalation_level=key.level, recipient_key=key.recipient_key, discarded=False
        ).values_list("link_id", flat=True)
    )
    return [link for link in chunk if link["id"] in live and link["id"] not in taken]


def _status(rec: Route, missing: Sequence[object]) -> tuple[str, str, dict[str, Any]]:
    """(status, hold code, its parameters) of a new notice: queued, or a draft held for staff."""
    if rec.channel == Channel.NONE:
        return NoticeStatus.DRAFT, "no_contact", {"recipient": rec.name, "domain": rec.domain}
    if rec.channel == Channel.HTTPS and not conf.public_url():
        return NoticeStatus.DRAFT, "no_public_url", {}
    if missing:
        return NoticeStatus.DRAFT, "missing_elements", {"missing": "; ".join(str(m) for m in missing)}
    return NoticeStatus.QUEUED, "", {}


def _create_notice(
    rec: Route,
    key: GroupKey,
    chunk: Sequence[dict[str, Any]],
    facts: WorkFacts,
    now: dt.datetime,
) -> tuple[Notice, list[int]] | None:
    """One notice for ``chunk`` in its own transaction; None when no link of it is still due."""
    try:
        with transaction.atomic():
            chunk = _lock_still_due(chunk, key)
            if not chunk:
                return None
            items = [facts.item(link) for link in chunk]
            notice = _save_notice(rec, key, items, now, thread=first_notices_of([link["id"] for link in chunk], key))
            if notice.hold_code == "no_contact":
                held.park([link["id"] for link in chunk], notice, now)
            NoticeItem.objects.bulk_create(
                [
                    NoticeItem(
                        notice=notice,
                        link_id=link["id"],
                        escalation_level=key.level,
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
            return notice, [link["id"] for link in chunk]
    except IntegrityError:
        # Another builder took these links between our check and our insert (the constraint held).
        logger.info("notice for %s level %s lost a race; its links are in another notice", rec.key, key.level)
        return None


THREAD_MAX = 20  # Message-IDs a reminder refers to (a header of a few lines; the first notices first)


def first_notices_of(link_ids: list[int], key: GroupKey) -> list[str]:
    """The Message-IDs of the first notices about these links, which a reminder or escalation replies to."""
    if key.level == 0:
        return []
    rows = (
        NoticeItem.objects.filter(link_id__in=link_ids, escalation_level=0)
        .exclude(notice__status=NoticeStatus.DISCARDED)
        .order_by("notice_id")
        .values_list("notice__message_id", flat=True)
    )
    return list(dict.fromkeys(rows))[:THREAD_MAX]


def _save_notice(
    rec: Route, key: GroupKey, items: list[legal.ItemData], now: dt.datetime, *, thread: list[str]
) -> Notice:
    """The notice row: its text rendered for the recipient's regime and language, its channel and status."""
    idempotency_key = uuid.uuid4().hex
    sender = conf.society()
    data = legal.NoticeData(
        regime=key.regime,
        language=key.language,
        action=key.action,
        escalation_level=key.level,
        recipient_name=rec.name,
        recipient_domain=rec.domain,
        sender=sender,
        dated=timezone.localdate(now),
        reference=legal.reference_for_key(idempotency_key),
        items=items,
        search_engine=key.action == Action.DELIST,
        recipient_role=rec.role if key.level < 2 else "",
    )
    data = replace(data, recipient_address=legal.designated_address(rec.channel, rec.email, rec.endpoint))
    body = legal.render_body(data)
    status, hold_code, hold_params = _status(rec, legal.missing_elements(data, body))
    domain = sender.get("email", "").rpartition("@")[2].strip() or "sentinelle.invalid"
    return Notice.objects.create(
        recipient_platform=rec.platform,
        recipient_key=rec.key,
        recipient_name=legal.single_line(rec.name, 200),
        recipient_domain=rec.domain[:255],
        recipient_email=rec.email,
        recipient_endpoint=rec.endpoint,
        channel=rec.channel,
        action=key.action,
        regime=key.regime,
        language=key.language,
        escalation_level=key.level,
        status=status,
        hold_reason=routing.hold_text_en(hold_code, hold_params),
        hold_code=hold_code,
        hold_params=hold_params,
        route=rec.as_json(),
        sender=sender,
        dated=data.dated,
        subject=legal.render_subject(data),
        body=body,
        message_id=f"<notice.{idempotency_key}@{legal.single_line(domain, 200)}>",
        thread_message_ids=thread,
        idempotency_key=idempotency_key,
        next_attempt_at=now if status == NoticeStatus.QUEUED else None,
    )
