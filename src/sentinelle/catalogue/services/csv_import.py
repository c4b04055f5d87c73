"""The CSV importer: Sentinelle's own header and the django-music-publisher template."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from sentinelle.catalogue.identifiers import (
    IdentifierError,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
    normalise_society_code,
)
from sentinelle.catalogue.models import PartyKind
from sentinelle.catalogue.services.data import (
    ImportIssue,
    ImportReport,
    InterestData,
    Progress,
    WorkData,
    name_key,
    norm_title,
)
from sentinelle.catalogue.services.writer import BATCH_SIZE, CatalogueWriter

WRITER_ROLES = frozenset({"A", "AD", "AR", "C", "CA", "PA", "SA", "SR", "TR"})
PUBLISHER_ROLES = frozenset({"AM", "AQ", "E", "ES", "PA", "SE"})

#: The documented header (docs/catalogue-import.md); only work_code and title are required.
CSV_COLUMNS = (
    "work_code", "title", "iswc", "language", "duration", "alternate_titles",
    "kind", "last_name", "first_name", "ipi", "role", "pr_share", "mr_share", "sr_share",
    "isrc", "performer",
)  # fmt: skip


class RowError(ValueError):
    pass


def _identifier_or_blank(value: str, normalise: Callable[[str], str], what: str) -> str:
    """The identifier normalised, or "" for a blank cell; a RowError naming ``what`` if it is wrong."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalise(value)
    except IdentifierError as exc:
        raise RowError(f"{what} {str(exc).rstrip('.')}") from None


def _ipi_or_blank(value: str, who: str) -> str:
    if not (value or "").strip().strip("0"):
        return ""  # blank, or all zeros: no IPI name number
    return _identifier_or_blank(value, normalise_ipi_name_number, f"{who}: IPI name number")


def _duration(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    parts = value.split(":")
    if not all(p.isdigit() for p in parts) or len(parts) > 3:
        raise RowError(f"duration {value!r} is not seconds, MM:SS or HH:MM:SS")
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds or None


def _share(value: str, *, fractions: bool = False) -> Decimal:
    """ "50", "50%", "12.5" are percentages; with ``fractions`` (the DMP template) "0.5" is 50%."""
    raw = (value or "").strip().replace(",", ".")
    if not raw:
        return Decimal(0)
    percent = raw.endswith("%")
    try:
        number = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        raise RowError(f"share {value!r} is not a number") from None
    if fractions and not percent and number <= 1:
        number *= 100
    if number < 0 or number > 100:
        raise RowError(f"share {value!r} is not between 0 and 100%")
    return number.quantize(Decimal("0.001"))


def _role(value: str, kind: str) -> str:
    # "CA \u2013 Composer&Lyricist" (the DMP template) → "CA"
    code = re.split(r"\s+[\u2013-]\s*|\s", (value or "").strip(), maxsplit=1)[0].upper()
    allowed = WRITER_ROLES if kind == PartyKind.WRITER else PUBLISHER_ROLES
    if not code:
        return "CA" if kind == PartyKind.WRITER else "E"
    if code not in allowed:
        raise RowError(f"role {value!r} is not a CWR {kind} role ({', '.join(sorted(allowed))})")
    return code


def _getter(row: dict[str, str]) -> Callable[[str], str]:
    return lambda name: (row.get(name) or "").strip()


def _csv_interest(line: int, get: Callable[[str], str]) -> InterestData:
    kind = {
        "writer": PartyKind.WRITER,
        "w": PartyKind.WRITER,
        "publisher": PartyKind.PUBLISHER,
        "p": PartyKind.PUBLISHER,
    }
    party_kind = kind.get(get("kind").lower() or "writer")
    if party_kind is None:
        raise RowError(f"kind {get('kind')!r} is neither writer nor publisher")
    ipi = _ipi_or_blank(get("ipi"), get("last_name"))
    return InterestData(
        line=line,
        kind=party_kind,
        party_number=f"CSV:{ipi}" if ipi else "CSV:" + name_key(get("last_name"), get("first_name")),
        name=get("last_name"),
        first_name=get("first_name"),
        ipi_name_number=ipi,
        role=_role(get("role"), party_kind),
        pr_share=_share(get("pr_share")),
        mr_share=_share(get("mr_share")),
        sr_share=_share(get("sr_share")),
        pr_society=_society(get("pr_society")),
        mr_society=_society(get("mr_society")),
        sr_society=_society(get("sr_society")),
    )


def _society(value: str) -> str:
    """A CISAC society code (1 to 3 digits: ``58`` is ``058``), or blank."""
    if not value:
        return ""
    if not (value.isdigit() and len(value) <= 3):
        raise RowError(f"society code {value!r} is not a CISAC code (up to three digits)")
    return normalise_society_code(value)


def _example_url(value: str) -> str:
    """An authorised example: an absolute http(s) URL of at most 500 characters, or blank."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500 or any(c.isspace() for c in value):
        raise RowError(f"authorised_example_url {value!r} is not an http(s) address of at most 500 characters")
    return value


def _normalised_rows(rows: Iterable[tuple[int, dict[str, str]]], source: str, report: ImportReport) -> list[WorkData]:
    works: dict[str, WorkData] = {}
    for line, row in rows:
        try:
            _normalised_row(line, _getter(row), works, source)
        except RowError as exc:
            report.errors.append(ImportIssue(source, line, f"{exc}; the row is skipped"))
    return list(works.values())


def _normalised_row(line: int, get: Callable[[str], str], works: dict[str, WorkData], source: str) -> None:
    """Add one row of Sentinelle's CSV to its work in ``works``; RowError leaves ``works`` untouched."""
    # Validate the whole row before touching the work: a bad row is skipped whole.
    code = get("work_code")
    if not code:
        raise RowError("work_code is empty")
    work = works.get(code)
    seen = work or WorkData(line=line, work_code=code, title="")  # what earlier rows said, if any
    if work is None and not get("title"):
        raise RowError("title is empty")
    if _differs(norm_title(get("title")), norm_title(seen.title)):
        raise RowError(f"title {get('title')!r} differs from line {seen.line} ({seen.title!r})")
    iswc = _identifier_or_blank(get("iswc"), normalise_iswc, "ISWC")
    if _differs(iswc, seen.iswc):
        raise RowError(f"ISWC differs from line {seen.line}")
    duration = _duration(get("duration"))
    example = _example_url(get("authorised_example_url"))
    if _differs(example, seen.authorised_example_url):
        raise RowError(f"authorised_example_url differs from line {seen.line}")
    interest = _csv_interest(line, get) if get("last_name") else None
    isrc = _identifier_or_blank(get("isrc"), normalise_isrc, "ISRC")
    if work is None:
        work = works[code] = WorkData(line=line, work_code=code, title=get("title"), source=source)
    # The first row that gives a value sets it.
    work.iswc = work.iswc or iswc
    work.language = work.language or get("language")
    work.duration_seconds = work.duration_seconds or duration
    work.authorised_example_url = work.authorised_example_url or example
    _add_row_details(work, get, interest, isrc)


def _add_row_details(work: WorkData, get: Callable[[str], str], interest: InterestData | None, isrc: str) -> None:
    for alt in filter(None, (t.strip() for t in get("alternate_titles").split("|"))):
        work.alternate_titles.append((alt, "AT", ""))
    if interest is not None:
        work.interests.append(interest)
    if isrc or get("performer"):
        work.recordings.append((isrc, get("performer"), ""))


def _differs(new: str, old: str) -> bool:
    """A later row of a work may leave a value blank or repeat it, never change it."""
    return bool(new and old and new != old)


def _dmp_rows(rows: Iterable[tuple[int, dict[str, str]]], source: str, report: ImportReport) -> list[WorkData]:
    """The django-music-publisher import template ("Work ID", "Work Title", "Writer 1 Last"…)."""
    works: list[WorkData] = []
    for line, row in rows:
        try:
            works.append(_dmp_work(line, row, source))
        except RowError as exc:
            report.errors.append(ImportIssue(source, line, f"{exc}; the row is skipped"))
    return works


def _numbered(row: dict[str, str], template: str) -> Iterator[int]:
    """1, 2, … while the header has the numbered column (``template`` holds ``{n}``)."""
    n = 1
    while n < 100 and template.format(n=n) in row:
        yield n
        n += 1


def _dmp_work(line: int, row: dict[str, str], source: str) -> WorkData:
    """One row of the django-music-publisher template is one work; RowError when it cannot be imported."""
    get = _getter(row)
    title = get("Work Title")
    if not title:
        raise RowError("Work Title is empty")
    iswc = _identifier_or_blank(get("ISWC"), normalise_iswc, "ISWC")
    code = get("Work ID") or iswc
    if not code:
        raise RowError("neither a Work ID nor an ISWC: a re-import could not find this work again")
    work = WorkData(line=line, work_code=code, title=title, iswc=iswc, source=source)
    alternates = (get(f"Alt Title {n}") for n in _numbered(row, "Alt Title {n}"))
    work.alternate_titles += [(alt, "AT", "") for alt in alternates if alt]
    if get("Original Title"):
        work.alternate_titles.append((get("Original Title"), "OT", ""))
    for n in _numbered(row, "Writer {n} Last"):
        work.interests += _dmp_writer(line, n, get)
    work.recordings = _dmp_recordings(row, get)
    return work


def _dmp_writer(line: int, n: int, get: Callable[[str], str]) -> list[InterestData]:
    """Writer n of a template row, and the publisher that row gives it (none for an unknown writer)."""
    last = get(f"Writer {n} Last")
    if not last:
        return []  # an unknown writer's share
    first = get(f"Writer {n} First")
    ipi = _ipi_or_blank(get(f"Writer {n} IPI"), last)
    share = _share(get(f"Writer {n} Share") or get(f"Writer {n} Manuscript Share"), fractions=True)
    interests = [
        InterestData(
            line=line,
            kind=PartyKind.WRITER,
            party_number=f"CSV:{ipi}" if ipi else "CSV:" + name_key(last, first),
            name=last,
            first_name=first,
            ipi_name_number=ipi,
            role=_role(get(f"Writer {n} Role"), PartyKind.WRITER),
            pr_share=_share(get(f"Writer {n} PR Share"), fractions=True) or share,
            mr_share=_share(get(f"Writer {n} MR Share"), fractions=True) or share,
            sr_share=_share(get(f"Writer {n} SR Share"), fractions=True) or share,
        )
    ]
    publisher = get(f"Writer {n} Publisher Name")
    if publisher:
        pipi = _ipi_or_blank(get(f"Writer {n} Publisher IPI"), publisher)
        interests.append(
            InterestData(
                line=line,
                kind=PartyKind.PUBLISHER,
                party_number=f"CSV:{pipi}" if pipi else "CSV:" + name_key(publisher),
                name=publisher,
                first_name="",
                ipi_name_number=pipi,
                role="E",
                pr_share=_share(get(f"Writer {n} Publisher PR Share"), fractions=True),
                mr_share=_share(get(f"Writer {n} Publisher MR Share"), fractions=True),
                sr_share=_share(get(f"Writer {n} Publisher SR Share"), fractions=True),
            )
        )
    return interests


def _dmp_recordings(row: dict[str, str], get: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """(ISRC, performer, title) per "Recording n"; the row's artists stand in when a recording names none."""
    artists = [" ".join(filter(None, [get(f"Artist {n} First"), get(f"Artist {n} Last")])) for n in range(1, 100)]
    artists = [a for a in artists if a]
    recordings = []
    for n in _numbered(row, "Recording {n} ISRC"):
        isrc = _identifier_or_blank(get(f"Recording {n} ISRC"), normalise_isrc, "ISRC")
        artist = " ".join(filter(None, [get(f"Recording {n} Artist First"), get(f"Recording {n} Artist Last")]))
        rec_title = get(f"Recording {n} Recording Title")
        if isrc or artist or rec_title:
            recordings.append((isrc, artist or ", ".join(artists), rec_title))
    return recordings or [("", artist, "") for artist in artists]


def import_works_csv(
    path: str | os.PathLike[str], *, progress: Progress | None = None, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Import works from a CSV file: Sentinelle's header, or the django-music-publisher template.

    Raises OSError when the file cannot be opened.
    """
    path = Path(path)
    source = str(path)
    report = ImportReport(files=[source])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip() for h in next(reader, [])]

    def rows() -> Iterable[tuple[int, dict[str, str]]]:
        while True:
            line = reader.line_num + 1  # where the next record starts, even if it spans lines
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                report.errors.append(ImportIssue(source, line, f"unreadable CSV: {exc}"))
                return
            if progress is not None:
                progress(1)
            if not any(v.strip() for v in values):
                continue
            yield line, dict(zip(header, values, strict=False))

    if "work_code" in header and "title" in header:
        works = _normalised_rows(rows(), source, report)
    elif "Work Title" in header:
        works = _dmp_rows(rows(), source, report)
    else:
        report.errors.append(
            ImportIssue(source, 1, "unknown header: expected work_code,title,… (see docs/catalogue-import.md)")
        )
        return report
    writer = CatalogueWriter(report, batch_size=batch_size)
    for work in works:
        writer.add(work)
    writer.close()
    report.errors.sort(key=lambda issue: issue.line)
    return report
