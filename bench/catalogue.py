"""Benchmark: the CWR import and the member's catalogue pages at scale.

    .venv/bin/python bench/catalogue.py --database-url postgres://postgres@127.0.0.1:5432/sentinelle_bench
    .venv/bin/python bench/catalogue.py            # SQLite, in a temporary directory
    options: --works 100000 (import) --catalogue 1000000 (pages) --skip-import --skip-pages
             --orm-peer (import: the first import through bulk_create too) --keep-catalogue (pages:
             reuse the previous run's catalogue) --cwr FILE (import this file)

The database must be disposable: the script drops every table of its own schema first.

1. Import: a generated CWR 2.1 transmission (bench/cwrgen.py: 1 NWR, 1-3 SPU/SPT, 1-3 SWR/SWT/PWR,
   ALT, PER, REC per work; 20,000 writers and 500 publishers, skewed) imported into an empty
   catalogue, then again (every work an update), against two peers measured in the same run: reading
   the file alone, and writing the same rows straight into copies of the tables (PostgreSQL COPY;
   SQLite executemany). Memory: the process's peak RSS after each tenth of the file.
2. Pages: a catalogue of N works (inserted by SQL, not imported) where one member holds 2,000
   works and another 2; "My catalogue" and GET /api/v1/works (first page, a later page, a search),
   p50/p95 over repeated requests; the selector alone against the two before it, measured on the
   same data: sorting all the member's works per request (id IN their interests, ORDER BY
   UPPER(title)), and the issue's DISTINCT over the title index.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--catalogue", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--cwr", default="", help="import this generated file instead of generating one")
    parser.add_argument("--orm-peer", action="store_true", help="import: also the first import through bulk_create")
    parser.add_argument("--keep-catalogue", action="store_true", help="pages: reuse a previous run's catalogue")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="sentinelle-bench-"))
    os.environ["SENTINELLE_VAR_DIR"] = str(scratch)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentinelle.settings")
    os.environ.setdefault("SENTINELLE_LOG_LEVEL", "WARNING")
    os.environ.setdefault("SENTINELLE_ALLOWED_HOSTS", "testserver,localhost")
    # Filling a catalogue of 1,000,000 works takes statements longer than the service's limit.
    os.environ.setdefault("SENTINELLE_DB_STATEMENT_TIMEOUT_MS", "0")
    # Hundreds of API requests a minute from one token: the API's rate limit would answer 429.
    os.environ.setdefault("SENTINELLE_API_RATE_LIMIT", "0")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's responses carry their template context

    vendor = connection.vendor
    print(f"database: {vendor}; scratch: {scratch}")
    if not args.skip_import:
        fresh_schema()
        bench_import(scratch, args.works, vendor, Path(args.cwr) if args.cwr else None, args.orm_peer)
    if not args.skip_pages:
        if not args.keep_catalogue:
            fresh_schema()
        bench_pages(args.catalogue, args.requests, vendor, args.keep_catalogue)


def fresh_schema() -> None:
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            tables = connection.introspection.table_names(cursor)
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    call_command("migrate", verbosity=0, interactive=False)


# --- 1. Import -------------------------------------------------------------------------------


def bench_import(scratch: Path, works: int, vendor: str, given: Path | None, orm_peer: bool = False) -> None:
    from bench.cwrgen import CWRSpec, write_cwr
    from sentinelle.catalogue.cwr import CWRReader
    from sentinelle.catalogue.services import import_cwr_file

    path = given or scratch / "bench.V21"
    started = time.perf_counter()
    if given is None:
        write_cwr(path, CWRSpec(works=works, writers=20_000, publishers=500, seed=7))
    lines = sum(1 for _ in path.open("rb"))
    print(f"\n== Import: {works:,} works, {lines:,} lines, {path.stat().st_size / 1e6:.0f} MB "
          f"(generated in {time.perf_counter() - started:.1f} s) ==")  # fmt: skip

    started = time.perf_counter()
    read = sum(1 for _ in CWRReader(path))
    read_s = time.perf_counter() - started
    print(f"read only (CWRReader):      {read / read_s:9,.0f} works/s  ({read_s:6.1f} s; {load()})")

    results: dict[str, float] = {}
    for label in ("first import", "repeated import"):
        samples: list[str] = []
        seen = [0]

        def progress(n: int, seen: list[int] = seen, samples: list[str] = samples) -> None:
            seen[0] += n
            if len(samples) < seen[0] * 10 // lines:
                samples.append(f"{rss_mb():.0f}")

        started = time.perf_counter()
        report = import_cwr_file(path, progress=progress)
        elapsed = time.perf_counter() - started
        results[label] = elapsed
        assert report.ok, report.errors[:3]
        print(f"{label + ':':27} {works / elapsed:9,.0f} works/s  ({elapsed:6.1f} s; {lines / elapsed:,.0f} lines/s; "
              f"{report.works_created:,} created, {report.works_updated:,} updated; {load()})")  # fmt: skip
        print(f"   peak RSS (MB) after each tenth of the file: {' '.join(samples)}")

    copy_s, rows = copy_same_rows(vendor)
    print(f"{'COPY of the same rows:' if vendor == 'postgresql' else 'executemany, same rows:':27} "
          f"{works / copy_s:9,.0f} works/s  ({copy_s:6.1f} s; {rows:,} rows into copies of the 5 tables; "
          f"{load()})")  # fmt: skip
    first = results["first import"]
    print(f"ratios: import / read-only = {first / read_s:.1f}x the time; import / "
          f"{'COPY' if vendor == 'postgresql' else 'executemany'} = {first / copy_s:.1f}x; "
          f"5,000,000 works at this rate: {5_000_000 / (works / first) / 3600:.2f} h")  # fmt: skip
    if orm_peer and vendor == "postgresql":
        # The same first import through bulk_create (the path SQLite takes, and PostgreSQL's before
        # the staging tables), into an empty catalogue again: the writer's two paths side by side.
        from sentinelle.catalogue.services import rows as row_paths

        fresh_schema()
        row_paths.USE_COPY = False
        started = time.perf_counter()
        report = import_cwr_file(path)
        orm_s = time.perf_counter() - started
        row_paths.USE_COPY = True
        assert report.ok and report.works_created == works, report.errors[:3]
        print(f"{'first import, bulk_create:':27} {works / orm_s:9,.0f} works/s  ({orm_s:6.1f} s; "
              f"{orm_s / first:.1f}x the time of the COPY path; {load()})")  # fmt: skip


def copy_same_rows(vendor: str) -> tuple[float, int]:
    """Write the rows the import wrote into empty copies of the tables: the floor of any importer."""
    from django.db import connection

    tables = ["catalogue_work", "catalogue_alternatetitle", "catalogue_recording", "catalogue_party",
              "catalogue_interest"]  # fmt: skip
    total = 0
    elapsed = 0.0
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            data = cursor.fetchall()
            columns = [c[0] for c in cursor.description]
            total += len(data)
            if vendor == "postgresql":
                cursor.execute(f"CREATE TEMP TABLE copy_{table} (LIKE {table} INCLUDING ALL)")
                started = time.perf_counter()
                with cursor.cursor.copy(f"COPY copy_{table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            else:
                cursor.execute(f"CREATE TEMP TABLE copy_{table} AS SELECT * FROM {table} WHERE 0")
                started = time.perf_counter()
                marks = ", ".join("?" * len(columns))
                cursor.executemany(f"INSERT INTO copy_{table} VALUES ({marks})", data)
            elapsed += time.perf_counter() - started
    return elapsed, total


# --- 2. Pages ---------------------------------------------------------------------------------


def fill_catalogue(n: int, vendor: str) -> dict[str, Any]:
    """N works, 2-3 interests each over 20,000 parties; member "big" holds 2,000, "small" 2."""
    from django.db import connection

    from sentinelle.members.models import Member, User

    users = {}
    for name in ("big", "small"):
        user = User.objects.create_user(email=f"{name}@bench.example", password="bench-password-1")
        users[name] = Member.objects.create(user=user, member_number=f"B-{name}", name=name)
    big, small = users["big"].pk, users["small"].pk

    def series(count: int) -> str:
        if vendor == "postgresql":
            return f"generate_series(1, {count}) AS g(i)"
        return (
            f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) SELECT i FROM s) AS g"
        )

    words = "'amour','nuit','soleil','mer','ville','route','coeur','temps','rose','pluie','vent','ciel'"
    pick = (
        (lambda k: f"(ARRAY[{words}])[1 + (g.i * {k}) % 12]") if vendor == "postgresql"
        else (lambda k: f"json_extract('[{words.replace(chr(39), chr(34))}]', '$[' || ((g.i * {k}) % 12) || ']')")
    )  # fmt: skip
    cat = "||"
    now = "now()" if vendor == "postgresql" else "CURRENT_TIMESTAMP"
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO catalogue_work (id, title, iswc, work_code, language, source, authorised_example_url,"
            f" created_at, updated_at) SELECT g.i, upper({pick(7)} {cat} ' ' {cat} {pick(13)} {cat} ' ' {cat} g.i),"
            f" NULL, 'B:' {cat} g.i, 'fr', 'bench', '', {now}, {now} FROM {series(n)}"
        )  # fmt: skip
        c.execute(
            f"INSERT INTO catalogue_alternatetitle (work_id, title, title_type, language) SELECT g.i,"
            f" upper({pick(5)} {cat} ' alt ' {cat} g.i), 'AT', 'fr' FROM {series(n)}"
        )  # fmt: skip
        c.execute(
            f"INSERT INTO catalogue_party (id, kind, interested_party_number, name, first_name, ipi_name_number)"
            f" SELECT g.i, 'writer', 'B:W' {cat} g.i, 'AUTEUR ' {cat} g.i, '', '' FROM {series(20_000)}"
        )  # fmt: skip
        shares = "pr_share, mr_share, sr_share, pr_society, mr_society, sr_society"
        for k, role in ((1, "CA"), (2, "A")):
            c.execute(
                f"INSERT INTO catalogue_interest (work_id, party_id, role, {shares}) SELECT g.i,"
                f" 1 + (((g.i % 20000) * {k * 7919}) % 20000), '{role}', 50, 0, 0, '058', '', '' FROM {series(n)}"
            )  # fmt: skip
        c.execute(f"UPDATE catalogue_party SET member_id = {big} WHERE id = 1")
        c.execute(f"UPDATE catalogue_party SET member_id = {small} WHERE id = 2")
        # The big member: 2,000 works spread over the whole title index; the small one: 2.
        c.execute(
            f"INSERT INTO catalogue_interest (work_id, party_id, member_id, role, {shares}) SELECT"
            f" (g.i * 499) % {n} + 1, 1, {big}, 'C', 25, 0, 0, '058', '', '' FROM {series(2000)}"
        )  # fmt: skip
        c.execute(
            f"INSERT INTO catalogue_interest (work_id, party_id, member_id, role, {shares}) SELECT"
            f" (g.i * 350003) % {n} + 1, 2, {small}, 'C', 25, 0, 0, '058', '', '' FROM {series(2)}"
        )  # fmt: skip
        if vendor == "postgresql":
            for table in ("catalogue_work", "catalogue_party", "catalogue_interest", "catalogue_alternatetitle"):
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    from sentinelle.catalogue.services.writer import analyze_catalogue

    analyze_catalogue()
    print(f"\n== Pages: a catalogue of {n:,} works, {2 * n + 2002:,} interests, {n:,} alternate titles "
          f"(inserted by SQL in {time.perf_counter() - started:.0f} s) ==")  # fmt: skip
    return users


def timed(fn: Any, requests: int) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
        status = getattr(result, "status_code", 200)
        assert status == 200, f"HTTP {status}: not a page"
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def bench_pages(n: int, requests: int, vendor: str, keep: bool) -> None:
    from django.core.management import call_command

    from sentinelle.members.models import Member

    if keep:
        call_command("migrate", verbosity=0, interactive=False)
        members = {name: Member.objects.get(member_number=f"B-{name}") for name in ("big", "small")}
        print(f"\n== Pages: the catalogue of a previous run ({n:,} works) ==")
    else:
        members = fill_catalogue(n, vendor)
    print(f"{'':38} {'p50 ms':>8} {'p95 ms':>8}   ({load()})")
    for member in members.values():
        bench_member(member, requests)


def bench_member(member: Any, requests: int) -> None:
    from django.core.paginator import Paginator
    from django.db.models import Exists, OuterRef, Q
    from django.db.models.functions import Upper
    from django.test import Client

    from sentinelle.catalogue.models import AlternateTitle, Interest, Work
    from sentinelle.catalogue.selectors import member_work_page
    from sentinelle.members.services import create_api_token

    client = Client()
    client.force_login(member.user)
    _token, token = create_api_token(member.user, "bench")
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get("/catalogue/")
    assert first.status_code == 200, first.status_code
    page = first.context["page"]
    later = {"after": page.next_after} if page.has_next else {}

    def previous(query: str = "") -> None:
        # The selector: DISTINCT over the works joined to the interests, in title order.
        works = Work.objects.filter(interests__member=member).distinct().order_by("title", "id")
        if query:
            works = works.filter(title__icontains=query)
        p = Paginator(works.prefetch_related("alternate_titles"), 25).get_page(1)
        list(p.object_list)

    def sorted_per_request(query: str = "") -> None:
        # Main before the sort key: the member's works by id IN (their interests), sorted by
        # UPPER(title) on every request (a top-N sort of all of them).
        works = Work.objects.filter(pk__in=Interest.objects.filter(member=member).values("work_id"))
        if query:
            alternates = AlternateTitle.objects.filter(work=OuterRef("pk"), title__icontains=query)
            works = works.filter(Q(title__icontains=query) | Q(Exists(alternates)))
        list(works.order_by(Upper("title"), "id").prefetch_related("alternate_titles")[:26])

    def current(query: str = "") -> None:
        list(member_work_page(member, query, 25).object_list)

    cases = [
        ("My catalogue, first page", lambda: client.get("/catalogue/")),
        ("My catalogue, next page", lambda: client.get("/catalogue/", later)),
        ("My catalogue, search 'soleil'", lambda: client.get("/catalogue/", {"q": "soleil"})),
        ("GET /api/v1/works", lambda: client.get("/api/v1/works", headers=headers)),
        ("GET /api/v1/works?offset=1000", lambda: client.get("/api/v1/works", {"offset": 1000}, headers=headers)),
        ("GET /api/v1/works?q=soleil", lambda: client.get("/api/v1/works", {"q": "soleil"}, headers=headers)),
    ]
    print(f"member with {page.count:,} works (whole request through Django's test client):")
    for label, fn in cases:
        p50, p95 = timed(fn, requests)
        print(f"  {label:36} {p50:8.1f} {p95:8.1f}   ({load()})")
    print("  the selector alone, first page of 25 (p50 / p95 ms), against the two before it (same data, same run):")
    for label, query in (("no search", ""), ("search 'soleil'", "soleil")):
        n50, n95 = timed(lambda q=query: current(q), requests)
        s50, s95 = timed(lambda q=query: sorted_per_request(q), requests)
        o50, o95 = timed(lambda q=query: previous(q), max(5, requests // 4))
        print(f"    {label:18} now {n50:6.1f} / {n95:6.1f};  sorted per request {s50:6.1f} / {s95:6.1f} "
              f"({s50 / n50:.1f}x);  DISTINCT {o50:7.1f} / {o95:7.1f} ({o50 / n50:.1f}x)   ({load()})")  # fmt: skip


if __name__ == "__main__":
    main()
