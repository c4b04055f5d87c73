"""Which platform a link is on, what may be asked of whom, and what the link really is."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from .canonical import MAX_URL_BYTES, CanonicalURL, _canonical_fast, _canonicalise, _fast_match, canonicalise
from .errors import LinkError
from .registry import PlatformRule, Recipient, Registry, _Candidates, path_matches
from .unwrap import _CACHE as _WRAPPERS
from .unwrap import OPAQUE, REDIRECTORS, SEARCH_ENGINES, SEARCH_PAGE, Unwrapper, _wrapper_for

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

# What a classification owes to the host alone: the rule, kind, licensed, actions, remove
# recipient, delist recipients and flag, then unwrapped_from and wrapper (None, None).
_Tail = tuple[Any, ...]

# Per registry and host: (registrable domain it was computed for, the engine or redirector serving
# the host or None, the registry candidates, the tail when no path prefix decides the rule, else None).
_HostVerdict = tuple[str, "tuple[str, Unwrapper] | None", _Candidates, "_Tail | None"]


def _tail(registry: Registry, rule: PlatformRule | None, site: str) -> _Tail:
    """Everything of a classification that follows from the platform ``rule`` and the site."""
    if rule is None:
        flag = FLAG_SHORTENER if site in SHORTENER_DOMAINS else None
        return (
            None,
            None,
            False,
            ALL_ACTIONS,
            _new(Recipient, (None, site, site)),
            registry.delist_recipients,
            flag,
            None,
            None,
        )
    shortener = rule.kind == "url_shortener" or site in SHORTENER_DOMAINS
    flag = FLAG_SHORTENER if shortener else None
    if rule.licensed:
        # The society licenses this platform: there is nothing to take down.
        return (rule, rule.kind, True, (), None, (), flag, None, None)
    return (
        rule,
        rule.kind,
        False,
        ALL_ACTIONS,
        _new(Recipient, (rule.platform_id, rule.name, site)),
        registry.delist_recipients,
        flag,
        None,
        None,
    )


def _host_verdict(registry: Registry, canonical: CanonicalURL) -> _HostVerdict:
    """The ``_HostVerdict`` of the host of ``canonical``, computed once per host and registry."""
    host = canonical[2]
    site = canonical[7]  # registrable_domain
    # Most sites are neither a redirector nor named like an engine: _wrapper_for only for those.
    found = None
    if site in REDIRECTORS or site.partition(".")[0] in SEARCH_ENGINES:
        found = _WRAPPERS.get(host, _UNSEEN)
        if found is _UNSEEN:  # the verdict keeps it: no need to fill unwrap's own cache too
            found = _wrapper_for(host, site)
    candidates = registry._host_candidates.get(host)
    if candidates is None:
        candidates = registry._collect_candidates(host)
    if not candidates:
        # _tail(registry, None, site), inlined: the common case of a first-seen host.
        tail: _Tail | None = (
            None,
            None,
            False,
            ALL_ACTIONS,
            _new(Recipient, (None, site, site)),
            registry.delist_recipients,
            FLAG_SHORTENER if site in SHORTENER_DOMAINS else None,
            None,
            None,
        )
    elif candidates[0][0] is None:  # the most specific rule holds for every path
        tail = _tail(registry, candidates[0][1], site)
    else:
        tail = None
    verdict = (site, found, candidates, tail)
    cache = registry._host_verdicts
    if len(cache) >= registry._host_candidates_size:
        cache.clear()
    cache[host] = verdict
    return verdict


def classify(url: str | CanonicalURL, registry: Registry) -> Classification:
    """Classify ``url`` (raw or already canonical) against ``registry``.

    Raises a ``LinkError`` when the URL, or the target a search engine points to, is unusable.
    """
    canonical = url if isinstance(url, CanonicalURL) else canonicalise(url)
    verdict = registry._host_verdicts.get(canonical[2])  # host
    if verdict is None or verdict[0] != canonical[7]:  # registrable_domain
        verdict = _host_verdict(registry, canonical)
    tail = verdict[3]
    if verdict[1] is None and tail is not None:
        return _new(Classification, (canonical, *tail))  # skips the NamedTuple constructor's frame
    return _classify(canonical, registry, verdict)


def classify_many(urls: Iterable[str | CanonicalURL], registry: Registry) -> list[Classification | LinkError]:
    """``classify`` of each of ``urls``, in order; a refused URL gives its ``LinkError``."""
    return list(iter_classify(urls, registry))


def iter_classify(urls: Iterable[str | CanonicalURL], registry: Registry) -> Iterator[Classification | LinkError]:
    """``classify`` of each of ``urls`` as it is needed; a refused URL gives its ``LinkError``.

    The same results as calling ``classify`` on each (tests/linkkit/test_batch.py), for less: the
    loop binds what it needs once and inlines the common case (a plain URL on a host seen before).
    """
    fast_match = _fast_match
    fast = _canonical_fast
    verdicts = registry._host_verdicts
    new = _new
    for url in urls:
        try:
            canonical = None
            if type(url) is str and len(url) <= MAX_URL_BYTES:
                match = fast_match(url)
                if match is not None:
                    canonical = fast(match, url)
            if canonical is None:
                canonical = url if isinstance(url, CanonicalURL) else _canonicalise(url)
            verdict = verdicts.get(canonical[2])  # host
            if verdict is None or verdict[0] != canonical[7]:  # registrable_domain
                verdict = _host_verdict(registry, canonical)
            tail = verdict[3]
            if verdict[1] is None and tail is not None:
                result = new(Classification, (canonical, *tail))
            else:
                result = _classify(canonical, registry, verdict)
        except LinkError as error:
            yield error
        else:
            yield result


def _classify(canonical: CanonicalURL, registry: Registry, verdict: _HostVerdict) -> Classification:
    """``classify`` when the host is a search engine or redirector, or a path prefix decides."""
    wrapper: CanonicalURL | None = None
    engine: str | None = None
    for _ in range(_MAX_UNWRAP):
        found = verdict[1]
        if found is None:
            break
        host = canonical.host
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
        verdict = registry._host_verdicts.get(canonical.host)  # type: ignore[assignment]
        if verdict is None or verdict[0] != canonical.registrable_domain:
            verdict = _host_verdict(registry, canonical)

    tail = verdict[3]
    if tail is None:
        path = canonical.path
        rule: PlatformRule | None = None
        for prefix, candidate in verdict[2]:
            if prefix is None or path_matches(path, prefix):
                rule = candidate
                break
        tail = _tail(registry, rule, canonical.registrable_domain)
    if engine is None:
        return _new(Classification, (canonical, *tail))
    return _new(Classification, (canonical, *tail[:7], engine, wrapper))
