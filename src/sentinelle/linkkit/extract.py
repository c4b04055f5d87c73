"""URLs in pasted text: one per line, or inside an e-mail or a notice body.

The member page shows a verdict for every pasted line, garbage included, so the line-level
function yields lines with or without a URL; ``extract_urls`` is the plain list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from typing import NamedTuple

from .canonical import refang
from .psl import PSL

MAX_LINES = 10_000
MAX_TEXT_CHARS = 1_048_576
# A line is echoed back to the member; a 100 KB line is cut, its URL is not.
MAX_ECHO_CHARS = 2_000

_BODY = r"[^\s<>\"'`\x00-\x1f\x7f]+"
_CANDIDATE_RE = re.compile(
    r"(?i)(?<![\w.+-])(?:"
    # a scheme, plain or defanged: http://, hxxps://, h**p://, https[:]//, http[://]
    r"(?:h(?:tt|xx|\*\*)ps?)\s?(?:://|\[:\]//|\(:\)//|\[://\]|:\\/\\/)"
    # or a www. host without a scheme
    r"|www\d{0,3}(?:\.|\[\.\]|\(\.\))"
    r")" + _BODY
)
# Closing characters a sentence or markup adds after a URL.
_TRAILING = ".,;:!?'\"*_>\u00bb\u201d\u2019\u2026)]}"
_LEADING = "<(['\"\u00ab\u201c\u2018"
_PAIRS = {")": "(", "]": "[", "}": "{"}


class PastedLine(NamedTuple):
    """One pasted line and the URL found in it (None when the line holds none).

    A line holding several URLs yields one ``PastedLine`` per URL, with the same ``line_no``.
    """

    line_no: int
    text: str
    url: str | None


def _trim(candidate: str) -> str:
    """Drop punctuation that closes the sentence around a URL, keeping balanced brackets."""
    while candidate:
        last = candidate[-1]
        if last not in _TRAILING:
            break
        opener = _PAIRS.get(last)
        if opener is not None and candidate.count(opener) >= candidate.count(last):
            break  # "…/Song_(live)" keeps its parenthesis
        candidate = candidate[:-1]
    return candidate


def _bare_token(line: str) -> str | None:
    """A line that is a single token may be a URL without a scheme, or one ``canonicalise``
    will refuse with a precise reason (``magnet:``, ``ftp://``); either way it is returned."""
    token = _trim(line.strip().lstrip(_LEADING))
    if not token or any(ch.isspace() for ch in token):
        return None
    if "://" in token or token.lower().startswith(("magnet:", "mailto:", "javascript:")):
        return token
    host = re.split(r"[/?#]", refang(token), maxsplit=1)[0].rsplit(":", 1)[0].rstrip(".")
    if "." in host and PSL.publicsuffix(host.lower(), accept_unknown=False) is not None:
        return token
    return None


def extract_lines(text: str, *, max_lines: int = MAX_LINES) -> Iterator[PastedLine]:
    """Yield every non-blank line of ``text`` with the URLs in it, in order, duplicates kept.

    Work is capped: at most ``max_lines`` lines and ``MAX_TEXT_CHARS`` characters are read; the
    caller can compare the line numbers it got with the input to tell the member.
    """
    if not isinstance(text, str) or not text:
        return
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    for line_no, line in enumerate(islice(iter(text.splitlines()), max_lines), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        echo = stripped[:MAX_ECHO_CHARS]
        found = False
        for match in _CANDIDATE_RE.finditer(stripped):
            url = _trim(match.group(0))
            if not url:
                continue
            found = True
            yield PastedLine(line_no, echo, refang(url))
        if found:
            continue
        token = _bare_token(stripped)
        yield PastedLine(line_no, echo, refang(token) if token else None)


def extract_urls(text: str, *, max_lines: int = MAX_LINES) -> list[str]:
    """The URLs in ``text``, in order, duplicates kept, defanged forms restored."""
    return [line.url for line in extract_lines(text, max_lines=max_lines) if line.url]
