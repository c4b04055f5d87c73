"""The staff bulk import: import_links FILE and the staff API route, through the intake's judge."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.utils import translation

from sentinelle.catalogue.identifiers import format_iswc
from sentinelle.members.services import create_api_token
from sentinelle.takedowns import services
from sentinelle.takedowns.models import (
    Action,
    DailyQuotaUsage,
    LinkEvent,
    LinkStatus,
    ReportedLink,
    TakedownRequest,
)
from sentinelle.takedowns.services import bulk, change_status, links
from tests.factories import InterestFactory, UserFactory, WorkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(registry_platforms):
    interest = InterestFactory()
    return interest.member, interest.work


def _csv(work, other_work) -> str:
    return "\n".join(
        [
            "url,action,work,comment",  # any column order; other columns ignored
            f"https://mega.nz/file/AbCdEf12#key,remove,{work.pk},first",  # 2 accepted
            f"https://pirate.example.net/album/1,both,{format_iswc(work.iswc)},",  # 3 accepted x2 (ISWC)
            f"https://www.youtube.com/watch?v=dQw4w9WgXcQ,remove,{work.work_code},",  # 4 licensed
            f"not a link,remove,{work.pk},",  # 5 not a URL
            f"https://mega.nz/file/AbCdEf12#key,remove,{work.pk},again",  # 6 the same link as line 2
            f"https://pirate.example.net/x,destroy,{work.pk},",  # 7 bad action
            f"https://pirate.example.net/y,remove,{other_work.pk},",  # 8 not the member's work
            "",
            "https://pirate.example.net/z,remove",  # 10 a missing column
            f"https://www.google.com/search?q=song,delist,{work.pk},",  # 11 search page
        ]
    )


def _problems(report) -> dict[int, str]:
    return {p.line_no: p.code for p in report.problems}


def test_every_line_is_judged_with_its_line_number_outside_the_quota(owned):
    member, work = owned
    text = _csv(work, WorkFactory())
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)))
    assert (report.lines, report.accepted, report.links, report.duplicates) == (9, 2, 3, 1)
    assert _problems(report) == {
        4: "licensed_platform",
        5: "not_a_url",
        7: "invalid_action",
        8: "work_not_found",
        10: "bad_line",
        11: "search_page",
    }
    links = ReportedLink.objects.filter(member=member)
    # Only accepted links are written (a refusal is reported, not stored), none counted on the quota.
    assert links.count() == 3 and set(links.values_list("status", flat=True)) == {LinkStatus.ACCEPTED}
    assert set(links.values_list("quota_day", flat=True)) == {None}
    assert not DailyQuotaUsage.objects.filter(member=member, accepted__gt=0).exists()
    assert LinkEvent.objects.filter(link__member=member).count() == 3  # one first event a link (below)
    assert TakedownRequest.objects.filter(member=member).count() == 2  # (work, remove) and (work, both)


def test_an_imported_link_has_one_first_event_saying_it_was_imported(owned):
    check_first_events_of_an_import(*owned, pipelined=False)


def check_first_events_of_an_import(member, work, *, pipelined: bool) -> None:
    """Not "reported by the member" (the member did not report it): one event, its acceptance,
    which says the society's staff imported it; a link back online says so too."""
    staff = UserFactory(is_staff=True)
    text = f"work,url,action\n{work.pk},https://pirate.example.net/album/1,both\n"
    bulk.import_links(member, bulk.read_rows(io.StringIO(text)), actor=staff, pipelined=pipelined)
    links = list(ReportedLink.objects.filter(member=member).order_by("action"))
    assert [link.action for link in links] == ["delist", "remove"]
    for link in links:
        events = list(link.events.all())
        assert [(e.kind, e.from_status, e.to_status, e.actor_id) for e in events] == [
            ("accepted", "", "accepted", staff.pk)
        ]
        assert events[0].message.startswith("Imported by the society's staff and accepted (")
        with translation.override("fr"):
            assert events[0].display_message().startswith("Importé par le personnel de la société et accepté (")
    change_status(links[1], LinkStatus.REMOVED, kind="check", message="404 twice")
    bulk.import_links(member, bulk.read_rows(io.StringIO(text.replace(",both", ",remove"))), pipelined=pipelined)
    follow_up = ReportedLink.objects.filter(member=member, action="remove").latest("id")
    assert follow_up.pk != links[1].pk
    [event] = follow_up.events.all()
    assert event.display_message() == (
        "Imported by the society's staff and accepted again: the link had been removed and is back online."
    )
    assert event.data["reappearance_of"] == links[1].pk
    back = links[1].events.order_by("id").last()  # on the earlier link: who saw it back, truthfully
    assert back.display_message() == (
        f"Imported again by the society's staff: the link is back online (followed as #{follow_up.pk})."
    )


def test_running_the_same_file_again_writes_nothing_new(owned):
    member, work = owned
    text = _csv(work, WorkFactory())
    first = bulk.import_links(member, bulk.read_rows(io.StringIO(text)))
    counts = (ReportedLink.objects.count(), LinkEvent.objects.count(), TakedownRequest.objects.count())
    again = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=3)
    assert (ReportedLink.objects.count(), LinkEvent.objects.count(), TakedownRequest.objects.count()) == counts
    assert (again.accepted, again.duplicates) == (0, first.accepted + first.duplicates)
    assert _problems(again) == _problems(first)


def test_json_lines_and_duplicates_across_chunks(owned):
    member, work = owned
    rows = [
        {"work": work.pk, "url": "https://pirate.example.net/a", "action": "remove"},
        {"work": str(work.pk), "url": "https://pirate.example.net/b", "action": "DELIST"},
        "not json",
        {"work": work.work_code, "url": "https://pirate.example.net/a/", "action": "remove"},  # same as line 1
        {"work": work.pk, "url": ""},
    ]
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows)
    progress: list[int] = []
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2, progress=progress.append)
    assert progress == [2, 2, 1]
    assert (report.accepted, report.duplicates) == (2, 1)
    assert _problems(report) == {3: "bad_line", 5: "bad_line"}
    assert "url" in report.problems[1].message and "action" in report.problems[1].message


@pytest.mark.parametrize(
    "text", ["", "\n\n", "work;url;action\n1;https://a.example/x;remove\n", "url,action\nhttps://a.example/x,remove\n"]
)
def test_a_file_without_the_three_columns_imports_nothing(owned, text):
    member, _work = owned
    with pytest.raises(bulk.ImportFileError):
        bulk.import_links(member, bulk.read_rows(io.StringIO(text)))
    assert not ReportedLink.objects.exists()


def test_a_failing_chunk_stops_the_import_and_a_rerun_completes_it(owned, monkeypatch):
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
    report = bulk.ImportReport()
    with pytest.raises(DatabaseError):
        report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert ReportedLink.objects.count() == 2  # the first chunk; the failed one rolled back
    monkeypatch.setattr(bulk, "_import_group", real)
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text)), chunk_size=2)
    assert (report.accepted, report.duplicates, report.problems) == (4, 2, [])
    assert ReportedLink.objects.count() == 6


def test_the_command_prints_each_problem_and_a_summary(owned, tmp_path):
    member, work = owned
    path = tmp_path / "links.csv"
    path.write_text(_csv(work, WorkFactory()), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_links", str(path), member=member.member_number, no_progress=True, stdout=out, stderr=err)
    assert exit_.value.code == 1
    text = out.getvalue()
    assert "line 7: invalid_action:" in text and "line 8: work_not_found:" in text
    assert "9 lines read; 2 accepted (3 links opened); 1 already reported; 6 not imported" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("address\nhttps://a.example/x\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_links", str(bad), member=member.member_number, no_progress=True, stdout=out, stderr=err)
    assert exit_.value.code == 2 and "nothing was imported" in err.getvalue()


def _command(path, member, **options) -> tuple[object, str, str]:
    """``import_links`` run on ``path`` for ``member``: its exit status, its output, its errors."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_links", str(path), member=member.member_number, no_progress=True, stdout=out, stderr=err, **options
        )
    return exit_.value.code, out.getvalue(), err.getvalue()


def test_the_command_stopped_by_the_database_says_what_was_written_and_where_it_stopped(owned, tmp_path, monkeypatch):
    member, work = owned
    path = tmp_path / "links.csv"
    lines = [f"{work.pk},https://pirate.example.net/{n},remove" for n in range(4)] + [f"{work.pk},nope,remove"]
    path.write_text("work,url,action\n" + "\n".join(lines) + "\n", encoding="utf-8")
    real = bulk._import_group

    def failing_on_the_third_chunk(member, group, *args, **kwargs):
        if group.lines[0].pasted.line_no == 6:
            raise DatabaseError("server closed the connection")
        return real(member, group, *args, **kwargs)

    monkeypatch.setattr(bulk, "_import_group", failing_on_the_third_chunk)
    code, out, err = _command(path, member, chunk_size=2)
    assert code == 2 and "server closed the connection" in err
    assert "4 lines read; 4 accepted (4 links opened)" in out
    assert "STOPPED at line 6: lines from there on were not imported" in out
    assert ReportedLink.objects.filter(member=member).count() == 4


def test_the_command_stopped_by_a_bad_byte_says_what_was_written_and_where_it_stopped(owned, tmp_path):
    """The file is decoded as it is read: a byte that is not UTF-8 after the first chunks stops the
    import there, after what was written, and the command says so."""
    member, work = owned
    path = tmp_path / "links.csv"
    lines = "".join(f"{work.pk},https://pirate.example.net/page-{n:05d},remove\n" for n in range(400))
    path.write_bytes(b"work,url,action\n" + lines.encode() + b"\xff\xfe not UTF-8\n")
    code, out, err = _command(path, member, chunk_size=50)
    assert code == 2 and "cannot be read" in err
    stopped = re.search(r"STOPPED at line (\d+): lines from there on were not imported", out)
    assert stopped is not None, out
    written = ReportedLink.objects.filter(member=member).count()
    assert written > 0 and int(stopped.group(1)) == written + 2  # lines 2 to N-1 were written
    assert f"{written} lines read; {written} accepted" in out


@pytest.mark.django_db(transaction=True)
def test_the_work_is_locked_only_inside_a_transaction(owned):
    from django.db.transaction import TransactionManagementError

    _member, work = owned
    with pytest.raises(TransactionManagementError):
        links.lock_work(work.pk)


def _api(user) -> Client:
    _row, token = create_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_every_opening_of_links_for_a_work_counts_one_more_intake_version(owned):
    """``links.lock_work`` counts: a staff import knows by it whether anyone else opened links."""
    member, work = owned
    assert links.intake_version(work.pk) == 0
    services.submit_links(member, work.pk, "https://pirate.example.net/a", ["remove"])
    assert links.intake_version(work.pk) == 1
    source = ReportedLink.objects.get(work=work)
    links.open_follow_up_link(source, Action.DELIST, recipients=[], why="Escalated.", data={})
    assert links.intake_version(work.pk) == 3  # locked before looking for a duplicate, and by the opening


def test_the_api_route_is_for_staff_and_reports_every_line(owned, settings):
    member, work = owned
    url = f"/api/v1/staff/members/{member.member_number}/links/import"
    body = _csv(work, WorkFactory())
    refused = _api(member.user).post(url, body, content_type="text/csv")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_staff"
    staff = _api(UserFactory(is_staff=True))
    answer = staff.post(url, body, content_type="text/csv")
    assert answer.status_code == 200
    got = answer.json()
    assert (got["lines"], got["accepted"], got["links"], got["duplicates"]) == (9, 2, 3, 1)
    assert [p["line"] for p in got["not_imported"]] == [4, 5, 7, 8, 10, 11]
    assert staff.post(url, body, content_type="text/csv").json()["duplicates"] == 3
    assert ReportedLink.objects.count() == 3
    unknown = staff.post("/api/v1/staff/members/nobody/links/import", body, content_type="text/csv")
    assert unknown.status_code == 404
    bad = staff.post(url, "hello\n", content_type="text/csv")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_file"
    settings.SENTINELLE_BULK_IMPORT_MAX_BYTES = 100
    assert staff.post(url, body, content_type="text/csv").status_code == 413
    assert ReportedLink.objects.count() == 3
