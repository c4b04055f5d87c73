"""Reading what an address shows through the safe fetcher, after intake; no database.

A short link: where it leads. A ``HEAD`` request (no body is ever read), redirects followed by the
fetcher one hop at a time, each hop's address checked again (``checks/fetch.py``), at most
``MAX_HOPS`` redirects.

A numbered torrent page (``1337x.to/torrent/<n>/…``): the info-hash it shows. A ``GET`` of at most
``PAGE_BYTES``, through the same fetcher.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sentinelle import linkkit
from sentinelle.checks import fetch

MAX_HOPS = 5


@dataclass(frozen=True)
class Followed:
    """The addresses a short link went through (itself first) and the target found among them.

    ``target`` is empty when no address of the chain leaves the shorteners; ``error`` then says
    why (a fetch error's code, or ``no_target``).
    """

    chain: list[dict[str, object]] = field(default_factory=list)
    target: str = ""
    error: str = ""


def follow(url: str) -> Followed:
    """Where the short link ``url`` leads (see ``linkkit.short_link_target``)."""
    try:
        result = fetch.fetch_sync(url, method="HEAD", max_redirects=MAX_HOPS, max_bytes=0)
    except fetch.FetchError as exc:
        return Followed([{"url": url, "status": None}], error=exc.code)
    chain: list[dict[str, object]] = [{"url": hop.url, "status": hop.status_code} for hop in result.redirects]
    chain.append({"url": result.final_url, "status": result.status_code})
    target = linkkit.short_link_target([str(hop["url"]) for hop in chain])
    return Followed(chain, target or "", "" if target else "no_target")


# What is read of a torrent page: enough for any index's header, magnet link and hash.
PAGE_BYTES = 512 * 1024


@dataclass(frozen=True)
class PageRead:
    """The info-hash a torrent page shows (``info_hash``), or why none was taken (``error``:
    a fetch error's code, ``http_<status>``, ``no_info_hash`` or ``several_info_hashes``)."""

    url: str
    info_hash: str = ""
    error: str = ""


def read_torrent_page(url: str) -> PageRead:
    """The info-hash on the torrent page ``url`` (see ``linkkit.page_info_hashes``): a ``GET``
    through the safe fetcher, at most ``PAGE_BYTES`` read, redirects followed as the checks do."""
    try:
        result = fetch.fetch_sync(url, max_bytes=PAGE_BYTES)
    except fetch.FetchError as exc:
        return PageRead(url, error=exc.code)
    if result.status_code != 200:
        return PageRead(url, error=f"http_{result.status_code}")
    found = linkkit.page_info_hashes(result.text())
    if len(found) != 1:
        return PageRead(url, error="several_info_hashes" if found else "no_info_hash")
    return PageRead(url, info_hash=found.pop())
