"""Canonical form and identity key of a reported URL.

Parsing is WHATWG (the browser's rules) through ada-url's C API, called directly rather than
through ``ada_url.URL``: the Python wrapper allocates a finaliser per object and looks attributes
up by name, which costs more than the parse itself on the hot path.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import ClassVar, Final, final

from ada_url._ada_wrapper import ffi, lib

from .errors import (
    EmptyURL,
    LinkError,
    MissingHost,
    NotAURL,
    PrivateAddress,
    UnsupportedScheme,
    URLTooLong,
)
from .filekeys import FRAGMENT_HOSTS
from .identity import CONTENT_HOSTS, IdentityRule, content_key_of, identity_rule, query_torrent_id
from .psl import PSL, plain_site, registrable_domain
from .tracking import SITE_TRACKING_PARAMS, TRACKING_PARAMS, TRACKING_PREFIXES

# Module constants are ``Final`` so that mypyc's build reads them from C variables rather than
# from the module's dictionary (see _compiled.py); the caches are Final too: they are cleared,
# never rebound.
MAX_URL_BYTES: Final = 8192

_OMITTED: Final = 0xFFFFFFFF
_WEB_PREFIXES: Final = ("https://", "http://", "HTTPS://", "HTTP://", "Https://", "Http://")

_ada_parse: Final = lib.ada_parse
_ada_get_href: Final = lib.ada_get_href
_ada_get_components: Final = lib.ada_get_components
_ada_free: Final = lib.ada_free
_unpack: Final = ffi.unpack

# Leading labels that name the same site for a browser or a phone; ignored by the identity key.
_ALIAS_LABELS: Final = frozenset({"www", "m", "mobile", "mbasic", "touch", "amp"} | {f"www{i}" for i in range(10)})

# Names that never resolve on the public Internet (RFC 6761, RFC 8375, common LAN suffixes).
_LOCAL_TLDS: Final = frozenset({"localhost", "local", "internal", "invalid", "arpa", "lan", "home", "corp"})

_FIELDS: Final = (
    "url",
    "scheme",
    "host",
    "port",
    "path",
    "query",
    "fragment",
    "registrable_domain",
    "identity_key",
    "file_key",
    "content_key",
)


class Value:
    """Value semantics for linkkit's results: equality, hash, pickle, copy and repr by ``astuple()``.

    Anything else a subclass holds (a cache reference) is not part of the value and is neither
    compared nor pickled.
    """

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def astuple(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self.astuple() == other.astuple()

    def __ne__(self, other: object) -> bool:
        # Written out: mypyc cannot derive it from __eq__ for subclasses in another module.
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self.astuple() != other.astuple()

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __reduce__(self) -> tuple[Callable[..., Value], tuple[object, ...]]:
        return (type(self), self.astuple())

    def __repr__(self) -> str:
        inside = ", ".join(f"{name}={value!r}" for name, value in zip(self.FIELDS, self.astuple(), strict=True))
        return f"{type(self).__name__}({inside})"


@final
class CanonicalURL(Value):
    """A reported URL in canonical form (immutable by convention; compared and hashed by value).

    ``url`` is what notices cite: the URL as reported, on the member's host (``ul.to`` stays
    ``ul.to``), after canonicalisation. ``content_key`` is the identity of the content where the
    platform has one (identity.py: a tweet's status id, a post's code, a file id, a torrent's
    info-hash); ``file_key`` is that key on a known file host. ``identity_key`` is what dedupe
    compares: the content key when there is one, else the URL without scheme, ``www.``/``m.``
    labels and trailing ``/``. A plain class rather than a NamedTuple: mypyc's build makes it a C
    struct, built and read without a Python call.
    """

    __slots__ = (*_FIELDS, "_info")
    FIELDS = _FIELDS

    url: str
    scheme: str
    host: str
    port: int | None
    path: str
    query: str
    fragment: str
    registrable_domain: str
    identity_key: str
    file_key: str | None
    content_key: str | None

    def __init__(
        self,
        url: str,
        scheme: str,
        host: str,
        port: int | None,
        path: str,
        query: str,
        fragment: str,
        registrable_domain: str,
        identity_key: str,
        file_key: str | None,
        content_key: str | None = None,
        info: _Host | None = None,
    ) -> None:
        self.url = url
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.fragment = fragment
        self.registrable_domain = registrable_domain
        self.identity_key = identity_key
        self.file_key = file_key
        self.content_key = content_key
        # What the host determines (not part of the value): classify reads its verdict there.
        self._info = info

    def astuple(self) -> tuple[str, str, str, int | None, str, str, str, str, str, str | None, str | None]:
        return (
            self.url,
            self.scheme,
            self.host,
            self.port,
            self.path,
            self.query,
            self.fragment,
            self.registrable_domain,
            self.identity_key,
            self.file_key,
            self.content_key,
        )

    def __str__(self) -> str:
        return self.url


@final
class _Host:
    """Everything canonicalisation derives from a host name alone, computed once per host.

    ``verdict`` is classify's answer for the host under the registry numbered ``verdict_serial``
    (classify.py): kept here, it costs no second lookup per URL.
    """

    __slots__ = (
        "http_prefix",
        "https_prefix",
        "identity_host",
        "keep_fragment",
        "name",
        "plain",
        "rule",
        "site",
        "site_params",
        "verdict",
        "verdict_serial",
    )

    def __init__(
        self,
        site: str,
        identity_host: str,
        site_params: frozenset[str] | None,
        rule: IdentityRule | None,
        keep_fragment: bool,
        name: str = "",
        plain: bool = False,
    ) -> None:
        self.site = site  # registrable domain
        self.identity_host = identity_host  # without www., m. …
        self.site_params = site_params  # the site's own tracking parameters
        self.rule = rule  # the content-key rule of the host's platform (identity.py)
        self.keep_fragment = keep_fragment
        self.name = name  # the host name, lower case
        self.plain = plain  # a name the fast path serialises itself (``_is_fast_host``)
        self.http_prefix = "http://" + name
        self.https_prefix = "https://" + name
        self.verdict: object = None
        self.verdict_serial = -1

    def astuple(self) -> tuple[str, str, frozenset[str] | None, IdentityRule | None, bool]:
        return (self.site, self.identity_host, self.site_params, self.rule, self.keep_fragment)


# Host name (lower case, as ada serialises it or as the fast path reads it) -> its _Host, or the
# LinkError of a refused host.
_HOST_CACHE: Final[dict[str, _Host | LinkError]] = {}
_HOST_CACHE_MAX: Final = 200_000

_UNRESERVED: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SCHEME_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_DEFANGED_SCHEME_RE: Final = re.compile(r"(?i)^\s*h(?:xx|\*\*|XX|tt)p(s?)\s*(?:\[:\]|\(:\)|:)\s*//")
_DEFANGED_DOT_RE: Final = re.compile(r"\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})\s*", re.I)
_HOST_RE: Final = re.compile(r"[^\s/?#\\@]+")
_AUTHORITY_RE: Final = re.compile(r"[^/?#\\]*")


def _ip_address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address when ada serialised the host as an IP literal (it already parsed 0x7f.1 etc.)."""
    if not (name[0] == "[" or name[-1].isdigit()):
        return None
    try:
        return ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return None


def _percent_table() -> dict[str, str]:
    table = {}
    for code in range(256):
        low = f"{code:02x}"
        normal = chr(code) if code in _UNRESERVED else "%" + low.upper()
        for spelling in (low, low.upper(), low[0].upper() + low[1], low[0] + low[1].upper()):
            table[spelling] = normal
    return table


# "7e" -> "~", "2f" -> "%2F": every two-hex-digit spelling to its normal form.
_PERCENT_TABLE: Final = _percent_table()


# An escape that _normalise_percent changes: a lower-case hex digit, or an unreserved character
# (- . 0-9 A-Z _ a-z ~). Escapes from browsers and quote() (%3A%2F%20…) need no change.
_PERCENT_TO_FIX: Final = re.compile(r"%(?:[0-9A-Fa-f][a-f]|[a-f][0-9A-F]|2[DE]|3[0-9]|[46][1-9A-F]|[57][0-9A]|5F|7E)")
_percent_to_fix: Final = _PERCENT_TO_FIX.search


def _normalise_percent(text: str) -> str:
    """Uppercase hex digits and decode unreserved characters (RFC 3986 section 6.2.2.2)."""
    if _percent_to_fix(text) is None:
        return text
    return replace_escapes(text, _PERCENT_TABLE)


def replace_escapes(text: str, table: dict[str, str]) -> str:
    """Replace each ``%XX`` whose two characters ``table`` knows; leave the others as they are."""
    parts = text.split("%")
    out = [parts[0]]
    for part in parts[1:]:
        replacement = table.get(part[:2])
        out.append("%" + part if replacement is None else replacement + part[2:])
    return "".join(out)


# A "simple" absolute URL, for which the WHATWG serialisation is known without a parse: http(s)
# in any case, an ASCII host of letter-digit-hyphen labels whose last label starts with a letter
# (so never an IPv4 form) and with no "--" (IDNA's to check), an optional port, and a path, query
# and fragment made only of RFC 3986 characters that WHATWG leaves as they are. Anything else (IDN,
# IP, userinfo, backslash, spaces, quotes, ^, non-ASCII…) goes to ada.
# tests/linkkit/test_fastpath.py checks this path against ada.
#
# The expression itself only accepts the host's characters; whether the host is such a name is
# decided once per host (``_FAST_HOST_RE``) and cached with everything else the host determines.
_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_PCHARS: Final = r"A-Za-z0-9\-._~!$&()*+,;=:@/%"  # RFC 3986 pchar and "/", minus "'"
#
# The repeats are possessive (``*+``): each class excludes the character that must follow it (the
# host ":/?#", the path "?#", the query "#"), so giving characters back can never make a match and
# the engine need not keep the state to try (755 -> 646 ns per URL on the bench's URLs).
_FAST_RE: Final = re.compile(
    rf"([Hh][Tt][Tt][Pp][Ss]?)://([A-Za-z0-9.\-]++)"  # scheme and host, exactly as given
    rf"(?::([0-9]{{1,5}}+))?(/[{_PCHARS}]*+)?(?:\?([{_PCHARS}?]*+))?(?:#([{_PCHARS}?]*+))?"
)
_FAST_HOST_RE: Final = re.compile(rf"(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
fast_match: Final = _FAST_RE.fullmatch
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

# What a parse yields: scheme, host, port (or _OMITTED), path, query and fragment (None when the
# URL has no "?" / "#"), and whether credentials preceded the host.
_Parts = tuple[str, str, int, str, "str | None", "str | None", bool]

_SINGLE_DOTS: Final = frozenset({".", "%2e"})
_DOUBLE_DOTS: Final = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


def _resolve_dots(path: str) -> str:
    """WHATWG's path state for a special URL whose path holds ``/.`` or ``%2e``: dot segments out."""
    segments = path[1:].split("/")
    last = len(segments) - 1
    out: list[str] = []
    for index, segment in enumerate(segments):
        segment_key = segment.lower() if len(segment) <= 6 and "%" in segment else segment
        if segment_key in _DOUBLE_DOTS:
            if out:
                out.pop()
            if index == last:
                out.append("")
        elif segment_key in _SINGLE_DOTS:
            if index == last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _is_plain_name(host: str) -> bool:
    """Whether the fast path serialises ``host`` itself: ``_FAST_HOST_RE`` and no "--"."""
    return _FAST_HOST_RE.fullmatch(host) is not None and "--" not in host


def _is_fast_host(host: str) -> bool:
    """Whether ``host``, made of ``[A-Za-z0-9.-]`` as ``_FAST_RE`` takes it, is a plain name.

    ``_FAST_HOST_RE`` without "--", by substring tests (a regular expression match costs more):
    two labels or more, none empty nor starting or ending with "-", the last starting with a letter.
    """
    return (
        "." in host
        and ".." not in host
        and "--" not in host
        and ".-" not in host
        and "-." not in host
        and host[0] not in ".-"
        and host[-1] not in ".-"
        and host[host.rfind(".") + 1].isalpha()
    )


def _split_fast(text: str) -> _Parts | None:
    """The WHATWG parse of ``text`` when it is a simple URL (see ``_FAST_RE``), else None."""
    match = fast_match(text)
    if match is None:
        return None
    scheme, host, port, path, query, fragment = match.groups()
    if not _is_fast_host(host):
        return None
    if path is None:
        path = "/"
    elif "/." in path or ("%2" in path and ("%2e" in path or "%2E" in path)):
        path = _resolve_dots(path)
    scheme = scheme.lower()
    port_number = _OMITTED
    if port is not None:
        port_number = int(port)
        if port_number > 65535:
            return None
        if port_number == _DEFAULT_PORTS[scheme]:
            port_number = _OMITTED
    return scheme, host.lower(), port_number, path, query, fragment, False


def _split_ada(text: str, url: str) -> _Parts:
    """The WHATWG parse of ``text`` by ada; raise a ``LinkError`` when it is not a web URL."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotAURL("not valid text", url) from None
    if len(data) > MAX_URL_BYTES:
        raise URLTooLong("longer than 8 KB", url)
    handle = _ada_parse(data, len(data))
    try:
        raw = _ada_get_href(handle)
        if not raw.length:  # ada serialises an invalid URL as ""
            raise _invalid(text)
        href = _unpack(raw.data, raw.length).decode("utf-8", "replace")
        comp = _ada_get_components(handle)
        host_start = comp.host_start
        host_end = comp.host_end
        port_number = comp.port
        path_start = comp.pathname_start
        search_start = comp.search_start
        hash_start = comp.hash_start
    finally:
        _ada_free(handle)
    if href.startswith("https:"):
        scheme = "https"
    elif href.startswith("http:"):
        scheme = "http"
    else:
        raise UnsupportedScheme("only http and https links can be reported", url)
    credentials = href[host_start] == "@"
    if credentials:
        host_start += 1
    end = len(href)
    fragment = None
    if hash_start != _OMITTED:
        end = hash_start
        fragment = href[hash_start + 1 :]
    if search_start != _OMITTED:
        path = href[path_start:search_start]
        query: str | None = href[search_start + 1 : end]
    else:
        path = href[path_start:end]
        query = None
    return scheme, href[host_start:host_end], port_number, path, query, fragment, credentials


def canonicalise(url: object) -> CanonicalURL:
    """Parse ``url`` and return its canonical form; raise a ``LinkError`` subclass if unusable.

    Accepts what a member pastes: surrounding spaces, a missing scheme (``www.example.com/x``),
    defanged forms (``hxxps://example[.]com``). Only http and https are accepted.
    """
    if type(url) is str and len(url) <= MAX_URL_BYTES:
        match = fast_match(url)
        if match is not None:
            found = canonical_fast(match, url)
            if found is not None:
                return found
    return canonicalise_any(url)


def canonicalise_any(url: object, fast: bool = True) -> CanonicalURL:
    """``canonicalise`` for what its shortcut (``canonical_fast``) left: any pasted form.

    ``fast=False`` sends every URL through ada (the tests compare both paths).
    """
    if type(url) is not str:
        if not isinstance(url, str):
            raise NotAURL("not a string")
        url = str(url)
    if len(url) > MAX_URL_BYTES:
        raise URLTooLong("longer than 8 KB", url)
    text = url.strip()
    if not text:
        raise EmptyURL("empty")
    if not text.startswith(_WEB_PREFIXES) or ("[" in text or "(" in text or "{" in text):
        text = _prepare(text)
    return _finish((_split_fast(text) if fast else None) or _split_ada(text, url), url)


# What the fast path gets for a host it leaves to ada.
_NOT_PLAIN: Final = _Host("", "", None, None, False)


def _fast_host(name: str) -> _Host | LinkError:
    """The ``_HOST_CACHE`` entry of a host as the fast path reads it (any case), computed once."""
    lowered = name.lower()
    found = _HOST_CACHE.get(lowered)
    if found is None:
        if not _is_fast_host(lowered):
            # Not cached: ada may serialise this spelling as another name (0x7f.1, 2130706433).
            return _NOT_PLAIN
        found = _plain_host_info(lowered)
        if len(_HOST_CACHE) >= _HOST_CACHE_MAX:
            _HOST_CACHE.clear()
        # Only the lower-case spelling is stored: "WwW.ExAmPlE.com" costs a lower() and a lookup.
        _HOST_CACHE[lowered] = found
    return found


def canonical_fast(match: re.Match[str], url: str) -> CanonicalURL | None:
    """The canonical form of a URL ``_FAST_RE`` matched, or None when ada must parse it.

    ``_finish(_split_fast(url))`` without the tuple in between: the hot path of every batch.
    """
    scheme, name, port, path, query, fragment = match.groups()
    info = _HOST_CACHE.get(name)
    if info is None:
        info = _fast_host(name)
    if isinstance(info, LinkError):
        if not _is_fast_host(name) or (port is not None and int(port) > 65535):
            return None  # ada's verdict on the whole URL comes first (a..b.com:99999 is no URL)
        # A refused host is cached as its error; raise a fresh one so tracebacks don't pile up.
        raise type(info)(str(info), url)
    if not info.plain:
        return None
    if scheme == "https":
        prefix = info.https_prefix
    elif scheme == "http":
        prefix = info.http_prefix
    else:
        scheme = scheme.lower()
        prefix = info.https_prefix if scheme == "https" else info.http_prefix
    host = info.name
    identity_host = info.identity_host
    port_number: int | None = None
    if port is not None:
        port_number = int(port)
        if port_number > 65535:
            return None
        if port_number == _DEFAULT_PORTS[scheme]:
            port_number = None
        else:
            prefix = f"{prefix}:{port_number}"
            identity_host = f"{identity_host}:{port_number}"
    if path is None:
        path = "/"
    else:
        if "/." in path or ("%2" in path and ("%2e" in path or "%2E" in path)):
            path = _resolve_dots(path)
        if "%" in path:
            path = _normalise_percent(path)
    if query:
        if "%" in query:
            query = _normalise_percent(query)
        site_params = info.site_params
        if site_params is not None or _may_need_cleaning(query):
            query = _clean_query(query, site_params)
    else:
        query = ""
    rest = f"{path}?{query}" if query else path
    if fragment is None or not info.keep_fragment:
        fragment = ""
    elif fragment:
        rest = f"{rest}#{fragment}"

    content_key = _content_key(info, host, path, query, fragment)
    rule = info.rule
    file_key = content_key if rule is not None and rule.file_host else None
    if content_key is not None:
        identity = content_key
    elif path[-1] == "/":
        identity = identity_host + path.rstrip("/") + rest[len(path) :]
    else:
        identity = identity_host + rest
    return CanonicalURL(
        prefix + rest,
        scheme,
        host,
        port_number,
        path,
        query,
        fragment,
        info.site,
        identity,
        file_key,
        content_key,
        info,
    )


def _content_key(info: _Host, host: str, path: str, query: str, fragment: str) -> str | None:
    """The content key of a canonical URL on a host described by ``info`` (identity.py)."""
    rule = info.rule
    if rule is not None:
        return content_key_of(rule, host, info.site, path, query, fragment)
    if query and "btih" in query:  # a magnet link in the query (BEP 9 writes "urn:btih:" in lower case)
        found = query_torrent_id(query)
        return f"{info.site}:{found}" if found is not None else None
    return None


def _finish(parts: _Parts, url: str) -> CanonicalURL:
    """Canonical form from a WHATWG parse: host rules, query cleaning, identity and file keys."""
    scheme, host, port_number, path, query, fragment, _credentials = parts  # credentials: dropped
    info = _HOST_CACHE.get(host)
    if info is None:
        info = _cached_host_info(host)
    if isinstance(info, LinkError):
        # A refused host is cached as its error; raise a fresh one so tracebacks don't pile up.
        raise type(info)(str(info), url)
    identity_host = info.identity_host
    if host[-1] == ".":
        host = host.rstrip(".")

    if query:
        if "%" in query:
            query = _normalise_percent(query)
        if info.site_params is not None or _may_need_cleaning(query):
            query = _clean_query(query, info.site_params)
    else:
        query = ""
    if "%" in path:
        path = _normalise_percent(path)
    if not (info.keep_fragment and fragment):
        fragment = ""

    canonical = f"{scheme}://{host}{path}" if port_number == _OMITTED else f"{scheme}://{host}:{port_number}{path}"
    if query:
        canonical = f"{canonical}?{query}"
    if fragment:
        canonical = f"{canonical}#{fragment}"

    content_key = _content_key(info, host, path, query, fragment)
    rule = info.rule
    file_key = content_key if rule is not None and rule.file_host else None
    if content_key is not None:
        identity = content_key
    else:
        if port_number != _OMITTED:
            identity_host = f"{identity_host}:{port_number}"
        identity = identity_host + (path.rstrip("/") if path[-1] == "/" else path)
        if query:
            identity = f"{identity}?{query}"
        if fragment:
            identity = f"{identity}#{fragment}"

    return CanonicalURL(
        canonical,
        scheme,
        host,
        None if port_number == _OMITTED else port_number,
        path,
        query,
        fragment,
        info.site,
        identity,
        file_key,
        content_key,
        info,
    )


def _hint_substrings(tokens: frozenset[str]) -> tuple[str, ...]:
    """A few substrings such that every token contains one (greedy set cover, deterministic)."""
    uncovered = set(tokens)
    chosen: list[str] = []
    while uncovered:
        counts: dict[str, int] = {}
        for token in uncovered:
            for size in range(1, 6):
                for start in range(len(token) - size + 1):
                    candidate = token[start : start + size]
                    if size >= 3 or not candidate.isalnum():  # "i" or "cl" would match most queries
                        counts[candidate] = 0
        for candidate in counts:
            counts[candidate] = sum(candidate in token for token in uncovered)
        best = max(counts, key=lambda s: (counts[s], len(s), s))
        chosen.append(best)
        uncovered = {token for token in uncovered if best not in token}
    return tuple(chosen)


# Every name and prefix of the one list (tracking.py) contains one of these, so a query whose
# lower-cased form contains none of them has no tracking parameter: most queries (?id=…,
# ?page=…) are then kept as they are without being split.
_TRACKING_HINTS: Final = _hint_substrings(TRACKING_PARAMS | frozenset(TRACKING_PREFIXES))


def _may_need_cleaning(query: str) -> bool:
    """False when ``query`` (non-empty) surely has neither a tracking name nor an empty piece."""
    if query[0] == "&" or query[-1] == "&" or "&&" in query:
        return True
    lowered = query.lower()
    for hint in _TRACKING_HINTS:  # noqa: SIM110  # a plain loop: any() over a generator costs a frame
        if hint in lowered:
            return True
    return False


def _clean_query(query: str, site_params: frozenset[str] | None) -> str:
    """Drop tracking parameters and empty pieces, keeping the order of the others.

    ``query`` has its percent-encoding normalised already.
    """
    kept = []
    changed = False
    verdicts = _KEY_VERDICTS
    for piece in query.split("&"):
        if not piece:
            changed = True
            continue
        name = piece.partition("=")[0]
        drop = verdicts.get(name)
        if drop is None:
            drop = _is_tracking_key(name)
        if drop or (site_params is not None and name.lower() in site_params):
            changed = True
            continue
        kept.append(piece)
    return "&".join(kept) if changed else query


# Parameter names repeat across a batch (id, page, utm_source…): decide each once.
_KEY_VERDICTS: Final[dict[str, bool]] = {}
_KEY_VERDICTS_MAX: Final = 10_000


def _is_tracking_key(name: str) -> bool:
    lowered = name.lower()
    verdict = lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)
    if len(_KEY_VERDICTS) >= _KEY_VERDICTS_MAX:
        _KEY_VERDICTS.clear()
    _KEY_VERDICTS[name] = verdict
    return verdict


def _cached_host_info(host: str) -> _Host | LinkError:
    info = _HOST_CACHE.get(host)
    if info is None:
        info = _host_info(host)
        if len(_HOST_CACHE) >= _HOST_CACHE_MAX:
            _HOST_CACHE.clear()
        _HOST_CACHE[host] = info
    return info


def _plain_host_info(name: str) -> _Host | LinkError:
    """``_host_info`` of a lower-case name the fast path takes (``_FAST_HOST_RE``, no "--").

    Such a name has two labels or more, none empty, and is never an IP address (its last label
    starts with a letter), so the checks ``_host_info`` makes for those are skipped.
    """
    if name[name.rfind(".") + 1 :] in _LOCAL_TLDS:
        return PrivateAddress("a local host name", name)
    site = plain_site(name)
    identity_host = name
    if name[: name.find(".")] in _ALIAS_LABELS:
        while len(identity_host) > len(site):
            first, _, rest = identity_host.partition(".")
            if first not in _ALIAS_LABELS:
                break
            identity_host = rest
    # identity_rule, inlined
    rule = CONTENT_HOSTS.get(name[4:] if name.startswith("www.") else name) or CONTENT_HOSTS.get(site)
    return _Host(site, identity_host, SITE_TRACKING_PARAMS.get(site), rule, site in FRAGMENT_HOSTS, name, True)


def _host_info(host: str) -> _Host | LinkError:
    """Everything canonicalisation derives from the host alone; computed once per host."""
    name = host.rstrip(".")
    if not name:
        return MissingHost("no host name", host)
    address = _ip_address(name)
    if address is not None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return PrivateAddress("a private, loopback, link-local or reserved address", host)
        return _Host(name, name, None, None, False, name)
    labels = name.split(".")
    if labels[-1] in _LOCAL_TLDS:
        return PrivateAddress("a local host name", host)
    if len(labels) < 2 or "" in labels:
        return MissingHost("no public host name", host)
    site = registrable_domain(name) or name
    identity_host = name
    while len(identity_host) > len(site):
        first, _, rest = identity_host.partition(".")
        if first not in _ALIAS_LABELS:
            break
        identity_host = rest
    bare = name[4:] if name.startswith("www.") else name
    return _Host(
        site,
        identity_host,
        SITE_TRACKING_PARAMS.get(site),
        identity_rule(bare, site),
        site in FRAGMENT_HOSTS,
        name,
        _is_plain_name(host),  # the key as ada gives it: "example.com." is left to ada
    )


def refang(text: str) -> str:
    """Undo the usual defanging of a URL (``hxxps[:]//example[.]com``) in its scheme and host.

    Only the part before the path is touched: ``[.]`` in a path or query may be real content.
    """
    match = _DEFANGED_SCHEME_RE.match(text)
    if match:
        text = f"http{match.group(1).lower()}://{text[match.end() :]}"
    start = text.find("://")
    start = start + 3 if start != -1 else 0
    end = len(text)
    for stop in "/?#\\":
        found = text.find(stop, start)
        if found != -1 and found < end:
            end = found
    authority = text[start:end]
    fixed = _DEFANGED_DOT_RE.sub(".", authority)
    if fixed != authority:
        text = text[:start] + fixed + text[end:]
    return text


def _prepare(text: str) -> str:
    """Bring a pasted form that is not plain ``http(s)://…`` to one ada can parse, or raise."""
    text = refang(text)
    head = text[:8].lower()
    if head.startswith("https://") or head.startswith("http://"):
        return text
    if text.startswith("//"):
        return "http:" + text
    match = _SCHEME_RE.match(text)
    if match:
        scheme = match.group(1).lower()
        if scheme in ("http", "https"):
            return text  # "http:/x.com", "https:x.com": WHATWG repairs these
        rest = text[match.end() :]
        # "example.com:8080/path" parses as scheme "example.com"; it is a host and a port.
        if not ("." in scheme and rest[:1].isdigit()):
            raise UnsupportedScheme("only http and https links can be reported", text)
    host_match = _HOST_RE.match(text)
    if host_match:
        candidate = host_match.group(0).rsplit(":", 1)[0].rstrip(".").lower()
        if "." in candidate and PSL.publicsuffix(candidate, accept_unknown=False) is not None:
            return "http://" + text
        if candidate.replace(".", "").isdigit() and candidate.count(".") == 3:
            return "http://" + text
    raise NotAURL("not a web address", text)


def _invalid(text: str) -> LinkError:
    """The error for a string ada refused, told apart by what is missing."""
    match = _SCHEME_RE.match(text)
    if match and match.group(1).lower() in ("http", "https"):
        rest = text[match.end() :].lstrip("/\\ ")
        authority = _AUTHORITY_RE.match(rest)
        if authority is None or not authority.group(0).rsplit("@", 1)[-1].split(":", 1)[0]:
            return MissingHost("no host name", text)
    return NotAURL("not a valid web address", text)
