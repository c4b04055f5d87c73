"""A small, table-driven reader for CWR 2.1 and 2.2 files. Pure Python, no Django.

CWR (Common Works Registration, CISAC) is a fixed-width text format: one record
per line, the first three characters name the record type. ``LAYOUTS`` below is
the whole grammar this module knows: record type → fields as (name, start,
length, type), with 0-based starts. Everything else is a small state machine
that groups records into work transactions.

Reading never stops at a bad record: each problem becomes a :class:`CWRError`
(line number and message) in ``CWRReader.errors`` and reading goes on:

* a bad work header (NWR/REV/ISW/EXC) skips that work and its detail records;
* a bad detail record (SWR, SPU, ALT…) skips that record only;
* a bad identifier (ISWC, IPI name number, ISRC) is dropped from the record,
  which is kept, and reported.

Observations that are not bad records (an ACK without its work, trailer counts
that do not match, no TRL at the end) go to ``CWRReader.warnings``; record
types this module does not read (VER, COM, XRF, MSG…) are counted in
``CWRReader.skipped``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinelle.catalogue.cwr.layouts import LAYOUTS, SKIPPED_RECORDS, WORK_RECORDS, Layout, parse_record
from sentinelle.catalogue.cwr.records import (
    Acknowledgement,
    AlternateTitle,
    CWRError,
    Header,
    Origin,
    ParsedWork,
    Performer,
    PublisherInterest,
    RecordingDetail,
    WriterInterest,
)
from sentinelle.catalogue.identifiers import (
    IdentifierError,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
    normalise_society_code,
)


def _society(v: dict[str, Any], name: str) -> str:
    raw = str(v.get(name) or "")
    return normalise_society_code(raw) if raw.strip() else ""


def _shares(v: dict[str, Any]) -> dict[str, Any]:
    """The three shares and the three affiliation societies of an SPU/OPU or SWR/OWR record."""
    return {
        "pr_share": v["pr_share"],
        "mr_share": v["mr_share"],
        "sr_share": v["sr_share"],
        "pr_society": _society(v, "pr_society"),
        "mr_society": _society(v, "mr_society"),
        "sr_society": _society(v, "sr_society"),
    }


def decode_line(raw: bytes) -> str:
    """CWR 2.1 is ASCII/latin-1, 2.2 may be UTF-8: try UTF-8, fall back per line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _iter_raw_lines(source: str | os.PathLike[str] | bytes | Iterable[bytes | str]) -> Iterator[str]:
    if isinstance(source, bytes):
        chunks: Iterable[bytes | str] = source.split(b"\n")
    elif isinstance(source, str | os.PathLike):
        yield from _iter_file(Path(source))
        return
    else:
        chunks = source
    for chunk in chunks:
        text = decode_line(chunk) if isinstance(chunk, bytes) else chunk
        yield text.rstrip("\r\n")


def _iter_file(path: Path) -> Iterator[str]:
    with path.open("rb") as fh:
        for raw in fh:
            yield decode_line(raw).rstrip("\r\n")


def _sentence(exc: Exception) -> str:
    return str(exc).rstrip(".")


class CWRReader:
    """Iterate the works of one CWR file; collect errors and warnings on the way.

    >>> reader = CWRReader("CW180001DMP_000.V21")
    >>> for work in reader: ...
    >>> reader.errors, reader.warnings, reader.skipped
    """

    def __init__(self, source: str | os.PathLike[str] | bytes | Iterable[bytes | str]) -> None:
        self._source = source
        self.header: Header | None = None
        self.version = "2.1"
        self.errors: list[CWRError] = []
        self.warnings: list[CWRError] = []
        self.skipped: Counter[str] = Counter()
        self.lines_read = 0
        self._consumed = False

    @property
    def sender_code(self) -> str:
        return self.header.sender_code if self.header else ""

    # The state machine --------------------------------------------------------

    def __iter__(self) -> Iterator[ParsedWork]:
        if self._consumed:
            raise RuntimeError("A CWRReader reads its source once.")
        self._consumed = True
        self._work: ParsedWork | None = None
        self._ack: Acknowledgement | None = None
        self._ack_used = False
        self._skipping_work = False  # after a bad work header, until the next one
        self._group_records = 0
        self._group_transactions: set[int] = set()
        self._file_records = 0
        self._file_transactions = 0
        self._groups = 0
        self._trailer_seen = False
        first = True
        for line_no, line in enumerate(_iter_raw_lines(self._source), start=1):
            self.lines_read = line_no
            if first:
                line = line.lstrip("\ufeff")
            if not line.strip() or line.strip() == "\x1a":
                continue
            if first:
                first = False
                if not self._check_first_line(line, line_no):
                    return
            yield from self._record(line, line_no)
        yield from self._flush()
        if not self._trailer_seen:
            self.warnings.append(CWRError(self.lines_read, "no TRL record at the end: the file may be truncated"))

    def _check_first_line(self, line: str, line_no: int) -> bool:
        """Report a file that does not start with HDR; False when it is not CWR at all."""
        record_type = line[:3].upper()
        if record_type == "HDR":
            return True
        self.errors.append(CWRError(line_no, f"the file does not start with an HDR record ({line[:3]!r})"))
        if record_type not in LAYOUTS["2.1"] and record_type not in SKIPPED_RECORDS:
            self.errors.append(CWRError(line_no, "this is not a CWR file; reading stopped"))
            return False
        return True

    def _record(self, line: str, line_no: int) -> Iterator[ParsedWork]:
        """Feed one record to the state machine; yield the work it completes, if any."""
        record_type = line[:3].upper()
        self._file_records += 1
        self._group_records += 1
        if record_type in ("GRH", "GRT", "TRL", "HDR"):
            yield from self._flush()
            self._control_record(record_type, line, line_no)
            return
        transaction_seq = line[3:11]
        if transaction_seq.strip().isdigit():
            self._group_transactions.add(int(transaction_seq))
        if record_type in WORK_RECORDS:
            yield from self._start_work(record_type, line, line_no)
        elif record_type == "ACK":
            yield from self._flush()
            self._start_ack(line, line_no)
        elif record_type in SKIPPED_RECORDS:
            self.skipped[record_type] += 1
        elif record_type in self._layouts:
            self._detail(record_type, line, line_no)
        else:
            self.errors.append(CWRError(line_no, f"unknown record type {line[:3]!r}", line[:3]))

    @property
    def _layouts(self) -> dict[str, Layout]:
        return LAYOUTS[self.version]

    def _flush(self) -> Iterator[ParsedWork]:
        if self._work is not None:
            work, self._work = self._work, None
            yield work
        if self._ack is not None and not self._ack_used:
            ack = self._ack
            self.warnings.append(
                CWRError(
                    ack.line_no,
                    f"ACK for {ack.title!r} ({ack.submitter_creation_number or 'no work number'}, "
                    f"status {ack.status}) carries no work: nothing to import",
                    "ACK",
                )
            )
        self._ack = None
        self._ack_used = False
        self._skipping_work = False

    def _control_record(self, record_type: str, line: str, line_no: int) -> None:
        try:
            values = parse_record(line, LAYOUTS["2.1"][record_type], line_no)
        except CWRError as exc:
            self.errors.append(exc)
            return
        if record_type == "HDR":
            if self.header is not None:
                self.errors.append(CWRError(line_no, "a second HDR record", "HDR"))
                return
            version = values["cwr_version"]
            self.header = Header(
                line_no=line_no,
                sender_type=values["sender_type"],
                sender_id=values["sender_id"],
                sender_name=values["sender_name"],
                creation_date=values["creation_date"],
                character_set=values["character_set"],
                version=version or "2.1",
                revision=values["cwr_revision"],
                software=" ".join(filter(None, [values["software_package"], values["software_version"]])),
            )
            if version in LAYOUTS:
                self.version = version
            elif version:
                self.warnings.append(CWRError(line_no, f"CWR version {version!r} is not known; read as 2.1", "HDR"))
        elif record_type == "GRH":
            self._groups += 1
            self._group_records = 1
            self._group_transactions = set()
            if values["version"] == "02.20" and self.version == "2.1" and not (self.header and self.header.version):
                self.version = "2.2"
        elif record_type == "GRT":
            self._file_transactions += len(self._group_transactions)
            self._check_count(line_no, "GRT", "transaction", values["transaction_count"], len(self._group_transactions))
            self._check_count(line_no, "GRT", "record", values["record_count"], self._group_records)
        elif record_type == "TRL":
            self._trailer_seen = True
            self._check_count(line_no, "TRL", "group", values["group_count"], self._groups)
            self._check_count(line_no, "TRL", "transaction", values["transaction_count"], self._file_transactions)
            self._check_count(line_no, "TRL", "record", values["record_count"], self._file_records)

    def _check_count(self, line_no: int, record_type: str, what: str, declared: int | None, actual: int) -> None:
        if declared is not None and declared != actual:
            self.warnings.append(
                CWRError(line_no, f"{record_type} declares {declared} {what}s, the file holds {actual}", record_type)
            )

    def _start_ack(self, line: str, line_no: int) -> None:
        try:
            values = parse_record(line, self._layouts["ACK"], line_no)
        except CWRError as exc:
            self.errors.append(exc)
            self._skipping_work = True
            return
        self._ack = Acknowledgement(
            line_no=line_no,
            transaction_seq=values["transaction_seq"] or 0,
            status=values["transaction_status"],
            original_transaction_type=values["original_transaction_type"],
            title=values["creation_title"],
            submitter_creation_number=values["submitter_creation_number"],
            recipient_creation_number=values["recipient_creation_number"],
        )

    def _start_work(self, record_type: str, line: str, line_no: int) -> Iterator[ParsedWork]:
        ack = self._ack
        # EXC (a work in conflict) and the work an ACK acknowledges stay in the ACK's transaction.
        same_transaction = ack is not None and (
            record_type == "EXC" or (not self._ack_used and line[3:11].strip() == f"{ack.transaction_seq:08d}")
        )
        if same_transaction:
            if self._work is not None:
                work, self._work = self._work, None
                yield work
        else:
            yield from self._flush()
            ack = None
        self._skipping_work = False
        try:
            values = parse_record(line, self._layouts[record_type], line_no)
            if not values["title"]:
                raise CWRError(line_no, f"{record_type} has no work title", record_type)
            if not values["submitter_work_number"]:
                raise CWRError(line_no, f"{record_type} has no submitter work number", record_type)
        except CWRError as exc:
            self.errors.append(CWRError(exc.line_no, f"{exc.message}; the work is skipped", record_type))
            self._skipping_work = True
            return
        iswc = ""
        if values["iswc"]:
            try:
                iswc = normalise_iswc(values["iswc"])
            except IdentifierError as exc:
                self.errors.append(
                    CWRError(line_no, f"ISWC {_sentence(exc)}; the work is imported without it", record_type)
                )
        if ack is not None:
            self._ack = ack
            self._ack_used = True
        self._work = ParsedWork(
            line_no=line_no,
            record_type=record_type,
            transaction_seq=values["transaction_seq"] or 0,
            title=values["title"],
            language=values["language"],
            submitter_work_number=values["submitter_work_number"],
            iswc=iswc,
            duration_seconds=values["duration"],
            version_type=values["version_type"],
            sender_code=self.sender_code,
            ack=ack,
        )

    def _ipi(self, raw: str, line_no: int, record_type: str, who: str) -> str:
        if not raw.strip("0 "):
            return ""  # CWR zero-fills an absent number
        try:
            return normalise_ipi_name_number(raw)
        except IdentifierError as exc:
            self.errors.append(
                CWRError(line_no, f"{who}: IPI name number {_sentence(exc)}; it is ignored", record_type)
            )
            return ""

    def _detail(self, record_type: str, line: str, line_no: int) -> None:
        if self._skipping_work:
            return  # the work header was bad and already reported
        work = self._work
        if work is None:
            self.errors.append(CWRError(line_no, f"{record_type} record outside a work transaction", record_type))
            return
        try:
            values = parse_record(line, self._layouts[record_type], line_no)
        except CWRError as exc:
            self.errors.append(CWRError(exc.line_no, f"{exc.message}; the record is skipped", record_type))
            return
        handler = getattr(self, f"_on_{record_type.lower()}", None)
        if handler is not None:
            try:
                handler(work, values, line_no)
            except CWRError as exc:
                self.errors.append(exc)

    # One handler per record type that feeds the work. ---------------------------

    def _on_spu(self, work: ParsedWork, v: dict[str, Any], line_no: int, controlled: bool = True) -> None:
        record_type = "SPU" if controlled else "OPU"
        if v["unknown"] and not v["name"]:
            return  # "publisher unknown": a share nobody claims
        if not v["name"]:
            raise CWRError(line_no, f"{record_type} has no publisher name; the record is skipped", record_type)
        if controlled and not v["ip_number"]:
            raise CWRError(line_no, "SPU has no interested party number; the record is skipped", record_type)
        work.publishers.append(
            PublisherInterest(
                line_no=line_no,
                controlled=controlled,
                sequence=v["publisher_sequence"],
                ip_number=v["ip_number"],
                name=v["name"],
                unknown=v["unknown"],
                role=v["publisher_type"],
                ipi_name_number=self._ipi(v["ipi_name_number"], line_no, record_type, f"publisher {v['name']!r}"),
                **_shares(v),
            )
        )

    def _on_opu(self, work: ParsedWork, v: dict[str, Any], line_no: int) -> None:
        self._on_spu(work, v, line_no, controlled=False)

    def _on_swr(self, work: ParsedWork, v: dict[str, Any], line_no: int, controlled: bool = True) -> None:
        record_type = "SWR" if controlled else "OWR"
        if v["unknown"] and not v["last_name"]:
            return  # "writer unknown"
        if not v["last_name"]:
            raise CWRError(line_no, f"{record_type} has no writer last name; the writer is skipped", record_type)
        if controlled and not v["ip_number"]:
            raise CWRError(line_no, "SWR has no interested party number; the writer is skipped", record_type)
        if controlled and not v["designation"]:
            raise CWRError(line_no, "SWR has no writer designation code; the writer is skipped", record_type)
        name = f"{v['first_name']} {v['last_name']}".strip()
        work.writers.append(
            WriterInterest(
                line_no=line_no,
                controlled=controlled,
                ip_number=v["ip_number"],
                last_name=v["last_name"],
                first_name=v["first_name"],
                unknown=v["unknown"],
                role=v["designation"],
                ipi_name_number=self._ipi(v["ipi_name_number"], line_no, record_type, f"writer {name!r}"),
                **_shares(v),
            )
        )

    def _on_owr(self, work: ParsedWork, v: dict[str, Any], line_no: int) -> None:
        self._on_swr(work, v, line_no, controlled=False)

    def _on_pwr(self, work: ParsedWork, v: dict[str, Any], line_no: int) -> None:
        for writer in work.writers:
            if writer.ip_number and writer.ip_number == v["writer_ip_number"]:
                writer.publisher_ip_numbers.append(v["publisher_ip_number"])

    def _on_alt(self, work: ParsedWork, v: dict[str, Any], line_no: int) -> None:
        if not v["title"]:
            raise CWRError(line_no, "ALT has no title; the record is skipped", "ALT")
        work.alternate_titles.append(AlternateTitle(line_no, v["title"], v["title_type"], v["language"]))

    def _on_per(self, work: ParsedWork, v: dict[str, Any], line_no: int) -> None:
        if not v["last_name"]:
            raise CWRError(line_no, "PER has no performer name; the record is skipped", "PER")
        ipi = self._ipi(v["ipi_name_number"], line_no, "PER", f"performer {v['last_name']!r}")
        work.performers.append(Performer(line_no, v["last_name"], v["first_name"], ipi))

    def _on_rec(self, work: ParsedWork, v: dict[str, Any], line_no: int) -> None:
        isrc = ""
        if v["isrc"]:
            try:
                isrc = normalise_isrc(v["isrc"])
            except IdentifierError as exc:
                self.errors.append(CWRError(line_no, f"ISRC {_sentence(exc)}; the recording is kept without it", "REC"))
        work.recordings.append(
            RecordingDetail(
                line_no=line_no,
                isrc=isrc,
                release_date=v["release_date"].strip("0"),
                duration_seconds=v["release_duration"],
                album_title=v["album_title"],
                album_label=v["album_label"],
                recording_title=v.get("recording_title", ""),
                display_artist=v.get("display_artist", ""),
            )
        )

    def _on_orn(self, work: ParsedWork, v: dict[str, Any], line_no: int) -> None:
        work.origins.append(
            Origin(line_no, v["intended_purpose"], v["production_title"], v["library"], v["cd_identifier"])
        )


@dataclass
class CWRFile:
    header: Header | None
    version: str
    works: list[ParsedWork]
    errors: list[CWRError]
    warnings: list[CWRError]
    skipped: Counter[str]


def read_cwr(source: str | os.PathLike[str] | bytes | Iterable[bytes | str]) -> CWRFile:
    """Read a whole CWR file at once (the importer streams with CWRReader instead)."""
    reader = CWRReader(source)
    works = list(reader)
    return CWRFile(reader.header, reader.version, works, reader.errors, reader.warnings, reader.skipped)
