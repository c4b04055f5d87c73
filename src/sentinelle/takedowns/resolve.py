"""Following a short link to where it leads, through the safe fetcher; no database.

A ``HEAD`` request (no body is ever read), redirects followed by the fetcher one hop at a time, each
hop's address checked again (``checks/fetch.py``), at most ``MAX_HOPS`` redirects.
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
