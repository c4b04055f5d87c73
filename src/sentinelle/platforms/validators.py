"""Normalisation and validation of the registry's host suffixes and path prefixes.

Hosts are normalised with ada-url, the WHATWG parser linkkit uses for reported links, so that a
registry entry and a canonicalised link agree byte for byte (lower case, IDNA/punycode,
percent-decoding of the host).
"""

from __future__ import annotations

import re
from functools import lru_cache

import ada_url
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from publicsuffixlist import PublicSuffixList

from sentinelle.platforms.countries import EU_MEMBER_STATES, ISO_3166_1_ALPHA_2, US_JURISDICTIONS

MAX_HOST_LENGTH = 253
MAX_PATH_PREFIX_LENGTH = 255

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Characters that betray a URL rather than a host: scheme, port, path, query, fragment, userinfo.
_URL_PARTS = re.compile(r"[/:?#@\\]")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


@lru_cache(maxsize=1)
def _icann_suffixes() -> PublicSuffixList:
    # ICANN section only: "co.uk" is refused, but a private suffix such as "blogspot.com" or
    # "pages.dev" is a useful rule (every blog on it belongs to the operator of the suffix).
    return PublicSuffixList(only_icann=True)


def normalise_domain(value: str) -> str:
    """Return ``value`` as a lower-case ASCII host suffix, or raise ``ValidationError``."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter a domain."), code="required")
    if "://" in raw:
        raise ValidationError(
            _("Enter a domain without its scheme (for example example.com, not https://example.com)."),
            code="scheme",
        )
    if _URL_PARTS.search(raw):
        raise ValidationError(
            _("Enter a domain only, without a port, path, query or user name; put a path in the path prefix."),
            code="url_parts",
        )
    if any(ch.isspace() for ch in raw):
        raise ValidationError(_("A domain cannot contain spaces."), code="invalid")
    if raw.startswith("."):
        raw = raw.lstrip(".")
    if raw.endswith("."):
        raw = raw.rstrip(".")
    try:
        host = ada_url.URL(f"http://{raw}/").hostname
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a valid domain name."), code="invalid", params={"value": value}
        ) from None
    if host.startswith("[") or _looks_like_ipv4(host):
        raise ValidationError(_("Enter a domain name, not an IP address."), code="ip_address")
    if len(host) > MAX_HOST_LENGTH:
        raise ValidationError(_("A domain name is at most 253 characters long."), code="too_long")
    labels = host.split(".")
    if len(labels) < 2:
        raise ValidationError(_("Enter a full domain with its extension (for example example.com)."), code="no_suffix")
    if not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            _("“%(value)s” is not a valid domain name: use letters, digits, hyphens and dots."),
            code="invalid",
            params={"value": value},
        )
    if _icann_suffixes().is_public(host):
        raise ValidationError(
            _("“%(value)s” is a public suffix (like .com or .co.uk); enter a domain registered under it."),
            code="public_suffix",
            params={"value": host},
        )
    return host


def _looks_like_ipv4(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(part.isdigit() for part in parts)


def normalise_path_prefix(value: str | None) -> str:
    """Return ``value`` as a normalised URL path prefix ("" for none), or raise ``ValidationError``."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if not raw.startswith("/"):
        raise ValidationError(_("A path prefix starts with “/” (for example /music/)."), code="no_slash")
    if raw.startswith("//"):
        raise ValidationError(_("A path prefix cannot start with “//”."), code="invalid")
    if "?" in raw or "#" in raw:
        raise ValidationError(_("A path prefix cannot contain a query (?) or a fragment (#)."), code="query")
    if any(ch.isspace() for ch in raw):
        raise ValidationError(_("A path prefix cannot contain spaces; percent-encode them (%20)."), code="invalid")
    try:
        path = ada_url.URL(f"http://example.com{raw}").pathname
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a valid path prefix."), code="invalid", params={"value": value}
        ) from None
    # ada resolves dot segments; "/a/.." becoming "/" would silently widen the rule.
    if path == "/" or len(path) > MAX_PATH_PREFIX_LENGTH:
        raise ValidationError(
            _("“%(value)s” is not a useful path prefix: leave it empty to match the whole domain."),
            code="invalid",
            params={"value": value},
        )
    return path


def validate_domain(value: str) -> None:
    normalise_domain(value)


def validate_path_prefix(value: str) -> None:
    normalise_path_prefix(value)


def validate_country_code(value: str) -> None:
    if value and value.strip().upper() not in ISO_3166_1_ALPHA_2:
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166-1 alpha-2 country code (for example FR, US, IE)."),
            code="invalid_country",
            params={"value": value},
        )


def validate_language_code(value: str) -> None:
    if not _LANGUAGE.match(value or ""):
        raise ValidationError(
            _("“%(value)s” is not a language code (for example fr, en, de or pt-BR)."),
            code="invalid_language",
            params={"value": value},
        )


def regime_for_jurisdiction(jurisdiction: str) -> str:
    """The legal regime a platform falls under by default: ``eu``, ``us`` or ``other``."""
    code = (jurisdiction or "").upper()
    if code in EU_MEMBER_STATES:
        return "eu"
    if code in US_JURISDICTIONS:
        return "us"
    return "other"
