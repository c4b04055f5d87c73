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

# What may be in a URL: every character RFC 3986 allows (unreserved, reserved -- the apostrophe
# and the other sub-delimiters included -- and "%"); the ASCII characters it excludes but WHATWG
# parsers accept and pasted URLs do hold ({ } | \ ^: cutting there would leave a stump); and
# anything non-ASCII (addresses as browsers display them: /L'Oréal.md). A URL ends at whitespace,
# a control character, one of < > " ` (RFC 3986 appendix C: the delimiters around a URL in
# text), a typographic double quote or guillemet, or CJK sentence punctuation and brackets (the
# ideographic comma and full stop, corner and lenticular brackets, full-width parentheses and
# comma: a Chinese sentence around a URL); closing punctuation is then trimmed (``_trim``).
_STOPS = "\u00ab\u00bb\u201c\u201d\u2039\u203a\u3001\u3002\u300c-\u300f\u3010\u3011\uff08\uff09\uff0c"
_BODY = '[^\\s<>"`\x00-\x1f\x7f' + _STOPS + "]+"
_CANDIDATE_RE = re.compile(
    r"(?i)(?<![\w.+-])(?:"
    # a scheme, plain or defanged: http://, hxxps://, h**p://, https[:]//, http[://]
    r"(?:h(?:tt|xx|\*\*)ps?)\s?(?:://|\[:\]//|\(:\)//|\[://\]|:\\/\\/)"
    # or a www. host without a scheme
    r"|www\d{0,3}(?:\.|\[\.\]|\(\.\))"
    r")" + _BODY
)
# Punctuation a sentence puts after a URL: always trimmed from its end (a URL ending in "." or
# "!" is rare, a sentence ending after a URL is not). Typographic quotes, ellipses and CJK
# full-width punctuation close the text around a URL, never the URL.
_TRAILING = ".,;:!?\u00bb\u201d\u2019\u203a\u2026\u3001\u3002\uff0c\uff0e\uff1a\uff1b\uff01\uff1f"
# Brackets: trimmed only when the URL does not hold their opening bracket ("…/Song_(live)").
_PAIRS = {")": "(", "]": "[", "}": "{", "\uff09": "\uff08", "\u3011": "\u3010", "\u300d": "\u300c", "\u300f": "\u300e"}
# Characters a URL may hold at its end but that also close a quotation or markdown emphasis: trimmed
# only when the same character opens the URL ('https://…', **https://…**, _https://…_).
_QUOTES = "'*_~"
_LEADING = "<(['\"*_~\u00ab\u201c\u2018\u2039\uff08\u3010\u300c\u300e"


class PastedLine(NamedTuple):
    """One pasted line and the URL found in it (None when the line holds none).

    A line holding several URLs yields one ``PastedLine`` per URL, with the same ``line_no``.
    """

    line_no: int
    text: str
    url: str | None


def _trim(candidate: str, before: str = "") -> str:
    """Drop the punctuation that closes the text around a URL, not what belongs to the URL.

    ``before`` is the text before the URL on its line. Trailing sentence punctuation goes; a
    closing bracket goes unless the URL holds its opening one; a quote or emphasis mark goes
    only when it closes one that is open in ``before`` ('https://…', **see https://…**).
    """
    while candidate:
        last = candidate[-1]
        if last in _TRAILING:
            candidate = candidate[:-1]
            continue
        opener = _PAIRS.get(last)
        if opener is not None:
            if candidate.count(opener) >= candidate.count(last):
                break  # "…/Song_(live)" keeps its parenthesis
            candidate = candidate[:-1]
            continue
        if last in _QUOTES:
            mark = candidate[len(candidate.rstrip(last)) :]  # the whole run: "**"
            if len(mark) < len(candidate) and _is_open(before, mark):
                candidate = candidate[: -len(mark)]
                before = ""  # that mark is closed now
                continue
        break
    return candidate


def _is_open(before: str, mark: str) -> bool:
    """Whether ``before`` (the text up to a URL) leaves a quotation or emphasis ``mark`` open.

    A mark opens after a space or an opening bracket and before a letter (or the URL); it closes
    after a letter and before a space or punctuation. An apostrophe inside a word does neither.
    """
    depth = 0
    size = len(mark)
    index = before.find(mark)
    while index != -1:
        previous = before[index - 1] if index else " "
        following = before[index + size] if index + size < len(before) else "h"  # the URL follows
        if previous.isspace() or previous in "([{":
            if not following.isspace():
                depth += 1
        elif following.isspace() or following in ".,;:!?)]}":
            depth = max(0, depth - 1)
        index = before.find(mark, index + size)
    return depth > 0


def _bare_token(line: str) -> str | None:
    """A line that is a single token may be a URL without a scheme, or one ``canonicalise``
    will refuse with a precise reason (``magnet:``, ``ftp://``); either way it is returned."""
    stripped = line.strip()
    token = stripped.lstrip(_LEADING)
    token = _trim(token, stripped[: len(stripped) - len(token)])
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
            start = match.start()
            url = _trim(match.group(0), stripped[:start])
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
