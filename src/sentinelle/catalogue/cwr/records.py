"""What reading a CWR file yields: one dataclass per kind of record kept, and CWRError."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
