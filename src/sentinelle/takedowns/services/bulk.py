"""Staff bulk import: rows of (work, URL, action) from a crawler or a partner, for one member.

The rows go through the member intake's own judge (``intake.judge_and_record``: the same
classification, duplicates, licensed platforms, search pages, reappearances), a chunk at a time:
each chunk of ``chunk_size`` rows is one transaction, its rows grouped by (work, action) into one
request each. What differs from a member's submission, on purpose:

- outside the daily quota (no quota row is locked or counted: links carry no ``quota_day``);
- a refused line is not stored as a refused link: it is reported with its line number (and
  neither is a duplicate), so that running the same file again changes nothing — every line
  accepted the first time is recognised as an active duplicate;
- a request that accepted nothing is not kept.

A chunk that fails on the database rolls back alone; the report says where the import stopped,
and a re-run picks up from there (what was written before is recognised as duplicates).

Input (``read_rows``): CSV with a header row naming ``work``, ``url`` and ``action`` (any order,
other columns ignored), or JSON lines (one ``{"work": …, "url": …, "action": …}`` object a
line). ``work`` is the work's id, ISWC or society work code, and must be one of the member's
works; ``action`` is ``remove``, ``delist`` or ``both``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import IO, Any

from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sentinelle import linkkit
from sentinelle.catalogue.identifiers import IdentifierError, normalise_iswc
from sentinelle.catalogue.models import Work
from sentinelle.catalogue.selectors import works_of_member
from sentinelle.core import collector
from sentinelle.core.copyrows import next_ids
from sentinelle.members.models import Member, User
from sentinelle.platforms.selectors import get_registry
from sentinelle.takedowns.models import Action, RefusalReason, ReportedLink, TakedownRequest
from sentinelle.takedowns.services.intake import (
    ACCEPTED,
    Line,
    LineVerdict,
    Recorder,
    classify_lines,
    judge_lines,
    record_judged,
)
from sentinelle.takedowns.services.links import (
    EarlierReports,
    LinkIdentity,
    encode_links,
    intake_version,
    lock_work,
    statuses,
)

CHUNK_SIZE = 1000
COLUMNS = ("work", "url", "action")
MAX_CELL = 8192  # a URL longer than 8 KB is refused by the judge; a longer cell is not read further
OUTSIDE_QUOTA = 2**62
_ACTIONS = {"remove": (Action.REMOVE,), "delist": (Action.DELIST,), "both": (Action.REMOVE, Action.DELIST)}
_DIGITS = re.compile(r"\d{1,18}")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (no header, not CSV nor JSON lines): nothing was imported."""


@dataclass(frozen=True)
class ImportRow:
    line_no: int
    work: str
    url: str
    action: str


@dataclass(frozen=True)
class LineProblem:
    """A line that was not imported, and why (``code``: a refusal reason or an input error)."""

    line_no: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.code}: {self.message}"


@dataclass
class ImportReport:
    lines: int = 0  # rows read (blank lines aside)
    accepted: int = 0  # lines that opened links
    links: int = 0  # links opened (a "both" line opens two)
    duplicates: int = 0  # lines already reported and still being handled (an earlier run, another member…)
    problems: list[LineProblem] = field(default_factory=list)  # lines not imported: bad input, refused
    stopped_at: int | None = None  # first line of the chunk that failed, when the import stopped

    def summary(self) -> str:
        refused = Counter(p.code for p in self.problems)
        parts = [
            f"{self.lines} lines read",
            f"{self.accepted} accepted ({self.links} links opened)",
            f"{self.duplicates} already reported",
            f"{len(self.problems)} not imported" + (f" ({_counts(refused)})" if refused else ""),
        ]
        if self.stopped_at is not None:
            parts.append(f"STOPPED at line {self.stopped_at}: lines from there on were not imported")
        return "; ".join(parts) + "."


def _missing(columns: list[str]) -> str:
    return _("Missing or empty: %(columns)s.") % {"columns": ", ".join(columns)}


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{code}: {n}" for code, n in sorted(counter.items()))


# --- Reading ---------------------------------------------------------------------------------


def read_rows(stream: IO[str]) -> Iterator[ImportRow | LineProblem]:
    """The rows of a CSV (with a header) or JSON-lines file, or a ``LineProblem`` per bad line.

    Raises ImportFileError when the first non-blank line is neither a JSON object nor a CSV
    header naming the three columns.
    """
    first_no, first = 0, ""
    for first_no, first in enumerate(stream, start=1):  # noqa: B007 (the loop stops at the first non-blank line)
        if first.strip():
            break
    else:
        raise ImportFileError(_("The file is empty."))
    if first.lstrip("\ufeff").lstrip().startswith("{"):
        yield from _json_rows(chain([first], stream), first_no)
    else:
        yield from _csv_rows(chain([first], stream), first_no)


def _json_rows(lines: Iterable[str], start: int) -> Iterator[ImportRow | LineProblem]:
    for line_no, line in enumerate(lines, start=start):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield LineProblem(line_no, "bad_line", _("Not a JSON object."))
            continue
        if not isinstance(record, dict):
            yield LineProblem(line_no, "bad_line", _("Not a JSON object."))
            continue
        missing = [c for c in COLUMNS if not isinstance(record.get(c), str | int) or str(record[c]).strip() == ""]
        if missing:
            yield LineProblem(line_no, "bad_line", _missing(missing))
            continue
        yield ImportRow(line_no, *(str(record[c]).strip()[:MAX_CELL] for c in COLUMNS))


def _csv_rows(lines: Iterable[str], start: int) -> Iterator[ImportRow | LineProblem]:
    reader = csv.reader(lines)
    try:
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader)]
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d is not a CSV header (%(error)s).") % {"line": start, "error": exc}
        ) from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        message = _(
            "Line %(line)d: the header must name the columns work, url and action (missing: %(missing)s); "
            "or send JSON lines."
        )
        raise ImportFileError(message % {"line": start, "missing": ", ".join(missing)})
    where = [header.index(c) for c in COLUMNS]
    offset = start - 1  # the reader counts from the first line it was given
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield LineProblem(reader.line_num + offset, "bad_line", _("Not CSV (%(error)s).") % {"error": exc})
            continue
        line_no = reader.line_num + offset
        if not any(c.strip() for c in cells):
            continue
        if len(cells) <= max(where):
            message = _("%(found)d columns where the header has %(expected)d.")
            yield LineProblem(line_no, "bad_line", message % {"found": len(cells), "expected": len(header)})
            continue
        values = [cells[i].strip()[:MAX_CELL] for i in where]
        empty = [c for c, v in zip(COLUMNS, values, strict=True) if not v]
        if empty:
            yield LineProblem(line_no, "bad_line", _missing(empty))
            continue
        yield ImportRow(line_no, *values)


# --- Works by id, ISWC or code ---------------------------------------------------------------


class _Works:
    """The member's works named in the file, by the text of their cell (looked up once per chunk)."""

    def __init__(self, member: Member) -> None:
        self.member = member
        self.found: dict[str, Work | None] = {}

    def resolve(self, cells: Iterable[str]) -> None:
        new = {c for c in cells if c not in self.found}
        if not new:
            return
        ids = {int(c) for c in new if _DIGITS.fullmatch(c)}
        iswc_of: dict[str, str] = {}
        for cell in new:
            with contextlib.suppress(IdentifierError):
                iswc_of[cell] = normalise_iswc(cell)
        named = Q(pk__in=ids) | Q(iswc__in=set(iswc_of.values())) | Q(work_code__in=new)
        by_id: dict[str, Work] = {}
        by_iswc: dict[str, Work] = {}
        by_code: dict[str, Work] = {}
        for work in works_of_member(self.member).filter(named):
            by_id[str(work.pk)] = by_code[work.work_code] = work
            if work.iswc:
                by_iswc[work.iswc] = work
        for cell in new:  # a society code first, then an ISWC, then an id
            self.found[cell] = by_code.get(cell) or by_iswc.get(iswc_of.get(cell, "")) or by_id.get(cell)

    def __getitem__(self, cell: str) -> Work | None:
        return self.found.get(cell)


# --- Importing -------------------------------------------------------------------------------

Progress = Callable[[int], object]


@dataclass
class _Judged:
    """A group judged before its chunk is written (``_Ahead``), and what its judge read: the work's
    intake version (``links.lock_work``), then the earlier reports (id, status) in the database,
    this import's own links aside."""

    recorder: Recorder
    verdicts: list[LineVerdict]
    version: int
    read: frozenset[tuple[int, str]]


@dataclass
class _Group:
    work: Work
    chosen: list[str]
    lines: list[Line]
    ahead: _Judged | None = None


@dataclass
class _Chunk:
    """``chunk_size`` rows read and classified: its bad rows, its good ones by (work, actions)."""

    first_line: int
    size: int
    problems: list[LineProblem]
    groups: list[_Group]
    # Judged ahead: the requests of this chunk and of the chunk before it (this import's own).
    own_requests: set[int] = field(default_factory=set)


@dataclass
class _Writer:
    """What the writer thread knows across chunks."""

    stale: bool = False  # a group was judged again here: the judgements made ahead since may be wrong
    locked: set[tuple[int, int]] = field(default_factory=set)  # (work id, intake version) of its own locks


def import_links(
    member: Member,
    rows: Iterable[ImportRow | LineProblem],
    *,
    actor: User | None = None,
    via_api: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    pipelined: bool | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Import ``rows`` for ``member``, ``chunk_size`` rows a transaction. Never raises for a bad
    line (it is in the report's problems); a database error stops the import (``stopped_at``)
    after the chunks already written, and is raised. ``report`` (else a new one) is filled as the
    chunks are written: given, it says after an exception what was written and where it stopped.

    ``pipelined`` (by default: on PostgreSQL, outside any transaction of the caller's): chunk n+1
    is read, classified and judged here (``_Ahead``) while a writer thread, on its own connection,
    writes chunk n: it locks the work, reads the earlier reports again and writes the judgement
    made ahead only if they are the same (else it judges the group again itself, as in turn),
    then commits — one chunk at a time, in the order of the file. The database works while
    Python judges.
    """
    report = ImportReport() if report is None else report
    works = _Works(member)
    registry = get_registry()
    platform_ids = {r.platform_id for r in registry.rules}
    writer = _Writer()

    def write(chunk: _Chunk) -> None:
        _write(member, chunk, actor, via_api, platform_ids, report, writer)

    if pipelined is None:
        pipelined = connection.vendor == "postgresql" and not connection.in_atomic_block
    judge = _Ahead(member, actor, via_api, platform_ids).judge if pipelined else None
    with contextlib.closing(_chunks(rows, max(1, chunk_size), works, registry, report, judge)) as chunks:
        if pipelined:
            _write_in_a_thread(chunks, write, report, progress)
        else:
            _write_in_turn(chunks, write, report, progress)
    return report


def _chunks(
    rows: Iterable[ImportRow | LineProblem],
    size: int,
    works: _Works,
    registry: linkkit.Registry,
    report: ImportReport,
    judge: Callable[[_Chunk], object] | None = None,
) -> Generator[_Chunk, None, None]:
    """The rows ``size`` at a time, read, classified and grouped, and judged ahead by ``judge``
    when given. The cyclic garbage collector waits meanwhile (``core.collector``) and runs once
    every ``_COLLECT_EVERY`` chunks. Each pass reads every object made since the one before and
    still alive, and a chunk's objects live until it is written, so a pass reads the chunk being
    written and the one just prepared whenever it runs: paused only around the classifying and
    the judging, it ran ~9 times a chunk, with a full pass over the process's ~170,000 objects
    every ~10 chunks (0.15 s of CPU per 10,000 lines, a third of the judging); after each chunk,
    it still took 8 % of the judging. The caller closes the iterator (the collector runs again)."""
    iterator = iter(rows)
    after = 1  # the line after the last one read
    while True:
        with collector.paused():
            for _ in range(_COLLECT_EVERY):
                try:
                    chunk = list(islice(iterator, size))
                except Exception:  # the file itself (a byte that is not UTF-8 in its middle…)
                    report.stopped_at = after
                    raise
                if not chunk:
                    return
                after = chunk[-1].line_no + 1
                try:
                    prepared = _Chunk(chunk[0].line_no, len(chunk), *_grouped(chunk, works, registry))
                    if judge is not None:
                        judge(prepared)
                except Exception:
                    report.stopped_at = chunk[0].line_no
                    raise
                yield prepared


_COLLECT_EVERY = 10


def _write_in_turn(
    chunks: Iterator[_Chunk], write: Callable[[_Chunk], None], report: ImportReport, progress: Progress | None
) -> None:
    for chunk in chunks:
        _written(chunk, functools.partial(write, chunk), report, progress)


def _write_in_a_thread(
    chunks: Iterator[_Chunk], write: Callable[[_Chunk], None], report: ImportReport, progress: Progress | None
) -> None:
    """``write`` each chunk in one writer thread while the next one is prepared here. Chunk n+1 is
    handed over only once chunk n is committed: a failed chunk stops the import, nothing after it
    is written, everything before it was (and is in the report)."""
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def job(chunk: _Chunk) -> None:  # the caller's language and time zone: the verdicts' messages
        with translation.override(language), timezone.override(zone):
            write(chunk)

    pending: tuple[_Chunk, Future[None]] | None = None
    with _handover.held(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") as writer:
        try:
            for chunk in chunks:  # prepares chunk n+1 while the writer writes chunk n
                if pending is not None:
                    done, pending = pending, None
                    _written(done[0], done[1].result, report, progress)
                pending = (chunk, writer.submit(job, chunk))
            if pending is not None:
                done, pending = pending, None
                _written(done[0], done[1].result, report, progress)
        finally:
            if pending is not None:  # the preparing failed: the chunk being written ends first
                with contextlib.suppress(Exception):  # if it failed too, the import stopped there
                    _written(pending[0], pending[1].result, report, progress)
            writer.submit(connections.close_all).result()  # the writer thread's connection


# The writer thread needs the interpreter for a moment after each of its round trips to the
# database (about ten a chunk) while this thread judges without pause, and CPython hands it over
# only after the switch interval (5 ms by default): the writer waited up to 5 ms a round trip,
# the database idle meanwhile. The interval is lowered while an import is pipelined (it is the
# process's: lowered by the first import running, set back by the last one to end). 0.1 ms rather
# than 0.5: the writer's path is the import's, and the import took 3 to 9 % less time in three
# interleaved comparisons (docs/scaling.md, 2026-12-02 afternoon).
_HANDOVER_S = 0.0001


def _lower_switch_interval() -> Callable[[], object]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(_HANDOVER_S, before))
    return functools.partial(sys.setswitchinterval, before)


_handover = collector.Held(_lower_switch_interval)


def _written(chunk: _Chunk, written: Callable[[], object], report: ImportReport, progress: Progress | None) -> None:
    """Wait for ``chunk`` to be written (``written``: the writing itself, or its future's result):
    where a failure stopped the import goes to the report; the progress counts the chunk either way."""
    try:
        written()
    except Exception:
        report.stopped_at = chunk.first_line
        raise
    finally:
        if progress is not None:
            progress(chunk.size)


def _grouped(
    chunk: list[ImportRow | LineProblem], works: _Works, registry: linkkit.Registry
) -> tuple[list[LineProblem], list[_Group]]:
    """The chunk's bad rows, and its good rows classified and grouped by (work, actions)."""
    works.resolve(r.work for r in chunk if isinstance(r, ImportRow))
    problems: list[LineProblem] = []
    # By the work's id (a model's hash costs two calls a row), with the work and its lines.
    pasted_by: dict[tuple[int, tuple[str, ...]], tuple[Work, list[linkkit.PastedLine]]] = {}
    for row in chunk:
        if isinstance(row, LineProblem):
            problems.append(row)
            continue
        chosen = _ACTIONS.get(row.action.lower())
        work = works[row.work]
        if chosen is None:
            problems.append(LineProblem(row.line_no, "invalid_action", f"{row.action!r}: remove, delist or both"))
        elif work is None:
            problems.append(
                LineProblem(row.line_no, "work_not_found", f"{row.work!r} is not one of the member's works")
            )
        else:
            pasted = list(linkkit.extract_lines(row.url, max_lines=1)) or [linkkit.PastedLine(0, row.url[:200], None)]
            _work, lines = pasted_by.setdefault((work.pk, chosen), (work, []))
            lines.extend(linkkit.PastedLine(row.line_no, p.text, p.url) for p in pasted)
    groups = [
        _Group(work, list(chosen), classify_lines(lines, registry))
        for (_pk, chosen), (work, lines) in pasted_by.items()
    ]
    return problems, groups


# --- Judged ahead (pipelined) ----------------------------------------------------------------

# The links this import is writing, not committed yet, by (work id, key kind, key): (id, values, when).
Pending = dict[tuple[int, str, str], list[tuple[int, dict[str, Any], dt.datetime]]]
_KEY_FIELDS = (("i", "identity_key"), ("c", "content_key"), ("f", "file_key"))


class _Ahead:
    """The judge of a chunk run while the chunk before it is being written, on this thread's
    connection (no lock: the writer checks what it read). Its requests' and links' ids are taken
    from their sequences first; the links of the chunk being written, not committed yet, are
    known from memory (``before``), so a later line naming one of them is a duplicate."""

    def __init__(self, member: Member, actor: User | None, via_api: bool, platform_ids: set[int | str]) -> None:
        self.member, self.actor, self.via_api, self.platform_ids = member, actor, via_api, platform_ids
        self.before: Pending = {}
        self.before_requests: set[int] = set()

    def judge(self, chunk: _Chunk) -> _Chunk:
        opened: Pending = {}
        chunk.own_requests = set(self.before_requests)
        for group in chunk.groups:
            request_id = next_ids(TakedownRequest, 1)[0]
            chunk.own_requests.add(request_id)
            version = intake_version(group.work.pk)  # before the reports: a link opened after it moves it
            reports, read = self._reports(group, chunk.own_requests, (self.before, opened))
            request = TakedownRequest(
                pk=request_id, member=self.member, work=group.work, actions=group.chosen, via_api=self.via_api
            )
            now = timezone.now()
            recorder = Recorder(
                request,
                self.member,
                group.work,
                group.chosen,
                self.actor,
                now,
                None,
                self.platform_ids,
                staff_import=True,
                request_written=False,  # finish() inserts it
            )
            verdicts = judge_lines(recorder, group.lines, reports, OUTSIDE_QUOTA)
            ids = recorder.link_ids = next_ids(ReportedLink, len(recorder.opened)) if recorder.opened else []
            if ids:  # encoded here: the writer only sends them
                recorder.encoded = encode_links(recorder.opened, actor=self.actor, at=recorder.now, ids=ids)
            recorder.settle(verdicts, ids)  # and what the ids tell worked out here: the writer only writes
            for pk, (values, _events) in zip(ids, recorder.opened, strict=True):
                for kind, name in _KEY_FIELDS:
                    if values[name]:
                        opened.setdefault((group.work.pk, kind, values[name]), []).append((pk, values, recorder.now))
            group.ahead = _Judged(recorder, verdicts, version, read)
        self.before, self.before_requests = opened, chunk.own_requests - self.before_requests
        return chunk

    def _reports(
        self, group: _Group, own: set[int], pending: tuple[Pending, ...]
    ) -> tuple[EarlierReports, frozenset[tuple[int, str]]]:
        """The earlier reports of the group's links: those committed but this import's own (which
        may or may not be committed yet), and this import's own from memory."""
        identities = [line.identity for line in group.lines if line.identity is not None]
        reports = EarlierReports(group.work.pk, group.chosen, identities)
        if any(row.request_id in own for row in reports.rows):
            kept = [row for row in reports.rows if row.request_id not in own]
            reports.by_key, reports.rows = {}, kept
            reports.add(kept)
        work_id = group.work.pk
        wanted = {
            (work_id, kind, key)
            for identity in identities
            for kind, key in (("i", identity.identity_key), ("c", identity.content_key), ("f", identity.file_key))
            if key
        }
        ours: dict[int, ReportedLink] = {}
        for links_by_key in pending:  # an intersection: a new chunk's keys are mostly in neither
            for found in wanted & links_by_key.keys():
                for pk, values, at in links_by_key[found]:
                    if pk not in ours:
                        ours[pk] = ReportedLink(pk=pk, created_at=at, **values)
        reports.add(ours.values())  # in any order: a key's reports are read latest first (EarlierReports)
        return reports, frozenset((row.pk, row.status) for row in reports.rows)


# --- Writing ---------------------------------------------------------------------------------


def _write(
    member: Member,
    chunk: _Chunk,
    actor: User | None,
    via_api: bool,
    platform_ids: set[int | str],
    report: ImportReport,
    writer: _Writer,
) -> None:
    """Judge (or check the judgement made ahead) and write one chunk in one transaction; its
    counts go into ``report`` once committed."""
    tally = ImportReport(lines=chunk.size, problems=list(chunk.problems))
    with transaction.atomic():
        for group in chunk.groups:
            ahead = None if writer.stale else group.ahead
            used = _import_group(member, group, actor, via_api, platform_ids, tally, ahead, chunk.own_requests, writer)
            writer.stale = writer.stale or (group.ahead is not None and not used)
    report.lines += tally.lines
    report.accepted += tally.accepted
    report.links += tally.links
    report.duplicates += tally.duplicates
    report.problems.extend(sorted(tally.problems, key=lambda p: p.line_no))


def _import_group(
    member: Member,
    group: _Group,
    actor: User | None,
    via_api: bool,
    platform_ids: set[int | str],
    report: ImportReport,
    ahead: _Judged | None,
    own_requests: set[int],
    writer: _Writer,
) -> bool:
    """Judge and write one group; returns whether the judgement made ahead was written (it is
    when the earlier reports, under the lock, are still those it read: ``_as_read``)."""
    work = group.work
    version = lock_work(work.pk)  # as a submission does
    identities = [line.identity for line in group.lines if line.identity is not None]
    reports = None
    if ahead is not None:
        reports = _as_read(ahead, work.pk, group.chosen, identities, own_requests, version, writer)
    writer.locked.add((work.pk, version))
    if ahead is not None and reports is None:
        recorder, verdicts = ahead.recorder, ahead.verdicts  # its request is written with its counts
    else:
        request = TakedownRequest.objects.create(member=member, work=work, actions=group.chosen, via_api=via_api)
        now: dt.datetime = timezone.now()
        recorder = Recorder(request, member, work, group.chosen, actor, now, None, platform_ids, staff_import=True)
        reports = reports or EarlierReports(work.pk, group.chosen, identities)
        verdicts = judge_lines(recorder, group.lines, reports, OUTSIDE_QUOTA)
        ahead = None
    record_judged(recorder, verdicts)
    if not recorder.opened:
        recorder.request.delete()
    _tally(verdicts, report)
    return ahead is not None


def _as_read(
    ahead: _Judged,
    work_id: int,
    chosen: list[str],
    identities: list[LinkIdentity],
    own_requests: set[int],
    version: int,
    writer: _Writer,
) -> EarlierReports | None:
    """None when the earlier reports of the group's links, read now under the work's lock, are
    those the judge read ahead; else the reports read now.

    When every intake version between the judge's reading and this lock (``version``) is one of
    this import's own locks, nobody else opened a link for the work meanwhile (every opening locks
    it first: ``links.lock_work``): the reports are those read, unless one changed status (status
    changes do not lock the work), so only the statuses of what was read are read again — by id,
    none for new links. Reading the reports again by their keys cost the writer, on whose path the
    import is, ~6 % of its time (4 to 9 ms a 1,000-line chunk: a probe a key)."""
    others = any((work_id, v) not in writer.locked for v in range(ahead.version + 1, version))
    if not others and statuses({pk for pk, _status in ahead.read}) == ahead.read:
        return None
    reports = EarlierReports(work_id, chosen, identities)
    if ahead.read == {(r.pk, r.status) for r in reports.rows if r.request_id not in own_requests}:
        return None
    return reports


def _tally(verdicts: list[LineVerdict], report: ImportReport) -> None:
    for verdict in verdicts:
        if verdict.outcome == ACCEPTED:
            report.accepted += 1
            report.links += len(verdict.link_ids)
        elif verdict.reason == RefusalReason.DUPLICATE:
            report.duplicates += 1
        else:
            report.problems.append(LineProblem(verdict.line_no, verdict.reason or "refused", verdict.message))
