"""Known URL shorteners and redirectors: links whose target only a fetch reveals.

A short link (``t.co/abc``, ``bit.ly/abc``, ``vm.tiktok.com/ZM…``) says nothing about the content
it points to: it has no content key, and the intake resolves it (through the safe fetcher) to
classify and route its target. The shortener itself can also disable the link, so it keeps its
actions. Search-engine and social redirect wrappers whose target is in the URL itself
(``google.com/url?q=…``, ``l.facebook.com/l.php?u=…``) are unwrapped without a fetch (unwrap.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from .canonical import CanonicalURL, canonicalise
from .errors import LinkError

# Host names (without "www.") or registrable domains whose every link is a short link.
SHORTENER_DOMAINS: frozenset[str] = frozenset(
    {
        # general-purpose shorteners
        "bit.ly",
        "bitly.com",
        "j.mp",
        "bit.do",
        "tinyurl.com",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "v.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "t.ly",
        "tiny.cc",
        "bl.ink",
        "s.id",
        "rb.gy",
        "soo.gd",
        "clck.ru",
        "u.to",
        "tr.im",
        "x.co",
        "qr.ae",
        "shrtco.de",
        "gg.gg",
        "urlz.fr",
        "zpr.io",
        "t2m.io",
        # pay-per-click shorteners (an advert before the redirect)
        "adf.ly",
        "j.gs",
        "q.gs",
        "shorte.st",
        "sh.st",
        "ouo.io",
        "ouo.press",
        "linkvertise.com",
        "bc.vc",
        "exe.io",
        "shrinkme.io",
        # platforms' own short links
        "t.co",
        "lnkd.in",
        "fb.me",
        "fb.watch",
        "vm.tiktok.com",
        "vt.tiktok.com",
        "on.soundcloud.com",
        "spoti.fi",
        "apple.co",
        "amzn.to",
        "amzn.eu",
        "a.co",
        "pin.it",
        "db.tt",
        "1drv.ms",
        "we.tl",
        "trib.al",
        "dlvr.it",
    }
)

# Registrable domain -> path patterns of short links on a platform's main site ("*" is any one
# segment): tiktok.com/t/<code>, facebook.com/share/<code>, reddit.com/r/<sub>/s/<code>.
SHORTENER_PATHS: dict[str, tuple[str, ...]] = {
    "tiktok.com": ("/t/",),
    "facebook.com": ("/share/",),
    "reddit.com": ("/r/*/s/",),
}

_ANY: Final = "*"


def is_shortener_host(host: str, site: str) -> bool:
    """Whether every link on ``host`` (registrable domain ``site``) is a short link."""
    if site in SHORTENER_DOMAINS or host in SHORTENER_DOMAINS:
        return True
    return host.startswith("www.") and host[4:] in SHORTENER_DOMAINS


def has_short_paths(site: str) -> bool:
    """Whether some paths of ``site`` are short links (``SHORTENER_PATHS``)."""
    return site in SHORTENER_PATHS


def is_short_path(site: str, path: str) -> bool:
    """Whether ``path`` on a site of ``SHORTENER_PATHS`` is a short link."""
    for pattern in SHORTENER_PATHS.get(site, ()):
        if _ANY not in pattern:
            if path.startswith(pattern) and len(path) > len(pattern):
                return True
            continue
        if _matches(pattern.strip("/").split("/"), path[1:].split("/")):
            return True
    return False


def _matches(wanted: list[str], segments: list[str]) -> bool:
    """``segments`` start with ``wanted`` ("*" matching any non-empty one) and go on after it."""
    if len(segments) <= len(wanted) or not segments[len(wanted)]:
        return False
    for expected, segment in zip(wanted, segments, strict=False):
        if segment != expected and not (expected == _ANY and segment):
            return False
    return True


def is_shortener(url: object) -> bool:
    """Whether ``url`` (a string or a ``CanonicalURL``) is a short link to resolve.

    Raises a ``LinkError`` for what ``canonicalise`` refuses.
    """
    canonical = url if isinstance(url, CanonicalURL) else canonicalise(url)
    site = canonical.registrable_domain
    return is_shortener_host(canonical.host, site) or is_short_path(site, canonical.path)


def short_link_target(chain: Sequence[str]) -> str | None:
    """Where a short link leads: the first address of its redirect ``chain`` (the short link
    first, then each ``Location`` followed) that is not itself a short link, or None.

    The addresses after it (the target's own redirects, ``http`` to ``https`` say) are the
    target's business: the link to act on is the one the short link names.
    """
    for address in chain[1:]:
        try:
            if not is_shortener(address):
                return address
        except LinkError:
            return None
    return None
