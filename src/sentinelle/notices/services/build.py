"""Building notices: group every due link into legally complete notices per recipient.

A link is *due* when it is accepted (level 0) or escalated, and no NoticeItem covers it at
its escalation level for a given recipient. Levels 0 and 1 go to the link's recipients (the
platform or host for "remove"; each search engine, one notice per engine, for "delist");
level 2 goes to the hosting provider of the link's platform. Due links are grouped by
(recipient, action, regime, language, level) into notices of at most
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
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sentinelle import conf
from sentinelle.catalogue.identifiers import format_iswc
from sentinelle.catalogue.models import Interest, Work
from sentinelle.notices import legal
from sentinelle.notices.models import (
    Channel,
    Language,
    Notice,
    NoticeItem,
    NoticeStatus,
    Regime,
)
from sentinelle.notices.services.delivery import AUTOMATIC_CHANNELS, enqueue_delivery
from sentinelle.platforms.models import LegalRegime, NoticeChannel, Platform
from sentinelle.takedowns.models import Action, LinkStatus, ReportedLink

logger = logging.getLogger(__name__)

DUE_STATUSES = (LinkStatus.ACCEPTED, LinkStatus.ESCALATED)


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
    size = conf.notice_max_urls()
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
            sender = conf.society()
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
