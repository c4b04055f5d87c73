"""Reads of the staff's work queue: what waits for a person, each with what they need to act."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from sentinelle import conf
from sentinelle.checks.selectors import unverifiable_links
from sentinelle.notices import routing
from sentinelle.notices import selectors as notice_selectors
from sentinelle.notices.models import Channel, Notice, NoticeItem, NoticeStatus, ParkedLink
from sentinelle.notices.services.held import HELD_FOR_CONTACT
from sentinelle.platforms.models import Platform
from sentinelle.recipients.selectors import DiscoveryStatus, Purpose, contacts_for_many, discovery_status
from sentinelle.takedowns.models import LinkStatus, ReportedLink

# Held notices: every draft, and the bounced notices waiting for a contact (notices/services/held.py).
HOLDS = Q(status=NoticeStatus.DRAFT) | HELD_FOR_CONTACT
CONTACT_CODES = ("no_contact", "bounced")  # the holds a contact given to the recipient releases


@dataclass
class HeldGroup:
    """The drafts held for one recipient and one reason."""

    domain: str
    recipient: str
    code: str
    reason: str
    notices: int
    links: int
    since: dt.datetime
    notice_ids: list[int] = field(default_factory=list)
    discovery: DiscoveryStatus | None = None


def held_groups(limit: int = 200) -> list[HeldGroup]:
    """Drafts by recipient and reason, the oldest first; a contact given to the recipient releases its group."""
    rows = (
        Notice.objects.filter(HOLDS)
        .values("recipient_domain", "recipient_name", "hold_code")
        .annotate(notices=Count("id", distinct=True), links=Count("items", distinct=True), since=Min("created_at"))
        .order_by("since", "recipient_domain")[:limit]
    )
    out = []
    for row in rows:
        ids = Notice.objects.filter(
            HOLDS, recipient_domain=row["recipient_domain"], hold_code=row["hold_code"]
        ).values_list("pk", flat=True)[:20]
        sample = Notice.objects.filter(pk__in=list(ids)[:1]).first()
        reason = routing.hold_text(
            row["hold_code"], sample.hold_params if sample else {}, sample.hold_reason if sample else ""
        )
        group = HeldGroup(
            row["recipient_domain"],
            row["recipient_name"],
            row["hold_code"],
            reason,
            row["notices"],
            row["links"],
            row["since"],
            list(ids),
        )
        if row["hold_code"] in CONTACT_CODES and row["recipient_domain"]:
            group.discovery = discovery_status(row["recipient_domain"])
        out.append(group)
    return out


def hand_deliveries() -> QuerySet[Notice]:
    """Queued notices staff deliver by hand through a web form (a site's, a CDN's), oldest first."""
    return Notice.objects.filter(status=NoticeStatus.QUEUED, channel=Channel.WEB_FORM).order_by("created_at", "pk")


def bulk_files() -> QuerySet[Notice]:
    """Queued search-engine notices whose bulk file staff download and upload, oldest first."""
    return Notice.objects.filter(status=NoticeStatus.QUEUED, channel=Channel.BULK_FILE).order_by(
        "recipient_name", "created_at", "pk"
    )


def answers_overdue(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Delivered notices with no answer past their regime's deadline (counted from the sending)."""
    now = now or timezone.now()
    deadlines = conf.escalation_deadlines()
    shortest = min(deadlines.values())
    out = []
    for notice in Notice.objects.filter(
        status=NoticeStatus.DELIVERED, answered_at__isnull=True, sent_at__lte=now - shortest
    ).order_by("sent_at", "pk")[:500]:
        due = notice.sent_at + conf.escalation_deadline(notice.regime) if notice.sent_at else now
        if due <= now:
            out.append({"notice": notice, "due": due, "days": (now - due).days})
    return out


def unverifiable(limit: int = 200) -> list[ReportedLink]:
    return list(unverifiable_links()[:limit])


def resent_after_unknown_outcome(limit: int = 200) -> list[Notice]:
    """Notices resent after a worker died past the hand-over: the recipient may hold two copies."""
    return list(notice_selectors.resent_after_unknown_outcome()[:limit])


def counts(now: dt.datetime | None = None) -> dict[str, int]:
    """The figures of the staff landing page (one query each)."""
    drafts = Notice.objects.filter(HOLDS).aggregate(
        no_contact=Count("id", filter=HELD_FOR_CONTACT), other=Count("id", filter=~HELD_FOR_CONTACT)
    )
    return {
        "held_no_contact": int(drafts["no_contact"]),
        "held_other": int(drafts["other"]),
        "parked_links": ParkedLink.objects.count(),
        "hand_deliveries": hand_deliveries().count(),
        "bulk_files": bulk_files().count(),
        "answers_overdue": len(answers_overdue(now)),
        "unverifiable": unverifiable_links().count(),
        "resent_after_unknown_outcome": notice_selectors.resent_after_unknown_outcome().count(),
    }


# --- the coverage report (issue 12, part 5) --------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    """A platform (or a site the registry does not know) whose accepted links did not all get a notice out."""

    name: str
    platform_id: int | None
    domain: str
    links: int  # accepted links of the window without a notice that left
    channel: str  # what the registry or discovery gives it now ("none" when nothing)


@dataclass(frozen=True)
class Coverage:
    days: int
    since: dt.datetime
    accepted: int
    left: int
    rows: list[CoverageRow]

    @property
    def share(self) -> float:
        return self.left / self.accepted if self.accepted else 0.0


def _left() -> Exists:
    return Exists(
        NoticeItem.objects.filter(
            link=OuterRef("pk"), discarded=False, notice__status__in=(NoticeStatus.DELIVERED, NoticeStatus.ANSWERED)
        )
    )


def registry_coverage(days: int = 30, *, now: dt.datetime | None = None, limit: int = 100) -> Coverage:
    """Over the last ``days``: the share of accepted links whose notice left, and the platforms without a
    working channel, sorted by the number of their links still without a notice that left."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    accepted = ReportedLink.objects.filter(created_at__gte=since).exclude(status=LinkStatus.REFUSED)
    total = accepted.count()
    left = accepted.filter(_left()).count()
    stuck = accepted.exclude(_left())
    rows: list[CoverageRow] = []
    by_platform = (
        stuck.filter(platform__isnull=False)
        .values("platform_id", "platform__name")
        .annotate(n=Count("id"))
        .order_by("-n", "platform__name")[:limit]
    )
    platforms = {p.pk: p for p in Platform.objects.filter(pk__in=[r["platform_id"] for r in by_platform])}
    for row in by_platform:
        platform = platforms.get(row["platform_id"])
        channel = routing.registry_channel(platform)[0]
        rows.append(CoverageRow(row["platform__name"], row["platform_id"], "", row["n"], channel))
    by_site = (
        stuck.filter(platform__isnull=True)
        .values("registrable_domain")
        .annotate(n=Count("id"))
        .order_by("-n", "registrable_domain")[:limit]
    )
    domains = [site["registrable_domain"] for site in by_site]
    contacts = contacts_for_many(domains, Purpose.NOTICE)
    for site in by_site:
        found = contacts.get(site["registrable_domain"]) or []
        channel = found[0].kind if found else Channel.NONE
        rows.append(CoverageRow(site["registrable_domain"], None, site["registrable_domain"], site["n"], channel))
    rows.sort(key=lambda r: (-r.links, r.name))
    return Coverage(days, since, total, left, rows[:limit])
