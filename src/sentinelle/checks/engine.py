"""The check engine: fetch many links at once, politely, and give each its verdict. No database.

Politeness: at most ``per_host`` requests in flight to one host name and at least ``host_delay``
seconds between two request starts to it; at most ``concurrency`` requests in flight overall.
Each host gets its own workers, so a slow or rate-limited host never holds the global slots
while it waits for its own delay.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sentinelle import conf
from sentinelle.checks import rules
from sentinelle.checks.fetch import FetchError, SafeFetcher

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    link_id: int
    url: str
    host: str
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    target: Target
    checked_at: dt.datetime
    verdict: str
    rule: str
    status_code: int | None = None
    final_url: str = ""
    redirects: int = 0
    bytes_read: int = 0
    truncated: bool = False
    body_sha256: str = ""
    elapsed_ms: int = 0
    error: str = ""
    redirect_status: int | None = None  # the first hop's status when the page redirected


@dataclass(frozen=True)
class Politeness:
    concurrency: int = 50
    per_host: int = 4  # 0: no per-host cap
    host_delay: float = 0.0  # seconds between two request starts to one host

    @classmethod
    def from_settings(cls) -> Politeness:
        return cls(
            concurrency=conf.check_concurrency(),
            per_host=conf.check_per_host(),
            host_delay=conf.check_host_delay(),
        )

    @classmethod
    def off(cls, concurrency: int = 50) -> Politeness:
        return cls(concurrency=concurrency, per_host=0, host_delay=0.0)


class _HostGate:
    """Spaces request starts to one host by ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = asyncio.Lock()
        self.next_start = 0.0

    async def wait(self) -> None:
        if self.delay <= 0:
            return
        async with self.lock:
            pause = self.next_start - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            self.next_start = time.monotonic() + self.delay


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def check_one(fetcher: SafeFetcher, target: Target) -> Outcome:
    checked_at = _now()
    started = time.monotonic()
    try:
        result = await fetcher.fetch(target.url)
    except FetchError as exc:
        verdict = rules.decide(rules.Observation(url=target.url, error=exc.code))
        return Outcome(
            target=target,
            checked_at=checked_at,
            verdict=verdict.verdict,
            rule=verdict.rule,
            final_url=exc.url,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            error=f"{exc.code}: {exc}"[:2000],
        )
    except Exception as exc:  # a bug must not stop the other checks; it shows on the row
        logger.exception("check of link %s failed", target.link_id)
        return Outcome(
            target=target,
            checked_at=checked_at,
            verdict=rules.INCONCLUSIVE,
            rule="internal_error",
            elapsed_ms=int((time.monotonic() - started) * 1000),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
    content_type = result.content_type
    textual = not content_type or content_type.startswith(rules._TEXT_TYPES)
    observation = rules.Observation(
        url=target.url,
        status_code=result.status_code,
        final_url=result.final_url,
        redirected=bool(result.redirects),
        body=result.body,
        content_type=content_type,
        text=result.text() if textual else None,
    )
    verdict = rules.decide(observation, target.markers)
    return Outcome(
        target=target,
        checked_at=checked_at,
        verdict=verdict.verdict,
        rule=verdict.rule,
        status_code=result.status_code,
        final_url=result.final_url,
        redirects=len(result.redirects),
        bytes_read=result.bytes_read,
        truncated=result.truncated,
        body_sha256=result.sha256,
        elapsed_ms=int(result.elapsed * 1000),
        redirect_status=result.redirects[0].status_code if result.redirects else None,
    )


async def check_targets(
    targets: Sequence[Target],
    fetcher: SafeFetcher,
    politeness: Politeness,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Check every target; the outcomes come back in the order of ``targets``."""
    results: list[Outcome | None] = [None] * len(targets)
    overall = asyncio.Semaphore(politeness.concurrency)

    async def run(index: int, gate: _HostGate | None) -> None:
        if gate is not None:
            await gate.wait()
        async with overall:
            outcome = await check_one(fetcher, targets[index])
        results[index] = outcome
        if on_done is not None:
            on_done(outcome)

    async def worker(queue: list[int], gate: _HostGate | None) -> None:
        while queue:
            await run(queue.pop(), gate)

    workers = []
    if politeness.per_host <= 0 and politeness.host_delay <= 0:
        shared = list(range(len(targets)))[::-1]
        workers = [worker(shared, None) for _ in range(min(politeness.concurrency, len(targets)))]
    else:
        by_host: dict[str, list[int]] = defaultdict(list)
        for index, target in enumerate(targets):
            by_host[target.host.lower()].append(index)
        for indexes in by_host.values():
            queue = indexes[::-1]
            gate = _HostGate(politeness.host_delay)
            slots = politeness.per_host if politeness.per_host > 0 else politeness.concurrency
            workers.extend(worker(queue, gate) for _ in range(min(slots, len(queue))))
    await asyncio.gather(*workers)
    return [outcome for outcome in results if outcome is not None]
