"""linkkit: canonicalise, classify and route reported URLs. Pure Python; imports no Django."""

from __future__ import annotations

from .canonical import MAX_URL_BYTES, CanonicalURL, canonicalise, refang
from .classify import (
    ALL_ACTIONS,
    DELIST,
    FLAG_OPAQUE_REDIRECT,
    FLAG_SEARCH_PAGE,
    FLAG_SHORTENER,
    REMOVE,
    SHORTENER_DOMAINS,
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
from .psl import public_suffix, registrable_domain
from .registry import KINDS, PlatformRule, Recipient, Registry
from .tracking import SITE_TRACKING_PARAMS, TRACKING_PARAMS, TRACKING_PREFIXES
from .unwrap import display_name

__all__ = [
    "ALL_ACTIONS",
    "DELIST",
    "ERROR_CODES",
    "FILE_HOSTS",
    "FLAG_OPAQUE_REDIRECT",
    "FLAG_SEARCH_PAGE",
    "FLAG_SHORTENER",
    "FRAGMENT_HOSTS",
    "KINDS",
    "MAX_URL_BYTES",
    "REMOVE",
    "SHORTENER_DOMAINS",
    "SITE_TRACKING_PARAMS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "CanonicalURL",
    "Classification",
    "EmptyURL",
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
    "iter_classify",
    "public_suffix",
    "refang",
    "registrable_domain",
]
