"""Benchmark: intake through the service, the API and the staff bulk import against PostgreSQL's
COPY of the same rows into the same table, in one run.

    .venv/bin/python bench/intake.py --database-url postgres://postgres@127.0.0.1:5432/DB [--lines 20000]

The database must be empty and disposable (the script migrates and fills it). One member with
no daily limit reports ``--lines`` new links through ``takedowns.services.submit_links`` in
submissions of 1,000 lines, then as many others through ``POST /api/v1/works/{id}/links`` with
1,000-line requests (Django's test client: the whole request, authentication, validation and the
JSON answer included, no network; one untimed request first, as a running server has served),
then as many others through the staff bulk import (``takedowns.services.bulk.import_links`` over
a CSV file, 1,000 rows a chunk). Then the very rows the service stored are copied out and COPYed
back into the same table (same indexes), timed: the ceiling. Each line of the service, the API
and the import also writes its two events (received, accepted); COPY writes the links alone.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.djangosetup import setup_postgres  # noqa: E402

PER_SUBMISSION = 1000
HOSTS = 300


def urls(prefix: str, n: int) -> list[str]:
    return [f"https://{prefix}{i % HOSTS}.example/dl/{i}/file-{i}.mp3" for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args()
    setup_postgres(args.database_url, needs="COPY")
    from django.db import connection
    from django.test import Client

    from sentinelle.members.services import create_api_token
    from sentinelle.takedowns import services
    from sentinelle.takedowns.models import ReportedLink
    from tests.factories import InterestFactory, make_platform

    make_platform("MEGA", "file_host", ["mega.nz"], jurisdiction="NZ")
    make_platform("Google", "search_engine", ["google.com"], jurisdiction="US")
    interest = InterestFactory()
    member, work = interest.member, interest.work
    member.daily_link_quota = 10**9
    member.save()
    _row, token = create_api_token(member.user, "bench")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    n = args.lines

    # The service, 1,000 lines a submission.
    lines = urls("svc-pirate", n)
    t0 = time.perf_counter()
    for start in range(0, n, PER_SUBMISSION):
        result = services.submit_links(member, work.pk, "\n".join(lines[start : start + PER_SUBMISSION]), ["remove"])
        assert len(result.accepted) == len(lines[start : start + PER_SUBMISSION]), result.refused[:1]
    service = time.perf_counter() - t0

    # The API, 1,000-line requests, after one untimed request: a running server has its URLconf
    # and the API's schemas loaded (the first request of a process imports them: ~0.6 s).
    warm = api.post(
        f"/api/v1/works/{work.pk}/links",
        {"urls": urls("warm-pirate", 3), "actions": ["remove"]},
        content_type="application/json",
    )
    assert warm.status_code == 201, warm.content[:300]
    lines = urls("api-pirate", n)
    t0 = time.perf_counter()
    for start in range(0, n, PER_SUBMISSION):
        response = api.post(
            f"/api/v1/works/{work.pk}/links",
            {"urls": lines[start : start + PER_SUBMISSION], "actions": ["remove"]},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]
    through_api = time.perf_counter() - t0

    # The staff bulk import of a CSV file, 1,000 rows a chunk.
    from sentinelle.takedowns.services import bulk

    csv_text = "work,url,action\n" + "".join(f"{work.pk},{url},remove\n" for url in urls("blk-pirate", n))
    t0 = time.perf_counter()
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(csv_text)))
    bulk_import = time.perf_counter() - t0
    assert report.accepted == n and not report.problems, report.summary()

    # The same rows again, by COPY: the service's rows copied out, then in, into the same table.
    columns = [f.column for f in ReportedLink._meta.concrete_fields if f.column != "id"]
    names = ", ".join(columns)
    buffer = io.BytesIO()
    with connection.cursor() as cur:
        raw = cur.cursor  # psycopg's own cursor: COPY
        # names: the model's own column names, not input
        select = f"SELECT {names} FROM takedowns_reportedlink WHERE url LIKE 'https://svc-pirate%' ORDER BY id"
        with raw.copy(f"COPY ({select}) TO STDOUT") as copy:
            for data in copy:
                buffer.write(bytes(data))
        payload = buffer.getvalue()
        t0 = time.perf_counter()
        with raw.copy(f"COPY takedowns_reportedlink ({names}) FROM STDIN") as copy:
            copy.write(payload)
        copied = time.perf_counter() - t0

    ceiling = n / copied
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"lines: {n:,} (new links, one action, {PER_SUBMISSION:,} lines per submission or request)")
    print(f"COPY (links only):             {copied:6.2f} s -> {ceiling:8,.0f} rows/s   (100 %)")
    runs = (
        ("service (links + events):", service),
        ("API (links + events):", through_api),
        ("bulk import (links + events):", bulk_import),
    )
    for label, seconds in runs:
        rate = n / seconds
        print(f"{label:<31}{seconds:6.2f} s -> {rate:8,.0f} lines/s  ({100 * rate / ceiling:5.1f} % of COPY)")


if __name__ == "__main__":
    main()
