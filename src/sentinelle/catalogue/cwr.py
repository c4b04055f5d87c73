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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sentinelle.catalogue.identifiers import (
    IdentifierError,
    normalise_ipi_name_number,
    normalise_isrc,
    normalise_iswc,
    normalise_society_code,
)

FieldType = Literal["str", "int", "share", "hms", "flag"]

#: (name, start, length, type); start is 0-based.
FieldSpec = tuple[str, int, int, FieldType]

_TX_PREFIX: list[FieldSpec] = [
    ("record_type", 0, 3, "str"),
    ("transaction_seq", 3, 8, "int"),
    ("record_seq", 11, 8, "int"),
]

_WORK: list[FieldSpec] = [
    ("title", 19, 60, "str"),
    ("language", 79, 2, "str"),
    ("submitter_work_number", 81, 14, "str"),
    ("iswc", 95, 11, "str"),
    ("copyright_date", 106, 8, "str"),
    ("copyright_number", 114, 12, "str"),
    ("distribution_category", 126, 3, "str"),
    ("duration", 129, 6, "hms"),
    ("recorded", 135, 1, "flag"),
    ("text_music_relationship", 136, 3, "str"),
    ("composite_type", 139, 3, "str"),
    ("version_type", 142, 3, "str"),
    ("excerpt_type", 145, 3, "str"),
    ("music_arrangement", 148, 3, "str"),
    ("lyric_adaptation", 151, 3, "str"),
    ("contact_name", 154, 30, "str"),
    ("contact_id", 184, 10, "str"),
    ("work_type", 194, 2, "str"),
    ("grand_rights", 196, 1, "flag"),
    ("composite_component_count", 197, 3, "int"),
    ("printed_edition_date", 200, 8, "str"),
    ("exceptional_clause", 208, 1, "flag"),
    ("opus_number", 209, 25, "str"),
    ("catalogue_number", 234, 25, "str"),
    ("priority", 259, 1, "flag"),
]

_PUBLISHER: list[FieldSpec] = [
    ("publisher_sequence", 19, 2, "int"),
    ("ip_number", 21, 9, "str"),
    ("name", 30, 45, "str"),
    ("unknown", 75, 1, "flag"),
    ("publisher_type", 76, 2, "str"),
    ("tax_id", 78, 9, "str"),
    ("ipi_name_number", 87, 11, "str"),
    ("submitter_agreement_number", 98, 14, "str"),
    ("pr_society", 112, 3, "str"),
    ("pr_share", 115, 5, "share"),
    ("mr_society", 120, 3, "str"),
    ("mr_share", 123, 5, "share"),
    ("sr_society", 128, 3, "str"),
    ("sr_share", 131, 5, "share"),
    ("special_agreements", 136, 1, "str"),
    ("first_recording_refusal", 137, 1, "flag"),
    ("ipi_base_number", 139, 13, "str"),
    ("isac", 152, 14, "str"),
    ("society_agreement_number", 166, 14, "str"),
    ("agreement_type", 180, 2, "str"),
    ("usa_license", 182, 1, "str"),
]

_WRITER: list[FieldSpec] = [
    ("ip_number", 19, 9, "str"),
    ("last_name", 28, 45, "str"),
    ("first_name", 73, 30, "str"),
    ("unknown", 103, 1, "flag"),
    ("designation", 104, 2, "str"),
    ("tax_id", 106, 9, "str"),
    ("ipi_name_number", 115, 11, "str"),
    ("pr_society", 126, 3, "str"),
    ("pr_share", 129, 5, "share"),
    ("mr_society", 134, 3, "str"),
    ("mr_share", 137, 5, "share"),
    ("sr_society", 142, 3, "str"),
    ("sr_share", 145, 5, "share"),
    ("reversionary", 150, 1, "str"),
    ("first_recording_refusal", 151, 1, "flag"),
    ("work_for_hire", 152, 1, "flag"),
    ("ipi_base_number", 154, 13, "str"),
    ("personal_number", 167, 12, "str"),
    ("usa_license", 179, 1, "str"),
]

_PUBLISHER_TERRITORY: list[FieldSpec] = [
    ("ip_number", 19, 9, "str"),
    ("pr_collection_share", 34, 5, "share"),
    ("mr_collection_share", 39, 5, "share"),
    ("sr_collection_share", 44, 5, "share"),
    ("inclusion", 49, 1, "str"),
    ("tis_code", 50, 4, "int"),
    ("shares_change", 54, 1, "flag"),
    ("sequence", 55, 3, "int"),
]

_WRITER_TERRITORY: list[FieldSpec] = [
    ("ip_number", 19, 9, "str"),
    ("pr_collection_share", 28, 5, "share"),
    ("mr_collection_share", 33, 5, "share"),
    ("sr_collection_share", 38, 5, "share"),
    ("inclusion", 43, 1, "str"),
    ("tis_code", 44, 4, "int"),
    ("shares_change", 48, 1, "flag"),
    ("sequence", 49, 3, "int"),
]

_REC_21: list[FieldSpec] = [
    ("release_date", 19, 8, "str"),
    ("release_duration", 87, 6, "hms"),
    ("album_title", 98, 60, "str"),
    ("album_label", 158, 60, "str"),
    ("catalogue_number", 218, 18, "str"),
    ("ean", 236, 13, "str"),
    ("isrc", 249, 12, "str"),
    ("recording_format", 261, 1, "str"),
    ("recording_technique", 262, 1, "str"),
    ("media_type", 263, 3, "str"),
]

# CWR 2.2 appends these to REC (and nothing before them moves).
_REC_22_EXTRA: list[FieldSpec] = [
    ("recording_title", 266, 60, "str"),
    ("version_title", 326, 60, "str"),
    ("display_artist", 386, 60, "str"),
    ("record_label", 446, 60, "str"),
    ("isrc_validity", 506, 20, "str"),
    ("submitter_recording_id", 526, 14, "str"),
]


@dataclass(frozen=True)
class Layout:
    fields: list[FieldSpec]
    #: A shorter line lacks a mandatory field; beyond it, missing trailing fields read as blank.
    min_length: int


_LAYOUTS_21: dict[str, Layout] = {
    "HDR": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("sender_type", 3, 2, "str"),
            ("sender_id", 5, 9, "str"),
            ("sender_name", 14, 45, "str"),
            ("edi_version", 59, 5, "str"),
            ("creation_date", 64, 8, "str"),
            ("creation_time", 72, 6, "str"),
            ("transmission_date", 78, 8, "str"),
            ("character_set", 86, 15, "str"),
            # CWR 2.2 only: blank in 2.1 files.
            ("cwr_version", 101, 3, "str"),
            ("cwr_revision", 104, 3, "str"),
            ("software_package", 107, 30, "str"),
            ("software_version", 137, 30, "str"),
        ],
        min_length=59,
    ),
    "GRH": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("transaction_type", 3, 3, "str"),
            ("group_id", 6, 5, "int"),
            ("version", 11, 5, "str"),
            ("batch_request", 16, 10, "str"),
        ],
        min_length=11,
    ),
    "GRT": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("group_id", 3, 5, "int"),
            ("transaction_count", 8, 8, "int"),
            ("record_count", 16, 8, "int"),
        ],
        min_length=24,
    ),
    "TRL": Layout(
        [
            ("record_type", 0, 3, "str"),
            ("group_count", 3, 5, "int"),
            ("transaction_count", 8, 8, "int"),
            ("record_count", 16, 8, "int"),
        ],
        min_length=24,
    ),
    "NWR": Layout(_TX_PREFIX + _WORK, min_length=95),
    "ACK": Layout(
        [
            *_TX_PREFIX,
            ("creation_date", 19, 8, "str"),
            ("creation_time", 27, 6, "str"),
            ("original_group_id", 33, 5, "int"),
            ("original_transaction_seq", 38, 8, "int"),
            ("original_transaction_type", 46, 3, "str"),
            ("creation_title", 49, 60, "str"),
            ("submitter_creation_number", 109, 20, "str"),
            ("recipient_creation_number", 129, 20, "str"),
            ("processing_date", 149, 8, "str"),
            ("transaction_status", 157, 2, "str"),
        ],
        min_length=159,
    ),
    # Controlled publishers must carry their shares; other publishers may stop after their type.
    "SPU": Layout(_TX_PREFIX + _PUBLISHER, min_length=136),
    "OPU": Layout(_TX_PREFIX + _PUBLISHER, min_length=76),
    "SPT": Layout(_TX_PREFIX + _PUBLISHER_TERRITORY, min_length=54),
    "OPT": Layout(_TX_PREFIX + _PUBLISHER_TERRITORY, min_length=54),
    "SWR": Layout(_TX_PREFIX + _WRITER, min_length=150),
    "OWR": Layout(_TX_PREFIX + _WRITER, min_length=104),
    "SWT": Layout(_TX_PREFIX + _WRITER_TERRITORY, min_length=48),
    "OWT": Layout(_TX_PREFIX + _WRITER_TERRITORY, min_length=48),
    "PWR": Layout(
        [
            *_TX_PREFIX,
            ("publisher_ip_number", 19, 9, "str"),
            ("publisher_name", 28, 45, "str"),
            ("submitter_agreement_number", 73, 14, "str"),
            ("society_agreement_number", 87, 14, "str"),
            ("writer_ip_number", 101, 9, "str"),
            ("publisher_sequence", 110, 2, "int"),  # 2.2 only
        ],
        min_length=28,
    ),
    "ALT": Layout(
        [*_TX_PREFIX, ("title", 19, 60, "str"), ("title_type", 79, 2, "str"), ("language", 81, 2, "str")],
        min_length=81,
    ),
    "PER": Layout(
        [
            *_TX_PREFIX,
            ("last_name", 19, 45, "str"),
            ("first_name", 64, 30, "str"),
            ("ipi_name_number", 94, 11, "str"),
            ("ipi_base_number", 105, 13, "str"),
        ],
        min_length=20,
    ),
    "REC": Layout(_TX_PREFIX + _REC_21, min_length=19),
    "ORN": Layout(
        [
            *_TX_PREFIX,
            ("intended_purpose", 19, 3, "str"),
            ("production_title", 22, 60, "str"),
            ("cd_identifier", 82, 15, "str"),
            ("cut_number", 97, 4, "int"),
            ("library", 101, 60, "str"),
        ],
        min_length=22,
    ),
}
for _alias in ("REV", "ISW", "EXC"):
    _LAYOUTS_21[_alias] = _LAYOUTS_21["NWR"]

_LAYOUTS_22: dict[str, Layout] = {
    **_LAYOUTS_21,
    "REC": Layout(_TX_PREFIX + _REC_21 + _REC_22_EXTRA, min_length=19),
}

#: The grammar, per CWR version.
LAYOUTS: dict[str, dict[str, Layout]] = {"2.1": _LAYOUTS_21, "2.2": _LAYOUTS_22}

WORK_RECORDS = frozenset({"NWR", "REV", "ISW", "EXC"})

#: Record types that exist in CWR 2.x but carry nothing Sentinelle keeps.
SKIPPED_RECORDS = frozenset(
    {
        "AGR", "TER", "IPA", "NPA", "NPN", "NPR", "NAT", "NET", "NCT", "NVT", "NOW", "NWN",
        "EWT", "VER", "COM", "ATT", "INS", "IND", "MSG", "XRF", "ARI",
    }
)  # fmt: skip

TRANSACTION_STATUS_REJECTED = "RJ"


class CWRError(Exception):
    """A problem with one line of a CWR file."""

    def __init__(self, line_no: int, message: str, record_type: str = "") -> None:
        super().__init__(message)
        self.line_no = line_no
        self.message = message
        self.record_type = record_type

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.message}"

    def __repr__(self) -> str:
        return f"CWRError({self.line_no!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CWRError) and (self.line_no, self.message) == (other.line_no, other.message)

    def __hash__(self) -> int:
        return hash((self.line_no, self.message))


# --- What a transaction yields -------------------------------------------------


@dataclass
class Header:
    line_no: int
    sender_type: str
    sender_id: str
    sender_name: str
    creation_date: str
    character_set: str
    version: str
    revision: str
    software: str

    @property
    def sender_code(self) -> str:
        """Who sent the file, compactly: ``PB199``, ``SO52``, or an 11-digit IPI name number.

        CWR 2.2 puts the first two digits of a long IPI name number in the
        sender type; we keep such a sender as its full number.
        """
        if self.sender_type.isdigit():
            return self.sender_type + self.sender_id
        return self.sender_type + (self.sender_id.lstrip("0") or "0")


@dataclass
class Acknowledgement:
    line_no: int
    transaction_seq: int
    status: str
    original_transaction_type: str
    title: str
    submitter_creation_number: str
    recipient_creation_number: str

    @property
    def rejected(self) -> bool:
        return self.status == TRANSACTION_STATUS_REJECTED


@dataclass
class WriterInterest:
    line_no: int
    controlled: bool
    ip_number: str
    last_name: str
    first_name: str
    unknown: bool
    role: str
    ipi_name_number: str
    pr_share: Decimal
    mr_share: Decimal
    sr_share: Decimal
    publisher_ip_numbers: list[str] = field(default_factory=list)
    # PR, MR and SR affiliation society codes (CISAC, three digits), "" when the record gives none.
    pr_society: str = ""
    mr_society: str = ""
    sr_society: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class PublisherInterest:
    line_no: int
    controlled: bool
    sequence: int | None
    ip_number: str
    name: str
    unknown: bool
    role: str
    ipi_name_number: str
    pr_share: Decimal
    mr_share: Decimal
    sr_share: Decimal
    # PR, MR and SR affiliation society codes (CISAC, three digits), "" when the record gives none.
    pr_society: str = ""
    mr_society: str = ""
    sr_society: str = ""


@dataclass
class AlternateTitle:
    line_no: int
    title: str
    title_type: str
    language: str


@dataclass
class Performer:
    line_no: int
    last_name: str
    first_name: str
    ipi_name_number: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class RecordingDetail:
    line_no: int
    isrc: str
    release_date: str
    duration_seconds: int | None
    album_title: str
    album_label: str
    recording_title: str = ""
    display_artist: str = ""


@dataclass
class Origin:
    line_no: int
    intended_purpose: str
    production_title: str
    library: str
    cd_identifier: str


@dataclass
class ParsedWork:
    """One work registration (NWR, REV, ISW or EXC) with its detail records."""

    line_no: int
    record_type: str
    transaction_seq: int
    title: str
    language: str
    submitter_work_number: str
    iswc: str  # compact and valid, or ""
    duration_seconds: int | None
    version_type: str
    sender_code: str = ""
    ack: Acknowledgement | None = None
    writers: list[WriterInterest] = field(default_factory=list)
    publishers: list[PublisherInterest] = field(default_factory=list)
    alternate_titles: list[AlternateTitle] = field(default_factory=list)
    performers: list[Performer] = field(default_factory=list)
    recordings: list[RecordingDetail] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    @property
    def last_line_no(self) -> int:
        details: list[Any] = [
            *self.writers, *self.publishers, *self.alternate_titles, *self.performers, *self.recordings, *self.origins
        ]  # fmt: skip
        return max([self.line_no, *(d.line_no for d in details)])


def _society(v: dict[str, Any], name: str) -> str:
    raw = str(v.get(name) or "")
    return normalise_society_code(raw) if raw.strip() else ""


# --- Reading -------------------------------------------------------------------


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


def _parse_share(text: str) -> Decimal:
    """CWR shares: 5 digits, 3 before the implied decimal point ("05000" → 50.00)."""
    text = text.strip()
    if not text:
        return Decimal(0)
    if not text.isdigit():
        raise ValueError("is not a share (5 digits, e.g. 05000 for 50%)")
    value = Decimal(int(text)) / 100
    if value > 100:
        raise ValueError("is more than 100%")
    return value


def _parse_hms(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.isdigit() or len(text) != 6:
        raise ValueError("is not a duration (HHMMSS)")
    hours, minutes, seconds = int(text[:2]), int(text[2:4]), int(text[4:])
    if minutes > 59 or seconds > 59:
        raise ValueError("is not a duration (HHMMSS)")
    return hours * 3600 + minutes * 60 + seconds or None


def parse_record(line: str, layout: Layout, line_no: int) -> dict[str, Any]:
    """Slice one line by its layout; raise CWRError on a short line or a bad field."""
    record_type = line[:3]
    if len(line) < layout.min_length:
        raise CWRError(
            line_no,
            f"{record_type} record is too short ({len(line)} characters, at least {layout.min_length} expected)",
            record_type,
        )
    values: dict[str, Any] = {}
    for name, start, length, kind in layout.fields:
        text = line[start : start + length]
        try:
            if kind == "str":
                values[name] = text.strip()
            elif kind == "flag":
                values[name] = text.strip().upper() == "Y"
            elif kind == "int":
                stripped = text.strip()
                if stripped and not stripped.isdigit():
                    raise ValueError("is not a number")
                values[name] = int(stripped) if stripped else None
            elif kind == "share":
                values[name] = _parse_share(text)
            elif kind == "hms":
                values[name] = _parse_hms(text.strip())
        except ValueError as exc:
            human = name.replace("_", " ")
            raise CWRError(line_no, f"{record_type} {human} {text!r} (column {start + 1}) {exc}", record_type) from None
    return values


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
            record_type = line[:3].upper()
            if first:
                first = False
                if record_type != "HDR":
                    self.errors.append(CWRError(line_no, f"the file does not start with an HDR record ({line[:3]!r})"))
                    if record_type not in _LAYOUTS_21 and record_type not in SKIPPED_RECORDS:
                        self.errors.append(CWRError(line_no, "this is not a CWR file; reading stopped"))
                        return
            self._file_records += 1
            self._group_records += 1
            if record_type in ("GRH", "GRT", "TRL", "HDR"):
                yield from self._flush()
                self._control_record(record_type, line, line_no)
                continue
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
        yield from self._flush()
        if not self._trailer_seen:
            self.warnings.append(CWRError(self.lines_read, "no TRL record at the end: the file may be truncated"))

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
            values = parse_record(line, _LAYOUTS_21[record_type], line_no)
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
                pr_share=v["pr_share"],
                mr_share=v["mr_share"],
                sr_share=v["sr_share"],
                pr_society=_society(v, "pr_society"),
                mr_society=_society(v, "mr_society"),
                sr_society=_society(v, "sr_society"),
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
                pr_share=v["pr_share"],
                mr_share=v["mr_share"],
                sr_share=v["sr_share"],
                pr_society=_society(v, "pr_society"),
                mr_society=_society(v, "mr_society"),
                sr_society=_society(v, "sr_society"),
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
