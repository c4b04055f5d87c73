"""Input validation and output shapes of the REST API (/api/v1)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

# Ids are 64-bit on every backend; a larger number can name nothing and must not reach the SQL.
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

ActionName = Literal["remove", "delist"]
StatusName = Literal[
    "refused",
    "accepted",
    "notice_sent",
    "removed",
    "delisted",
    "still_online",
    "escalated",
    "refused_by_platform",
    "counter_notice",
    "reappeared",
    "removal_announced",
    "unverifiable",
    "closed",
    "pursued",
]
OutcomeName = Literal["reported", "removed", "online", "refused", "pending", "closed", "not_accepted"]
RefusalName = Literal["not_a_url", "licensed_platform", "duplicate", "quota", "search_page", "too_many_lines"]
EventKindName = Literal[
    "received", "accepted", "refused", "notice_sent", "answer", "check", "escalated", "result", "note"
]


def _clean_text(value: str) -> str:
    """Text the database can hold: valid UTF-8 (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it holds a lone surrogate)") from None
    return value


# Said in the schema too (the validator below refuses the same): text with no NUL character.
NO_NUL = r"^[^\x00]*$"


# What str.splitlines() splits on. An item of urls is one line: line breaks only at its end.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SINGLE_LINE = r"^[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*[\r\n]*$"
_A_LINE_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")


def _clean_query_text(value: str) -> str:
    value = _clean_text(value)
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# --- errors ---------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str = Field(description="Stable, machine-readable: unauthenticated, not_found, invalid_request, …")
    message: str = Field(description="For a person, in the request's language (Accept-Language).")
    details: list[dict[str, Any]] | None = Field(None, description="Which fields failed validation, when relevant.")


class ErrorOut(Schema):
    error: ErrorDetail


# --- works ----------------------------------------------------------------------------------


class WorksQuery(Schema):
    q: str = Field(
        "",
        max_length=200,
        pattern=NO_NUL,
        description="Title, alternate title or ISWC (whole or partial).",
    )
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("q")
    @classmethod
    def _q_is_text(cls, value: str) -> str:
        return _clean_query_text(value)


class WorkRef(Schema):
    id: int
    title: str


class WorkOut(Schema):
    id: int
    title: str
    iswc: str | None = Field(description="Formatted ISWC, e.g. T-034.524.680-1")
    open_links: int = Field(description="Links of this work still being handled (not final, not refused).")


class WorkPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WorkOut]


# --- submissions ----------------------------------------------------------------------------


class SubmissionIn(Schema):
    """Either ``text`` (anything pasted: one address a line, or prose holding addresses) or ``urls``."""

    # Exactly one of the two, as _one_source says: the schema tells clients so.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}, "urls": {"type": "null"}},
                },
                {
                    "required": ["urls"],
                    "properties": {"urls": {"type": "array"}, "text": {"type": "null"}},
                },
            ]
        },
    )

    text: str | None = Field(None, description="Pasted text, as on the report page. At most 1 MB and 1,000 lines.")
    urls: list[Annotated[str, Field(pattern=SINGLE_LINE)]] | None = Field(
        None, min_length=1, description="One address per item; each item counts as one line."
    )
    actions: list[ActionName] = Field(
        min_length=1, max_length=2, description="remove: notice to the host; delist: notice to search engines."
    )

    @field_validator("text")
    @classmethod
    def _text_is_unicode(cls, value: str | None) -> str | None:
        return None if value is None else _clean_text(value)

    @field_validator("urls")
    @classmethod
    def _urls_are_single_lines(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        _clean_text("".join(value))
        if any(_A_LINE_BREAK.search(item.rstrip("\r\n")) for item in value):
            raise ValueError("each item of urls must be a single line")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> SubmissionIn:
        if (self.text is None) == (self.urls is None):
            raise ValueError("give either text or urls, not both")
        return self

    def pasted_text(self) -> str:
        return self.text if self.text is not None else "\n".join(self.urls or [])


class VerdictOut(BaseModel):
    # A plain pydantic model, not a ninja Schema: ninja's per-object getter costs ~50 µs a verdict
    # (50 ms for a 1,000-line answer); the API hands it dicts, validated as well by pydantic alone.
    line: int = Field(description="1-based line number in the text (or index + 1 in urls).")
    text: str = Field(description="The line as received (cut at 2,000 characters).")
    outcome: Literal["accepted", "refused"]
    reason: RefusalName | None = Field(description="Why it was refused; null when accepted.")
    message: str
    url: str | None = Field(description="The canonical address, when the line held one.")
    platform: str | None = Field(description="The platform's name, or the site when it is not in the registry.")
    actions: list[ActionName] = Field(description="The actions taken for this line (accepted only).")
    recipients: list[str] = Field(description="Who will receive the notice(s).")
    link_ids: list[int] = Field(description="The links saved for this line (accepted, or refused with an address).")
    duplicate_of: int | None = Field(description="Your earlier link with the same address, when a duplicate.")
    reappearance_of: int | None = Field(description="The earlier link taken down before and now back online.")


class QuotaOut(Schema):
    limit: int
    remaining: int
    resets_at: dt.datetime


class SubmissionOut(Schema):
    request_id: int | None
    work: WorkRef
    accepted: int = Field(description="Lines accepted.")
    refused: int = Field(description="Lines refused.")
    verdicts: list[VerdictOut]
    quota: QuotaOut


# --- links ----------------------------------------------------------------------------------


class LinksQuery(Schema):
    work: int | None = Field(None, ge=1, le=MAX_ID, description="A work id.")
    status: StatusName | None = None
    outcome: OutcomeName | None = Field(
        None, description="What became of the links (as on the dashboard); reported: every accepted link."
    )
    platform: str = Field(
        "", max_length=255, pattern=NO_NUL, description="Platform name or site (e.g. mega.nz), any case."
    )
    date_from: dt.date | None = Field(None, description="Reported on or after this day (YYYY-MM-DD).")
    date_to: dt.date | None = Field(None, description="Reported on or before this day (YYYY-MM-DD).")
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str = Field(
        "",
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="next_cursor or previous_cursor of a page with the same filters; empty: the newest links.",
    )

    @field_validator("platform")
    @classmethod
    def _platform_is_text(cls, value: str) -> str:
        return _clean_query_text(value)

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_days_only(cls, value: object) -> object:
        # pydantic would also take "0" or "1700000000" as a Unix time: a day is written YYYY-MM-DD.
        if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
            raise ValueError("a day is written YYYY-MM-DD")
        return value


class LinkOut(Schema):
    id: int
    url: str = Field(description="The canonical address.")
    submitted_url: str = Field(description="The address as it was pasted.")
    work: WorkRef
    action: ActionName
    status: StatusName
    refusal_reason: RefusalName | None
    platform: str = Field(description="The platform's name, or the site when it is not in the registry.")
    site: str = Field(description="The registrable domain.")
    recipients: list[str]
    duplicate_of: int | None
    leads_to: str | None = Field(
        default=None,
        description="A short link, once followed: the address it leads to (null: not followed, or no target).",
    )
    info_hash: str | None = Field(
        default=None,
        description="A torrent page: the BitTorrent info-hash (40 hex digits) its address or its page shows.",
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class LinkPage(Schema):
    count: int | None = Field(description="How many links match, when at most 1,000 do; else null.")
    count_more_than: int | None = Field(description="When count is null: more than this many links match.")
    limit: int
    next_cursor: str | None = Field(description="The cursor of the next (older) page; null on the last one.")
    previous_cursor: str | None = Field(description="The cursor of the previous (newer) page; null on the first.")
    items: list[LinkOut]


class EventOut(Schema):
    at: dt.datetime
    kind: EventKindName
    from_status: StatusName | None
    to_status: StatusName | None
    message: str = Field(
        description="For a person, in the request's language (Accept-Language), whenever it was written."
    )


class LinkDetailOut(LinkOut):
    events: list[EventOut] = Field(description="The timeline, oldest first.")


class ImportProblemOut(Schema):
    line: int = Field(description="The line of the file (1 = its first line, the CSV header included).")
    code: str = Field(description="bad_line, invalid_action, work_not_found, or the intake's refusal reason.")
    message: str


class ImportOut(Schema):
    lines: int = Field(description="Rows read (blank lines aside).")
    accepted: int = Field(description="Lines that opened links.")
    links: int = Field(description="Links opened (a line for both actions opens two).")
    duplicates: int = Field(description="Lines already reported and still being handled: nothing new was written.")
    not_imported: list[ImportProblemOut] = Field(description="Every line not imported, with its line number and why.")
