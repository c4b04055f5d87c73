"""The staff bulk import with its writer thread (PostgreSQL, outside any transaction of the
caller's): the next chunk is read and classified while a writer thread judges and writes the
previous one on its own connection. The same outcomes as one chunk after the other.

These tests commit (``transaction=True``): the writer thread's connection sees only what is
committed. On SQLite the import writes its chunks in turn (no writer thread) and the tests check
the same outcomes.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.db import DatabaseError, connection
from django.utils import translation

from sentinelle.takedowns.models import LinkEvent, ReportedLink, TakedownRequest
from sentinelle.takedowns.services import bulk
from tests.factories import InterestFactory

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
    assert LinkEvent.objects.filter(link__member=member).count() == 8


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
