"""What both importers produce (WorkData, InterestData) and what they report (ImportReport)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

#: Called with the number of lines (CWR) or rows (CSV) read since the previous call.
Progress = Callable[[int], None]


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


def scoped_number(sender_code: str, number: str) -> str:
    """A submitter's own number (work # or IP #) is unique only within that submitter."""
    return f"{sender_code}:{number}" if sender_code else number


def name_key(*parts: str) -> str:
    joined = "|".join(p.strip().casefold() for p in parts)
    return "~" + hashlib.sha256(joined.encode()).hexdigest()[:12]


def norm_title(title: str) -> str:
    return " ".join(title.casefold().split())
