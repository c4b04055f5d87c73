"""Benchmark: intake through the service, the API and the staff bulk import against PostgreSQL's
COPY of the same rows into the same table, in one run.

    .venv/bin/python bench/intake.py --database-url postgres://postgres@127.0.0.1:5432/DB [--lines 20000] [--rounds 5]

The database must be empty and disposable (the script migrates and fills it). One member with
no daily limit reports ``--lines`` new links through ``takedowns.services.submit_links`` in
submissions of 1,000 lines, then as many others through ``POST /api/v1/works/{id}/links`` with
1,000-line requests (Django's test client: the whole request, authentication, validation and the
JSON answer included, no network; one untimed request first, as a running server has served),
then as many others through the staff bulk import (``takedowns.services.bulk.import_links`` over
a CSV file, 1,000 rows a chunk). Then the very rows the service stored are copied out and COPYed
back into the same table (same indexes), timed: the ceiling. Each line of the service and the API
also writes its two events (received, accepted), each line of the import its one (accepted, saying
the staff imported it: docs/bulk-import.md); COPY writes the links alone.

All four run ``--rounds`` times in turn (new links each round); each round's figures are printed
with the load average, then the medians, each intake's ratio taken against its own round's COPY
(a round is short, and the machine's other work moves single figures by a third; COPY itself
moved by a half from one round to the next: five rounds by default, three gave medians that
moved by ten points from one run to the next).

``--bulk-only``: the bulk import and COPY rounds alone (COPY then copies the import's own rows).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

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
    parser.add_argument("--rounds", type=int, default=5, help="rounds of all four; the medians are printed")
    parser.add_argument("--bulk-only", action="store_true", help="the bulk import and COPY rounds only")
    args = parser.parse_args()
    setup_postgres(args.database_url, needs="COPY")
    from django.test import Client

    from sentinelle.members.services import create_api_token
    from tests.factories import InterestFactory, make_platform

    make_platform("MEGA", "file_host", ["mega.nz"], jurisdiction="NZ")
    make_platform("Google", "search_engine", ["google.com"], jurisdiction="US")
    interest = InterestFactory()
    member, work = interest.member, interest.work
    member.daily_link_quota = 10**9
    member.save()
    _row, token = create_api_token(member.user, "bench")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    # One untimed request first: a running server has its URLconf and the API's schemas loaded (the
    # first request of a process imports them: ~0.6 s).
    warm = api.post(
        f"/api/v1/works/{work.pk}/links",
        {"urls": urls("warm-pirate", 3), "actions": ["remove"]},
        content_type="application/json",
    )
    assert warm.status_code == 201, warm.content[:300]
    n = args.lines
    rounds = []
    print("load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    labels = LABELS[2:] if args.bulk_only else LABELS
    for r in range(1, args.rounds + 1):
        rounds.append(_round(f"r{r}-", n, member, work, api, args.bulk_only))
        copied, seconds = rounds[-1]
        ratios = "  ".join(f"{label} {100 * copied / s:5.1f} %" for label, s in zip(labels, seconds, strict=True))
        print(f"round {r}: COPY {n / copied:8,.0f} rows/s   {ratios}   (load {os.getloadavg()[0]:.1f})")
    print("load average (1, 5, 15 min) after:  {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"lines: {n:,} a round (new links, one action, {PER_SUBMISSION:,} lines per submission, request or chunk)")
    print(f"median of {len(rounds)} round(s), each intake against the COPY of its own round:")
    copy_rate = statistics.median(n / copied for copied, _s in rounds)
    print(f"COPY (links only):             {n / copy_rate:6.2f} s -> {copy_rate:8,.0f} rows/s   (100 %)")
    for i, label in enumerate(labels):
        seconds = statistics.median(s[i] for _c, s in rounds)
        ratio = statistics.median(100 * c / s[i] for c, s in rounds)
        name = f"{label} (links + events):"
        print(f"{name:<31}{seconds:6.2f} s -> {n / seconds:8,.0f} lines/s  ({ratio:5.1f} % of COPY)")


LABELS = ("service", "API", "bulk import")


def _round(prefix: str, n: int, member: Any, work: Any, api: Any, bulk_only: bool) -> tuple[float, tuple[float, ...]]:
    """One round: ``n`` new links by the service, the API and the bulk import, then the service's
    rows COPYed back into the same table. Returns (COPY seconds, (service, API, import seconds)).
    ``bulk_only``: the bulk import alone, then its own rows COPYed back (COPY seconds, (import seconds,))."""
    if bulk_only:
        bulk_import = _bulk_import(prefix, n, member, work)
        return _copied(prefix + "blk-pirate"), (bulk_import,)

    from sentinelle.takedowns import services

    # The service, 1,000 lines a submission.
    lines = urls(f"{prefix}svc-pirate", n)
    t0 = time.perf_counter()
    for start in range(0, n, PER_SUBMISSION):
        result = services.submit_links(member, work.pk, "\n".join(lines[start : start + PER_SUBMISSION]), ["remove"])
        assert len(result.accepted) == len(lines[start : start + PER_SUBMISSION]), result.refused[:1]
    service = time.perf_counter() - t0

    # The API, 1,000-line requests.
    lines = urls(f"{prefix}api-pirate", n)
    t0 = time.perf_counter()
    for start in range(0, n, PER_SUBMISSION):
        response = api.post(
            f"/api/v1/works/{work.pk}/links",
            {"urls": lines[start : start + PER_SUBMISSION], "actions": ["remove"]},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]
    through_api = time.perf_counter() - t0
    bulk_import = _bulk_import(prefix, n, member, work)
    return _copied(prefix + "svc-pirate"), (service, through_api, bulk_import)


def _bulk_import(prefix: str, n: int, member: Any, work: Any) -> float:
    """The staff bulk import of a CSV file of ``n`` new links, 1,000 rows a chunk: its seconds."""
    from sentinelle.takedowns.services import bulk

    csv_text = "work,url,action\n" + "".join(f"{work.pk},{url},remove\n" for url in urls(f"{prefix}blk-pirate", n))
    t0 = time.perf_counter()
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(csv_text)))
    bulk_import = time.perf_counter() - t0
    assert report.accepted == n and not report.problems, report.summary()
    return bulk_import


def _copied(url_prefix: str) -> float:
    """The same rows again, by COPY: the links whose URL starts with ``https://{url_prefix}`` copied
    out, then in, into the same table. Returns the seconds of the COPY in."""
    from django.db import connection

    from sentinelle.takedowns.models import ReportedLink

    columns = [f.column for f in ReportedLink._meta.concrete_fields if f.column != "id"]
    names = ", ".join(columns)
    buffer = io.BytesIO()
    with connection.cursor() as cur:
        raw = cur.cursor  # psycopg's own cursor: COPY
        # names: the model's own column names, not input; url_prefix: this script's own
        select = f"SELECT {names} FROM takedowns_reportedlink WHERE url LIKE 'https://{url_prefix}%' ORDER BY id"
        with raw.copy(f"COPY ({select}) TO STDOUT") as copy:
            for data in copy:
                buffer.write(bytes(data))
        payload = buffer.getvalue()
        t0 = time.perf_counter()
        with raw.copy(f"COPY takedowns_reportedlink ({names}) FROM STDIN") as copy:
            copy.write(payload)
        return time.perf_counter() - t0


if __name__ == "__main__":
    main()
