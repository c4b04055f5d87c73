"""Verdict rules: what one fetch of a reported link says about it. Pure: no I/O, no database.

Each verdict names the rule that decided, stored on the LinkCheck row so staff can see why.

* removed — 404, 410, 451; a redirect to the site's home page or to a known "file removed" page;
  a soft 404 (a 2xx page whose title, headings or text say the file is gone, in English or
  French, or that shows one of the platform's own removal markers from the registry).
* still_online — a 2xx page with content, and none of the above.
* unreachable — DNS failure, connection failure, timeout, 5xx, 429: retried later, never
  counted as removed.
* inconclusive — anything else (401, 403, other 4xx, an empty 2xx body, a refused address, too
  many redirects, a URL the fetcher will not fetch).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

REMOVED = "removed"
STILL_ONLINE = "still_online"
UNREACHABLE = "unreachable"
INCONCLUSIVE = "inconclusive"

GONE_CODES = frozenset({404, 410, 451})
HOME_PATHS = frozenset(
    {"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/accueil", "/fr", "/en", "/fr/", "/en/"}
)

# Path words of the pages sites redirect removed files to.
REMOVED_PAGE = re.compile(
    r"(?:^|[/_.?=&-])(?:removed|deleted|not[-_]?found|notfound|404|410|file[-_]?not[-_]?found|"
    r"error|erreur|dmca|takedown|copyright|unavailable|introuvable|supprime|fichier[-_]?supprime|gone)"
    r"(?:$|[/_.?=&-])"
)

# Phrases that mean "this file is gone" wherever they stand on a page (text is folded: lower
# case, accents and typographic apostrophes removed).
STRONG_MARKERS: tuple[str, ...] = (
    "file not found",
    "file does not exist",
    "file doesn't exist",
    "file has been removed",
    "file was removed",
    "file has been deleted",
    "file was deleted",
    "this file is no longer available",
    "the file you requested has been deleted",
    "the file you are looking for does not exist",
    "this content has been removed",
    "content has been removed",
    "video has been removed",
    "has been removed due to",
    "removed due to a copyright",
    "removed due to a dmca",
    "removed because of a dmca",
    "dmca takedown notice received",
    "has been disabled due to a dmca",
    "no longer available due to a copyright",
    "page not found",
    "fichier introuvable",
    "fichier inexistant",
    "le fichier n'existe pas",
    "ce fichier n'existe pas",
    "le fichier a ete supprime",
    "ce fichier a ete supprime",
    "fichier supprime",
    "le fichier demande a ete supprime",
    "ce contenu a ete supprime",
    "ce contenu a ete retire",
    "contenu supprime",
    "n'est plus disponible",
    "supprime suite a une plainte",
    "retire suite a une notification",
    "pour atteinte au droit d'auteur",
    "page introuvable",
)
# Short words that mean it only in the page title or a top heading ("DMCA" alone sits in the
# footer of countless pages that are still online).
TITLE_MARKERS: tuple[str, ...] = (
    "404",
    "not found",
    "deleted",
    "removed",
    "dmca",
    "unavailable",
    "introuvable",
    "supprime",
    "retire",
    "indisponible",
    "erreur 404",
)
# A title marker counts as a whole word (compiled once, searched in the order above).
_TITLE_PATTERNS = tuple((marker, re.compile(rf"(?<![\w]){re.escape(marker)}(?![\w])")) for marker in TITLE_MARKERS)

_TAGS = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.S | re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)
_HEADINGS = re.compile(r"<h[12]\b[^>]*>(.*?)</h[12]\s*>", re.S | re.I)
_SPACE = re.compile(r"\s+")
_TEXT_TYPES = ("text/", "application/xhtml", "application/json", "application/xml")
# Only the start of a page is searched: the rest is other content, comments, footers.
TEXT_WINDOW = 200_000


@dataclass(frozen=True)
class Observation:
    """What a fetch saw, stripped to what the rules need."""

    url: str
    status_code: int | None = None
    final_url: str = ""
    redirected: bool = False
    body: bytes = b""
    content_type: str = ""
    text: str | None = None
    error: str = ""  # a FetchError code when no HTTP answer came back


@dataclass(frozen=True)
class Verdict:
    verdict: str
    rule: str


def fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces: markers match any spelling."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ").lower()
    if not text.isascii():  # ASCII has no accents to take off (and NFKD leaves it as it is)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACE.sub(" ", text).strip()


def _strip(markup: str) -> str:
    return html.unescape(_TAGS.sub(" ", markup))


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.").removeprefix("m.")


def _same_site(a: str, b: str) -> bool:
    ha, hb = _host(a), _host(b)
    return bool(ha and hb) and (ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha))


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.lower() in HOME_PATHS and not parts.query


def soft_404_marker(markup: str, platform_markers: Sequence[str] = ()) -> str | None:
    """The marker that shows this 2xx page is a "file removed" page, or None."""
    window = markup[:TEXT_WINDOW]
    text = fold(_strip(window))
    for marker in platform_markers:
        folded = fold(marker)
        if folded and folded in text:
            return f"platform:{marker[:60]}"
    for marker in STRONG_MARKERS:
        if marker in text:
            return marker
    heads = " | ".join(fold(_strip(m)) for m in _TITLE.findall(window)[:1] + _HEADINGS.findall(window)[:3])
    for marker, pattern in _TITLE_PATTERNS:
        if pattern.search(heads):
            return f"title:{marker}"
    return None


def decide(obs: Observation, platform_markers: Sequence[str] = ()) -> Verdict:
    """The verdict for one observation (see the module docstring for the rules)."""
    if obs.error:
        if obs.error in ("dns_failure", "timeout", "connect_failed", "protocol_error"):
            return Verdict(UNREACHABLE, obs.error)
        return Verdict(INCONCLUSIVE, obs.error)
    code = obs.status_code
    if code is None:
        return Verdict(INCONCLUSIVE, "no_answer")
    if code in GONE_CODES:
        return Verdict(REMOVED, f"http_{code}")
    if code >= 500:
        return Verdict(UNREACHABLE, "http_5xx")
    if code == 429:
        return Verdict(UNREACHABLE, "http_429")
    if obs.redirected and obs.final_url:
        if _same_site(obs.url, obs.final_url) and _is_home(obs.final_url) and not _is_home(obs.url):
            return Verdict(REMOVED, "redirect_home")
        final_path = urlsplit(obs.final_url)
        if REMOVED_PAGE.search(fold(f"{final_path.path}?{final_path.query}")) and not REMOVED_PAGE.search(
            fold(urlsplit(obs.url).path)
        ):
            return Verdict(REMOVED, "redirect_removed_page")
    if 200 <= code < 300:
        textual = not obs.content_type or obs.content_type.startswith(_TEXT_TYPES)
        if textual:
            markup = obs.text if obs.text is not None else obs.body.decode("utf-8", errors="replace")
            marker = soft_404_marker(markup, platform_markers)
            if marker is not None:
                return Verdict(REMOVED, f"soft_404:{marker}")
            if not markup.strip():
                return Verdict(INCONCLUSIVE, "empty_body")
        elif not obs.body:
            return Verdict(INCONCLUSIVE, "empty_body")
        return Verdict(STILL_ONLINE, f"http_{code}")
    return Verdict(INCONCLUSIVE, f"http_{code}")
