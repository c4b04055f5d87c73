"""Which platform a link is on, what may be asked of whom, and what the link really is."""

from __future__ import annotations

from typing import Any, NamedTuple

from .canonical import CanonicalURL, canonicalise
from .registry import PlatformRule, Recipient, Registry, path_matches
from .unwrap import _CACHE as _WRAPPERS
from .unwrap import OPAQUE, SEARCH_PAGE, wrapper_for

REMOVE = "remove"
DELIST = "delist"
ALL_ACTIONS: tuple[str, ...] = (REMOVE, DELIST)

# Flags: the link is not a plain target and the intake must say why.
FLAG_SEARCH_PAGE = "search_page"  # a results page: no target to act on
FLAG_OPAQUE_REDIRECT = "opaque_redirect"  # a redirect whose target only a fetch reveals
FLAG_SHORTENER = "shortener"  # a short link: its target is unknown without a fetch

# Built-in so that a registry without shortener rows still flags the common ones.
SHORTENER_DOMAINS: frozenset[str] = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "t.co",
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
        "shorte.st",
        "adf.ly",
        "ouo.io",
        "ouo.press",
        "linkvertise.com",
        "lnkd.in",
        "trib.al",
        "dlvr.it",
        "soo.gd",
        "clck.ru",
        "u.to",
        "tr.im",
        "x.co",
        "qr.ae",
        "1drv.ms",
        "we.tl",
        "shrtco.de",
        "gg.gg",
        "urlz.fr",
        "zpr.io",
    }
)

_MAX_UNWRAP = 3


class Classification(NamedTuple):
    """Everything the intake needs to decide about one link.

    ``url`` is the link to act on: the target when ``unwrapped_from`` names the engine or
    redirector it was taken from (``wrapper`` then keeps the URL as given). ``actions`` is empty
    when nothing may be asked: a licensed platform, a results page, an opaque redirect.
    """

    url: CanonicalURL
    platform: PlatformRule | None
    kind: str | None
    licensed: bool
    actions: tuple[str, ...]
    remove_recipient: Recipient | None
    delist_recipients: tuple[Recipient, ...]
    flag: str | None
    unwrapped_from: str | None
    wrapper: CanonicalURL | None


_new = tuple.__new__
_UNSEEN: Any = object()


def classify(url: str | CanonicalURL, registry: Registry) -> Classification:
    """Classify ``url`` (raw or already canonical) against ``registry``.

    Raises a ``LinkError`` when the URL, or the target a search engine points to, is unusable.
    """
    canonical = url if isinstance(url, CanonicalURL) else canonicalise(url)
    wrapper: CanonicalURL | None = None
    engine: str | None = None
    for _ in range(_MAX_UNWRAP):
        host = canonical.host
        found = _WRAPPERS.get(host, _UNSEEN)
        if found is _UNSEEN:  # a miss costs less than a KeyError on the first sight of a host
            found = wrapper_for(host, canonical.registrable_domain)
        if found is None:
            break
        name, unwrap = found
        outcome = unwrap(host, canonical.path, canonical.query)
        if outcome is None:
            break
        if outcome.outcome == SEARCH_PAGE or outcome.outcome == OPAQUE or outcome.target is None:
            refused = FLAG_SEARCH_PAGE if outcome.outcome == SEARCH_PAGE else FLAG_OPAQUE_REDIRECT
            page_rule = registry.match(host, canonical.path)
            return Classification(
                canonical,
                page_rule,
                page_rule.kind if page_rule is not None else None,
                page_rule.licensed if page_rule is not None else False,
                (),
                None,
                (),
                refused,
                engine,
                wrapper,
            )
        if wrapper is None:
            wrapper = canonical
        engine = name
        canonical = canonicalise(outcome.target)

    # Registry.match inlined: this runs once per reported link.
    host = canonical.host
    candidates = registry._host_candidates.get(host)
    if candidates is None:
        candidates = registry.candidates(host)
    rule: PlatformRule | None = None
    for prefix, candidate in candidates:
        if prefix is None or path_matches(canonical.path, prefix):
            rule = candidate
            break
    site = canonical.registrable_domain
    if rule is None:
        return _new(  # tuple.__new__ skips the NamedTuple constructor's Python frame
            Classification,
            (
                canonical,
                None,
                None,
                False,
                ALL_ACTIONS,
                _new(Recipient, (None, site, site)),
                registry.delist_recipients,
                FLAG_SHORTENER if site in SHORTENER_DOMAINS else None,
                engine,
                wrapper,
            ),
        )
    shortener = rule.kind == "url_shortener" or site in SHORTENER_DOMAINS
    flag = FLAG_SHORTENER if shortener else None
    if rule.licensed:
        # The society licenses this platform: there is nothing to take down.
        return Classification(canonical, rule, rule.kind, True, (), None, (), flag, engine, wrapper)
    return _new(  # tuple.__new__ skips the NamedTuple constructor's Python frame
        Classification,
        (
            canonical,
            rule,
            rule.kind,
            False,
            ALL_ACTIONS,
            _new(Recipient, (rule.platform_id, rule.name, site)),
            registry.delist_recipients,
            flag,
            engine,
            wrapper,
        ),
    )
