"""Which platform a link is on, what may be asked of whom, and what the link really is."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Final, cast, final

from .canonical import MAX_URL_BYTES, CanonicalURL, Value, canonical_fast, canonicalise, canonicalise_any, fast_match
from .errors import LinkError
from .identity import routing_domain
from .registry import Candidates, PlatformRule, Recipient, Registry, path_matches
from .shorteners import has_short_paths, is_short_path, is_shortener_host
from .unwrap import OPAQUE, REDIRECTORS, SEARCH_ENGINES, SEARCH_PAGE, Unwrapper, find_wrapper
from .unwrap import WRAPPER_CACHE as _WRAPPERS

REMOVE = "remove"
DELIST = "delist"
ALL_ACTIONS: tuple[str, ...] = (REMOVE, DELIST)

# Flags: the link is not a plain target and the intake must say why.
FLAG_SEARCH_PAGE = "search_page"  # a results page: no target to act on
FLAG_OPAQUE_REDIRECT = "opaque_redirect"  # a redirect whose target only a fetch reveals
FLAG_SHORTENER = "shortener"  # a short link: its target is unknown without a fetch

_MAX_UNWRAP = 3


_CLASSIFICATION_FIELDS: Final = (
    "url",
    "platform",
    "kind",
    "licensed",
    "actions",
    "remove_recipient",
    "delist_recipients",
    "flag",
    "unwrapped_from",
    "wrapper",
)


@final
class _Tail:
    """What a classification owes to the platform rule and the site alone (shared per host)."""

    __slots__ = ("actions", "delist_recipients", "flag", "kind", "licensed", "platform", "remove_recipient")

    def __init__(
        self,
        platform: PlatformRule | None,
        kind: str | None,
        licensed: bool,
        actions: tuple[str, ...],
        remove_recipient: Recipient | None,
        delist_recipients: tuple[Recipient, ...],
        flag: str | None,
    ) -> None:
        self.platform = platform
        self.kind = kind
        self.licensed = licensed
        self.actions = actions
        self.remove_recipient = remove_recipient
        self.delist_recipients = delist_recipients
        self.flag = flag


@final
class Classification(Value):
    """Everything the intake needs to decide about one link (compared and hashed by value).

    ``url`` is the link to act on: the target when ``unwrapped_from`` names the engine or
    redirector it was taken from (``wrapper`` then keeps the URL as given). ``actions`` is empty
    when nothing may be asked: a licensed platform, a results page, an opaque redirect. What
    depends on the platform and the site alone (platform to recipients) is read from the host's
    shared ``_Tail``, not copied into each result.
    """

    __slots__ = ("_tail", "unwrapped_from", "url", "wrapper")
    FIELDS = _CLASSIFICATION_FIELDS

    def __init__(
        self, url: CanonicalURL, tail: _Tail, unwrapped_from: str | None = None, wrapper: CanonicalURL | None = None
    ) -> None:
        self.url = url
        self._tail = tail
        self.unwrapped_from = unwrapped_from
        self.wrapper = wrapper

    @property
    def platform(self) -> PlatformRule | None:
        return self._tail.platform

    @property
    def kind(self) -> str | None:
        return self._tail.kind

    @property
    def licensed(self) -> bool:
        return self._tail.licensed

    @property
    def actions(self) -> tuple[str, ...]:
        return self._tail.actions

    @property
    def remove_recipient(self) -> Recipient | None:
        return self._tail.remove_recipient

    @property
    def delist_recipients(self) -> tuple[Recipient, ...]:
        return self._tail.delist_recipients

    @property
    def flag(self) -> str | None:
        return self._tail.flag

    def astuple(self) -> tuple[object, ...]:
        tail = self._tail
        return (
            self.url,
            tail.platform,
            tail.kind,
            tail.licensed,
            tail.actions,
            tail.remove_recipient,
            tail.delist_recipients,
            tail.flag,
            self.unwrapped_from,
            self.wrapper,
        )

    def __reduce__(self) -> tuple[Callable[..., Value], tuple[object, ...]]:
        return (_classification, self.astuple())


def _classification(
    url: CanonicalURL,
    platform: PlatformRule | None,
    kind: str | None,
    licensed: bool,
    actions: tuple[str, ...],
    remove_recipient: Recipient | None,
    delist_recipients: tuple[Recipient, ...],
    flag: str | None,
    unwrapped_from: str | None,
    wrapper: CanonicalURL | None,
) -> Classification:
    """A ``Classification`` from its value (what pickle and copy store)."""
    tail = _Tail(platform, kind, licensed, actions, remove_recipient, delist_recipients, flag)
    return Classification(url, tail, unwrapped_from, wrapper)


@final
class _Verdict:
    """Per registry and host: what classifying any URL on that host starts from."""

    __slots__ = ("candidates", "long_tail", "short_tail", "site", "tail", "wrapper")

    def __init__(
        self,
        site: str,
        wrapper: tuple[str, Unwrapper] | None,
        candidates: Candidates,
        tail: _Tail | None,
        short_tail: _Tail | None = None,
        long_tail: _Tail | None = None,
    ) -> None:
        self.site = site  # the registrable domain it was computed for
        self.wrapper = wrapper  # the engine or redirector serving the host
        self.candidates = candidates  # the registry's rules for the host, most specific first
        self.tail = tail  # None when the path decides: a path prefix, or a short-link path
        # A host-wide rule on a site with short-link paths (tiktok.com/t/…): the tail of its short
        # links and of its other URLs, chosen by the path in _classify.
        self.short_tail = short_tail
        self.long_tail = long_tail


def _tail(registry: Registry, rule: PlatformRule | None, site: str, shortener: bool) -> _Tail:
    """Everything of a classification that follows from the platform ``rule`` and the site.

    ``shortener``: the link is a known short link (shorteners.py), whatever the registry says.
    """
    if rule is None:
        flag = FLAG_SHORTENER if shortener else None
        return _Tail(None, None, False, ALL_ACTIONS, Recipient(None, site, site), registry.delist_recipients, flag)
    flag = FLAG_SHORTENER if shortener or rule.kind == "url_shortener" else None
    if rule.licensed:
        # The society licenses this platform: there is nothing to take down.
        return _Tail(rule, rule.kind, True, (), None, (), flag)
    recipient = Recipient(rule.platform_id, rule.name, site)
    return _Tail(rule, rule.kind, False, ALL_ACTIONS, recipient, registry.delist_recipients, flag)


def _verdict(registry: Registry, canonical: CanonicalURL) -> _Verdict:
    """The ``_Verdict`` for the host of ``canonical``: cached per registry and host.

    The host's canonicalisation entry keeps the verdict of the registry it last met, so a batch
    against one registry finds it without a lookup; the registry's own cache serves the rest.
    """
    info = canonical._info
    if info is not None and info.verdict_serial == registry._serial:
        return cast(_Verdict, info.verdict)
    cached = registry.host_verdicts.get(canonical.host)
    verdict = cast(_Verdict, cached) if cached is not None else None
    if verdict is None or verdict.site != canonical.registrable_domain:
        verdict = _host_verdict(registry, canonical)
    if info is not None:
        info.verdict = verdict
        info.verdict_serial = registry._serial
    return verdict


def _host_verdict(registry: Registry, canonical: CanonicalURL) -> _Verdict:
    """The ``_Verdict`` of the host of ``canonical``, computed and cached."""
    host = canonical.host
    site = canonical.registrable_domain
    # Most sites are neither a redirector nor named like an engine: find_wrapper only for those.
    found = None
    if site in REDIRECTORS or site.partition(".")[0] in SEARCH_ENGINES:
        # The verdict keeps it: no need to fill unwrap's own cache too.
        found = _WRAPPERS[host] if host in _WRAPPERS else find_wrapper(host, site)
    candidates = registry._host_candidates.get(host)
    if candidates is None:
        candidates = registry._collect_candidates(host)
    if not candidates:
        # An alias the registry does not list (ul.to) is routed to its platform (uploaded.net).
        home = routing_domain(host, site)
        if home is not None:
            candidates = registry._collect_candidates(home)
    shortener = is_shortener_host(host, site)
    tail: _Tail | None = None  # None: the path decides, in _classify
    short_tail: _Tail | None = None
    long_tail: _Tail | None = None
    if not candidates or candidates[0][0] is None:  # the most specific rule holds for every path
        rule = candidates[0][1] if candidates else None
        if shortener or not has_short_paths(site):
            tail = _tail(registry, rule, site, shortener)
        else:  # some paths are short links (tiktok.com/t/…)
            short_tail = _tail(registry, rule, site, True)
            long_tail = _tail(registry, rule, site, False)
    verdict = _Verdict(site, found, candidates, tail, short_tail, long_tail)
    cache = registry.host_verdicts
    if len(cache) >= registry._host_candidates_size:
        cache.clear()
    cache[host] = verdict
    return verdict


def classify(url: object, registry: Registry) -> Classification:
    """Classify ``url`` (raw or already canonical) against ``registry``.

    Raises a ``LinkError`` when the URL, or the target a search engine points to, is unusable.
    """
    canonical = url if isinstance(url, CanonicalURL) else canonicalise(url)
    verdict = _verdict(registry, canonical)
    tail = verdict.tail
    if verdict.wrapper is None and tail is not None:
        return Classification(canonical, tail)
    return _classify(canonical, registry, verdict)


def classify_many(urls: Iterable[object], registry: Registry) -> list[Classification | LinkError]:
    """``classify`` of each of ``urls``, in order; a refused URL gives its ``LinkError``."""
    return list(iter_classify(urls, registry))


def iter_classify(urls: Iterable[object], registry: Registry) -> Iterator[Classification | LinkError]:
    """``classify`` of each of ``urls`` as it is needed; a refused URL gives its ``LinkError``.

    The same results as calling ``classify`` on each (tests/linkkit/test_batch.py), for less: the
    common case (a plain URL on a host seen before) is inlined.
    """
    serial = registry._serial
    for url in urls:
        try:
            canonical = None
            if isinstance(url, str) and len(url) <= MAX_URL_BYTES:
                match = fast_match(url)
                if match is not None:
                    canonical = canonical_fast(match, url)
            if canonical is None:
                canonical = url if isinstance(url, CanonicalURL) else canonicalise_any(url)
            info = canonical._info
            if info is not None and info.verdict_serial == serial:
                verdict = cast(_Verdict, info.verdict)
            else:
                verdict = _verdict(registry, canonical)
            tail = verdict.tail
            if verdict.wrapper is None and tail is not None:
                result = Classification(canonical, tail)
            else:
                result = _classify(canonical, registry, verdict)
        except LinkError as error:
            yield error
        else:
            yield result


def _classify(canonical: CanonicalURL, registry: Registry, verdict: _Verdict) -> Classification:
    """``classify`` when the host is a search engine or redirector, or a path prefix decides."""
    wrapper: CanonicalURL | None = None
    engine: str | None = None
    for _ in range(_MAX_UNWRAP):
        found = verdict.wrapper
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
            page = _Tail(
                page_rule,
                page_rule.kind if page_rule is not None else None,
                page_rule.licensed if page_rule is not None else False,
                (),
                None,
                (),
                refused,
            )
            return Classification(canonical, page, engine, wrapper)
        if wrapper is None:
            wrapper = canonical
        engine = name
        canonical = canonicalise(outcome.target)
        verdict = _verdict(registry, canonical)

    tail = verdict.tail
    if tail is None and verdict.short_tail is not None and verdict.long_tail is not None:
        short = is_short_path(canonical.registrable_domain, canonical.path)
        tail = verdict.short_tail if short else verdict.long_tail
    if tail is None:
        path = canonical.path
        rule: PlatformRule | None = None
        for prefix, candidate in verdict.candidates:
            if prefix is None or path_matches(path, prefix):
                rule = candidate
                break
        site = canonical.registrable_domain
        shortener = is_shortener_host(canonical.host, site) or is_short_path(site, path)
        tail = _tail(registry, rule, site, shortener)
    return Classification(canonical, tail, engine, wrapper)
