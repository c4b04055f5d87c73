"""The discovery engine: who can act on a site, found over the network. No database here.

For one registrable domain, in the order of preference of what it finds:

1. the site's own channels: ``/.well-known/security.txt`` (RFC 9116), then the home page and the
   pages it links to whose text or path says dmca / copyright / abuse / legal / mentions légales /
   contact (their ``mailto:`` addresses, the addresses in their text, their forms) — at most
   ``max_pages`` requests and ``max_bytes`` read per domain;
2. the hosting network: the domain's A and AAAA addresses (dnspython), then RDAP for each address
   (the registry from the IANA bootstrap files) and the abuse entity's e-mail;
3. a CDN in front: an address in a CDN's published ranges gives the CDN's abuse form instead;
4. the registrar: domain RDAP, its abuse e-mail (for escalation).

Every request goes through the safe fetcher, paced per host as link checks are. Every step ends
in a :class:`Step` with a stable code, so a domain where nothing was found says why; a step that
failed for a passing reason (a timeout, a 5xx, a 429) is marked retryable, with the server's
Retry-After when it gave one. Network answers are shared through a :class:`NetworkCache` (one RDAP
request per network, not per domain).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ada_url
import dns.asyncresolver

from sentinelle.checks.engine import Politeness
from sentinelle.checks.fetch import DNSFailure, FetchError, FetchResult, SafeFetcher, lookup_addresses
from sentinelle.recipients import pages, rdap, securitytxt
from sentinelle.recipients.cdn import CDNRanges
from sentinelle.recipients.contacts import Refused, clean_email

logger = logging.getLogger(__name__)

SITE, HOSTING, CDN, REGISTRAR = "site", "hosting", "cdn", "registrar"
EMAIL, WEB_FORM, HTTPS = "email", "web_form", "https"
SRC_SECURITY_TXT, SRC_SITE_PAGE, SRC_RDAP_IP, SRC_CDN, SRC_RDAP_DOMAIN = (
    "security_txt",
    "site_page",
    "rdap_ip",
    "cdn_ranges",
    "rdap_domain",
)
FOUND, NONE, FAILED, SKIPPED = "found", "none", "failed", "skipped"

# Codes of failures that may pass: the step is tried again later, with backoff.
RETRYABLE = frozenset(
    {
        "timeout",
        "connect_failed",
        "protocol_error",
        "dns_timeout",
        "dns_servfail",
        "dns_unresolved",
        "http_5xx",
        "http_429",
        "rdap_rate_limited",
        "rdap_server_error",
        "internal_error",
    }
)
RDAP_ACCEPT = {"Accept": "application/rdap+json, application/json;q=0.9"}


@dataclass(frozen=True)
class Limits:
    max_pages: int = 6
    max_bytes: int = 2 * 1024 * 1024
    ttl: dt.timedelta = dt.timedelta(days=30)
    security_txt_bytes: int = 64 * 1024
    rdap_bytes: int = 1024 * 1024
    max_addresses: int = 4


@dataclass(frozen=True)
class Found:
    role: str
    kind: str
    address: str
    source: str
    source_url: str
    expires_at: dt.datetime
    preference: int = 0  # lower first, within a role
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    name: str
    outcome: str
    code: str = ""
    message: str = ""
    retry_at: dt.datetime | None = None

    @property
    def retryable(self) -> bool:
        return self.outcome == FAILED and self.code in RETRYABLE

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "outcome": self.outcome,
            "code": self.code,
            "message": self.message,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


@dataclass
class NetworkAnswer:
    """What RDAP said about the network of ``address`` (``answered``), or why it did not answer."""

    address: str
    answered: bool
    fetched_at: dt.datetime
    start: str = ""
    end: str = ""
    handle: str = ""
    name: str = ""
    org: str = ""
    country: str = ""
    registry: str = ""
    rdap_url: str = ""
    abuse_email: str = ""
    entity_handle: str = ""
    code: str = ""
    message: str = ""
    retry_at: dt.datetime | None = None
    from_cache: bool = False

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE

    def covers(self, address: str) -> bool:
        if not self.answered:
            return address == self.address
        ip = ipaddress.ip_address(address)
        start, end = ipaddress.ip_address(self.start), ipaddress.ip_address(self.end)
        return ip.version == start.version and int(start) <= int(ip) <= int(end)


@dataclass
class DomainReport:
    domain: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    found: list[Found] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    networks: list[NetworkAnswer] = field(default_factory=list)
    cdn: str = ""
    pages_fetched: int = 0
    bytes_read: int = 0

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    @property
    def retry_at(self) -> dt.datetime | None:
        """When a retryable failure may be tried again (the latest Retry-After asked), if any."""
        moments = [s.retry_at for s in self.steps if s.retryable and s.retry_at is not None]
        return max(moments) if moments else None

    @property
    def has_retryable_failure(self) -> bool:
        return any(s.retryable for s in self.steps)


class NetworkCache:
    """Network answers known so far: ranges that answered, and addresses whose lookup failed."""

    def __init__(self, answers: Iterable[NetworkAnswer] = ()) -> None:
        self._answered: list[NetworkAnswer] = []
        self._failed: dict[str, NetworkAnswer] = {}
        for answer in answers:
            self.put(answer)

    def get(self, address: str, now: dt.datetime) -> NetworkAnswer | None:
        failed = self._failed.get(address)
        if failed is not None and (failed.retry_at is None or failed.retry_at > now):
            return failed
        for answer in self._answered:
            if answer.covers(address):
                return answer
        return None

    def put(self, answer: NetworkAnswer) -> None:
        if answer.answered:
            self._answered.append(answer)
            self._failed.pop(answer.address, None)
        else:
            self._failed[answer.address] = answer


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.pages = limits.max_pages
        self.bytes = limits.max_bytes

    def take(self, cap: int) -> int | None:
        """The bytes the next page may read, or None when the domain's budget is spent."""
        if self.pages <= 0 or self.bytes <= 0:
            return None
        self.pages -= 1
        return min(cap, self.bytes)

    def spend(self, result: FetchResult) -> None:
        self.bytes -= result.bytes_read


class _HostGate:
    """At most ``slots`` requests in flight to one host, request starts ``delay`` seconds apart."""

    def __init__(self, slots: int, delay: float) -> None:
        self._slots = asyncio.Semaphore(slots) if slots > 0 else None
        self._delay = delay
        self._lock = asyncio.Lock()
        self._next = 0.0

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        if self._slots is not None:
            await self._slots.acquire()
        try:
            if self._delay > 0:
                async with self._lock:
                    pause = self._next - time.monotonic()
                    if pause > 0:
                        await asyncio.sleep(pause)
                    self._next = time.monotonic() + self._delay
            yield
        finally:
            if self._slots is not None:
                self._slots.release()


def fetch_code(exc: FetchError) -> str:
    return f"dns_{exc.reason}" if isinstance(exc, DNSFailure) else exc.code


def _status_code(status: int) -> str:
    return "http_5xx" if status >= 500 else f"http_{status}"


class Discoverer:
    def __init__(
        self,
        fetcher: SafeFetcher,
        *,
        bootstrap: rdap.Bootstrap,
        cdn: CDNRanges,
        resolver: dns.asyncresolver.Resolver | None = None,
        politeness: Politeness | None = None,
        limits: Limits | None = None,
        network_cache: NetworkCache | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.bootstrap = bootstrap
        self.cdn = cdn
        self.resolver = resolver
        self.politeness = politeness or Politeness.off()
        self.limits = limits or Limits()
        self.networks = network_cache or NetworkCache()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._gates: dict[str, _HostGate] = {}
        self._registry_locks: dict[str, asyncio.Lock] = {}
        self._blocked: dict[str, dt.datetime] = {}  # RDAP host -> rate-limited until

    # --- plumbing ---------------------------------------------------------------------------

    async def _get(self, url: str, max_bytes: int, headers: dict[str, str] | None = None) -> FetchResult:
        host = (ada_url.URL(url).hostname or "").lower()
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.politeness.per_host, self.politeness.host_delay)
        async with gate.held():
            return await self.fetcher.fetch(url, max_bytes=max_bytes, headers=headers)

    def _expiry(self, now: dt.datetime, cap: dt.datetime | None = None) -> dt.datetime:
        default = now + self.limits.ttl
        return min(default, cap) if cap is not None else default

    async def discover_all(
        self,
        domains: Sequence[str],
        concurrency: int = 20,
        on_done: Callable[[DomainReport], Awaitable[None] | None] | None = None,
    ) -> list[DomainReport]:
        """Every domain, ``concurrency`` at a time; the reports in the order of ``domains``."""
        slots = asyncio.Semaphore(max(1, concurrency))

        async def one(domain: str) -> DomainReport:
            async with slots:
                report = await self.discover(domain)
            if on_done is not None:
                maybe = on_done(report)
                if maybe is not None:
                    await maybe
            return report

        return list(await asyncio.gather(*(one(domain) for domain in domains)))

    async def discover(self, domain: str) -> DomainReport:
        """Every step for one domain; never raises (a bug becomes a failed step, logged)."""
        report = DomainReport(domain=domain, started_at=self.clock())
        budget = _Budget(self.limits)
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("security_txt", lambda: self._security_txt(report, budget)),
            ("site_pages", lambda: self._site_pages(report, budget)),
            ("dns", lambda: self._addresses(report)),
            ("hosting", lambda: self._hosting(report)),
            ("registrar", lambda: self._registrar(report)),
        ]
        for name, run in steps:
            try:
                await run()
            except Exception as exc:  # a bug must not stop the other steps or the other domains
                logger.exception("recipient discovery for %s: step %s failed", domain, name)
                report.steps.append(Step(name, FAILED, "internal_error", f"{type(exc).__name__}: {exc}"[:500]))
        report.finished_at = self.clock()
        return report

    # --- the site's own channels ------------------------------------------------------------

    async def _site_get(self, report: DomainReport, budget: _Budget, url: str, cap: int) -> FetchResult | None:
        room = budget.take(cap)
        if room is None:
            return None
        result = await self._get(url, room)
        budget.spend(result)
        report.pages_fetched += 1
        report.bytes_read += result.bytes_read
        return result

    async def _security_txt(self, report: DomainReport, budget: _Budget) -> None:
        url = f"https://{report.domain}/.well-known/security.txt"
        now = self.clock()
        try:
            result = await self._site_get(report, budget, url, self.limits.security_txt_bytes)
        except FetchError as exc:
            report.steps.append(Step("security_txt", FAILED, fetch_code(exc), str(exc)[:500]))
            return
        step = self._read_security_txt(report, result, now)
        report.steps.append(step)

    def _read_security_txt(self, report: DomainReport, result: FetchResult | None, now: dt.datetime) -> Step:
        if result is None:
            return Step("security_txt", SKIPPED, "budget_spent", "the domain's page budget is spent")
        if result.status_code in (404, 410):
            return Step("security_txt", NONE, "not_found", "no security.txt on the site")
        if result.status_code >= 400:
            outcome = FAILED if result.status_code >= 500 or result.status_code == 429 else NONE
            return Step("security_txt", outcome, _status_code(result.status_code), f"HTTP {result.status_code}")
        if result.truncated:
            return Step("security_txt", NONE, "too_large", "a security.txt larger than the limit")
        if result.content_type not in ("text/plain", ""):
            return Step("security_txt", NONE, "not_plain_text", f"served as {result.content_type}, not text/plain")
        parsed = securitytxt.parse(result.text())
        refused = "; ".join(f"{code}: {message}" for code, message in parsed.refused)
        if parsed.expires is not None and parsed.expires <= now:
            message = f"expired on {parsed.expires.date().isoformat()}; its contacts are not used"
            return Step("security_txt", NONE, "expired", message)
        if not parsed.contacts:
            return Step("security_txt", NONE, "no_contact", refused or "no Contact line")
        expiry = self._expiry(now, parsed.expires)
        for index, contact in enumerate(parsed.contacts):
            detail = {"signed": parsed.signed, "expires": parsed.expires.isoformat() if parsed.expires else None}
            report.found.append(
                Found(SITE, contact.kind, contact.address, SRC_SECURITY_TXT, result.final_url, expiry, index, detail)
            )
        signed = "signed (signature not verified)" if parsed.signed else "unsigned"
        message = f"{len(parsed.contacts)} contact(s), {signed}" + (f"; not used: {refused}" if refused else "")
        return Step("security_txt", FOUND, "", message[:1000])

    async def _home(self, report: DomainReport, budget: _Budget) -> tuple[FetchResult | None, FetchError | None]:
        error: FetchError | None = None
        for scheme in ("https", "http"):
            try:
                result = await self._site_get(report, budget, f"{scheme}://{report.domain}/", self.limits.max_bytes)
            except FetchError as exc:
                error = exc
                if isinstance(exc, DNSFailure):
                    break  # the other scheme would not resolve either
                continue
            return result, None
        return None, error

    async def _site_pages(self, report: DomainReport, budget: _Budget) -> None:
        now = self.clock()
        home, error = await self._home(report, budget)
        if home is None:
            if error is None:
                report.steps.append(Step("site_pages", SKIPPED, "budget_spent", "the domain's page budget is spent"))
            else:
                report.steps.append(Step("site_pages", FAILED, fetch_code(error), str(error)[:500]))
            return
        if home.status_code >= 400:
            outcome = FAILED if home.status_code >= 500 or home.status_code == 429 else NONE
            step = Step("site_pages", outcome, _status_code(home.status_code), f"home page: HTTP {home.status_code}")
            report.steps.append(step)
            return
        text = home.text()
        links, mailtos = pages.contact_links(text, home.final_url, report.domain, self.limits.max_pages)
        expiry = self._expiry(now)
        refused: list[tuple[str, str]] = []
        found_before = len(report.found)
        visited = 0
        for link in links:
            try:
                page = await self._site_get(report, budget, link.url, self.limits.max_bytes)
            except FetchError:
                continue
            if page is None:
                break
            visited += 1
            if page.status_code >= 400:
                continue
            offered = pages.page_contacts(page.text(), keyword_page=True)
            refused.extend(offered.refused)
            for position, email in enumerate(offered.emails):
                detail = {"keyword": link.keyword, "page": page.final_url}
                preference = 100 + link.rank * 10 + min(position, 9)
                report.found.append(
                    Found(SITE, EMAIL, email, SRC_SITE_PAGE, page.final_url, expiry, preference, detail)
                )
            if offered.form and link.keyword != "legal":
                detail = {"keyword": link.keyword, "page": page.final_url}
                preference = 150 + link.rank * 10
                report.found.append(
                    Found(SITE, WEB_FORM, page.final_url, SRC_SITE_PAGE, page.final_url, expiry, preference, detail)
                )
        home_contacts = pages.page_contacts(text, keyword_page=False, extra_mailtos=[])
        refused.extend(home_contacts.refused)
        for position, email in enumerate(home_contacts.emails):
            detail = {"keyword": "home", "page": home.final_url}
            report.found.append(
                Found(SITE, EMAIL, email, SRC_SITE_PAGE, home.final_url, expiry, 190 + min(position, 9), detail)
            )
        del mailtos  # read again by page_contacts from the same page
        found = len(report.found) - found_before
        not_used = "; ".join(f"{code}: {message}" for code, message in refused)
        summary = f"{visited} page(s) read beside the home page, {found} contact(s)"
        if not_used:
            summary += f"; not used: {not_used}"
        report.steps.append(Step("site_pages", FOUND if found else NONE, "" if found else "no_contact", summary[:1000]))

    # --- the hosting network, a CDN ---------------------------------------------------------

    async def _addresses(self, report: DomainReport) -> None:
        last: DNSFailure | None = None
        for host in (report.domain, f"www.{report.domain}"):
            try:
                addresses = await lookup_addresses(host, self.resolver)
            except DNSFailure as exc:
                last = exc
                if exc.reason not in ("nxdomain", "no_address"):
                    break  # a timeout or a loop on the apex: www is not a fair second try
                continue
            report.addresses = list(dict.fromkeys(addresses))[: self.limits.max_addresses]
            report.steps.append(Step("dns", FOUND, "", f"{host}: {', '.join(report.addresses)}"))
            return
        assert last is not None
        report.steps.append(Step("dns", FAILED, f"dns_{last.reason}", str(last)[:500]))

    async def _hosting(self, report: DomainReport) -> None:
        if not report.addresses:
            report.steps.append(Step("hosting", SKIPPED, "no_address", "no address to look up"))
            return
        notes: list[str] = []
        failures: list[NetworkAnswer] = []
        for address in report.addresses:
            provider = self.cdn.match(address)
            if provider is not None:
                report.cdn = provider.name
                detail = {"cdn": provider.name, "address": address, "ranges_as_of": provider.as_of}
                found = Found(
                    CDN, WEB_FORM, provider.abuse_form, SRC_CDN, provider.source, self._expiry(self.clock()), 0, detail
                )
                if found not in report.found:
                    report.found.append(found)
                notes.append(f"{address}: {provider.name} (CDN)")
                continue
            answer = await self._network(address)
            report.networks.append(answer)
            if answer.answered and answer.abuse_email:
                detail = {
                    "address": address,
                    "network": answer.handle,
                    "network_name": answer.name,
                    "organisation": answer.org,
                    "range": f"{answer.start} - {answer.end}",
                    "registry": answer.registry,
                }
                expiry = self._expiry(answer.fetched_at)
                found = Found(HOSTING, EMAIL, answer.abuse_email, SRC_RDAP_IP, answer.rdap_url, expiry, 0, detail)
                if not any(f.role == HOSTING and f.address == found.address for f in report.found):
                    report.found.append(found)
                notes.append(f"{address}: {answer.abuse_email} ({answer.handle or answer.name})")
            else:
                notes.append(f"{address}: {answer.code} ({answer.message})")
                failures.append(answer)
        self._hosting_step(report, notes, failures)

    def _hosting_step(self, report: DomainReport, notes: list[str], failures: list[NetworkAnswer]) -> None:
        message = "; ".join(notes)[:1000]
        if any(f.role in (HOSTING, CDN) for f in report.found):
            report.steps.append(Step("hosting", FOUND, "", message))
            return
        retryable = [f for f in failures if f.retryable]
        worst = retryable[0] if retryable else failures[0]
        retry = max((f.retry_at for f in retryable if f.retry_at), default=None)
        outcome = FAILED if retryable else NONE
        report.steps.append(Step("hosting", outcome, worst.code, message, retry))

    async def _network(self, address: str) -> NetworkAnswer:
        """The network answer for ``address``: from the cache, else one RDAP request.

        One request at a time per RDAP service: a second address of a network being looked up
        waits and is then served from the cache (the range is not known before the answer), and
        the registries, which rate-limit, are not hit in parallel by one worker.
        """
        cached = self.networks.get(address, self.clock())
        if cached is not None:
            return NetworkAnswer(**{**cached.__dict__, "from_cache": True})
        base = self.bootstrap.for_address(address)
        lock = self._registry_locks.setdefault(base or "", asyncio.Lock())
        async with lock:
            now = self.clock()
            cached = self.networks.get(address, now)
            if cached is not None:
                return NetworkAnswer(**{**cached.__dict__, "from_cache": True})
            answer = await self._lookup_network(address, base, now)
            self.networks.put(answer)
            return answer

    async def _rdap_get(self, url: str, now: dt.datetime) -> tuple[FetchResult | None, str, str, dt.datetime | None]:
        """(answer, code, message, retry_at): the answer when it is a usable 2xx, else why not."""
        host = (ada_url.URL(url).hostname or "").lower()
        blocked = self._blocked.get(host)
        if blocked is not None and blocked > now:
            return None, "rdap_rate_limited", f"{host} asked to wait until {blocked.isoformat()}", blocked
        try:
            result = await self._get(url, self.limits.rdap_bytes, RDAP_ACCEPT)
        except FetchError as exc:
            return None, fetch_code(exc), str(exc)[:500], None
        status = result.status_code
        if status == 429:
            until = rdap.retry_after(result.headers.get("Retry-After"), now) or now + dt.timedelta(minutes=15)
            self._blocked[host] = until
            return None, "rdap_rate_limited", f"HTTP 429 from {host}, retry after {until.isoformat()}", until
        if status == 404:
            return None, "rdap_not_found", f"HTTP 404 from {host}", None
        if status >= 500:
            return None, "rdap_server_error", f"HTTP {status} from {host}", None
        if status >= 300:
            return None, f"rdap_http_{status}", f"HTTP {status} from {host}", None
        if result.truncated:
            return None, "rdap_too_large", f"an RDAP answer over {self.limits.rdap_bytes} bytes from {host}", None
        return result, "", "", None

    async def _lookup_network(self, address: str, base: str | None, now: dt.datetime) -> NetworkAnswer:
        if base is None:
            message = f"no RDAP service over https for {address} in the bootstrap files"
            return NetworkAnswer(address, False, now, code="rdap_no_service", message=message)
        url = f"{base}ip/{address}"
        result, code, message, retry_at = await self._rdap_get(url, now)
        if result is None:
            return NetworkAnswer(
                address, False, now, registry=base, rdap_url=url, code=code, message=message, retry_at=retry_at
            )
        try:
            data = rdap.decode(result.body, ("ip network",))
        except rdap.RDAPError as exc:
            return NetworkAnswer(address, False, now, registry=base, rdap_url=url, code=exc.code, message=exc.message)
        span = rdap.network_range(data, address)
        answer = NetworkAnswer(
            address,
            True,
            now,
            start=span.start,
            end=span.end,
            handle=span.handle,
            name=span.name,
            country=span.country,
            org=rdap.registrant_name(data),
            registry=base,
            rdap_url=result.final_url,
        )
        try:
            abuse = rdap.abuse_contact(data)
            answer.abuse_email = clean_email(abuse.email)
            answer.entity_handle = abuse.entity_handle
        except rdap.RDAPError as exc:
            answer.code, answer.message = exc.code, exc.message
        except Refused as exc:
            answer.code, answer.message = "rdap_invalid_email", exc.message
        return answer

    # --- the registrar ----------------------------------------------------------------------

    async def _registrar(self, report: DomainReport) -> None:
        now = self.clock()
        base = self.bootstrap.for_domain(report.domain)
        if base is None:
            message = f"no RDAP service over https for .{report.domain.rsplit('.', 1)[-1]} in the bootstrap files"
            report.steps.append(Step("registrar", NONE, "rdap_no_service", message))
            return
        url = f"{base}domain/{report.domain}"
        result, code, message, retry_at = await self._rdap_get(url, now)
        if result is None:
            outcome = FAILED if code in RETRYABLE else NONE
            report.steps.append(Step("registrar", outcome, code, message, retry_at))
            return
        try:
            data = rdap.decode(result.body, ("domain",))
            found = rdap.registrar(data)
            email = clean_email(found.email)
        except rdap.RDAPError as exc:
            report.steps.append(Step("registrar", NONE, exc.code, exc.message))
            return
        except Refused as exc:
            report.steps.append(Step("registrar", NONE, "rdap_invalid_email", exc.message))
            return
        detail = {"registrar": found.name, "iana_id": found.iana_id, "handle": found.handle}
        report.found.append(
            Found(REGISTRAR, EMAIL, email, SRC_RDAP_DOMAIN, result.final_url, self._expiry(now), 0, detail)
        )
        report.steps.append(Step("registrar", FOUND, "", f"{found.name or found.handle}: {email}"))
