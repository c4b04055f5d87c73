"""Each kind of page the local server serves gets the verdict and rule it should."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from sentinelle.checks import rules
from sentinelle.checks.engine import Outcome, Politeness, Target, check_one, check_targets
from sentinelle.checks.fetch import SafeFetcher


def check(url: str, markers: tuple[str, ...] = (), timeout: float = 10.0) -> Outcome:
    async def go() -> Outcome:
        async with SafeFetcher(allow_loopback=True, timeout=timeout) as fetcher:
            return await check_one(fetcher, Target(1, url, "127.0.0.1", markers))

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("path", "verdict", "rule"),
    [
        ("/ok", rules.STILL_ONLINE, "http_200"),  # a "DMCA" footer link is not a removal
        ("/404", rules.REMOVED, "http_404"),
        ("/410", rules.REMOVED, "http_410"),
        ("/451", rules.REMOVED, "http_451"),
        ("/soft404", rules.REMOVED, "soft_404:file not found"),
        ("/soft404-fr", rules.REMOVED, "soft_404:le fichier a ete supprime"),
        ("/soft404-dmca", rules.REMOVED, "soft_404:file has been removed"),
        ("/to-home", rules.REMOVED, "redirect_home"),
        ("/moved-away", rules.REMOVED, "redirect_removed_page"),
        ("/chain/3", rules.STILL_ONLINE, "http_200"),
        ("/chain/6", rules.INCONCLUSIVE, "too_many_redirects"),
        ("/to-metadata", rules.INCONCLUSIVE, "blocked_address"),
        ("/500", rules.UNREACHABLE, "http_5xx"),
        ("/503", rules.UNREACHABLE, "http_5xx"),
        ("/403", rules.INCONCLUSIVE, "http_403"),
        ("/empty", rules.INCONCLUSIVE, "empty_body"),
        ("/huge", rules.STILL_ONLINE, "http_200"),
    ],
)
def test_verdict_of_each_page(local_server, path, verdict, rule):
    outcome = check(local_server.url(path))
    assert (outcome.verdict, outcome.rule) == (verdict, rule)


def test_huge_page_is_read_up_to_the_cap_only(local_server):
    outcome = check(local_server.url("/huge"))
    assert outcome.bytes_read == 2 * 1024 * 1024
    assert outcome.truncated


def test_hanging_page_is_unreachable_not_removed(local_server):
    outcome = check(local_server.url("/hang"), timeout=0.5)
    assert (outcome.verdict, outcome.rule) == (rules.UNREACHABLE, "timeout")
    assert outcome.error.startswith("timeout")


def test_connection_refused_is_unreachable():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outcome = check(f"http://127.0.0.1:{port}/x")
    assert outcome.verdict == rules.UNREACHABLE


def test_platform_marker_from_the_registry(local_server):
    assert check(local_server.url("/platform-marker")).verdict == rules.STILL_ONLINE
    outcome = check(local_server.url("/platform-marker"), markers=("Ce lien a expiré chez PirateBox",))
    assert outcome.verdict == rules.REMOVED
    assert outcome.rule.startswith("soft_404:platform:")


def test_per_host_cap_and_delay_hold(local_server):
    """Four requests in flight at most per host, and starts spaced by the delay."""
    starts: list[float] = []
    in_flight = 0
    peak = 0

    class Counting(SafeFetcher):
        async def fetch(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal in_flight, peak
            starts.append(asyncio.get_running_loop().time())
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                await asyncio.sleep(0.05)
                return await super().fetch(url, **kwargs)
            finally:
                in_flight -= 1

    async def go() -> list[Outcome]:
        async with Counting(allow_loopback=True) as fetcher:
            targets = [Target(i, local_server.url("/ok"), "one.example") for i in range(12)]
            return await check_targets(targets, fetcher, Politeness(concurrency=50, per_host=4, host_delay=0.02))

    outcomes = asyncio.run(go())
    assert len(outcomes) == 12 and all(o.verdict == rules.STILL_ONLINE for o in outcomes)
    assert peak <= 4
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.018


# --- Pure rules -------------------------------------------------------------------------------


def obs(**kw: object) -> rules.Observation:
    return rules.Observation(url="https://pirate.example/file/abc", **kw)  # type: ignore[arg-type]


def test_redirect_home_of_another_site_is_not_a_removal():
    verdict = rules.decide(
        obs(
            status_code=200,
            redirected=True,
            final_url="https://other.example/",
            text="<p>hello</p>",
            content_type="text/html",
        )
    )
    assert verdict.verdict == rules.STILL_ONLINE


def test_a_home_page_that_was_reported_as_such_is_not_removed_by_redirecting_to_itself():
    verdict = rules.decide(
        rules.Observation(
            url="https://pirate.example/",
            status_code=200,
            redirected=True,
            final_url="https://www.pirate.example/",
            text="<p>x</p>",
        )
    )
    assert verdict.verdict == rules.STILL_ONLINE


def test_dns_failure_and_timeout_are_unreachable():
    assert rules.decide(obs(error="dns_failure")).verdict == rules.UNREACHABLE
    assert rules.decide(obs(error="timeout")).verdict == rules.UNREACHABLE
    assert rules.decide(obs(error="blocked_address")).verdict == rules.INCONCLUSIVE


def test_soft_404_in_title_only_for_short_words():
    page = "<html><title>Fichier supprimé</title><body>...</body></html>"
    assert rules.decide(obs(status_code=200, text=page)).verdict == rules.REMOVED
    page = "<html><title>My song</title><body>Lots of music. Removed ads. <a>DMCA</a></body></html>"
    assert rules.decide(obs(status_code=200, text=page)).verdict == rules.STILL_ONLINE
