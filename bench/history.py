"""Benchmark: a member's history at scale (PostgreSQL only).

    .venv/bin/python bench/history.py --database-url postgres://postgres@127.0.0.1:5432/DB
        [--links 1000000] [--member-links 200000] [--runs 40]

The database must be empty and disposable: the script migrates it and fills it with ``--links``
links, ``--member-links`` of them for one member (the rest spread over 2,000 others), with
events (notice sent, answer, removal) on the big member's links. Then, through the API and the
history page (Django's test client: the whole request, authentication and rendering included),
it times the first page, filtered pages (work, status, platform, date range) and a page 4,000
pages deep (25 a page) reached by its cursor; the CSV export's first byte, first row and whole
body, with the process's peak memory before and after. Side by side in the same run, the former
way (a full ``COUNT(*)`` and ``OFFSET``) on the former index set, with every index's size on both.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.djangosetup import setup_postgres  # noqa: E402

PER_PAGE = 25
UNUSABLE = "!"  # Django's mark of an unusable password hash: nobody logs in with these accounts
DEEP_PAGES = 4000
OTHER_MEMBERS = 2000
BIG_WORKS = 200

# The index set before issue 14 (migration 0002), recreated for the side-by-side figures.
OLD_INDEXES = [
    "CREATE INDEX old_member ON takedowns_reportedlink (member_id)",
    "CREATE INDEX old_work ON takedowns_reportedlink (work_id)",
    "CREATE INDEX old_member_created ON takedowns_reportedlink (member_id, created_at DESC)",
    "CREATE INDEX old_identity ON takedowns_reportedlink (identity_key)",
    "CREATE INDEX old_identity_like ON takedowns_reportedlink (identity_key varchar_pattern_ops)",
    "CREATE INDEX old_file_key ON takedowns_reportedlink (file_key)",
    "CREATE INDEX old_file_key_like ON takedowns_reportedlink (file_key varchar_pattern_ops)",
    "CREATE INDEX old_status_like ON takedowns_reportedlink (status varchar_pattern_ops)",
    "CREATE INDEX old_site_like ON takedowns_reportedlink (registrable_domain varchar_pattern_ops)",
]
NEW_ONLY_INDEXES = ["link_member_history", "link_member_site", "link_file_key"]

# {…} are filled by str.format; the request (and with it the member and the work) of row g: every
# STEP-th row the big member's (its works in turn), the others' in between: interleaved in time.
FILL_SQL = """
INSERT INTO takedowns_reportedlink (
    request_id, member_id, work_id, action, status, refusal_reason, submitted_url, url, identity_key,
    file_key, content_key, info_hash, host, registrable_domain, platform_id, unwrapped_from, shortener, recipients,
    escalation_level, line_number, created_at, updated_at, redirect_chain, resolved_url, resolution_error)
SELECT req[k], mem[k], wrk[k],
       CASE WHEN g % 3 = 0 THEN 'delist' ELSE 'remove' END,
       (ARRAY['accepted','notice_sent','removed','still_online','delisted','refused','escalated',
              'removed','notice_sent','removed'])[1 + (g / 7) % 10],
       CASE WHEN (g / 7) % 10 = 5 THEN 'quota' ELSE '' END,
       'https://host' || (g % 50) || '.example/file/' || g,
       'https://host' || (g % 50) || '.example/file/' || g,
       'host' || (g % 50) || '.example/file/' || g,
       CASE WHEN g % 4 = 0 THEN 'fh:' || g ELSE '' END,
       CASE WHEN g % 4 = 0 THEN 'fh:' || g ELSE '' END, '',
       'host' || (g % 50) || '.example', 'host' || (g % 50) || '.example',
       {first_platform} + g % 50, '', false, '[]'::jsonb, 0, 1,
       now() - (g * interval '7 seconds'), now() - (g * interval '7 seconds'), '[]'::jsonb, '', ''
FROM (
    SELECT g, CASE WHEN g % {step} = 0 THEN 1 + (g / {step}) % {big_works}
                   ELSE 1 + {big_works} + g % {others} END AS k
    FROM generate_series(1, {links}) AS g
) rows,
(SELECT ARRAY[{req}] AS req, ARRAY[{mem}] AS mem, ARRAY[{wrk}] AS wrk) ids
"""

EVENTS_SQL = """
INSERT INTO takedowns_linkevent (link_id, at, kind, from_status, to_status, message, data)
SELECT id, created_at + interval '1 hour', 'notice_sent', 'accepted', 'notice_sent', '', '{{}}'::jsonb
FROM takedowns_reportedlink WHERE member_id = {member} AND status <> 'refused'
UNION ALL
SELECT id, created_at + interval '20 hours', 'answer', '', '', '', '{{}}'::jsonb
FROM takedowns_reportedlink WHERE member_id = {member} AND id % 5 = 0 AND status <> 'refused'
UNION ALL
SELECT id, created_at + interval '3 days', 'check', 'notice_sent', status, '', '{{}}'::jsonb
FROM takedowns_reportedlink WHERE member_id = {member} AND status IN ('removed', 'delisted')
"""


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return p(samples, 0.5), p(samples, 0.95)


def fill(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from sentinelle.catalogue.models import Interest, Party, Work
    from sentinelle.members.models import Member, User
    from sentinelle.members.services import create_api_token
    from sentinelle.platforms.models import Platform
    from sentinelle.takedowns.models import TakedownRequest

    users = User.objects.bulk_create(
        [User(email=f"m{i}@bench.example", password=UNUSABLE) for i in range(OTHER_MEMBERS + 1)]
    )
    members = Member.objects.bulk_create(
        [Member(user=u, member_number=f"B{i}", name=f"Member {i}", kinds=["author"]) for i, u in enumerate(users)]
    )
    big = members[0]
    works = Work.objects.bulk_create(
        [Work(title=f"Work {i}", work_code=f"W{i}") for i in range(BIG_WORKS + OTHER_MEMBERS)]
    )
    party = Party.objects.create(kind="writer", interested_party_number="BIG", name="Big", member=big)
    Interest.objects.bulk_create([Interest(work=w, party=party, member=big, role="CA") for w in works[:BIG_WORKS]])
    requests = [TakedownRequest(member=big, work=w, actions=["remove"]) for w in works[:BIG_WORKS]]
    requests += [
        TakedownRequest(member=m, work=w, actions=["remove"])
        for m, w in zip(members[1:], works[BIG_WORKS:], strict=True)
    ]
    TakedownRequest.objects.bulk_create(requests)
    platforms = Platform.objects.bulk_create(
        [
            Platform(name=f"Host {i}", slug=f"host-{i}", kind="file_host", regime="eu", notice_channel="email")
            for i in range(50)
        ]
    )
    others = args.links - args.member_links
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        sql = FILL_SQL.format(
            first_platform=platforms[0].pk,
            step=round(args.links / args.member_links),
            big_works=BIG_WORKS,
            others=OTHER_MEMBERS,
            links=args.links,
            req=",".join(str(r.pk) for r in requests),
            mem=",".join(str(r.member_id) for r in requests),
            wrk=",".join(str(r.work_id) for r in requests),
        )
        cur.execute(sql)
        cur.execute(EVENTS_SQL.format(member=big.pk))
        cur.execute("ANALYZE")
    print(f"filled {args.links:,} links ({others:,} for {OTHER_MEMBERS:,} others) in {time.perf_counter() - t0:.0f} s")
    _row, token = create_api_token(big.user, "bench")
    return {"member": big, "token": token, "work": works[7]}


def index_sizes() -> tuple[list[tuple[str, int]], int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE relname = 'takedowns_reportedlink' ORDER BY 2 DESC"
        )
        rows = cur.fetchall()
        cur.execute("SELECT pg_relation_size('takedowns_reportedlink')")
        table = cur.fetchone()[0]
    return rows, table


def history_filter(query: dict[str, str], day: Any) -> Any:
    from sentinelle.takedowns import selectors

    return selectors.HistoryFilter(
        work_id=int(query["work"]) if "work" in query else None,
        status=query.get("status", ""),
        platform=query.get("platform", ""),
        date_from=day if "date_from" in query else None,
        date_to=day if "date_to" in query else None,
    )


def explain(qs: Any) -> str:
    plan: str = qs.explain()
    return " / ".join(line.strip() for line in plan.splitlines() if "Index" in line or "Scan" in line or "Sort" in line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--member-links", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_postgres(args.database_url, needs="server-side cursors, EXPLAIN, index sizes")
    from django.db import connection
    from django.test import Client

    from sentinelle.takedowns import selectors
    from sentinelle.takedowns.models import ReportedLink

    ctx = fill(args)
    member, token, work = ctx["member"], ctx["token"], ctx["work"]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    web = Client()
    web.force_login(member.user)

    # A cursor 4,000 pages deep, as a member clicking "Older" 4,000 times would hold it.
    deep_pages = min(DEEP_PAGES, args.member_links // PER_PAGE - 1)
    deep_row = ReportedLink.objects.filter(member=member).order_by("-created_at", "-id")[deep_pages * PER_PAGE - 1]
    deep = selectors.Cursor(deep_row.created_at, deep_row.pk).encode()
    day = deep_row.created_at.date().isoformat()
    cases: list[tuple[str, dict[str, str]]] = [
        ("first page", {}),
        ("filtered: work", {"work": str(work.pk)}),
        ("filtered: status", {"status": "escalated"}),
        ("filtered: platform", {"platform": "Host 10"}),
        ("filtered: site, no match", {"platform": "host7.example"}),
        ("filtered: one day", {"date_from": day, "date_to": day}),
        (f"{deep_pages:,} pages deep", {"cursor": deep}),
    ]
    print(
        f"links: {ReportedLink.objects.count():,}; the member's: {ReportedLink.objects.filter(member=member).count():,}"
    )
    print("load average (1, 5, 15 min) as the timings start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(
        f"\n{'keyset (this code)':<28}{'query p50':>10}{'query p95':>10}"
        f"{'API p50':>9}{'API p95':>9}{'page p50':>10}{'page p95':>10}  count"
    )
    for name, query in cases:
        body = api.get("/api/v1/links", query).json()
        count = body["count"] if body["count"] is not None else f"more than {body['count_more_than']}"
        flt = history_filter(query, deep_row.created_at.date())
        cursor = selectors.Cursor.decode(query["cursor"]) if "cursor" in query else None
        s50, s95 = timed(lambda f=flt, c=cursor: selectors.history_page(member, f, c, PER_PAGE), args.runs)
        a50, a95 = timed(lambda q=query: api.get("/api/v1/links", q), args.runs)
        w50, w95 = timed(lambda q=query: web.get("/history/", q), args.runs)
        print(f"{name:<28}{s50:>8.1f}ms{s95:>8.1f}ms{a50:>7.1f}ms{a95:>7.1f}ms{w50:>8.1f}ms{w95:>8.1f}ms  {count}")
    print("\nplans:")
    for name, query in cases[:-1]:
        flt = history_filter(query, deep_row.created_at.date())
        print(f"  {name}: {explain(selectors.filtered_history(member, flt)[:PER_PAGE])}")
    everything = selectors.filtered_history(member, selectors.HistoryFilter())
    print(f"  deep: {explain(selectors._after(everything, selectors.Cursor.decode(deep))[:PER_PAGE])}")

    # The CSV, streamed.
    print("\nload average (1, 5, 15 min) before the CSV: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    t0 = time.perf_counter()
    response = web.get("/history.csv")
    chunks = iter(response.streaming_content)
    next(chunks)
    first_byte = time.perf_counter() - t0
    size = 0
    first_row = None
    rows = 0
    for chunk in chunks:
        if first_row is None:
            first_row = time.perf_counter() - t0
        size += len(chunk)
        rows += chunk.count(b"\n")
    total = time.perf_counter() - t0
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nCSV, streamed (14 columns): first byte {first_byte * 1000:.0f} ms, "
        f"first row {(first_row or 0) * 1000:.0f} ms, "
        f"{rows:,} rows / {size / 1e6:.1f} MB in {total:.1f} s; Python peak {peak / 1e6:.1f} MB "
        f"(process peak RSS {rss0:.0f} MB before, {rss1:.0f} MB after)"
    )

    # The former export, side by side: every row built in memory before the first byte is sent.
    from sentinelle.core.csvsafe import csv_text

    tracemalloc.start()
    t0 = time.perf_counter()
    former = csv_text(
        ["id", "reported_at", "work", "iswc", "action", "status", "refusal_reason", "url", "platform", "updated_at"],
        (
            (
                link.pk,
                link.created_at.isoformat(timespec="seconds"),
                link.work.title,
                link.work.iswc_display,
                link.get_action_display(),
                link.get_status_display(),
                link.get_refusal_reason_display() if link.refusal_reason else "",
                link.url,
                link.platform.name if link.platform else link.registrable_domain,
                link.updated_at.isoformat(timespec="seconds"),
            )
            for link in selectors.filtered_history(member, selectors.HistoryFilter()).iterator(chunk_size=500)
        ),
    )
    built = time.perf_counter() - t0
    _now, former_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"CSV, former way (built in memory, 10 columns): first byte after {built:.1f} s, "
        f"{len(former) / 1e6:.1f} MB, Python peak {former_peak / 1e6:.0f} MB"
    )
    del former

    new_sizes, table = index_sizes()

    # Side by side: the former index set and the former way (COUNT(*) + OFFSET).
    with connection.cursor() as cur:
        for name in NEW_ONLY_INDEXES:
            cur.execute(f"DROP INDEX {name}")
        for sql in OLD_INDEXES:
            cur.execute(sql)
        cur.execute("ANALYZE takedowns_reportedlink")
    old_sizes, _table = index_sizes()

    def old_page(flt: selectors.HistoryFilter, offset: int) -> None:
        qs = selectors.filtered_history(member, flt)
        qs.count()
        list(qs[offset : offset + PER_PAGE])

    print("\nload average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"{'COUNT(*) + OFFSET, old indexes':<34}{'p50':>9}{'p95':>9}")
    for name, flt, offset in [
        ("first page", selectors.HistoryFilter(), 0),
        ("filtered: work", selectors.HistoryFilter(work_id=work.pk), 0),
        ("filtered: status", selectors.HistoryFilter(status="escalated"), 0),
        (f"{deep_pages:,} pages deep", selectors.HistoryFilter(), deep_pages * PER_PAGE),
    ]:
        o50, o95 = timed(lambda f=flt, o=offset: old_page(f, o), args.runs // 2)
        print(f"{name:<34}{o50:>7.1f}ms{o95:>7.1f}ms")

    def mb(n: int) -> str:
        return f"{n / 1e6:,.0f} MB"

    print(f"\ntable takedowns_reportedlink: {mb(table)}")
    print(f"indexes now:    {len(new_sizes)}, {mb(sum(s for _n, s in new_sizes))}")
    for name, size in new_sizes:
        print(f"    {name:<52}{mb(size):>8}")
    print(f"indexes before: {len(old_sizes)}, {mb(sum(s for _n, s in old_sizes))}")


if __name__ == "__main__":
    main()
