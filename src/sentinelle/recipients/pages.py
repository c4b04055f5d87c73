"""A site's own pages: which links of the home page lead to its DMCA / copyright / abuse / contact /
legal notice pages, and which addresses and forms those pages offer. No Django here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import ada_url

from sentinelle.linkkit import registrable_domain
from sentinelle.recipients.contacts import Refused, clean_email, parse_mailto

# Words of a link's text or path, best first: the rank orders the pages visited and the contacts.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dmca", ("dmca", "takedown", "take-down")),
    ("copyright", ("copyright", "droit-d-auteur", "droits-d-auteur", "droit d'auteur", "droits d'auteur")),
    ("abuse", ("abuse", "report", "signaler", "signalement")),
    ("legal", ("mentions-legales", "mentions legales", "mentions_legales", "legal", "impressum")),
    ("contact", ("contact",)),
)
_TEXT_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}")
_MAX_LINKS = 5000


def _fold(text: str) -> str:
    """Lower case without accents: "Mentions légales" -> "mentions legales"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def keyword_of(text: str) -> tuple[int, str] | None:
    folded = _fold(text)
    for rank, (name, words) in enumerate(KEYWORDS):
        if any(word in folded for word in words):
            return rank, name
    return None


@dataclass
class _Anchor:
    href: str
    text: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[_Anchor] = []
        self.forms: list[tuple[str, bool]] = []  # (action, has a free-text field)
        self.text: list[str] = []
        self._open: _Anchor | None = None
        self._form: list[str] | None = None
        self._form_fields = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a" and "href" in values and len(self.anchors) < _MAX_LINKS:
            self._open = _Anchor(values["href"].strip())
            self.anchors.append(self._open)
        elif tag == "form":
            self._form = [values.get("action", "")]
            self._form_fields = False
        elif tag == "textarea" or (tag == "input" and values.get("type", "text").lower() in ("email", "text")):
            self._form_fields = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            self._open = None
        elif tag == "form" and self._form is not None:
            self.forms.append((self._form[0], self._form_fields))
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._open is not None:
            self._open.text.append(data)


@dataclass(frozen=True)
class PageLink:
    url: str
    rank: int
    keyword: str


@dataclass
class PageContacts:
    emails: list[str] = field(default_factory=list)
    form: bool = False  # the page holds a form with a free-text field: a hand delivery
    refused: list[tuple[str, str]] = field(default_factory=list)


def _collect(html: str) -> _Collector:
    collector = _Collector()
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):  # a badly broken page: keep what was read
        pass
    return collector


def _same_site(url: str, domain: str) -> str | None:
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        return None
    if parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        return None
    if registrable_domain(parsed.hostname.strip("[]")) != domain:
        return None
    parsed.hash = ""
    return parsed.href


def contact_links(html: str, base_url: str, domain: str, limit: int) -> tuple[list[PageLink], list[str]]:
    """The home page's links to contact-like pages of the same site (best first), and its mailto: hrefs."""
    collector = _collect(html)
    best: dict[str, PageLink] = {}
    mailtos: list[str] = []
    for anchor in collector.anchors:
        if anchor.href[:7].lower() == "mailto:":
            mailtos.append(anchor.href)
            continue
        try:
            absolute = ada_url.join_url(base_url, anchor.href)
        except ValueError:
            continue
        url = _same_site(absolute, domain)
        if url is None or url.rstrip("/") == base_url.rstrip("/"):
            continue
        path = ada_url.URL(url).pathname
        found = keyword_of(" ".join(anchor.text)) or keyword_of(path)
        if found is None:
            continue
        rank, name = found
        if url not in best or rank < best[url].rank:
            best[url] = PageLink(url, rank, name)
    ordered = sorted(best.values(), key=lambda link: (link.rank, len(link.url), link.url))
    return ordered[:limit], mailtos


def page_contacts(html: str, *, keyword_page: bool, extra_mailtos: list[str] | None = None) -> PageContacts:
    """The addresses a page offers: its mailto: links, then (on a keyword page) the addresses in its text."""
    collector = _collect(html)
    result = PageContacts()
    hrefs = [a.href for a in collector.anchors if a.href[:7].lower() == "mailto:"] + list(extra_mailtos or [])
    for href in hrefs:
        try:
            address = parse_mailto(href)
        except Refused as exc:
            result.refused.append((exc.code, exc.message))
            continue
        if address not in result.emails:
            result.emails.append(address)
    if keyword_page:
        for match in _TEXT_EMAIL.finditer(" ".join(collector.text)):
            try:
                address = clean_email(match.group(0).strip("."))
            except Refused:
                continue
            if address not in result.emails:
                result.emails.append(address)
        result.form = any(has_field for _, has_field in collector.forms)
    return result
