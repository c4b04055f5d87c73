"""CSV cells that a spreadsheet will not run as formulas (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable[object]], rows_per_chunk: int = 200) -> Iterator[str]:
    """The same CSV as ``csv_text``, a few rows at a time: for a response streamed as it is read."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    yield out.getvalue()  # at once: the download starts before the first row is read
    out.seek(0)
    out.truncate()
    pending = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            pending = 0
    yield out.getvalue()
