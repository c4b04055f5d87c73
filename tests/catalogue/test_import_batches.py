"""The importer writes by the batch: fixed queries per batch, one bad work never costs another."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from bench.cwrgen import CWRSpec, iswc, write_cwr
from sentinelle.catalogue.models import AlternateTitle, Interest, Party, Recording, Work
from sentinelle.catalogue.services import import_cwr_file, writer
from tests.factories import MemberFactory


def generated(tmp_path: Path, works: int, **kwargs: object) -> Path:
    return write_cwr(tmp_path / f"gen{works}.V21", CWRSpec(works=works, writers=60, publishers=8, **kwargs))  # type: ignore[arg-type]


def catalogue_rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Work, AlternateTitle, Recording, Party, Interest))


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_its_works(tmp_path: Path) -> None:
    counts = []
    for works in (10, 80):
        with CaptureQueriesContext(connection) as queries:
            report = import_cwr_file(generated(tmp_path, works, first_work=works * 1000))
        assert report.ok and report.works_created == works
        statements = [q["sql"].lstrip().split()[0].upper() for q in queries]
        counts.append((len(statements), len([s for s in statements if s != "INSERT"])))
    if connection.vendor == "sqlite":
        # SQLite takes at most 999 parameters a statement: Django splits a long INSERT, nothing else.
        assert counts[0][1] == counts[1][1] < 20
    else:
        assert counts[0] == counts[1] and counts[0][0] < 25


@pytest.mark.django_db
def test_a_second_import_changes_nothing_and_writes_nothing(tmp_path: Path) -> None:
    path = generated(tmp_path, 40)
    first = import_cwr_file(path, batch_size=15)
    rows = catalogue_rows()
    with CaptureQueriesContext(connection) as queries:
        again = import_cwr_file(path, batch_size=15)
    assert catalogue_rows() == rows
    assert (again.works_created, again.works_updated, again.parties_created) == (0, 40, 0)
    assert again.interests_updated == first.interests_created
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


@pytest.mark.django_db
def test_a_broken_work_in_a_batch_costs_no_other_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = generated(tmp_path, 30)
    broken = "PB1:W000000017"
    real = writer._save_recordings

    def failing(plans: list[writer._Plan], report: writer.ImportReport) -> None:
        if any(plan.data.work_code == broken for plan in plans):
            raise DatabaseError("value too long for type character varying(200)")
        real(plans, report)

    monkeypatch.setattr(writer, "_save_recordings", failing)
    report = import_cwr_file(path, batch_size=10)
    assert Work.objects.count() == 29
    assert not Work.objects.filter(work_code=broken).exists()
    [error] = report.errors
    line = next(n for n, text in enumerate(path.read_text("latin-1").splitlines(), 1) if "W000000017" in text)
    assert (error.line, error.file) == (line, str(path))
    assert str(error) == f"{path}:{line}: work {broken} was not saved: value too long for type character varying(200)"
    assert (report.works_created, report.works_skipped) == (29, 1)
    # Its interests, titles and recordings went with it; the other works of its batch have theirs.
    assert Interest.objects.filter(work__work_code=broken).count() == 0
    assert Work.objects.filter(interests__isnull=True).count() == 0


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_a_title_postgresql_refuses_is_reported_and_the_batch_saved(tmp_path: Path) -> None:
    path = generated(tmp_path, 12)
    lines = path.read_text("latin-1").splitlines()
    nwr = next(i for i, line in enumerate(lines) if line.startswith("NWR") and "W000000005" in line)
    lines[nwr] = lines[nwr][:19] + "NUL\x00TITLE".ljust(60) + lines[nwr][79:]  # PostgreSQL text holds no NUL
    path.write_text("\n".join(lines) + "\n", "latin-1")
    report = import_cwr_file(path)
    assert Work.objects.count() == 11
    [error] = report.errors
    assert error.line == nwr + 1 and error.message.startswith("work PB1:W000000005 was not saved:")


@pytest.mark.django_db
def test_the_same_work_twice_in_one_batch_is_written_as_one_after_the_other(tmp_path: Path) -> None:
    # The same ISWC under a second code and a retitled copy of work 1 later in the same file.
    path = generated(tmp_path, 5)
    lines = path.read_text("latin-1").splitlines()
    first_nwr = next(i for i, line in enumerate(lines) if line.startswith("NWR"))
    block_end = next(i for i, line in enumerate(lines) if line.startswith("NWR") and i > first_nwr)
    block = lines[first_nwr:block_end]
    renamed = block[0][:19] + "A NEW TITLE".ljust(60) + block[0][79:]
    lines[-2:-2] = [renamed, *block[1:]]
    path.write_text("\n".join(lines) + "\n", "latin-1")
    report = import_cwr_file(path)
    assert Work.objects.count() == 5
    work = Work.objects.get(iswc=iswc(1))
    assert work.title == "A NEW TITLE"  # the later registration wins, as work by work
    assert (report.works_created, report.works_updated) == (5, 1)


@pytest.mark.django_db
def test_members_are_linked_through_the_batch(tmp_path: Path) -> None:
    from bench.cwrgen import writer_ipi

    members = [MemberFactory(ipi_name_number=writer_ipi(i)) for i in range(60)]
    import_cwr_file(generated(tmp_path, 50), batch_size=20)
    held = Interest.objects.filter(party__kind="writer")
    assert held.count() > 50
    assert held.filter(member__isnull=True).count() == 0
    assert {i.member_id for i in held} <= {m.pk for m in members}


@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_twice_at_once_leaves_no_duplicate(tmp_path: Path) -> None:
    url = _database_url()
    path = generated(tmp_path, 120)
    command = [sys.executable, "-m", "sentinelle", "import_cwr", "--no-progress", "--batch-size", "25", str(path)]
    env = {**__import__("os").environ, "DATABASE_URL": url}
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert Work.objects.count() == 120
    rows = catalogue_rows()
    # A third import (the same file, alone) finds everything there: the two left no duplicate.
    report = import_cwr_file(path)
    assert (report.works_created, report.parties_created, report.interests_created) == (0, 0, 0)
    assert catalogue_rows() == rows


def _database_url() -> str:
    """The test database, for a process of its own."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        if str(settings["NAME"]).startswith(("file:memorydb", ":memory:")):
            pytest.skip("an in-memory SQLite test database cannot be shared by processes; CI runs this on a file")
        return f"sqlite:///{settings['NAME']}"
    user, password = settings["USER"], settings["PASSWORD"]
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def natural_rows() -> dict[str, list[tuple[object, ...]]]:
    """Every catalogue row by its natural keys (ids and timestamps differ from one run to the next)."""
    return {
        "works": sorted(
            Work.objects.values_list(
                "work_code", "title", "iswc", "language", "duration_seconds", "source", "authorised_example_url"
            )
        ),
        "titles": sorted(AlternateTitle.objects.values_list("work__work_code", "title", "title_type", "language")),
        "recordings": sorted(Recording.objects.values_list("work__work_code", "isrc", "performer", "title")),
        "parties": sorted(
            Party.objects.values_list(
                "kind", "interested_party_number", "name", "first_name", "ipi_name_number", "member__member_number"
            )
        ),
        "interests": sorted(
            Interest.objects.values_list(
                "work__work_code",
                "party__kind",
                "party__interested_party_number",
                "role",
                "pr_share",
                "mr_share",
                "sr_share",
                "pr_society",
                "mr_society",
                "sr_society",
                "member__member_number",
                "sort_title",
            ),
            key=str,
        ),
    }


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_the_copy_path_and_the_orm_path_write_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.cwrgen import writer_ipi
    from sentinelle.catalogue.services import rows

    for i in range(0, 60, 7):
        MemberFactory(ipi_name_number=writer_ipi(i))
    first = generated(tmp_path, 40)
    # The same works again with other titles, parties, shares and recordings: every table updated.
    second = write_cwr(tmp_path / "again.V21", CWRSpec(works=50, writers=60, publishers=8, seed=99))
    results = []
    for use_copy in (True, False):
        monkeypatch.setattr(rows, "USE_COPY", use_copy)
        for model in (Interest, Recording, AlternateTitle, Work, Party):
            model.objects.all().delete()
        reports = [import_cwr_file(path, batch_size=15).summary() for path in (first, second, first)]
        results.append((reports, natural_rows()))
    assert results[0][1]["interests"] and results[0][1]["recordings"] and results[0][1]["titles"]
    assert any(row[-2] for row in results[0][1]["interests"])  # some interests are held by members
    assert all(row[-1] for row in results[0][1]["interests"])  # each carries its work's sort title
    assert results[0] == results[1]
