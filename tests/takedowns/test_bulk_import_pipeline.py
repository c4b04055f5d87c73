"""The staff bulk import with its writer thread (PostgreSQL, outside any transaction of the
caller's): the next chunk is read, classified and judged while a writer thread writes the previous
one on its own connection, after checking under the work's lock that the earlier reports are
still those the judge read. The same outcomes as one chunk after the other.

These tests commit (``transaction=True``): the writer thread's connection sees only what is
committed. On SQLite the import writes its chunks in turn (no writer thread) and the tests check
the same outcomes.
"""

from __future__ import annotations

import gc
import io
import sys
import threading

import pytest
from django.db import DatabaseError, connection
from django.utils import translation

from sentinelle.takedowns import services
from sentinelle.takedowns.models import Action, EventKind, LinkEvent, LinkStatus, ReportedLink, TakedownRequest
from sentinelle.takedowns.services import bulk, links
from tests.factories import InterestFactory, WorkFactory
from tests.takedowns.test_bulk_import import _csv, _problems, check_first_events_of_an_import

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owned(registry_platforms):
    interest = InterestFactory()
    return interest.member, interest.work


def _threads_writing(monkeypatch) -> set[str]:
    """The names of the threads that write the groups of the import (recorded as it runs)."""
    names: set[str] = set()
    real = bulk._import_group

    def recorded(*args, **kwargs):
        names.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "_import_group", recorded)
    return names


def _expected_writer() -> str:
    return "import-writer_0" if connection.vendor == "postgresql" else threading.current_thread().name


def test_a_later_chunk_sees_the_links_of_the_chunks_before_it(owned, monkeypatch):
    member, work = owned
    writers = _threads_writing(monkeypatch)
    urls = [
        "https://pirate.example.net/a",
        "https://pirate.example.net/b",
        "https://pirate.example.net/c",
        "https://pirate.example.net/a",  # chunk 2: the link of line 2 (chunk 1)
        "https://www.pirate.example.net/b/",  # chunk 3: the link of line 3 (chunk 1), written another way
        "https://pirate.example.net/c",  # chunk 3: the link of line 4 (chunk 2)
        "https://pirate.example.net/d",
    ]
    text = "work,url,action\n" + "".join(f"{work.pk},{url},remove\n" for url in urls)
    progress: list[int] = []
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2, progress=progress.append)
    assert writers == {_expected_writer()}
    assert (report.lines, report.accepted, report.links, report.duplicates, report.problems) == (7, 4, 4, 3, [])
    assert progress == [2, 2, 2, 1]
    assert ReportedLink.objects.filter(member=member).count() == 4
    assert LinkEvent.objects.filter(link__member=member).count() == 4  # one first event a link


def test_a_chunk_failing_in_the_writer_stops_the_import_after_what_was_written(owned, monkeypatch):
    """Chunk 2 fails on the database: chunk 1 is committed, chunk 2 rolled back, chunk 3 (already
    read and classified meanwhile) never written; the error reaches the caller; a re-run
    completes the file, recognising chunk 1's links as already reported."""
    member, work = owned
    text = "work,url,action\n" + "\n".join(f"{work.pk},https://pirate.example.net/{n},remove" for n in range(6))
    real = bulk._import_group
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise DatabaseError("server closed the connection")
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "_import_group", flaky)
    progress: list[int] = []
    with pytest.raises(DatabaseError):
        bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2, progress=progress.append)
    assert calls["n"] == 2  # chunk 3 was not handed to the writer
    assert progress == [2, 2]  # chunk 1 written, chunk 2 tried
    assert sorted(ReportedLink.objects.values_list("line_number", flat=True)) == [2, 3]
    assert TakedownRequest.objects.count() == 1
    monkeypatch.setattr(bulk, "_import_group", real)
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert (report.accepted, report.duplicates, report.problems) == (4, 2, [])
    assert ReportedLink.objects.count() == 6


@pytest.mark.postgres_only
def test_a_chunk_failing_while_judged_ahead_leaves_a_report_of_what_was_written(owned, monkeypatch):
    """Chunk 3's judging fails on the database while chunk 2 is written: the caller's report says
    chunks 1 and 2 were written and the import stopped at chunk 3's first line."""
    member, work = owned
    text = "work,url,action\n" + "\n".join(f"{work.pk},https://pirate.example.net/{n},remove" for n in range(6))
    real = bulk._Ahead.judge

    def failing_on_the_third_chunk(self, chunk):
        if chunk.first_line == 6:
            raise DatabaseError("server closed the connection")
        return real(self, chunk)

    monkeypatch.setattr(bulk._Ahead, "judge", failing_on_the_third_chunk)
    report = bulk.ImportReport()
    with pytest.raises(DatabaseError):
        bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2, report=report)
    assert (report.lines, report.accepted, report.stopped_at) == (4, 4, 6)
    assert sorted(ReportedLink.objects.values_list("line_number", flat=True)) == [2, 3, 4, 5]


@pytest.mark.postgres_only
def test_when_the_judging_and_the_writing_both_fail_the_report_stops_at_the_chunk_being_written(owned, monkeypatch):
    """Chunk 3's judging fails and so does chunk 2's writing (a database restart hits both
    connections): the import stopped at chunk 2, not after it."""
    member, work = owned
    text = "work,url,action\n" + "\n".join(f"{work.pk},https://pirate.example.net/{n},remove" for n in range(6))
    judge, write = bulk._Ahead.judge, bulk._import_group

    def judging(self, chunk):
        if chunk.first_line == 6:
            raise DatabaseError("server closed the connection")
        return judge(self, chunk)

    def writing(member, group, *args, **kwargs):
        if group.lines[0].pasted.line_no == 4:
            raise DatabaseError("server closed the connection")
        return write(member, group, *args, **kwargs)

    monkeypatch.setattr(bulk._Ahead, "judge", judging)
    monkeypatch.setattr(bulk, "_import_group", writing)
    report = bulk.ImportReport()
    progress: list[int] = []
    with pytest.raises(DatabaseError):
        bulk.import_links(
            member, bulk.read_rows(io.StringIO(text)), chunk_size=2, report=report, progress=progress.append
        )
    assert (report.lines, report.stopped_at) == (2, 4)
    assert progress == [2, 2]  # chunk 1 written, chunk 2 tried
    assert sorted(ReportedLink.objects.values_list("line_number", flat=True)) == [2, 3]


def test_the_writer_answers_in_the_callers_language(owned):
    member, work = owned
    text = f"work,url,action\n{work.pk},https://www.youtube.com/watch?v=dQw4w9WgXcQ,remove\n"
    with translation.override("en"):
        english = bulk.import_links(member, bulk.read_rows(io.StringIO(text))).problems
    with translation.override("fr"):
        french = bulk.import_links(member, bulk.read_rows(io.StringIO(text))).problems
        in_turn = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), pipelined=False).problems
    assert [p.code for p in french] == ["licensed_platform"]
    assert french == in_turn and french[0].message != english[0].message


def _threads_calling(monkeypatch, name: str) -> list[str]:
    """The threads that call ``bulk.<name>``, one name a call (recorded as the import runs)."""
    names: list[str] = []
    real = getattr(bulk, name)

    def recorded(*args, **kwargs):
        names.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, name, recorded)
    return names


def _threads_judging(monkeypatch) -> list[str]:
    """The threads that judge groups, one name a group judged."""
    return _threads_calling(monkeypatch, "judge_lines")


@pytest.mark.postgres_only
def test_each_chunk_is_judged_ahead_and_written_as_judged(owned, monkeypatch):
    member, work = owned
    judges = _threads_judging(monkeypatch)
    text = "work,url,action\n" + "".join(f"{work.pk},https://pirate.example.net/{n},both\n" for n in range(5))
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert judges == [threading.current_thread().name] * 3  # one group a chunk, none judged again by the writer
    assert (report.accepted, report.links, report.duplicates) == (5, 10, 0)
    links = ReportedLink.objects.filter(member=member)
    assert links.count() == 10 and LinkEvent.objects.filter(link__member=member).count() == 10
    assert set(links.values_list("line_number", flat=True)) == {2, 3, 4, 5, 6}
    requests = TakedownRequest.objects.filter(member=member)
    # Written by the writer with the counts of their lines (line, accepted, refused).
    assert sorted(requests.values_list("line_count", "accepted_count", "refused_count")) == [
        (1, 1, 0),
        (2, 2, 0),
        (2, 2, 0),
    ]
    assert all(link.request.work_id == work.pk for link in links.select_related("request"))


@pytest.mark.postgres_only
def test_a_report_made_between_the_judging_and_the_writing_is_seen_by_the_writer(owned, monkeypatch):
    """Another rights holder of the work reports line 3's link after chunk 1 was judged ahead and
    before it is written: the writer, under the work's lock, reads the earlier reports again, finds
    them changed, and judges the chunk again itself — line 3 is a duplicate, not a second link —
    and every later chunk too (what was judged ahead of them assumed chunk 1 as first judged)."""
    member, work = owned
    other = InterestFactory(work=work).member
    judges = _threads_judging(monkeypatch)
    real = bulk._Ahead.judge

    def judge_then_race(self, chunk):
        judged = real(self, chunk)
        if chunk.first_line == 2:
            services.submit_links(other, work.pk, "https://pirate.example.net/b", ["remove"])
        return judged

    monkeypatch.setattr(bulk._Ahead, "judge", judge_then_race)
    urls = ["a", "b", "c", "b", "d"]
    text = "work,url,action\n" + "".join(f"{work.pk},https://pirate.example.net/{u},remove\n" for u in urls)
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert (report.accepted, report.duplicates, report.problems) == (3, 2, [])
    b = ReportedLink.objects.filter(url__endswith="/b", status=LinkStatus.ACCEPTED)
    assert list(b.values_list("member_id", flat=True)) == [other.pk]
    assert ReportedLink.objects.filter(member=member).count() == 3
    writer = "import-writer_0"
    assert judges.count(writer) == 3  # chunk 1 judged again, and chunks 2 and 3 after it


def _judged_then(monkeypatch, first_line: int, meanwhile) -> None:
    """Run ``meanwhile()`` (committed) once the chunk starting at ``first_line`` is judged ahead,
    before the writer writes it."""
    real = bulk._Ahead.judge

    def judge_then(self, chunk):
        judged = real(self, chunk)
        if chunk.first_line == first_line:
            meanwhile()
        return judged

    monkeypatch.setattr(bulk._Ahead, "judge", judge_then)


@pytest.mark.postgres_only
def test_the_writer_reads_the_earlier_reports_again_only_when_someone_else_opened_links_meanwhile(owned, monkeypatch):
    """Nobody else reports for the work during the import: the writer does not read the earlier
    reports again by their keys (the work's intake version moved by the import's own locks only)."""
    member, work = owned
    readers = _threads_calling(monkeypatch, "EarlierReports")
    text = "work,url,action\n" + "".join(f"{work.pk},https://pirate.example.net/{n},remove\n" for n in range(5))
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert report.accepted == 5
    assert readers == [threading.current_thread().name] * 3  # the judge's, one a chunk; none by the writer
    before = links.intake_version(work.pk)
    other = InterestFactory(work=work).member
    _judged_then(
        monkeypatch, 2, lambda: services.submit_links(other, work.pk, "https://pirate.example.net/x", ["remove"])
    )
    readers.clear()
    again = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert again.duplicates == 5
    # Chunk 1's only: read again, they are those read (x is another link: chunk 1 is written as
    # judged); chunks 2 and 3 were judged after the submission.
    assert readers.count("import-writer_0") == 1
    assert links.intake_version(work.pk) == before + 1 + 3  # the submission's lock, then a lock a chunk


def _import_abc_with_b_reported_by_another(owned, monkeypatch, action: str, meanwhile):
    """Another rights holder of the work asked to remove link b; the member imports links a, b and
    c for ``action``, two lines a chunk, and ``meanwhile(b's earlier link)`` runs once chunk 1 (a, b)
    is judged ahead, before it is written. Returns (the report, b's earlier link, the other member)."""
    member, work = owned
    other = InterestFactory(work=work).member
    services.submit_links(other, work.pk, "https://pirate.example.net/b", ["remove"])
    earlier = ReportedLink.objects.get(url__endswith="/b")
    _judged_then(monkeypatch, 2, lambda: meanwhile(earlier))
    text = "work,url,action\n" + "".join(f"{work.pk},https://pirate.example.net/{u},{action}\n" for u in "abc")
    return bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2), earlier, other


@pytest.mark.postgres_only
def test_a_link_the_society_opens_between_the_judging_and_the_writing_is_seen_by_the_writer(owned, monkeypatch):
    """Line 3 asks to delist a link another rights holder asked to remove; after chunk 1 is judged
    ahead (no delisting of it yet) and before it is written, the society opens its delisting
    (an escalation: ``open_follow_up_link``). The writer sees that someone else opened links for the
    work (its intake version moved) and reads the earlier reports again: line 3 is a duplicate."""
    report, _earlier, other = _import_abc_with_b_reported_by_another(
        owned,
        monkeypatch,
        "delist",
        lambda earlier: links.open_follow_up_link(earlier, Action.DELIST, recipients=[], why="Escalated.", data={}),
    )
    assert (report.accepted, report.duplicates, report.problems) == (2, 1, [])
    delisting = ReportedLink.objects.filter(url__endswith="/b", action=Action.DELIST)
    assert list(delisting.values_list("member_id", flat=True)) == [other.pk]


@pytest.mark.postgres_only
def test_an_earlier_report_that_changes_status_between_the_judging_and_the_writing_is_seen_by_the_writer(
    owned, monkeypatch
):
    """Line 3's link was reported by another rights holder and is being handled: judged ahead, a
    duplicate. Before chunk 1 is written, the platform removes it (a status change does not lock the
    work). The writer reads the status of what the judge read again, finds it changed, and judges
    again: the link is taken down and back online in the file, so it is accepted again."""
    member, _work = owned
    report, earlier, _other = _import_abc_with_b_reported_by_another(
        owned,
        monkeypatch,
        "remove",
        lambda earlier: links.change_status(earlier, LinkStatus.REMOVED, kind=EventKind.RESULT, message="Removed."),
    )
    assert (report.accepted, report.duplicates, report.problems) == (3, 0, [])
    again = ReportedLink.objects.filter(url__endswith="/b").exclude(pk=earlier.pk).get()
    assert (again.member_id, again.status) == (member.pk, LinkStatus.ACCEPTED)
    earlier.refresh_from_db()
    assert earlier.status == LinkStatus.REAPPEARED


def test_the_same_verdicts_as_in_turn_for_every_kind_of_line(owned):
    """The mixed file of ``test_bulk_import`` (two groups of one work sharing a link, refusals, bad
    lines), written by the writer thread on PostgreSQL: the same report, then all duplicates."""
    member, work = owned
    text = _csv(work, WorkFactory())
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=4)
    assert (report.lines, report.accepted, report.links, report.duplicates) == (9, 2, 3, 1)
    assert _problems(report) == {
        4: "licensed_platform",
        5: "not_a_url",
        7: "invalid_action",
        8: "work_not_found",
        10: "bad_line",
        11: "search_page",
    }
    again = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=4)
    assert (again.accepted, again.duplicates, _problems(again)) == (0, 3, _problems(report))
    assert ReportedLink.objects.filter(member=member).count() == 3


@pytest.mark.postgres_only
def test_an_imported_link_has_one_first_event_saying_it_was_imported_by_the_writer(owned):
    check_first_events_of_an_import(*owned, pipelined=True)


def test_the_collector_waits_while_a_chunk_is_prepared_and_runs_again_after(owned, monkeypatch):
    """Reading, classifying and grouping a chunk (and judging it ahead) holds the cyclic garbage
    collector off, which is back on once the import ends, failed or not (the caller holding on to
    the error)."""
    member, work = owned
    seen: list[bool] = []
    real = bulk._grouped

    def recorded(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "_grouped", recorded)
    text = "work,url,action\n" + "".join(f"{work.pk},https://pirate.example.net/{n},remove\n" for n in range(5))
    bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert seen == [False, False, False] and gc.isenabled()
    monkeypatch.setattr(bulk, "_import_group", lambda *args: 1 / 0)  # a chunk fails as it is written
    with pytest.raises(ZeroDivisionError):
        bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert gc.isenabled()
    monkeypatch.setattr(bulk, "_grouped", lambda *args: 1 / 0)  # or as it is read
    with pytest.raises(ZeroDivisionError):
        bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert gc.isenabled()


@pytest.mark.postgres_only
def test_the_interpreter_hands_over_to_the_writer_quickly_while_the_import_runs(owned, monkeypatch):
    """The switch interval is lowered while the writer thread runs (the progress is called on this
    thread as each chunk is written) and set back after, when the import fails too."""
    member, work = owned
    before = sys.getswitchinterval()
    during: list[float] = []
    text = "work,url,action\n" + "".join(f"{work.pk},https://pirate.example.net/{n},remove\n" for n in range(5))
    bulk.import_links(
        member,
        bulk.read_rows(io.StringIO(text)),
        chunk_size=2,
        progress=lambda n: during.append(sys.getswitchinterval()),
    )
    # CPython keeps the interval in microseconds: 0.1 ms comes back as 100 / 1e6 = 9.999999999999999e-05.
    assert during == [pytest.approx(bulk._HANDOVER_S, rel=0.02)] * 3 and sys.getswitchinterval() == before
    monkeypatch.setattr(bulk, "_import_group", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        bulk.import_links(member, bulk.read_rows(io.StringIO(text + "\n")), chunk_size=2)
    assert sys.getswitchinterval() == before
