"""Writes to the catalogue: the CWR and CSV importers, and linking parties to members.

Both importers turn their input into :class:`WorkData` and go through one
``_save_work``; each work is saved in its own ``transaction.atomic`` so a bad
work never rolls back the others. See docs/catalogue-import.md for the formats,
the idempotence keys and what is (not) read.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from sentinelle.catalogue.cwr import CWRReader, ParsedWork, PublisherInterest, WriterInterest
from sentinelle.catalogue.identifiers import (
    IdentifierError,
    format_iswc,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
    normalise_society_code,
)
from sentinelle.catalogue.models import AlternateTitle, Interest, Party, PartyKind, Recording, Work
from sentinelle.members.models import Member

#: Called with the number of lines (CWR) or rows (CSV) read since the previous call.
Progress = Callable[[int], None]

WRITER_ROLES = frozenset({"A", "AD", "AR", "C", "CA", "PA", "SA", "SR", "TR"})
PUBLISHER_ROLES = frozenset({"AM", "AQ", "E", "ES", "PA", "SE"})


# --- The report ----------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    works_created: int = 0
    works_updated: int = 0
    works_skipped: int = 0
    alternate_titles: int = 0
    recordings: int = 0
    parties_created: int = 0
    interests_created: int = 0
    interests_updated: int = 0
    interests_with_member: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    skipped_records: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def works(self) -> int:
        return self.works_created + self.works_updated

    @property
    def interests(self) -> int:
        return self.interests_created + self.interests_updated

    def add(self, other: ImportReport) -> None:
        self.files += other.files
        for name in (
            "works_created", "works_updated", "works_skipped", "alternate_titles", "recordings",
            "parties_created", "interests_created", "interests_updated", "interests_with_member",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.warnings += other.warnings
        self.skipped_records.update(other.skipped_records)

    def summary(self) -> str:
        lines = [
            f"works: {self.works_created} created, {self.works_updated} updated, {self.works_skipped} skipped",
            f"interests: {self.interests_created} created, {self.interests_updated} updated, "
            f"{self.interests_with_member} held by a member",
            f"parties created: {self.parties_created}; alternate titles: {self.alternate_titles}; "
            f"recordings: {self.recordings}",
        ]
        if self.skipped_records:
            kinds = ", ".join(f"{k} x{n}" for k, n in sorted(self.skipped_records.items()))
            lines.append(f"records not imported (not used by Sentinelle): {kinds}")
        lines.append(f"errors: {len(self.errors)}; warnings: {len(self.warnings)}")
        return "\n".join(lines)


# --- What both importers produce ---------------------------------------------------


@dataclass
class InterestData:
    line: int
    kind: str  # PartyKind
    party_number: str  # already scoped, unique per kind
    name: str
    first_name: str
    ipi_name_number: str
    role: str
    pr_share: Decimal
    mr_share: Decimal
    sr_share: Decimal
    # The PR, MR and SR affiliation society codes (CWR SPU/SWR; CSV columns of the same names).
    pr_society: str = ""
    mr_society: str = ""
    sr_society: str = ""

    @property
    def societies(self) -> dict[str, str]:
        return {"pr_society": self.pr_society, "mr_society": self.mr_society, "sr_society": self.sr_society}


@dataclass
class WorkData:
    line: int
    work_code: str
    title: str
    iswc: str = ""
    language: str = ""
    duration_seconds: int | None = None
    source: str = ""
    authorised_example_url: str = ""
    alternate_titles: list[tuple[str, str, str]] = field(default_factory=list)  # title, type, language
    interests: list[InterestData] = field(default_factory=list)
    recordings: list[tuple[str, str, str]] = field(default_factory=list)  # isrc, performer, title


@dataclass
class _Outcome:
    """Counts and issues of one work, kept only if its transaction commits."""

    report: ImportReport
    issues: list[ImportIssue] = field(default_factory=list)


def scoped_number(sender_code: str, number: str) -> str:
    """A submitter's own number (work # or IP #) is unique only within that submitter."""
    return f"{sender_code}:{number}" if sender_code else number


def _name_key(*parts: str) -> str:
    joined = "|".join(p.strip().casefold() for p in parts)
    return "~" + hashlib.sha256(joined.encode()).hexdigest()[:12]


def _norm_title(title: str) -> str:
    return " ".join(title.casefold().split())


# --- Saving one work ------------------------------------------------------------------


def _member_for_ipi(ipi: str) -> Member | None:
    if not ipi:
        return None
    return Member.objects.filter(ipi_name_number=ipi).first()


def _save_party(data: InterestData, out: _Outcome) -> Party:
    party = None
    if data.ipi_name_number:
        # The IPI name number is global: the same writer sent by two publishers is one party.
        party = Party.objects.filter(kind=data.kind, ipi_name_number=data.ipi_name_number).order_by("id").first()
    if party is None:
        party = Party.objects.filter(kind=data.kind, interested_party_number=data.party_number).first()
    if party is None:
        party = Party.objects.create(
            kind=data.kind,
            interested_party_number=data.party_number[:40],
            name=data.name[:200],
            first_name=data.first_name[:100],
            ipi_name_number=data.ipi_name_number,
            member=_member_for_ipi(data.ipi_name_number),
        )
        out.report.parties_created += 1
        return party
    changed = False
    # Only the submitter that numbered the party renames it; another one found it by IPI.
    own = party.interested_party_number == data.party_number
    if own and (party.name, party.first_name) != (data.name[:200], data.first_name[:100]):
        party.name, party.first_name = data.name[:200], data.first_name[:100]
        changed = True
    if data.ipi_name_number and party.ipi_name_number != data.ipi_name_number:
        party.ipi_name_number = data.ipi_name_number
        party.member = _member_for_ipi(data.ipi_name_number)
        changed = True
    elif party.member is None and party.ipi_name_number:
        member = _member_for_ipi(party.ipi_name_number)
        if member is not None:
            party.member = member
            changed = True
    if changed:
        party.save()
    return party


def _merge_interests(interests: Iterable[InterestData]) -> list[InterestData]:
    """One row per (party, role): a publisher in two chains holds the sum of its shares."""
    merged: dict[tuple[str, str, str], InterestData] = {}
    for item in interests:
        key = (item.kind, item.ipi_name_number or item.party_number, item.role)
        if key in merged:
            seen = merged[key]
            seen.pr_share += item.pr_share
            seen.mr_share += item.mr_share
            seen.sr_share += item.sr_share
            # A society named in either chain is kept (the first one named wins).
            seen.pr_society = seen.pr_society or item.pr_society
            seen.mr_society = seen.mr_society or item.mr_society
            seen.sr_society = seen.sr_society or item.sr_society
        else:
            merged[key] = InterestData(**{**item.__dict__})
    return list(merged.values())


def _find_work(data: WorkData, out: _Outcome) -> tuple[Work | None, str, bool]:
    """Return (work, iswc to set, owned) — owned is False when another code's work is matched by ISWC."""
    iswc = data.iswc
    if iswc:
        holder = Work.objects.filter(iswc=iswc).first()
        if holder is not None:
            if holder.work_code == data.work_code:
                return holder, iswc, True
            theirs = {_norm_title(holder.title)} | {
                _norm_title(t) for t in holder.alternate_titles.values_list("title", flat=True)
            }
            ours = {_norm_title(data.title)} | {_norm_title(t[0]) for t in data.alternate_titles}
            if theirs & ours:
                # The same work registered under another number (a co-publisher, the society's code).
                return holder, iswc, False
            out.issues.append(
                ImportIssue(
                    data.source,
                    data.line,
                    f"ISWC {format_iswc(iswc)} already identifies work {holder.work_code} ({holder.title!r}); "
                    f"{data.work_code} ({data.title!r}) is imported without it",
                )
            )
            iswc = ""
    return Work.objects.filter(work_code=data.work_code).first(), iswc, True


def _save_work(data: WorkData, out: _Outcome) -> Work:
    report = out.report
    work, iswc, owned = _find_work(data, out)
    if work is None:
        work = Work(work_code=data.work_code)
        report.works_created += 1
    else:
        report.works_updated += 1
    if owned:
        _set_work_fields(work, data, iswc)
    work.save()
    _save_alternate_titles(work, data, owned, report)
    _save_recordings(work, data, report)
    _save_interests(work, data, out)
    return work


def _set_work_fields(work: Work, data: WorkData, iswc: str) -> None:
    """The fields of a work its own submitter sets (blank values leave what is there)."""
    work.title = data.title[:200]
    if iswc:
        work.iswc = iswc
    if data.language:
        work.language = data.language[:2].lower()
    if data.duration_seconds:
        work.duration_seconds = data.duration_seconds
    if data.authorised_example_url:  # a file without one keeps the one staff entered
        work.authorised_example_url = data.authorised_example_url[:500]
    work.source = data.source[:255]


def _save_alternate_titles(work: Work, data: WorkData, owned: bool, report: ImportReport) -> None:
    titles = list(data.alternate_titles)
    if not owned and _norm_title(data.title) != _norm_title(work.title):
        titles.append((data.title, "AT", data.language))
    for title, title_type, language in titles:
        title = title.strip()[:200]
        if not title or _norm_title(title) == _norm_title(work.title):
            continue
        AlternateTitle.objects.update_or_create(
            work=work, title=title, defaults={"title_type": title_type[:2], "language": language[:2].lower()}
        )
        report.alternate_titles += 1


def _save_recordings(work: Work, data: WorkData, report: ImportReport) -> None:
    for isrc, performer, rec_title in data.recordings:
        recording, _created = Recording.objects.get_or_create(
            work=work, isrc=isrc, performer=performer[:200], defaults={"title": rec_title[:200]}
        )
        if rec_title and recording.title != rec_title[:200]:
            recording.title = rec_title[:200]
            recording.save(update_fields=["title"])
        report.recordings += 1


def _save_interests(work: Work, data: WorkData, out: _Outcome) -> None:
    report = out.report
    for item in _merge_interests(data.interests):
        party = _save_party(item, out)
        shares: dict[str, object] = {
            "pr_share": item.pr_share,
            "mr_share": item.mr_share,
            "sr_share": item.sr_share,
            **item.societies,
        }
        interest, created = Interest.objects.get_or_create(
            work=work, party=party, role=item.role, defaults={**shares, "member": party.member}
        )
        if created:
            report.interests_created += 1
        else:
            report.interests_updated += 1
            current = (*(getattr(interest, name) for name in shares), interest.member_id)
            if current != (*shares.values(), party.member_id):
                for name, value in shares.items():
                    setattr(interest, name, value)
                interest.member = party.member
                interest.save()
        if party.member_id is not None:
            report.interests_with_member += 1


def _import_work(data: WorkData, report: ImportReport) -> None:
    outcome = _Outcome(ImportReport())
    try:
        with transaction.atomic():
            _save_work(data, outcome)
    except (DatabaseError, ValidationError) as exc:
        report.errors += outcome.issues
        report.errors.append(ImportIssue(data.source, data.line, f"work {data.work_code} was not saved: {exc}"))
        report.works_skipped += 1
        return
    report.errors += outcome.issues
    outcome.report.errors = []
    report.add(outcome.report)


# --- CWR ------------------------------------------------------------------------------


def _cwr_work_data(work: ParsedWork, source: str) -> WorkData:
    data = WorkData(
        line=work.line_no,
        work_code=scoped_number(work.sender_code, work.submitter_work_number),
        title=work.title,
        iswc=work.iswc,
        language=work.language,
        duration_seconds=work.duration_seconds,
        source=source,
        alternate_titles=[(t.title, t.title_type, t.language) for t in work.alternate_titles],
    )
    data.interests += [_cwr_writer_interest(writer, work.sender_code) for writer in work.writers]
    data.interests += [_cwr_publisher_interest(publisher, work.sender_code) for publisher in work.publishers]
    data.recordings = _cwr_recordings(work)
    return data


def _cwr_writer_interest(writer: WriterInterest, sender: str) -> InterestData:
    number = writer.ip_number or _name_key(writer.last_name, writer.first_name)
    return InterestData(
        line=writer.line_no,
        kind=PartyKind.WRITER,
        party_number=scoped_number(sender, number),
        name=writer.last_name,
        first_name=writer.first_name,
        ipi_name_number=writer.ipi_name_number,
        role=writer.role,
        pr_share=writer.pr_share,
        mr_share=writer.mr_share,
        sr_share=writer.sr_share,
        pr_society=writer.pr_society,
        mr_society=writer.mr_society,
        sr_society=writer.sr_society,
    )


def _cwr_publisher_interest(publisher: PublisherInterest, sender: str) -> InterestData:
    number = publisher.ip_number or _name_key(publisher.name)
    return InterestData(
        line=publisher.line_no,
        kind=PartyKind.PUBLISHER,
        party_number=scoped_number(sender, number),
        name=publisher.name,
        first_name="",
        ipi_name_number=publisher.ipi_name_number,
        role=publisher.role,
        pr_share=publisher.pr_share,
        mr_share=publisher.mr_share,
        sr_share=publisher.sr_share,
        pr_society=publisher.pr_society,
        mr_society=publisher.mr_society,
        sr_society=publisher.sr_society,
    )


def _cwr_recordings(work: ParsedWork) -> list[tuple[str, str, str]]:
    """(ISRC, performer, title) per REC; PER names the performers even when no recording is described."""
    performers = [p.name for p in work.performers]
    recordings = []
    for rec in work.recordings:
        performer = rec.display_artist or ", ".join(performers)
        title = rec.recording_title or rec.album_title
        if rec.isrc or title or performer:
            recordings.append((rec.isrc, performer, title))
    if not work.recordings:
        recordings += [("", name, "") for name in performers]
    return recordings


def import_cwr_file(path: str | os.PathLike[str], *, progress: Progress | None = None) -> ImportReport:
    """Import one CWR 2.1/2.2 file. Raises OSError when the file cannot be opened."""
    path = Path(path)
    source = str(path)
    with path.open("rb"):
        pass  # fail early, before any work, when the file is missing or unreadable
    report = ImportReport(files=[source])
    reader = CWRReader(path)
    seen_lines = 0
    for parsed in reader:
        if progress is not None:
            progress(reader.lines_read - seen_lines)
            seen_lines = reader.lines_read
        if parsed.ack is not None and parsed.ack.rejected:
            report.warnings.append(
                ImportIssue(
                    source, parsed.line_no, f"{parsed.submitter_work_number} was rejected (ACK RJ): not imported"
                )
            )
            report.works_skipped += 1
            continue
        _import_work(_cwr_work_data(parsed, source), report)
    if progress is not None:
        progress(reader.lines_read - seen_lines)
    report.errors += [ImportIssue(source, e.line_no, e.message) for e in reader.errors]
    report.warnings += [ImportIssue(source, e.line_no, e.message) for e in reader.warnings]
    report.skipped_records.update(reader.skipped)
    report.errors.sort(key=lambda issue: issue.line)
    report.warnings.sort(key=lambda issue: issue.line)
    return report


# --- CSV ------------------------------------------------------------------------------

#: The documented header (docs/catalogue-import.md); only work_code and title are required.
CSV_COLUMNS = (
    "work_code", "title", "iswc", "language", "duration", "alternate_titles",
    "kind", "last_name", "first_name", "ipi", "role", "pr_share", "mr_share", "sr_share",
    "isrc", "performer",
)  # fmt: skip


class RowError(ValueError):
    pass


def _ipi_or_blank(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or not value.strip("0"):
        return ""
    try:
        return normalise_ipi_name_number(value)
    except IdentifierError as exc:
        raise RowError(f"{what}: IPI name number {str(exc).rstrip('.')}") from None


def _iswc_or_blank(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalise_iswc(value)
    except IdentifierError as exc:
        raise RowError(f"ISWC {str(exc).rstrip('.')}") from None


def _isrc_or_blank(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalise_isrc(value)
    except IdentifierError as exc:
        raise RowError(f"ISRC {str(exc).rstrip('.')}") from None


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
        party_number=f"CSV:{ipi}" if ipi else "CSV:" + _name_key(get("last_name"), get("first_name")),
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
    if _differs(_norm_title(get("title")), _norm_title(seen.title)):
        raise RowError(f"title {get('title')!r} differs from line {seen.line} ({seen.title!r})")
    iswc = _iswc_or_blank(get("iswc"))
    if _differs(iswc, seen.iswc):
        raise RowError(f"ISWC differs from line {seen.line}")
    duration = _duration(get("duration"))
    example = _example_url(get("authorised_example_url"))
    if _differs(example, seen.authorised_example_url):
        raise RowError(f"authorised_example_url differs from line {seen.line}")
    interest = _csv_interest(line, get) if get("last_name") else None
    isrc = _isrc_or_blank(get("isrc"))
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
    iswc = _iswc_or_blank(get("ISWC"))
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
            party_number=f"CSV:{ipi}" if ipi else "CSV:" + _name_key(last, first),
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
                party_number=f"CSV:{pipi}" if pipi else "CSV:" + _name_key(publisher),
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
        isrc = _isrc_or_blank(get(f"Recording {n} ISRC"))
        artist = " ".join(filter(None, [get(f"Recording {n} Artist First"), get(f"Recording {n} Artist Last")]))
        rec_title = get(f"Recording {n} Recording Title")
        if isrc or artist or rec_title:
            recordings.append((isrc, artist or ", ".join(artists), rec_title))
    return recordings or [("", artist, "") for artist in artists]


def import_works_csv(path: str | os.PathLike[str], *, progress: Progress | None = None) -> ImportReport:
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
    for work in works:
        _import_work(work, report)
    report.errors.sort(key=lambda issue: issue.line)
    return report


# --- Members claim their parties --------------------------------------------------------


def link_parties_to_member(member: Member) -> int:
    """Point every party (and its interests) bearing the member's IPI name number at the member.

    Parties that point at the member but no longer bear its number are released.
    Returns the number of parties now linked to the member.
    """
    with transaction.atomic():
        stale = Party.objects.filter(member=member)
        if member.ipi_name_number:
            stale = stale.exclude(ipi_name_number=member.ipi_name_number)
        stale_ids = list(stale.values_list("id", flat=True))
        if stale_ids:
            Party.objects.filter(id__in=stale_ids).update(member=None)
            Interest.objects.filter(party_id__in=stale_ids, member=member).update(member=None)
        if not member.ipi_name_number:
            return 0
        parties = Party.objects.filter(ipi_name_number=member.ipi_name_number)
        parties.update(member=member)
        Interest.objects.filter(party__in=parties).update(member=member)
        return parties.count()
