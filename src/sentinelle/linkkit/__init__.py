"""linkkit: canonicalise, classify and route reported URLs. Imports no Django.

Plain Python, compiled with mypyc at install time when a C compiler is present (``setup.py``);
``implementation()`` says which runs.
"""

# ruff: noqa: E402  # the implementation is chosen before the modules are imported

from __future__ import annotations

# Before the hot-path modules are imported: their compiled build, or their sources when that build
# is absent, stale or turned off (see _compiled.py).
from . import _compiled

_compiled.select(__name__)

from .canonical import MAX_URL_BYTES, CanonicalURL, canonicalise, refang
from .classify import (
    ALL_ACTIONS,
    DELIST,
    FLAG_OPAQUE_REDIRECT,
    FLAG_SEARCH_PAGE,
    FLAG_SHORTENER,
    REMOVE,
    Classification,
    classify,
    classify_many,
    iter_classify,
)
from .errors import (
    ERROR_CODES,
    EmptyURL,
    LinkError,
    MissingHost,
    NotAURL,
    PrivateAddress,
    UnsupportedScheme,
    URLTooLong,
)
from .extract import PastedLine, extract_lines, extract_urls
from .filekeys import FILE_HOSTS, FRAGMENT_HOSTS
from .identity import CONTENT_HOSTS, IdentityRule, info_hash, info_hash_of, magnet_key, routing_domain
from .psl import public_suffix, registrable_domain
from .registry import KINDS, PlatformRule, Recipient, Registry
from .shorteners import SHORTENER_DOMAINS, SHORTENER_PATHS, is_shortener, short_link_target
from .torrentpage import NUMBERED_TORRENT_KEY, page_info_hash, page_info_hashes, shows_its_hash_only_on_the_page
from .tracking import SITE_TRACKING_PARAMS, TRACKING_PARAMS, TRACKING_PREFIXES
from .unwrap import display_name


def implementation() -> str:
    """``"compiled"`` when mypyc's build of the hot path runs, else ``"python (<why>)"``."""
    return "compiled" if _compiled.COMPILED else f"python ({_compiled.REASON})"


__all__ = [
    "ALL_ACTIONS",
    "CONTENT_HOSTS",
    "DELIST",
    "ERROR_CODES",
    "FILE_HOSTS",
    "FLAG_OPAQUE_REDIRECT",
    "FLAG_SEARCH_PAGE",
    "FLAG_SHORTENER",
    "FRAGMENT_HOSTS",
    "KINDS",
    "MAX_URL_BYTES",
    "NUMBERED_TORRENT_KEY",
    "REMOVE",
    "SHORTENER_DOMAINS",
    "SHORTENER_PATHS",
    "SITE_TRACKING_PARAMS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "CanonicalURL",
    "Classification",
    "EmptyURL",
    "IdentityRule",
    "LinkError",
    "MissingHost",
    "NotAURL",
    "PastedLine",
    "PlatformRule",
    "PrivateAddress",
    "Recipient",
    "Registry",
    "URLTooLong",
    "UnsupportedScheme",
    "canonicalise",
    "classify",
    "classify_many",
    "display_name",
    "extract_lines",
    "extract_urls",
    "implementation",
    "info_hash",
    "info_hash_of",
    "is_shortener",
    "iter_classify",
    "magnet_key",
    "page_info_hash",
    "page_info_hashes",
    "public_suffix",
    "refang",
    "registrable_domain",
    "routing_domain",
    "short_link_target",
    "shows_its_hash_only_on_the_page",
]
