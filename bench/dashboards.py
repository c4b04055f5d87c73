"""Benchmark: the member and society dashboards on a big history in PostgreSQL, and their roll-ups.

    .venv/bin/python bench/dashboards.py [--links 1000000] [--days 730] [--members 2000]
        [--database-url postgres://postgres@127.0.0.1:5432/sentinelle_bench_dashboards] [--fresh]
        [--keep-rollups]

Fills a PostgreSQL database (created if absent, reused when it already holds the same history;
``--fresh`` starts again) with ``--links`` reported links over ``--days`` days, their events
(accepted, notice sent, outcome: 55 % removed after an exponential delay of mean 3 days, 5 %
removed then reappeared, 15 % still online, 7 % refused, 3 % counter-notices, 5 % unverifiable,
10 % pending), one notice per platform and day, and answers — written with COPY. Members are
skewed (a few publishers report most links), platforms too (a Zipf-like spread over 300).

Then, timed:

1. ``rebuild_rollups`` (the full rebuild) and the roll-up of one day (yesterday: its cohort and its
   events), seconds;
2. 50 requests of each dashboard through Django's test client (session, middleware, template,
   charts): the member dashboard of the busiest member and of 50 random members (default period,
   twelve months), the society dashboard (default period, twelve weeks) and the same over twelve
   months; p50 and p95 in ms. No cache: every request reads the roll-ups.
3. The peer, side by side: the same figures computed by scanning the links and their events
   (what the pages would do without roll-ups: one grouped query with the first removal of each
   link), p50/p95 over 10 runs, and the ratio. The bench checks that both give the same totals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.djangosetup import ensure_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sentinelle_bench_dashboards"
KINDS = (
    ["search_engine"] * 10
    + ["file_host"] * 100
    + ["torrent_index"] * 60
    + ["link_site"] * 60
    + ["video_platform"] * 40
    + ["social_network"] * 30
)


def setup(url: str) -> None:
    os.environ["SENTINELLE_VAR_DIR"] = tempfile.mkdtemp(prefix="sentinelle-bench-")
    os.environ["DATABASE_URL"] = url
    os.environ["SENTINELLE_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentinelle.settings")
    os.environ.setdefault("SENTINELLE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the history ---------------------------------------------------------------------------------


class Copier:
    """Rows written with COPY, in batches."""

    def __init__(self, table: str, columns: list[str]) -> None:
        self.table, self.columns, self.buffer, self.count = table, columns, io.StringIO(), 0

    def add(self, *values: object) -> None:
        self.buffer.write("\t".join("\\N" if v is None else str(v) for v in values) + "\n")
        self.count += 1
        if self.count % 200_000 == 0:
            self.flush()

    def flush(self) -> None:
        from django.db import connection

        data = self.buffer.getvalue()
        self.buffer = io.StringIO()
        if not data:
            return
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy,
        ):
            copy.write(data)


def _outcome(rng: random.Random) -> str:
    x = rng.random()
    for limit, status in (
        (0.55, "removed"),
        (0.60, "reappeared"),
        (0.75, "still_online"),
        (0.82, "refused_by_platform"),
        (0.85, "counter_notice"),
        (0.90, "unverifiable"),
        (0.95, "notice_sent"),
    ):
        if x < limit:
            return status
    return "accepted"


def populate(links: int, days: int, members: int, seed: int = 15) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from sentinelle.catalogue.models import Work
    from sentinelle.members.models import Member, User
    from sentinelle.platforms.models import Platform

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(email=f"member{i}@bench.example", password="!") for i in range(members)],
            batch_size=2000,
        )
        member_rows = Member.objects.bulk_create(
            [
                Member(user=u, member_number=f"BM{i:06d}", name=f"Member {i}", kinds=["author"])
                for i, u in enumerate(users)
            ],
            batch_size=2000,
        )
        works = Work.objects.bulk_create(
            [Work(title=f"Work {i}", work_code=f"BW{i:07d}") for i in range(members * 10)], batch_size=5000
        )
        platforms = Platform.objects.bulk_create(
            [Platform(name=f"Platform {i:03d}", slug=f"platform-{i:03d}", kind=k) for i, k in enumerate(KINDS)]
        )
        User.objects.create_user(email="staff@bench.example", password="bench-password", is_staff=True)
    member_ids = [m.pk for m in member_rows]
    work_ids = [w.pk for w in works]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM takedowns_reportedlink")
        link_id = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM takedowns_takedownrequest")
        request_id = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM notices_notice")
        notice_id = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM notices_noticeitem")
        item_id = cursor.fetchone()[0]
    end = timezone.now().replace(microsecond=0)
    requests = Copier(
        "takedowns_takedownrequest",
        [
            "id",
            "member_id",
            "work_id",
            "actions",
            "created_at",
            "line_count",
            "accepted_count",
            "refused_count",
            "via_api",
        ],
    )
    link_copy = Copier(
        "takedowns_reportedlink",
        [
            "id", "request_id", "member_id", "work_id", "action", "status", "refusal_reason", "submitted_url", "url",
            "identity_key", "file_key", "host", "registrable_domain", "platform_id", "unwrapped_from", "shortener",
            "recipients", "escalation_level", "line_number", "created_at", "updated_at", "content_key", "info_hash",
        ],
    )  # fmt: skip
    events = Copier("takedowns_linkevent", ["link_id", "at", "kind", "from_status", "to_status", "message", "data"])
    items = Copier(
        "notices_noticeitem",
        ["id", "notice_id", "link_id", "escalation_level", "recipient_key", "position", "url", "site", "work_title",
         "work_iswc", "rights_holders", "discarded"],
    )  # fmt: skip
    answers = Copier(
        "notices_recipientanswer", ["notice_id", "item_id", "decision", "reason", "counter_notice", "received_at"]
    )
    notices: dict[tuple[int, int], tuple[int, dt.datetime, str]] = {}
    # One transaction: the foreign keys (deferred) are checked at its end, whatever order the COPYs run in.
    with transaction.atomic():
        for i in range(links):
            if i % 10 == 0:
                member = member_ids[min(members - 1, int(members * rng.random() ** 3))]
                work = work_ids[(member - member_ids[0]) * 10 + rng.randrange(10)]
                platform_index = min(len(platforms) - 1, int(len(platforms) * rng.random() ** 2.5))
                platform = platforms[platform_index]
                created = end - dt.timedelta(seconds=rng.random() * days * 86400)
                request_id += 1
                action = "delist" if platform.kind == "search_engine" else "remove"
                requests.add(request_id, member, work, f'["{action}"]', created.isoformat(), 10, 10, 0, "f")
            link_id += 1
            at = created + dt.timedelta(seconds=i % 10)
            status = _outcome(rng)
            host = f"site{platform_index}.example"
            link_copy.add(
                link_id, request_id, member, work, action, status, "", f"https://{host}/{link_id}",
                f"https://{host}/{link_id}", f"{host}/{link_id}", "", host, host, platform.pk, "", "f", "[]", 0, i % 10,
                at.isoformat(), at.isoformat(), f"{host}/{link_id}", "",
            )  # fmt: skip
            events.add(link_id, at.isoformat(), "accepted", "", "accepted", "", "{}")
            if status == "accepted":
                continue
            day = (end - at).days
            key = (platform.pk, day)
            if key not in notices:
                notice_id += 1
                sent = at + dt.timedelta(hours=1)
                notices[key] = (notice_id, sent, action)
            nid, sent, _a = notices[key]
            sent = max(sent, at)
            item_id += 1
            items.add(
                item_id, nid, link_id, 0, f"r{platform.pk}", 0, f"https://{host}/{link_id}", host, "w", "", "[]", "f"
            )
            events.add(link_id, sent.isoformat(), "notice_sent", "accepted", "notice_sent", "", "{}")
            if status == "notice_sent":
                continue
            delay = dt.timedelta(hours=rng.expovariate(1 / 72))
            final_at = min(end, at + delay)
            if status in ("removed", "reappeared"):
                final = "delisted" if action == "delist" else "removed"
                events.add(link_id, final_at.isoformat(), "check", "notice_sent", final, "", "{}")
                if rng.random() < 0.6:
                    answers.add(nid, item_id, "actioned", "", "", final_at.isoformat())
                if status == "reappeared":
                    back = min(end, final_at + dt.timedelta(days=rng.randrange(1, 30)))
                    events.add(link_id, back.isoformat(), "check", final, "reappeared", "", "{}")
            else:
                events.add(link_id, final_at.isoformat(), "check", "notice_sent", status, "", "{}")
                decision = {"refused_by_platform": "refused", "counter_notice": "counter_notice"}.get(status)
                if decision:
                    answers.add(nid, item_id, decision, "", "", final_at.isoformat())
        notice_copy = Copier(
            "notices_notice",
            ["id", "recipient_platform_id", "recipient_key", "recipient_name", "recipient_domain",
             "recipient_email", "recipient_endpoint", "channel", "action", "regime", "language", "escalation_level",
             "status", "hold_reason", "sender", "dated", "subject", "body", "message_id", "thread_message_ids",
             "idempotency_key", "attempt_count", "created_at", "sent_at", "discard_reason", "hold_code", "hold_params",
             "route"],
        )  # fmt: skip
        for (platform_pk, _day), (nid, sent, action) in notices.items():
            regime = "us" if platform_pk % 3 == 0 else "eu"
            channel = "bulk_file" if action == "delist" else ("https" if platform_pk % 5 == 0 else "email")
            notice_copy.add(
                nid, platform_pk, f"r{platform_pk}", f"Platform {platform_pk}", "", "", "", channel, action, regime,
                "fr", 0, "delivered", "", "{}", sent.date().isoformat(), "s", "b", f"<{nid}@bench>", "[]", f"k{nid}", 1,
                sent.isoformat(), sent.isoformat(), "", "", "{}", "{}",
            )  # fmt: skip
        for copier in (requests, link_copy, notice_copy, items, events, answers):
            copier.flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"history: {link_copy.count:,} links, {events.count:,} events, {len(notices):,} notices, "
        f"{items.count:,} notice items, {answers.count:,} answers, {members:,} members "
        f"over {days} days, written in {time.perf_counter() - started:.0f} s"
    )
    return {"links": link_copy.count}


# --- measuring -----------------------------------------------------------------------------------


def timings(call: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def line(name: str, values: list[float]) -> tuple[float, float]:
    p50, p95 = statistics.median(values), p(values, 0.95)
    load = os.getloadavg()[0]
    print(f"  {name:<58} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   ({len(values)} runs, load average {load:.1f})")
    return p50, p95


def scan_member(member_id: int, start: dt.datetime, end: dt.datetime) -> tuple[int, int, float | None]:
    """The peer: the member's figures straight from the links and their events (no roll-ups)."""
    from django.db import connection

    sql = """
        SELECT count(*) FILTER (WHERE l.status <> 'refused'),
               count(*) FILTER (WHERE l.status IN ('removed', 'delisted')),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY floor(extract(epoch FROM r.first - l.created_at) / 3600))
        FROM takedowns_reportedlink l
        LEFT JOIN LATERAL (
            SELECT min(e.at) AS first FROM takedowns_linkevent e
            WHERE e.link_id = l.id AND e.to_status IN ('removed', 'delisted')
        ) r ON true
        WHERE l.member_id = %s AND l.created_at >= %s AND l.created_at < %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [member_id, start, end])
        reported, removed, med = cursor.fetchone()
    return reported, removed, med


def scan_society(start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """The peer: per-platform figures straight from the links and their events (no roll-ups)."""
    from django.db import connection

    sql = """
        SELECT l.platform_id, count(*), count(*) FILTER (WHERE l.status IN ('removed', 'delisted')),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY floor(extract(epoch FROM r.first - l.created_at) / 86400))
        FROM takedowns_reportedlink l
        LEFT JOIN LATERAL (
            SELECT min(e.at) AS first FROM takedowns_linkevent e
            WHERE e.link_id = l.id AND e.to_status IN ('removed', 'delisted')
        ) r ON true
        WHERE l.created_at >= %s AND l.created_at < %s AND l.status <> 'refused'
        GROUP BY l.platform_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end])
        rows = cursor.fetchall()
    return sum(r[1] for r in rows), sum(r[2] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fresh", action="store_true", help="drop the bench database and fill it again")
    parser.add_argument("--keep-rollups", action="store_true", help="time the pages on the roll-ups already built")
    args = parser.parse_args()
    ensure_database(args.database_url, fresh=args.fresh)
    setup(args.database_url)

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from sentinelle.members.models import Member, User
    from sentinelle.stats import selectors, services
    from sentinelle.stats.models import MemberDay
    from sentinelle.takedowns.models import ReportedLink

    existing = ReportedLink.objects.count()
    if existing and existing != args.links:
        sys.exit(f"the bench database holds {existing:,} links, not {args.links:,}: run again with --fresh")
    if existing:
        print(f"history: reusing {existing:,} links in {args.database_url.rsplit('/', 1)[1]}")
    else:
        populate(args.links, args.days, args.members)
    print(f"load average when the timings start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("roll-ups:")
    started = time.perf_counter()
    if args.keep_rollups and MemberDay.objects.exists():
        print("  full rebuild: skipped (--keep-rollups: the roll-ups already in the bench database)")
    else:
        result = services.rebuild_rollups()
        elapsed = time.perf_counter() - started
        print(f"  full rebuild: {result.links:,} links over {result.cohort_days} days in {elapsed:.1f} s")
        started = time.perf_counter()
        services.settle_rollups()
        print(f"  then VACUUM ANALYZE of the roll-ups (as rebuild_rollups does): {time.perf_counter() - started:.1f} s")
    yesterday = services.local_day(timezone.now()) - dt.timedelta(days=1)
    started = time.perf_counter()
    day_links = services.count_cohort_day(yesterday)
    services.count_event_day(yesterday)
    print(f"  one day ({yesterday}, {day_links:,} links reported that day): {time.perf_counter() - started:.3f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = {m.__name__: m.objects.count() for m in (MemberDay,)}
    print(f"  roll-up rows: MemberDay {rows['MemberDay']:,}")

    busiest = (
        ReportedLink.objects.values("member_id").annotate(n=Count("id")).order_by("-n").values_list("member_id", "n")[0]
    )
    busy_member = Member.objects.select_related("user").get(pk=busiest[0])
    rng = random.Random(1)
    members = list(Member.objects.select_related("user").order_by("?")[: args.requests])
    staff = User.objects.get(email="staff@bench.example")

    def client_for(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    busy_client, staff_client = client_for(busy_member.user), client_for(staff)
    member_clients = [client_for(m.user) for m in members]
    today = services.local_day(timezone.now())
    year_ago = (today - dt.timedelta(days=365)).isoformat()

    def get(client: Client, url: str, data: dict[str, str] | None = None) -> None:
        response = client.get(url, data or {})
        assert response.status_code == 200, response.status_code

    n = args.requests
    print(f"dashboards, {n} requests each (Django test client, no cache):")
    get(busy_client, "/dashboard/")  # warm the templates and the URL resolver
    get(staff_client, "/stats/")
    reference = line(
        "reference: the catalogue page (a plain page)", timings(lambda: get(busy_client, "/catalogue/"), n)
    )
    member_busy = line(
        f"member dashboard, busiest member ({busiest[1]:,} links)", timings(lambda: get(busy_client, "/dashboard/"), n)
    )
    picks = iter(rng.choices(member_clients, k=n))
    member_any = line("member dashboard, random members", timings(lambda: get(next(picks), "/dashboard/"), n))
    society_12w = line("society dashboard, default period (12 weeks)", timings(lambda: get(staff_client, "/stats/"), n))
    society_12m = line(
        "society dashboard, 12 months",
        timings(lambda: get(staff_client, "/stats/", {"date_from": year_ago, "date_to": today.isoformat()}), n),
    )

    print("peer: the same figures by scanning the links and their events (10 runs):")
    m_from, m_to = selectors.default_member_period(today)
    m_start, m_end = services.day_bounds(m_from)[0], services.day_bounds(m_to)[1]
    s_from, s_to = selectors.default_society_period(today)
    s_start, s_end = services.day_bounds(s_from)[0], services.day_bounds(s_to)[1]
    scan_m = line("scan, busiest member's figures", timings(lambda: scan_member(busy_member.pk, m_start, m_end), 10))
    scan_s = line("scan, society per-platform figures (12 weeks)", timings(lambda: scan_society(s_start, s_end), 10))
    print("ratios:")
    print(
        f"  scan p95 / dashboard p95 (one query against the whole page): member (busiest) "
        f"{scan_m[1] / member_busy[1]:.2f}x, society (12 weeks) {scan_s[1] / society_12w[1]:.2f}x"
    )
    print(
        f"  dashboard p95 / catalogue page p95: member (busiest) {member_busy[1] / reference[1]:.1f}x, "
        f"society (12 weeks) {society_12w[1] / reference[1]:.1f}x, "
        f"society (12 months) {society_12m[1] / reference[1]:.1f}x"
    )

    board = selectors.member_dashboard(busy_member, m_from, m_to)
    reported, removed, med = scan_member(busy_member.pk, m_start, m_end)
    assert (board.total.tally.reported, board.total.tally.removed) == (reported, removed), (
        board.total.tally,
        reported,
        removed,
    )
    assert board.total.median_hours == med, (board.total.median_hours, med)
    society = selectors.society_dashboard(selectors.SocietyFilter(s_from, s_to))
    assert (society.total.tally.reported, society.total.tally.removed) == scan_society(s_start, s_end)
    print("check: the roll-ups give the scan's totals and median (busiest member, society)")
    target = max(member_busy[1], member_any[1], society_12w[1], society_12m[1])
    print(f"target p95 < 200 ms on every dashboard: {'met' if target < 200 else 'NOT met'} (worst p95 {target:.1f} ms)")


if __name__ == "__main__":
    main()
