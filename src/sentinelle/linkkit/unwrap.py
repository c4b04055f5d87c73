"""Search-engine result links and redirectors, and the page they point to.

A member often copies a link from a results page: ``google.com/url?q=…``, ``bing.com/ck/a?…&u=…``.
The notice must name the target, never the engine's redirect. A results page itself
(``google.fr/search?q=…``) is not a target at all, and some redirects are opaque (Baidu
encrypts the target): both are reported as such rather than guessed.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import unquote

from .canonical import replace_escapes

# What a wrapper URL turned out to be.
TARGET = "target"
SEARCH_PAGE = "search_page"
OPAQUE = "opaque"


class Unwrapped(NamedTuple):
    outcome: str  # TARGET, SEARCH_PAGE or OPAQUE
    target: str | None


Unwrapper = Callable[[str, str, str], "Unwrapped | None"]  # (host, path, query)


def query_value(query: str, *names: str) -> str | None:
    """The decoded value of the first of ``names`` present in ``query`` (form-encoded).

    Each name counts by its first piece (``name=value``); the first name whose first value is not
    empty wins. Pieces are found with ``str.find`` rather than by splitting the whole query.
    """
    for name in names:
        value = _first_value(query, name)
        if value:
            return _unquote_plus(value)
    return None


def _first_value(query: str, name: str) -> str | None:
    """The raw value of the first ``name=…`` piece of ``query``, or None."""
    key = name + "="
    if query.startswith(key):
        start = len(key)
    else:
        found = query.find("&" + key)
        if found == -1:
            return None
        start = found + 1 + len(key)
    end = query.find("&", start)
    return query[start:] if end == -1 else query[start:end]


def _ascii_escapes() -> dict[str, str]:
    table = {}
    for code in range(128):
        low = f"{code:02x}"
        for spelling in (low, low.upper(), low[0].upper() + low[1], low[0] + low[1].upper()):
            table[spelling] = chr(code)
    return table


_ASCII_ESCAPES = _ascii_escapes()  # "2f" / "2F" -> "/": escapes of ASCII characters
_NON_ASCII_ESCAPE = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]").search


def _unquote_plus(value: str) -> str:
    """``urllib.parse.unquote_plus``, without its per-escape work when every escape is ASCII."""
    if "+" in value:
        value = value.replace("+", " ")
    if "%" not in value:
        return value
    if _NON_ASCII_ESCAPE(value) is not None:
        return unquote(value)  # UTF-8 sequences, decoded with errors="replace"
    return replace_escapes(value, _ASCII_ESCAPES)


def _is_web(value: str | None) -> bool:
    return value is not None and value[:8].lower().startswith(("http://", "https://"))


def _target_from(query: str, *names: str) -> Unwrapped | None:
    for name in names:
        value = query_value(query, name)
        if _is_web(value):
            return Unwrapped(TARGET, value)
    return None


def _google(host: str, path: str, query: str) -> Unwrapped | None:
    if path in ("/url", "/local_url", "/interstitial"):
        return _target_from(query, "url", "q") or Unwrapped(OPAQUE, None)
    if path == "/imgres":
        return _target_from(query, "imgrefurl", "imgurl") or Unwrapped(OPAQUE, None)
    if path.startswith("/amp/s/"):
        return Unwrapped(TARGET, "https://" + path[len("/amp/s/") :])
    if path.startswith("/amp/") and len(path) > len("/amp/"):
        return Unwrapped(TARGET, "http://" + path[len("/amp/") :])
    if path in ("/search", "/webhp") or (path == "/" and query_value(query, "q")):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _bing(host: str, path: str, query: str) -> Unwrapped | None:
    if path == "/ck/a":
        encoded = query_value(query, "u")
        if encoded and encoded.startswith("a1"):
            payload = encoded[2:]
            try:
                decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
                target = decoded.decode("utf-8")
            except (binascii.Error, ValueError):
                return Unwrapped(OPAQUE, None)
            if _is_web(target):
                return Unwrapped(TARGET, target)
        return Unwrapped(OPAQUE, None)
    if path.startswith(("/search", "/images/search", "/videos/search")):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _duckduckgo(host: str, path: str, query: str) -> Unwrapped | None:
    if path in ("/l/", "/l"):
        return _target_from(query, "uddg") or Unwrapped(OPAQUE, None)
    if path in ("/html/", "/html", "/lite/", "/lite") or (path == "/" and query_value(query, "q")):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _yandex(host: str, path: str, query: str) -> Unwrapped | None:
    if path.startswith("/clck/"):
        return _target_from(query, "url", "l") or Unwrapped(OPAQUE, None)
    if path.startswith(("/search", "/yandsearch", "/images/search", "/video/search")):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _baidu(host: str, path: str, query: str) -> Unwrapped | None:
    if path == "/link":
        # Baidu encrypts the target in ?url=; only following the redirect reveals it.
        return Unwrapped(OPAQUE, None)
    if path in ("/s", "/baidu"):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _qwant(host: str, path: str, query: str) -> Unwrapped | None:
    if path.startswith("/redirect"):
        return _target_from(query, "u", "url") or Unwrapped(OPAQUE, None)
    if path in ("/", "/search", "/web") and query_value(query, "q"):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _yahoo(host: str, path: str, query: str) -> Unwrapped | None:
    if host == "r.search.yahoo.com":
        # The target sits in a path segment: /_ylt=…/RV=2/RE=…/RO=10/RU=<encoded>/RK=2/RS=…
        for segment in path.split("/"):
            if segment.startswith("RU="):
                target = unquote(segment[3:])
                if _is_web(target):
                    return Unwrapped(TARGET, target)
        return Unwrapped(OPAQUE, None)
    if host.endswith("search.yahoo.com") and path.startswith("/search"):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _search_path(host: str, path: str, query: str) -> Unwrapped | None:
    if path.startswith(("/search", "/do/search", "/sp/search", "/do/dsearch")):
        return Unwrapped(SEARCH_PAGE, None)
    return None


def _facebook(host: str, path: str, query: str) -> Unwrapped | None:
    if host.startswith(("l.", "lm.")) and path == "/l.php":
        return _target_from(query, "u") or Unwrapped(OPAQUE, None)
    return None


def _vk(host: str, path: str, query: str) -> Unwrapped | None:
    if path == "/away.php":
        return _target_from(query, "to") or Unwrapped(OPAQUE, None)
    return None


def _tumblr(host: str, path: str, query: str) -> Unwrapped | None:
    if host == "t.umblr.com" and path == "/redirect":
        return _target_from(query, "z") or Unwrapped(OPAQUE, None)
    return None


# First label of the registrable domain -> (engine name, unwrapper). Engines run one site per
# country (google.fr, yandex.com.tr), so they are matched by name, not by a domain list.
SEARCH_ENGINES: dict[str, tuple[str, Unwrapper]] = {
    "google": ("google", _google),
    "bing": ("bing", _bing),
    "duckduckgo": ("duckduckgo", _duckduckgo),
    "yandex": ("yandex", _yandex),
    "ya": ("yandex", _yandex),
    "baidu": ("baidu", _baidu),
    "qwant": ("qwant", _qwant),
    "yahoo": ("yahoo", _yahoo),
    "ecosia": ("ecosia", _search_path),
    "startpage": ("startpage", _search_path),
}

# Registrable domain -> (redirector name, unwrapper): social networks' outbound-link wrappers.
REDIRECTORS: dict[str, tuple[str, Unwrapper]] = {
    "facebook.com": ("facebook", _facebook),
    "vk.com": ("vk", _vk),
    "umblr.com": ("tumblr", _tumblr),
}

# How people write the names above (for messages).
DISPLAY_NAMES: dict[str, str] = {
    "google": "Google",
    "bing": "Bing",
    "duckduckgo": "DuckDuckGo",
    "yandex": "Yandex",
    "baidu": "Baidu",
    "qwant": "Qwant",
    "yahoo": "Yahoo",
    "ecosia": "Ecosia",
    "startpage": "Startpage",
    "facebook": "Facebook",
    "vk": "VK",
    "tumblr": "Tumblr",
}


def display_name(name: str) -> str:
    """``duckduckgo`` → ``DuckDuckGo``: the name of an engine or redirector as people write it."""
    return DISPLAY_NAMES.get(name, name.capitalize())


WRAPPER_CACHE: dict[str, tuple[str, Unwrapper] | None] = {}
WRAPPER_CACHE_MAX = 100_000


def wrapper_for(host: str, site: str) -> tuple[str, Unwrapper] | None:
    """The engine or redirector that serves ``host`` (registrable domain ``site``), if any."""
    if host in WRAPPER_CACHE:  # None is a cached answer too
        return WRAPPER_CACHE[host]
    found = find_wrapper(host, site)
    if len(WRAPPER_CACHE) >= WRAPPER_CACHE_MAX:
        WRAPPER_CACHE.clear()
    WRAPPER_CACHE[host] = found
    return found


def find_wrapper(host: str, site: str) -> tuple[str, Unwrapper] | None:
    """``wrapper_for`` without its cache."""
    found = REDIRECTORS.get(site)
    if found is None:
        label, _, suffix = site.partition(".")
        # google.co.uk is Google, google.blogspot.com is somebody's blog: engines only sit
        # directly under a short country or generic suffix.
        if label in SEARCH_ENGINES and all(len(part) <= 3 for part in suffix.split(".")):
            found = SEARCH_ENGINES[label]
    return found
