"""Saving works by the batch: the one writer of the catalogue's works, titles, recordings, parties
and interests, for both importers.

A batch of up to ``BATCH_SIZE`` works is written in one transaction with a fixed number of
queries, whatever its size: the works are looked up by work code and ISWC at once, the parties
and members of the whole batch are read at once (and kept for the rest of the import), and every
table is written with one ``INSERT … ON CONFLICT DO UPDATE`` of the rows that are new or changed
(``services/rows.py``: through COPY and a staging table on PostgreSQL, ``bulk_create`` elsewhere).
A row that did not change is not written again.

If a batch fails, each of its works is written again in a transaction of its own: a bad work never
rolls back another, and the failure names the work and its line. Two works of one batch that
would touch the same work (the same code or ISWC twice in a file) are never written together: the
later one waits for the next batch, so the outcome is the one a work-by-work import gives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from sentinelle.catalogue.identifiers import format_iswc
from sentinelle.catalogue.models import AlternateTitle, Interest, Party, Recording, Work, sort_title
from sentinelle.catalogue.services.data import ImportIssue, ImportReport, InterestData, Progress, WorkData, norm_title
from sentinelle.catalogue.services.rows import upsert
from sentinelle.members.models import Member

#: Works per transaction: large enough to make the per-query cost vanish, small enough to keep
#: a failing batch's retry short and memory flat.
BATCH_SIZE = 2000
#: After an import that wrote this many works, the tables' statistics are refreshed (ANALYZE).
ANALYZE_AFTER = 10_000

_WORK_FIELDS = ["title", "iswc", "language", "duration_seconds", "authorised_example_url", "source"]
_SHARE_FIELDS = ["pr_share", "mr_share", "sr_share", "pr_society", "mr_society", "sr_society"]
_WORK_ROW = ["work_code", *_WORK_FIELDS, "created_at", "updated_at"]
_TITLE_ROW = ["work_id", "title", "title_type", "language"]
_RECORDING_ROW = ["work_id", "isrc", "performer", "title"]
_INTEREST_VALUES = [*_SHARE_FIELDS, "member_id", "sort_title"]
_INTEREST_ROW = ["work_id", "party_id", "role", *_INTEREST_VALUES]
_PARTY_ROW = ["kind", "interested_party_number", "name", "first_name", "ipi_name_number", "member_id"]
_CATALOGUE_TABLES = [Work, AlternateTitle, Recording, Party, Interest]


@dataclass
class _Plan:
    """One work of a batch, resolved: the row it writes to and whether it is its own."""

    data: WorkData
    work: Work
    owned: bool  # False: another code's work matched by ISWC (its fields are left alone)
    created: bool
    changed: bool = False


@dataclass
class _Batch:
    """What one batch writes, kept only if its transaction commits."""

    report: ImportReport = field(default_factory=ImportReport)
    issues: list[ImportIssue] = field(default_factory=list)
    deferred: list[WorkData] = field(default_factory=list)


def merge_interests(interests: Iterable[InterestData]) -> list[InterestData]:
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


class CatalogueWriter:
    """Collects works and writes them by the batch; ``close()`` writes the rest.

    ``progress`` is told the units (lines, rows) given with each work once its batch is written.
    """

    def __init__(self, report: ImportReport, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None):
        self.report = report
        self.batch_size = batch_size
        self.progress = progress
        self.written = 0
        self._pending: list[WorkData] = []
        self._pending_units = 0
        self._parties = PartyBook()

    def add(self, data: WorkData, units: int = 0) -> None:
        self._pending.append(data)
        self._pending_units += units
        if len(self._pending) >= self.batch_size:
            self.flush()

    def add_units(self, units: int) -> None:
        """Units read that carry no work (a rejected work, the trailer): told with the next batch."""
        self._pending_units += units

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        while pending:
            pending = self._write(pending)
        if self.progress is not None and self._pending_units:
            self.progress(self._pending_units)
        self._pending_units = 0

    def close(self) -> None:
        self.flush()
        if self.written >= ANALYZE_AFTER:
            analyze_catalogue()

    def _write(self, works: list[WorkData]) -> list[WorkData]:
        """Write one batch, or each of its works alone if it fails; return the works deferred."""
        batch = _Batch()
        try:
            with transaction.atomic():
                write_batch(works, self._parties, batch)
        except (DatabaseError, ValidationError) as exc:
            self._parties.forget()  # what the failed transaction created is gone
            if len(works) > 1:
                for data in works:
                    self._write([data])
                return []
            data = works[0]
            self.report.errors += batch.issues
            self.report.errors.append(
                ImportIssue(data.source, data.line, f"work {data.work_code} was not saved: {exc}")
            )
            self.report.works_skipped += 1
            return []
        self.report.errors += batch.issues
        self.report.add(batch.report)
        self.written += len(works) - len(batch.deferred)
        return batch.deferred


def analyze_catalogue() -> None:
    """Refresh the planner's statistics of the catalogue's tables after a large import."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in _CATALOGUE_TABLES)
            )
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def write_batch(works: list[WorkData], parties: PartyBook, batch: _Batch) -> None:
    """Write the works of one batch (in the caller's transaction)."""
    plans = _resolve_works(works, batch)
    _save_works(plans)
    _save_alternate_titles(plans, batch.report)
    _save_recordings(plans, batch.report)
    _save_interests(plans, parties, batch.report)


# --- Works ----------------------------------------------------------------------------------


def _resolve_works(works: list[WorkData], batch: _Batch) -> list[_Plan]:
    """Find each work by ISWC, then by code (docs/catalogue-import.md, "Identity"); defer clashes."""
    codes = {d.work_code for d in works}
    iswcs = {d.iswc for d in works if d.iswc}
    by_code = {w.work_code: w for w in Work.objects.filter(work_code__in=codes)}
    by_iswc = {w.iswc or "": w for w in Work.objects.filter(iswc__in=iswcs)} if iswcs else {}
    holders = [w.pk for w in by_iswc.values()]
    other_titles: dict[int, set[str]] = defaultdict(set)
    for work_id, title in AlternateTitle.objects.filter(work_id__in=holders).values_list("work_id", "title"):
        other_titles[work_id].add(norm_title(title))
    plans: list[_Plan] = []
    claimed: set[tuple[str, object]] = set()
    for data in works:
        work, iswc, owned, issue = _find_work(data, by_code, by_iswc, other_titles)
        keys = {("code", data.work_code), ("iswc", data.iswc), ("id", work.pk if work else None)} - {
            ("iswc", ""),
            ("id", None),
        }
        if keys & claimed:
            batch.deferred.append(data)
            claimed |= keys  # what touches a deferred work waits with it, in file order
            continue
        claimed |= keys
        if issue is not None:
            batch.issues.append(issue)
        plans.append(_plan(data, work, iswc, owned, batch.report))
    return plans


def _find_work(
    data: WorkData, by_code: dict[str, Work], by_iswc: dict[str, Work], other_titles: dict[int, set[str]]
) -> tuple[Work | None, str, bool, ImportIssue | None]:
    """(work, ISWC to set, owned, issue) — owned is False when another code's work is matched by ISWC."""
    iswc = data.iswc
    holder = by_iswc.get(iswc) if iswc else None
    if holder is None:
        return by_code.get(data.work_code), iswc, True, None
    if holder.work_code == data.work_code:
        return holder, iswc, True, None
    theirs = {norm_title(holder.title)} | other_titles[holder.pk]
    ours = {norm_title(data.title)} | {norm_title(t[0]) for t in data.alternate_titles}
    if theirs & ours:
        # The same work registered under another number (a co-publisher, the society's code).
        return holder, iswc, False, None
    issue = ImportIssue(
        data.source,
        data.line,
        f"ISWC {format_iswc(iswc)} already identifies work {holder.work_code} ({holder.title!r}); "
        f"{data.work_code} ({data.title!r}) is imported without it",
    )
    return by_code.get(data.work_code), "", True, issue


def _plan(data: WorkData, work: Work | None, iswc: str, owned: bool, report: ImportReport) -> _Plan:
    created = work is None
    if work is None:
        work = Work(work_code=data.work_code)
        report.works_created += 1
    else:
        report.works_updated += 1
    plan = _Plan(data, work, owned, created, changed=created)
    if owned:
        before = [getattr(work, name) for name in _WORK_FIELDS]
        _set_work_fields(work, data, iswc)
        plan.changed = created or before != [getattr(work, name) for name in _WORK_FIELDS]
    return plan


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


def _save_works(plans: list[_Plan]) -> None:
    """Insert the new works and update the changed ones in one statement (keyed by work code)."""
    works = [plan.work for plan in plans if plan.changed]
    now = timezone.now()
    rows = [(work.work_code, *(getattr(work, name) for name in _WORK_FIELDS), now, now) for work in works]
    saved = upsert(
        Work, _WORK_ROW, rows, unique=["work_code"], update=[*_WORK_FIELDS, "updated_at"], returning=["id", "work_code"]
    )
    ids = {code: pk for pk, code in saved}
    for work in works:
        work.pk, work.updated_at = ids[work.work_code], now


def _existing_work_ids(plans: list[_Plan]) -> list[int]:
    return [plan.work.pk for plan in plans if not plan.created]


# --- Alternate titles and recordings ----------------------------------------------------------


def _save_alternate_titles(plans: list[_Plan], report: ImportReport) -> None:
    wanted: dict[tuple[int, str], tuple[str, str]] = {}
    for plan in plans:
        work, data = plan.work, plan.data
        titles = list(data.alternate_titles)
        if not plan.owned and norm_title(data.title) != norm_title(work.title):
            titles.append((data.title, "AT", data.language))
        for title, title_type, language in titles:
            title = title.strip()[:200]
            if not title or norm_title(title) == norm_title(work.title):
                continue
            wanted[(work.pk, title)] = (title_type[:2], language[:2].lower())
            report.alternate_titles += 1
    existing = {
        (work_id, title): (title_type, language)
        for work_id, title, title_type, language in AlternateTitle.objects.filter(
            work_id__in=_existing_work_ids(plans)
        ).values_list("work_id", "title", "title_type", "language")
    }
    rows = [
        (work_id, title, title_type, language)
        for (work_id, title), (title_type, language) in wanted.items()
        if existing.get((work_id, title)) != (title_type, language)
    ]
    upsert(AlternateTitle, _TITLE_ROW, rows, unique=["work_id", "title"], update=["title_type", "language"])


def _save_recordings(plans: list[_Plan], report: ImportReport) -> None:
    """A recording is (work, ISRC, performer); a title given sets its title, a blank one leaves it."""
    wanted: dict[tuple[int, str, str], str] = {}
    for plan in plans:
        for isrc, performer, title in plan.data.recordings:
            key = (plan.work.pk, isrc, performer[:200])
            if title[:200] or key not in wanted:
                wanted[key] = title[:200]
            report.recordings += 1
    existing = {
        (work_id, isrc, performer): title
        for work_id, isrc, performer, title in Recording.objects.filter(
            work_id__in=_existing_work_ids(plans)
        ).values_list("work_id", "isrc", "performer", "title")
    }
    titled: list[tuple[int, str, str, str]] = []
    untitled: list[tuple[int, str, str, str]] = []
    for (work_id, isrc, performer), title in wanted.items():
        if (work_id, isrc, performer) in existing and (not title or existing[(work_id, isrc, performer)] == title):
            continue
        (titled if title else untitled).append((work_id, isrc, performer, title))
    unique = ["work_id", "isrc", "performer"]
    upsert(Recording, _RECORDING_ROW, titled, unique=unique, update=["title"])
    upsert(Recording, _RECORDING_ROW, untitled, unique=unique, update=[])  # a blank title leaves the one there


# --- Parties and interests ------------------------------------------------------------------


def _save_interests(plans: list[_Plan], parties: PartyBook, report: ImportReport) -> None:
    held = [(plan, item) for plan in plans for item in merge_interests(plan.data.interests)]
    parties.load([item for _plan_, item in held])
    resolved = [(plan, item, parties.resolve(item, report)) for plan, item in held]
    parties.save()
    existing = {
        (row[0], row[1], row[2]): tuple(row[3:])
        for row in Interest.objects.filter(work_id__in=_existing_work_ids(plans)).values_list(
            "work_id", "party_id", "role", *_INTEREST_VALUES
        )
    }
    keys = {plan.work.pk: sort_title(plan.work.title) for plan in plans}
    wanted: dict[tuple[int, int, str], tuple[Any, ...]] = {}
    for plan, item, party in resolved:
        key = (plan.work.pk, party.pk, item.role)
        if key in existing or key in wanted:
            report.interests_updated += 1
        else:
            report.interests_created += 1
        shares = (item.pr_share, item.mr_share, item.sr_share, *item.societies.values())
        wanted[key] = (*shares, party.member_id, keys[plan.work.pk])
        if party.member_id is not None:
            report.interests_with_member += 1
    # A retitled work moves the interests this file does not name as well (their sort key).
    for key, values in existing.items():
        if key not in wanted and values[-1] != keys[key[0]]:
            wanted[key] = (*values[:-1], keys[key[0]])
    rows = [(*key, *values) for key, values in wanted.items() if existing.get(key) != values]
    upsert(Interest, _INTEREST_ROW, rows, unique=["work_id", "party_id", "role"], update=_INTEREST_VALUES)


class PartyBook:
    """The parties and members an import has met, read once and kept across its batches.

    A party is found by (kind, IPI name number) when it has one — the lowest id wins, as one
    writer sent by two publishers is one party — else by (kind, the submitter's scoped number).
    """

    def __init__(self) -> None:
        self._by_ipi: dict[tuple[str, str], Party] = {}
        self._by_number: dict[tuple[str, str], Party] = {}
        self._by_id: dict[int, Party] = {}
        self._members: dict[str, int | None] = {}
        self._new: list[Party] = []
        self._changed: dict[int, Party] = {}

    def forget(self) -> None:
        """After a rolled-back batch: what was read or created in it may be gone."""
        self.__init__()  # type: ignore[misc]

    def load(self, items: list[InterestData]) -> None:
        """Read, in three queries at most, the parties and members these interests may name."""
        ipis = {i.ipi_name_number for i in items if i.ipi_name_number} - {ipi for _kind, ipi in self._by_ipi}
        numbers = {i.party_number for i in items if (i.kind, i.party_number) not in self._by_number}
        loaded: list[Party] = []
        if ipis:
            loaded += self._known(Party.objects.filter(ipi_name_number__in=ipis).order_by("id"))
            for party in loaded:
                self._by_ipi.setdefault((party.kind, party.ipi_name_number), party)
        if numbers:
            loaded += self._known(Party.objects.filter(interested_party_number__in=numbers).order_by("id"))
        for party in loaded:
            self._by_number.setdefault((party.kind, party.interested_party_number), party)
        self._load_members({p.ipi_name_number for p in loaded if p.ipi_name_number} | ipis)

    def _load_members(self, ipis: set[str]) -> None:
        unknown = ipis - self._members.keys()
        if not unknown:
            return
        members = Member.objects.filter(ipi_name_number__in=unknown).order_by("-id")
        for ipi, member_id in members.values_list("ipi_name_number", "id"):
            if ipi:
                self._members[ipi] = member_id  # the lowest id comes last: it wins
        for ipi in unknown:
            self._members.setdefault(ipi, None)

    def _known(self, parties: Iterable[Party]) -> list[Party]:
        """One object per party: one already in memory (maybe changed there) wins over a fresh read."""
        return [self._by_id.setdefault(party.pk, party) for party in parties]

    def resolve(self, data: InterestData, report: ImportReport) -> Party:
        """The party of one interest, created or brought up to date in memory (``save`` writes it)."""
        party = self._by_ipi.get((data.kind, data.ipi_name_number)) if data.ipi_name_number else None
        if party is None:
            party = self._by_number.get((data.kind, data.party_number))
        if party is None:
            return self._create(data, report)
        changed = False
        # Only the submitter that numbered the party renames it; another one found it by IPI.
        own = party.interested_party_number == data.party_number
        if own and (party.name, party.first_name) != (data.name[:200], data.first_name[:100]):
            party.name, party.first_name = data.name[:200], data.first_name[:100]
            changed = True
        if data.ipi_name_number and party.ipi_name_number != data.ipi_name_number:
            self._move_ipi(party, data.ipi_name_number)
            changed = True
        elif party.member_id is None and party.ipi_name_number and self._members.get(party.ipi_name_number):
            party.member_id = self._members[party.ipi_name_number]
            changed = True
        if changed and party.pk is not None:
            self._changed[party.pk] = party
        return party

    def _create(self, data: InterestData, report: ImportReport) -> Party:
        party = Party(
            kind=data.kind,
            interested_party_number=data.party_number[:40],
            name=data.name[:200],
            first_name=data.first_name[:100],
            ipi_name_number=data.ipi_name_number,
            member_id=self._members.get(data.ipi_name_number) if data.ipi_name_number else None,
        )
        self._new.append(party)
        self._by_number[(data.kind, data.party_number)] = party
        if data.ipi_name_number:
            self._by_ipi.setdefault((data.kind, data.ipi_name_number), party)
        report.parties_created += 1
        return party

    def _move_ipi(self, party: Party, ipi: str) -> None:
        old = (party.kind, party.ipi_name_number)
        if party.ipi_name_number and self._by_ipi.get(old) is party:
            # The next party bearing the old number (if any) is now the one found by it.
            successor = (
                Party.objects.filter(kind=party.kind, ipi_name_number=party.ipi_name_number)
                .exclude(pk=party.pk)
                .order_by("id")
                .first()
            )
            if successor is None:
                del self._by_ipi[old]
            else:
                self._by_ipi[old] = successor
        party.ipi_name_number = ipi
        party.member_id = self._members.get(ipi)
        current = self._by_ipi.get((party.kind, ipi))
        if current is None or (party.pk is not None and current.pk is not None and party.pk < current.pk):
            self._by_ipi[(party.kind, ipi)] = party

    def save(self) -> None:
        """Write the parties created and changed since the last save (two statements at most)."""
        if self._new:
            # Keyed by the unique (kind, number): a party another import created meanwhile is reused.
            rows = [tuple(getattr(party, name) for name in _PARTY_ROW) for party in self._new]
            unique = ["kind", "interested_party_number"]
            saved = upsert(Party, _PARTY_ROW, rows, unique=unique, update=["kind"], returning=["id", *unique])
            ids = {(kind, number): pk for pk, kind, number in saved}
            for party in self._new:
                party.pk = ids[(party.kind, party.interested_party_number)]
            self._known(self._new)
        if self._changed:
            Party.objects.bulk_update(list(self._changed.values()), ["name", "first_name", "ipi_name_number", "member"])
        self._new, self._changed = [], {}


__all__ = ["ANALYZE_AFTER", "BATCH_SIZE", "CatalogueWriter", "PartyBook", "analyze_catalogue", "merge_interests"]
