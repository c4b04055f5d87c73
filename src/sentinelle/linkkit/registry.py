"""The platform registry as plain data, and the host/path lookup behind every classification.

The Django ``platforms`` app owns the rows; it builds ``PlatformRule`` values from them and a
``Registry`` from those, so linkkit never touches the database.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ada_url import idna_to_ascii

KINDS: tuple[str, ...] = (
    "search_engine",
    "social_network",
    "video_platform",
    "audio_streaming",
    "file_host",
    "torrent_index",
    "link_site",
    "url_shortener",
    "other",
)


def normalise_host_suffix(value: str) -> str:
    """``*.Example.COM.`` or ``bücher.de`` as stored by staff -> ``example.com`` / punycode."""
    host = value.strip().lower().removeprefix("*.").strip(".")
    if host.isascii():
        return host
    encoded = idna_to_ascii(host)
    return encoded.decode("ascii") if isinstance(encoded, bytes) else str(encoded)


def normalise_path_prefix(value: str | None) -> str | None:
    if value is None or value.strip() in ("", "/"):
        return None
    prefix = value.strip()
    return prefix if prefix.startswith("/") else "/" + prefix


class Recipient(NamedTuple):
    """Who receives a notice: a registry platform, or an unknown site by registrable domain."""

    platform_id: int | str | None
    name: str
    domain: str


@dataclass(frozen=True, slots=True)
class PlatformRule:
    """One platform of the registry.

    ``domains`` lists ``(host_suffix, path_prefix)`` pairs: ``("google.com", "/maps")`` or
    ``("mega.nz", None)``. A host suffix matches the host itself and its subdomains, on label
    boundaries; a path prefix matches on segment boundaries unless it ends with ``/``.
    ``notice_recipient`` is opaque to linkkit (an address or channel id the notices app reads).
    """

    platform_id: int | str
    name: str
    kind: str
    licensed: bool = False
    domains: tuple[tuple[str, str | None], ...] = ()
    notice_recipient: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown platform kind {self.kind!r}; expected one of {KINDS}")
        domains = tuple((normalise_host_suffix(host), normalise_path_prefix(prefix)) for host, prefix in self.domains)
        object.__setattr__(self, "domains", domains)


def path_matches(path: str, prefix: str) -> bool:
    if prefix[-1] == "/":
        return path.startswith(prefix)
    return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")


# Numbers registries, so that a host's cached verdict names the registry it holds for.
_SERIALS = itertools.count()

# For one host: the rules that may apply, most specific first, as (path_prefix, rule).
Candidates = tuple[tuple[str | None, PlatformRule], ...]


def _delist_recipients(engines: tuple[PlatformRule, ...], wanted: Iterable[str] | None) -> tuple[Recipient, ...]:
    """The search engines that receive delisting notices: those with a domain in ``wanted`` (each
    named by that domain, its home, not by a country domain such as ``google.at``), or every one
    (named by its first domain) when ``wanted`` is None."""
    if wanted is None:
        return tuple(Recipient(r.platform_id, r.name, r.domains[0][0] if r.domains else "") for r in engines)
    chosen = [domain.lower() for domain in wanted]
    out: list[Recipient] = []
    for domain in chosen:
        for rule in engines:
            if any(suffix == domain for suffix, _prefix in rule.domains) and all(
                r.platform_id != rule.platform_id for r in out
            ):
                out.append(Recipient(rule.platform_id, rule.name, domain))
    return tuple(out)


class Registry:
    """Longest host-suffix match, then longest path prefix, over a set of ``PlatformRule``.

    A lookup walks the labels of the host once (dict lookups) and caches the outcome per host,
    so repeated hosts cost one dict lookup plus a scan of that host's few path rules.
    """

    def __init__(
        self, rules: Iterable[PlatformRule], cache_size: int = 200_000, delist_domains: Iterable[str] | None = None
    ) -> None:
        self.rules: tuple[PlatformRule, ...] = tuple(rules)
        self.conflicts: list[tuple[str, str | None, PlatformRule, PlatformRule]] = []
        self._by_suffix: dict[str, list[tuple[str | None, PlatformRule]]] = {}
        for rule in self.rules:
            for suffix, prefix in rule.domains:
                entries = self._by_suffix.setdefault(suffix, [])
                clash = next((r for p, r in entries if p == prefix), None)
                if clash is not None:
                    # Two rows claim the same domain: the first wins, staff see the conflict.
                    self.conflicts.append((suffix, prefix, clash, rule))
                    continue
                entries.append((prefix, rule))
        for entries in self._by_suffix.values():
            # Longest path prefix first; the catch-all (None) last.
            entries.sort(key=lambda item: -len(item[0]) if item[0] else 1)
        self.search_engines: tuple[PlatformRule, ...] = tuple(r for r in self.rules if r.kind == "search_engine")
        self.delist_recipients: tuple[Recipient, ...] = _delist_recipients(self.search_engines, delist_domains)
        self._host_candidates: dict[str, Candidates] = {}
        self._host_candidates_size = cache_size
        # classify's per-host verdicts for this registry, same bound (of classify's own type, which
        # the registry does not need to know).
        self.host_verdicts: dict[str, object] = {}
        self._serial = next(_SERIALS)

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, host: str) -> Candidates:
        """The rules that can match ``host``, most specific first (cached per host)."""
        found = self._host_candidates.get(host)
        if found is not None:
            return found
        result = self._collect_candidates(host)
        if len(self._host_candidates) >= self._host_candidates_size:
            self._host_candidates.clear()
        self._host_candidates[host] = result
        return result

    def _collect_candidates(self, host: str) -> Candidates:
        """``candidates`` without the cache."""
        collected: list[tuple[str | None, PlatformRule]] = []
        name = host.rstrip(".")
        while True:
            entries = self._by_suffix.get(name)
            if entries:
                collected.extend(entries)
            dot = name.find(".")
            if dot == -1:
                break
            name = name[dot + 1 :]
        return tuple(collected)

    def match(self, host: str, path: str = "/") -> PlatformRule | None:
        """The platform serving ``path`` on ``host`` (canonical, lower-case), or None."""
        for prefix, rule in self.candidates(host):
            if prefix is None or path_matches(path, prefix):
                return rule
        return None
