"""Recipient discovery: ask for it, run it, record what it found and why it found nothing.

``request_discovery(domain)`` is what intake (or anyone) calls: it makes sure the domain has a
discovery row and, when none is due or fresh, queues a task after the commit. ``run_discovery``
claims due rows with a lease (two workers never run one domain), runs the engine with the
network cache loaded from the table, and records each domain's report in its own transaction:
a run row with every step's outcome and reason, the contacts found (kept, never deleted: one not
found again is marked withdrawn), the network answers, and when the domain runs next — when its
findings expire, or, after a failure that may pass, after a backoff (or the server's Retry-After).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sentinelle import conf
from sentinelle.checks.engine import Politeness
from sentinelle.checks.fetch import SafeFetcher, dns_resolver_for
from sentinelle.recipients import cdn, engine, rdap, signals
from sentinelle.recipients.models import (
    ContactOverride,
    DiscoveryRun,
    DomainDiscovery,
    Finding,
    NetworkLookup,
    State,
    normalise_domain,
)

logger = logging.getLogger(__name__)


class InvalidDomain(ValueError):
    code = "invalid_domain"


# --- settings -----------------------------------------------------------------------------------


def _setting(name: str) -> Any:
    return conf.setting(name)  # the value in force, or its one default (sentinelle/conf.py)


def ttl() -> dt.timedelta:
    return dt.timedelta(days=float(_setting("SENTINELLE_RECIPIENTS_TTL_DAYS")))


def backoff(failures: int) -> dt.timedelta:
    """Exponential from SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS, capped at _MAX_SECONDS."""
    base = float(_setting("SENTINELLE_RECIPIENTS_RETRY_BASE_SECONDS"))
    cap = float(_setting("SENTINELLE_RECIPIENTS_RETRY_MAX_SECONDS"))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, failures - 1)))


def limits() -> engine.Limits:
    return engine.Limits(
        max_pages=int(_setting("SENTINELLE_RECIPIENTS_MAX_PAGES")),
        max_bytes=int(_setting("SENTINELLE_RECIPIENTS_MAX_BYTES")),
        ttl=ttl(),
    )


def bootstrap_dir() -> Path:
    configured = str(_setting("SENTINELLE_RDAP_BOOTSTRAP_DIR") or "")
    return Path(configured) if configured else rdap.SHIPPED_DIR


def load_bootstrap() -> rdap.Bootstrap:
    return rdap.cached_bootstrap(str(bootstrap_dir()))


def load_cdn_ranges() -> cdn.CDNRanges:
    configured = str(_setting("SENTINELLE_CDN_RANGES_FILE") or "")
    return cdn.cached_ranges(configured or str(cdn.SHIPPED_FILE))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(_setting("SENTINELLE_RECIPIENTS_LEASE_SECONDS")))


# --- asking for discovery -----------------------------------------------------------------------


def request_discovery(domain: str, *, force: bool = False, enqueue: bool = True) -> DomainDiscovery:
    """Make ``domain`` due for discovery unless it is fresh (or already waiting); queue a task after commit.

    Idempotent and cheap: intake may call it for every accepted link. ``force`` runs it again
    even when its findings are fresh (staff asking for a new look). InvalidDomain for a value
    that is not a registrable domain.
    """
    name = normalise_domain(domain)
    if name is None:
        raise InvalidDomain(f"not a registrable domain: {domain[:100]!r}")
    now = timezone.now()
    with transaction.atomic():
        row, created = DomainDiscovery.objects.get_or_create(
            registrable_domain=name, defaults={"state": State.PENDING, "next_run_at": now}
        )
        due = created or force or row.next_run_at is None or row.next_run_at <= now
        if not created and force:
            DomainDiscovery.objects.filter(pk=row.pk).update(state=State.PENDING, next_run_at=now)
            row.refresh_from_db()
        if due and enqueue and bool(_setting("SENTINELLE_RECIPIENTS_ENQUEUE")):
            pk = row.pk
            transaction.on_commit(lambda: _enqueue(pk))
    return row


def _enqueue(discovery_id: int) -> None:
    from sentinelle.recipients import tasks  # tasks import this module: imported when used

    tasks.discover_domain.enqueue(discovery_id)


# --- running it ---------------------------------------------------------------------------------


@dataclass
class RunSummary:
    domains: int = 0
    with_contact: int = 0
    without_contact: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)

    def count(self, report: engine.DomainReport) -> None:
        self.domains += 1
        if report.found:
            self.with_contact += 1
        else:
            self.without_contact.append(report.domain)
        if report.has_retryable_failure:
            self.retrying.append(report.domain)

    def as_dict(self) -> dict[str, Any]:
        return {
            "domains": self.domains,
            "with_contact": self.with_contact,
            "without_contact": len(self.without_contact),
            "retrying": len(self.retrying),
        }


def _claim(qs: Any, now: dt.datetime, limit: int | None) -> list[DomainDiscovery]:
    """Lease the rows of ``qs`` not held by another worker, in one transaction (SKIP LOCKED)."""
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    with transaction.atomic():
        rows = list(qs.filter(free).select_for_update(skip_locked=True).order_by("next_run_at", "id")[: limit or None])
        DomainDiscovery.objects.filter(pk__in=[r.pk for r in rows]).update(lease_until=now + lease())
    return rows


def claim_due(limit: int | None = None) -> list[DomainDiscovery]:
    now = timezone.now()
    return _claim(DomainDiscovery.objects.filter(next_run_at__lte=now), now, limit)


def claim_due_ids(ids: Iterable[int]) -> list[DomainDiscovery]:
    now = timezone.now()
    return _claim(DomainDiscovery.objects.filter(pk__in=list(ids), next_run_at__lte=now), now, None)


def claim_domains(domains: Iterable[str]) -> list[DomainDiscovery]:
    """The named domains' rows (made when missing), claimed now whether due or not."""
    names = []
    for domain in domains:
        row = request_discovery(domain, force=True, enqueue=False)
        names.append(row.registrable_domain)
    return _claim(DomainDiscovery.objects.filter(registrable_domain__in=names), timezone.now(), None)


def run_discovery(
    rows: list[DomainDiscovery],
    *,
    fetcher_factory: Callable[[], SafeFetcher] | None = None,
    politeness: Politeness | None = None,
    on_done: Callable[[engine.DomainReport], None] | None = None,
) -> RunSummary:
    """Discover every claimed row now; the reports are recorded batch by batch.

    The network runs in an event loop, the recording after it, on this thread's connection
    (the ORM is synchronous). A worker that dies loses at most one batch: its leases lapse and
    the rows come back due.
    """
    summary = RunSummary()
    cache = engine.NetworkCache(_cached_networks(timezone.now()))
    batch = max(1, int(_setting("SENTINELLE_RECIPIENTS_BATCH")))
    for start in range(0, len(rows), batch):
        chunk = {row.registrable_domain: row for row in rows[start : start + batch]}
        reports = asyncio.run(_discover(list(chunk), cache, fetcher_factory, politeness, on_done))
        for report in reports:
            record_report(chunk[report.domain], report)
            summary.count(report)
    return summary


async def _discover(
    domains: list[str],
    cache: engine.NetworkCache,
    fetcher_factory: Callable[[], SafeFetcher] | None,
    politeness: Politeness | None,
    on_done: Callable[[engine.DomainReport], None] | None,
) -> list[engine.DomainReport]:
    async with (fetcher_factory or SafeFetcher)() as fetcher:
        discoverer = engine.Discoverer(
            fetcher,
            bootstrap=load_bootstrap(),
            cdn=load_cdn_ranges(),
            resolver=dns_resolver_for(),
            politeness=politeness or Politeness.from_settings(),
            limits=limits(),
            network_cache=cache,
        )
        concurrency = int(_setting("SENTINELLE_RECIPIENTS_CONCURRENCY"))
        return await discoverer.discover_all(domains, concurrency=concurrency, on_done=on_done)


def run_due(limit: int | None = None, **options: Any) -> RunSummary:
    return run_discovery(claim_due(limit), **options)


# --- recording ----------------------------------------------------------------------------------


def _key(address: str) -> tuple[int, str]:
    ip = ipaddress.ip_address(address)
    return ip.version, f"{int(ip):032x}"


def _cached_networks(now: dt.datetime) -> list[engine.NetworkAnswer]:
    answers = []
    for row in NetworkLookup.objects.filter(expires_at__gt=now):
        answers.append(
            engine.NetworkAnswer(
                address=row.start,
                answered=row.answered,
                fetched_at=row.fetched_at,
                start=row.start,
                end=row.end,
                handle=row.handle,
                name=row.name,
                org=row.organisation,
                country=row.country,
                registry=row.registry,
                rdap_url=row.rdap_url,
                abuse_email=row.abuse_email,
                code=row.code,
                message=row.message,
                retry_at=None if row.answered else row.expires_at,
            )
        )
    return answers


def _save_network(answer: engine.NetworkAnswer, now: dt.datetime) -> NetworkLookup | None:
    if answer.from_cache:
        return None
    start, end = (answer.start, answer.end) if answer.answered else (answer.address, answer.address)
    version, start_key = _key(start)
    _, end_key = _key(end)
    previous = NetworkLookup.objects.filter(ip_version=version, start_key=start_key, end_key=end_key).first()
    failures = 0 if answer.answered else (previous.failures + 1 if previous else 1)
    if answer.answered or not answer.retryable:
        expires = answer.fetched_at + ttl()
    else:
        expires = max(answer.retry_at or now, now + backoff(failures))
    values = {
        "start": start,
        "end": end,
        "answered": answer.answered,
        "handle": answer.handle,
        "name": answer.name,
        "organisation": answer.org,
        "country": answer.country,
        "registry": answer.registry[:300],
        "rdap_url": answer.rdap_url[:500],
        "abuse_email": answer.abuse_email,
        "code": answer.code,
        "message": answer.message,
        "fetched_at": answer.fetched_at,
        "expires_at": expires,
        "failures": failures,
    }
    row, _ = NetworkLookup.objects.update_or_create(
        ip_version=version, start_key=start_key, end_key=end_key, defaults=values
    )
    return row


def _outcome(report: engine.DomainReport) -> str:
    if report.found:
        return "found"
    return "failed" if report.has_retryable_failure else "nothing_found"


def _summary_text(report: engine.DomainReport) -> str:
    if report.found:
        roles = sorted({f.role for f in report.found}, key=lambda r: ["site", "hosting", "cdn", "registrar"].index(r))
        return f"{len(report.found)} contact(s): {', '.join(roles)}"
    reasons = [f"{s.name}: {s.code}" for s in report.steps if s.code]
    return "no contact found — " + "; ".join(reasons)


# Steps whose findings a successful run replaces: a contact they no longer give is withdrawn.
_STEP_SOURCES = {
    "security_txt": [engine.SRC_SECURITY_TXT],
    "site_pages": [engine.SRC_SITE_PAGE],
    "hosting": [engine.SRC_RDAP_IP, engine.SRC_CDN],
    "registrar": [engine.SRC_RDAP_DOMAIN],
}


@transaction.atomic
def record_report(row: DomainDiscovery, report: engine.DomainReport) -> DiscoveryRun:
    """One run row, the findings upserted (withdrawn when no longer found), the schedule moved on."""
    now = timezone.now()
    run = DiscoveryRun.objects.create(
        discovery=row,
        started_at=report.started_at,
        finished_at=report.finished_at or now,
        outcome=_outcome(report),
        steps=[step.as_dict() for step in report.steps],
        pages_fetched=report.pages_fetched,
        bytes_read=min(report.bytes_read, 2**31 - 1),
    )
    networks = {a.address: _save_network(a, now) for a in report.networks}
    kept: set[int] = set()
    for found in report.found:
        network = networks.get(str(found.detail.get("address", ""))) if found.source == engine.SRC_RDAP_IP else None
        finding, _ = Finding.objects.get_or_create(
            registrable_domain=report.domain,
            role=found.role,
            kind=found.kind,
            address=found.address,
            source=found.source,
            defaults={"found_at": now, "confirmed_at": now, "expires_at": found.expires_at},
        )
        finding.source_url = found.source_url[:500]
        finding.preference = found.preference
        finding.detail = found.detail
        finding.confirmed_at = now
        finding.expires_at = found.expires_at
        finding.withdrawn_at = None
        finding.run = run
        finding.network = network or finding.network
        finding.save()
        kept.add(finding.pk)
    answered_sources = [
        source
        for step in report.steps
        if step.outcome in (engine.FOUND, engine.NONE)
        for source in _STEP_SOURCES.get(step.name, [])
    ]
    Finding.objects.filter(
        registrable_domain=report.domain, source__in=answered_sources, withdrawn_at__isnull=True
    ).exclude(pk__in=kept).update(withdrawn_at=now)
    _schedule(row, report, now)
    if report.found:
        domain = report.domain
        transaction.on_commit(lambda: signals.contacts_changed.send(sender=Finding, domains=[domain], why="discovery"))
    return run


def _schedule(row: DomainDiscovery, report: engine.DomainReport, now: dt.datetime) -> None:
    if report.has_retryable_failure:
        failures = row.failures + 1
        next_run = now + backoff(failures)
        if report.retry_at is not None:
            next_run = max(next_run, report.retry_at)
        state = State.RETRY
    else:
        failures = 0
        expiries = [f.expires_at for f in report.found]
        next_run = min(expiries) if expiries else now + ttl()
        state = State.DONE
    DomainDiscovery.objects.filter(pk=row.pk).update(
        state=state,
        next_run_at=next_run,
        lease_until=None,
        last_run_at=now,
        failures=failures,
        contacts_found=len(report.found),
        summary=_summary_text(report)[:2000],
        addresses=report.addresses,
        cdn=report.cdn,
    )


# --- staff --------------------------------------------------------------------------------------


def set_aside(finding_ids: Iterable[int], user: Any) -> int:
    """Staff mark discovered contacts as not to be used (kept, and kept aside when found again)."""
    return Finding.objects.filter(pk__in=list(finding_ids), rejected_at__isnull=True).update(
        rejected_at=timezone.now(), rejected_by=user
    )


def mark_suspect(finding_id: int, reason: str, at: dt.datetime | None = None) -> bool:
    """A contact an e-mail bounced from: kept, but no longer used until staff use it again. True when it
    is suspect now (it may have been already)."""
    Finding.objects.filter(pk=finding_id, suspect_at__isnull=True).update(
        suspect_at=at or timezone.now(), suspect_reason=reason[:2000]
    )
    return Finding.objects.filter(pk=finding_id, suspect_at__isnull=False).exists()


def use_again(finding_ids: Iterable[int]) -> int:
    return Finding.objects.filter(pk__in=list(finding_ids)).update(
        rejected_at=None, rejected_by=None, suspect_at=None, suspect_reason=""
    )


def save_override(override: ContactOverride, user: Any) -> ContactOverride:
    """A staff contact, validated (``full_clean``) and saved; it wins over discovery for its role."""
    if override.pk is None:
        override.created_by = user
    override.full_clean()
    with transaction.atomic():
        override.save()
        domain = override.registrable_domain
        transaction.on_commit(
            lambda: signals.contacts_changed.send(sender=ContactOverride, domains=[domain], why="staff", actor=user)
        )
    return override
