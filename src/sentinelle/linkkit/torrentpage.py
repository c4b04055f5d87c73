"""The info-hash a torrent index's page shows; no I/O.

Numbered torrent pages (``1337x.to/torrent/<n>/<slug>``, ``thepiratebay.org/description.php?id=<n>``,
``nyaa.si/view/<n>``) do not carry the torrent's info-hash in their address, so two pages of one
torrent on one index look like two contents. The page itself shows the hash: in its magnet link
(``magnet:?xt=urn:btih:<hash>``) and often as text ("Infohash : <hash>", "Info hash: <hash>").

The hash is taken only when the page names exactly one torrent: a list or search page names
several and says nothing about the link that was reported.
"""

from __future__ import annotations

import re
from typing import Final

from .identity import info_hash

# What is read of a page: an index shows the hash near the top; the rest is comments and lists.
MAX_PAGE_CHARS: Final = 1_000_000

# A magnet link's exact topic, plain or percent-encoded (``xt=urn%3Abtih%3A…`` in an href).
_BTIH: Final = re.compile(r"urn(?::|%3a)btih(?::|%3a)([0-9a-z]{32,40})(?![0-9a-z])", re.IGNORECASE)
# The hash written as text after its label, once tags and non-breaking spaces are taken out.
_LABELLED: Final = re.compile(r"\binfo[\s_-]*hash\s*[:=]?\s*([0-9a-f]{40})(?![0-9a-z])", re.IGNORECASE)
_TAG: Final = re.compile(r"<[^>]{0,2000}>")
_NBSP: Final = re.compile(r"&nbsp;|&#160;|&#xa0;|\u00a0", re.IGNORECASE)


def page_info_hashes(page: str) -> set[str]:
    """Every info-hash ``page`` (HTML or text) names in a magnet link or after an "info hash"
    label, as 40 lower-case hex digits."""
    text = page[:MAX_PAGE_CHARS]
    found: set[str] = set()
    for match in _BTIH.finditer(text):
        value = info_hash(match.group(1))
        if value:
            found.add(value)
    plain = _NBSP.sub(" ", _TAG.sub(" ", text))
    for match in _LABELLED.finditer(plain):
        value = info_hash(match.group(1))
        if value:
            found.add(value)
    return found


def page_info_hash(page: str) -> str | None:
    """The info-hash of the one torrent ``page`` shows, or None (no hash, or several)."""
    found = page_info_hashes(page)
    return next(iter(found)) if len(found) == 1 else None


# In a content key, what marks a numbered torrent page (``1337x.to:torrent/123``, see
# ``identity._numbered``): the pages whose hash must be read on the page itself.
NUMBERED_TORRENT_KEY: Final = ":torrent/"


def shows_its_hash_only_on_the_page(content_key: str) -> bool:
    """True for the content key of a numbered torrent page (its address holds no info-hash)."""
    return NUMBERED_TORRENT_KEY in content_key
