"""Benchmark: recipient discovery, domains per second, against local DNS, sites and RDAP servers.

    python bench/discovery.py [--copies 10] [--concurrency 50]

The tests' local internet (tests/recipients/world.py) with ``--copies`` times its 100 fixture
domains (1,000 by default): a dnslib DNS server, HTTPS sites (security.txt, DMCA pages, plain
pages) and an HTTPS RDAP server shaped like ARIN's, RIPE's and a domain registry's, all on
127.0.0.1 with a CA of their own. Politeness caps off. Two runs side by side, same servers:

* **Sentinelle**: the discovery engine (``recipients.engine.Discoverer``) — the safe fetcher
  (address guard, pinning, caps), security.txt and page parsing, DNS through dnspython, RDAP
  through the bootstrap files with the network cache, every step's outcome; no database writes;
* **bare lookups** (the named peer): per domain, dnspython A lookup then plain aiohttp GETs of
  ``/.well-known/security.txt``, ``/``, the RDAP ip and domain answers (``json.loads`` only) —
  no guard, no parsing, no cache, no linked pages.

It prints wall time, domains/s and requests made, and checks that the engine found what the
fixture expects for every domain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import ssl
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentinelle.settings")
os.environ.setdefault("SENTINELLE_SECRET_KEY", "bench-only")
os.environ.setdefault("SENTINELLE_VAR_DIR", tempfile.mkdtemp(prefix="sentinelle-bench-"))

import django  # noqa: E402

django.setup()

import aiohttp  # noqa: E402
import dns.asyncresolver  # noqa: E402
import dns.nameserver  # noqa: E402
from aiohttp.abc import AbstractResolver, ResolveResult  # noqa: E402
from django.conf import settings  # noqa: E402

from sentinelle.checks.engine import Politeness  # noqa: E402
from sentinelle.checks.fetch import dns_resolver_for  # noqa: E402
from sentinelle.recipients import cdn, engine, rdap  # noqa: E402
from tests.recipients.world import World, start_world  # noqa: E402


async def run_engine(world: World, domains: list[str], concurrency: int) -> list[engine.DomainReport]:
    async with world.fetcher() as fetcher:
        discoverer = engine.Discoverer(
            fetcher,
            bootstrap=rdap.load_bootstrap(world.bootstrap_dir),
            cdn=cdn.load_ranges(world.cdn_file),
            resolver=dns_resolver_for(),
            politeness=Politeness.off(concurrency=concurrency),
        )
        return await discoverer.discover_all(domains, concurrency=concurrency)


class _Local(AbstractResolver):
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=0)]

    async def close(self) -> None:
        pass


async def run_peer(world: World, domains: list[str], concurrency: int) -> int:
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", world.dns.port)]
    context = ssl.create_default_context(cafile=str(world.ca.ca_file))
    bootstrap = rdap.load_bootstrap(world.bootstrap_dir)
    slots = asyncio.Semaphore(concurrency)
    requests = 0
    connector = aiohttp.TCPConnector(resolver=_Local(), ssl=context, limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def get(url: str) -> bytes:
            nonlocal requests
            requests += 1
            async with session.get(url) as response:
                return await response.read()

        async def one(domain: str) -> None:
            async with slots:
                try:
                    answer = await resolver.resolve(domain, "A")
                except dns.exception.DNSException:
                    return
                address = str(answer[0].address)  # type: ignore[attr-defined]
                await get(f"https://{domain}:{world.https_port}/.well-known/security.txt")
                await get(f"https://{domain}:{world.https_port}/")
                base = bootstrap.for_address(address)
                if base:
                    json.loads(await get(f"{base}ip/{address}") or b"null")
                base = bootstrap.for_domain(domain)
                if base:
                    json.loads(await get(f"{base}domain/{domain}") or b"null")

        await asyncio.gather(*(one(d) for d in domains))
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10, help="times the 100 fixture domains (default 10)")
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    world = start_world(Path(tempfile.mkdtemp(prefix="sentinelle-bench-world-")), copies=args.copies)
    try:
        settings.SENTINELLE_DNS_NAMESERVERS = [world.dns.nameserver]
        settings.SENTINELLE_DNS_TIMEOUT_SECONDS = 5
        settings.SENTINELLE_FETCH_CA_FILE = str(world.ca.ca_file)
        domains = sorted(world.expected)
        print(f"{len(domains)} domains, concurrency {args.concurrency}, politeness caps off")

        hits_before = sum(world.hits.values())
        started = time.perf_counter()
        reports = asyncio.run(run_engine(world, domains, args.concurrency))
        engine_wall = time.perf_counter() - started
        engine_requests = sum(world.hits.values()) - hits_before
        wrong = [
            r.domain
            for r in reports
            if {(f.role, f.kind, f.address, f.source) for f in r.found} != set(world.expected[r.domain].contacts)
        ]
        print(
            f"Sentinelle engine: {engine_wall:6.2f} s  {len(domains) / engine_wall:7.1f} domains/s  "
            f"{engine_requests} requests  ({len(wrong)} domains not as expected)"
        )

        hits_before = sum(world.hits.values())
        started = time.perf_counter()
        asyncio.run(run_peer(world, domains, args.concurrency))
        peer_wall = time.perf_counter() - started
        peer_requests = sum(world.hits.values()) - hits_before
        print(
            f"bare lookups:      {peer_wall:6.2f} s  {len(domains) / peer_wall:7.1f} domains/s  "
            f"{peer_requests} requests"
        )
        print(f"ratio: Sentinelle runs at {peer_wall / engine_wall:.2f}x the bare lookups' rate")
        if wrong:
            for report in reports:
                if report.domain in wrong[:5]:
                    failed = [f"{s.name}={s.code}" for s in report.steps if s.outcome == engine.FAILED]
                    print(f"  not as expected: {report.domain}: {', '.join(failed) or 'no failed step'}")
            raise SystemExit(1)
    finally:
        world.stop()


if __name__ == "__main__":
    main()
