"""Every read the investigations pages, API, report and commands need.

Other apps' data (reported links, notices, checks, works) is read through their models here, in
this module, so that their services stay theirs.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sentinelle.catalogue.models import Interest, Work
from sentinelle.checks.models import LinkCheck
from sentinelle.investigations.models import (
    CustodyEvent,
    DamageAssessment,
    Evidence,
    MirrorReason,
    MirrorSuggestion,
    Site,
    SiteDomain,
)
from sentinelle.linkkit import registrable_domain
from sentinelle.notices.models import Notice, NoticeItem, NoticeStatus, RecipientAnswer
from sentinelle.recipients.models import DomainDiscovery, Finding, Role, Source
from sentinelle.recipients.selectors import Purpose, contacts_for, discovery_status
from sentinelle.takedowns.models import LinkEvent, LinkStatus, ReportedLink

# Links whose recipient got (or was meant to get) a notice: the base of the "share actioned".
NOTIFIED_STATUSES = (
    LinkStatus.NOTICE_SENT,
    LinkStatus.REMOVED,
    LinkStatus.DELISTED,
    LinkStatus.STILL_ONLINE,
    LinkStatus.ESCALATED,
    LinkStatus.REFUSED_BY_PLATFORM,
    LinkStatus.COUNTER_NOTICE,
    LinkStatus.REAPPEARED,
)
ACTIONED_STATUSES = (LinkStatus.REMOVED, LinkStatus.DELISTED)
SENT_NOTICE_STATUSES = (NoticeStatus.DELIVERED, NoticeStatus.ANSWERED)
PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
UNKNOWN_KIND = "unknown"


# --- Sites to look at -------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingFilter:
    period: str = "365"  # a key of PERIODS
    kind: str = ""  # a platform kind, "unknown" (no platform in the registry), or "" for all

    @property
    def since(self) -> dt.datetime | None:
        days = PERIODS.get(self.period)
        return None if days is None else timezone.now() - dt.timedelta(days=days)


@dataclass
class SiteRow:
    domain: str
    links: int
    works: int
    members: int
    notices: int = 0
    notified_links: int = 0
    actioned_links: int = 0
    median_days_to_removal: float | None = None
    dossier_id: int | None = None

    @property
    def actioned_share(self) -> float | None:
        return self.actioned_links / self.notified_links if self.notified_links else None


def ranked_links(flt: RankingFilter) -> QuerySet[ReportedLink]:
    links = ReportedLink.objects.exclude(status=LinkStatus.REFUSED).exclude(registrable_domain="")
    if flt.since is not None:
        links = links.filter(created_at__gte=flt.since)
    if flt.kind == UNKNOWN_KIND:
        links = links.filter(platform__isnull=True)
    elif flt.kind:
        links = links.filter(platform__kind=flt.kind)
    return links


def site_ranking(flt: RankingFilter, limit: int = 50) -> list[SiteRow]:
    """Registrable domains by reported links (refused ones aside), with works, members, notices, outcome."""
    links = ranked_links(flt)
    rows = [
        SiteRow(domain=r["registrable_domain"], links=r["n"], works=r["w"], members=r["m"])
        for r in links.values("registrable_domain")
        .annotate(
            n=Count("id"),
            w=Count("work", distinct=True),
            m=Count("member", distinct=True),
        )
        .order_by("-n", "registrable_domain")[:limit]
    ]
    by_domain = {row.domain: row for row in rows}
    domains = list(by_domain)
    _add_outcomes(links.filter(registrable_domain__in=domains), by_domain)
    _add_notices(links.filter(registrable_domain__in=domains), by_domain)
    _add_removal_delays(links.filter(registrable_domain__in=domains, status__in=ACTIONED_STATUSES), by_domain)
    for domain, site_id in SiteDomain.objects.filter(domain__in=domains).values_list("domain", "site_id"):
        by_domain[domain].dossier_id = site_id
    return rows


def _add_outcomes(links: QuerySet[ReportedLink], rows: dict[str, SiteRow]) -> None:
    counts = links.values("registrable_domain").annotate(
        notified=Count("id", filter=Q(status__in=NOTIFIED_STATUSES)),
        actioned=Count("id", filter=Q(status__in=ACTIONED_STATUSES)),
    )
    for r in counts:
        row = rows[r["registrable_domain"]]
        row.notified_links, row.actioned_links = r["notified"], r["actioned"]


def _add_notices(links: QuerySet[ReportedLink], rows: dict[str, SiteRow]) -> None:
    counts = (
        NoticeItem.objects.filter(link__in=links, notice__status__in=SENT_NOTICE_STATUSES)
        .values("link__registrable_domain")
        .annotate(n=Count("notice", distinct=True))
    )
    for r in counts:
        rows[r["link__registrable_domain"]].notices = r["n"]


def _add_removal_delays(links: QuerySet[ReportedLink], rows: dict[str, SiteRow]) -> None:
    """Median days from a link's first notice to its removal (or delisting), per domain."""
    sent: dict[int, dt.datetime] = {}
    done: dict[int, dt.datetime] = {}
    domain_of: dict[int, str] = {}
    events = (
        LinkEvent.objects.filter(link__in=links)
        .filter(Q(to_status=LinkStatus.NOTICE_SENT) | Q(to_status__in=ACTIONED_STATUSES))
        .values_list("link_id", "link__registrable_domain", "to_status", "at")
        .order_by("at", "id")
    )
    for link_id, domain, to_status, at in events:
        domain_of[link_id] = domain
        if to_status == LinkStatus.NOTICE_SENT:
            sent.setdefault(link_id, at)
        else:
            done[link_id] = at
    delays: dict[str, list[float]] = defaultdict(list)
    for link_id, removed_at in done.items():
        if link_id in sent and removed_at >= sent[link_id]:
            delays[domain_of[link_id]].append((removed_at - sent[link_id]).total_seconds() / 86400)
    for domain, values in delays.items():
        rows[domain].median_days_to_removal = statistics.median(values)


# --- Dossiers ---------------------------------------------------------------------------------


def dossiers() -> QuerySet[Site]:
    return (
        Site.objects.prefetch_related("domains")
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("-updated_at", "-id")
    )


def get_dossier(site_id: int) -> Site:
    """The dossier, or Site.DoesNotExist."""
    return Site.objects.select_related("opened_by").get(pk=site_id)


def dossier_domains(site: Site) -> list[str]:
    return list(site.domains.order_by("added_at", "id").values_list("domain", flat=True))


def dossier_for_domain(domain: str) -> Site | None:
    row = SiteDomain.objects.select_related("site").filter(domain=domain).first()
    return row.site if row else None


def links_of_dossier(site: Site) -> QuerySet[ReportedLink]:
    return (
        ReportedLink.objects.filter(registrable_domain__in=dossier_domains(site))
        .exclude(status=LinkStatus.REFUSED)
        .select_related("work", "platform", "member")
        .order_by("-created_at", "-id")
    )


def notices_of_dossier(site: Site) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(items__link__registrable_domain__in=dossier_domains(site))
        .distinct()
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-created_at", "-id")
    )


def answers_of_dossier(site: Site) -> QuerySet[RecipientAnswer]:
    return (
        RecipientAnswer.objects.filter(item__link__registrable_domain__in=dossier_domains(site))
        .select_related("notice", "item")
        .order_by("received_at", "id")
    )


def checks_of_dossier(site: Site) -> QuerySet[LinkCheck]:
    return (
        LinkCheck.objects.filter(link__registrable_domain__in=dossier_domains(site))
        .select_related("link")
        .order_by("-checked_at", "-id")
    )


def evidence_of_dossier(site: Site) -> QuerySet[Evidence]:
    return Evidence.objects.filter(site=site).select_related("requested_by").prefetch_related("files")


def get_evidence(site: Site, evidence_id: int) -> Evidence:
    return evidence_of_dossier(site).get(pk=evidence_id)


def custody_of_dossier(site: Site) -> QuerySet[CustodyEvent]:
    return CustodyEvent.objects.filter(site=site).order_by("seq")


def latest_assessment(site: Site) -> DamageAssessment | None:
    return DamageAssessment.objects.filter(site=site).order_by("-created_at", "-id").first()


def suggestions_of_dossier(site: Site) -> QuerySet[MirrorSuggestion]:
    return MirrorSuggestion.objects.filter(site=site).order_by("status", "domain", "reason")


@dataclass(frozen=True)
class WorkAffected:
    work: Work
    links: int
    rights_holders: list[str]


def works_of_dossier(site: Site) -> list[WorkAffected]:
    """The works reported on the site's domains, with their rights holders from the catalogue."""
    counts = links_of_dossier(site).order_by().values("work_id").annotate(n=Count("id")).order_by("-n", "work_id")
    per_work = {r["work_id"]: r["n"] for r in counts}
    works = Work.objects.in_bulk(list(per_work))
    holders: dict[int, list[str]] = defaultdict(list)
    for interest in Interest.objects.filter(work_id__in=per_work).select_related("party").order_by("id"):
        label = f"{interest.party} ({interest.role})"
        if label not in holders[interest.work_id]:
            holders[interest.work_id].append(label)
    return [WorkAffected(works[wid], n, holders[wid]) for wid, n in per_work.items() if wid in works]


# --- Recipient discovery (the recipients app) -------------------------------------------------


@dataclass(frozen=True)
class DiscoveryPanel:
    """What recipient discovery knows of the site's domains: addresses, networks, host, CDN, registrar."""

    known: bool
    message: Any = ""
    findings: list[dict[str, str]] = field(default_factory=list)


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _discovery_rows(domain: str) -> list[dict[str, str]]:
    status = discovery_status(domain)
    if status.last_run_at is None:  # never asked, or asked and not run yet
        return []
    row = DomainDiscovery.objects.filter(registrable_domain=domain).first()
    seen = _when(status.last_run_at)
    rows: list[dict[str, str]] = []
    if row is not None and row.addresses:
        rows.append(
            {
                "domain": domain,
                "kind": str(_("addresses")),
                "value": ", ".join(map(str, row.addresses)),
                "source": "DNS",
                "seen_at": seen,
            }
        )
    if row is not None and row.cdn:
        rows.append(
            {
                "domain": domain,
                "kind": str(_("CDN")),
                "value": row.cdn,
                "source": str(Source.CDN_RANGES.label),
                "seen_at": seen,
            }
        )
    contacts = contacts_for(domain, Purpose.ALL)
    networks = {
        f.pk: f.network
        for f in Finding.objects.filter(pk__in=[c.finding_id for c in contacts if c.finding_id]).select_related(
            "network"
        )
    }
    labels, sources = dict(Role.choices), dict(Source.choices)
    for contact in contacts:
        network = networks.get(contact.finding_id) if contact.finding_id else None
        value = contact.address
        if network is not None:
            value += f" — {network.organisation or network.name} ({network.handle}, {network.start} - {network.end})"
        rows.append(
            {
                "domain": domain,
                "kind": str(labels.get(contact.role, contact.role)),
                "value": value,
                "source": f"{sources.get(contact.source, contact.source)} {contact.source_url}".strip(),
                "seen_at": _when(contact.found_at),
            }
        )
    if not rows:
        rows.append(
            {
                "domain": domain,
                "kind": str(_("discovery")),
                "value": status.summary or status.state,
                "source": "",
                "seen_at": seen,
            }
        )
    return rows


def recipient_discovery(site: Site) -> DiscoveryPanel:
    """The recipients app's findings for the dossier's domains (read through its selectors and models).

    Rows ``{"domain", "kind", "value", "source", "seen_at"}``: the addresses and CDN discovery saw,
    then every usable contact by role (the site's own channel, the hosting network with its RDAP
    network, the CDN, the registrar) with where it was found. Domains discovery never looked at
    give no row; when none of the dossier's domains has been looked at, nothing is known yet.
    """
    findings = [row for domain in dossier_domains(site) for row in _discovery_rows(domain)]
    if not findings:
        return DiscoveryPanel(
            known=False,
            message=_("Nothing known yet: recipient discovery has not run on these domains (it is asked to)."),
        )
    return DiscoveryPanel(known=True, findings=findings)


# --- Mirror suggestions ----------------------------------------------------------------------


def url_domain(url: str) -> str:
    """The registrable domain of a URL ("" when it has no usable host)."""
    from sentinelle.checks.fetch import InvalidURL, normalise_url

    try:
        _href, host, _port = normalise_url(url)
    except InvalidURL:
        return ""
    return registrable_domain(host) or host


def mirror_candidates(site: Site) -> set[tuple[str, str, str]]:
    """(domain, reason, shared value) for domains outside the dossier that look like the same site.

    From the dossier's own captures against every capture: the same server address, page title or
    favicon, or a redirect between the two (a capture that ended on another domain); and from
    recipient discovery, the same hosting network (RDAP of the address). Each is one query,
    whatever the number of captures.
    """
    own = dossier_domains(site)
    mine = Evidence.objects.filter(site=site)
    found: set[tuple[str, str, str]] = set()
    keys = (
        ("peer_address", MirrorReason.SAME_ADDRESS),
        ("page_title", MirrorReason.SAME_TITLE),
        ("favicon_sha256", MirrorReason.SAME_FAVICON),
    )
    for column, reason in keys:
        values = mine.exclude(**{column: ""}).values(column)
        others = Evidence.objects.filter(**{f"{column}__in": values}).exclude(domain__in=own).exclude(domain="")
        found.update((domain, str(reason), value) for domain, value in others.values_list("domain", column).distinct())
    # Recipient discovery's hosting networks (RDAP of the address) shared with other domains.
    networks = Finding.objects.filter(registrable_domain__in=own, network__isnull=False).values("network_id")
    shared = (
        Finding.objects.filter(network_id__in=networks)
        .exclude(registrable_domain__in=own)
        .values_list("registrable_domain", "network__handle", "network__name")
        .distinct()
    )
    found.update(
        (domain, str(MirrorReason.SAME_NETWORK), f"{handle} {name}".strip()) for domain, handle, name in shared
    )
    # Our captures that ended elsewhere, and other domains' captures that ended on ours.
    away = mine.exclude(final_domain__in=own).exclude(final_domain="").values_list("final_domain", "url").distinct()
    found.update((domain, str(MirrorReason.REDIRECT), url[:500]) for domain, url in away)
    towards = (
        Evidence.objects.filter(final_domain__in=own)
        .exclude(domain__in=own)
        .values_list("domain", "final_url")
        .distinct()
    )
    found.update((domain, str(MirrorReason.REDIRECT), url[:500]) for domain, url in towards)
    return found


def sites_sharing_with(evidence: Evidence) -> QuerySet[Site]:
    """Dossiers whose captures share a value with this capture (their suggestions may change)."""
    match = Q(pk=evidence.site_id)
    if evidence.peer_address:
        match |= Q(evidence__peer_address=evidence.peer_address)
    if evidence.page_title:
        match |= Q(evidence__page_title=evidence.page_title)
    if evidence.favicon_sha256:
        match |= Q(evidence__favicon_sha256=evidence.favicon_sha256)
    return Site.objects.filter(match).distinct()


def monthly_links(flt: RankingFilter, domains: list[str]) -> tuple[list[str], dict[str, list[int]]]:
    """Reported links per month (the society's time zone) for each domain: (month labels, counts)."""
    from django.db.models.functions import TruncMonth

    rows = (
        ranked_links(flt)
        .filter(registrable_domain__in=domains)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "registrable_domain")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    months: list[str] = []
    for r in rows:
        label = f"{r['month']:%Y-%m}"
        if label not in months:
            months.append(label)
        counts[r["registrable_domain"]][label] = r["n"]
    return months, {d: [counts[d].get(m, 0) for m in months] for d in domains}
