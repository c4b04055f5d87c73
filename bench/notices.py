"""Benchmark: build and deliver the notices of N due links spread over thousands of recipients.

    .venv/bin/python bench/notices.py [--database-url postgres://postgres@127.0.0.1:5432/DB] \\
        [--links 200000] [--platforms 1000] [--sites 3000] [--builders 1] [--workers 4]

Without --database-url the script drops and creates its own database, sentinelle_bench_notices
(``BENCH_NOTICES_DATABASE_URL`` names another); a database given must be empty and disposable
(the script migrates and fills it). The shape, drawn
with a fixed seed:

- ``--platforms`` platforms of the registry (file hosts, e-mail contact; a quarter take French
  notices, half are under the US regime) and ``--sites`` sites the registry does not know (link
  sites: a site contact for 85 %, a hosting-provider contact for 95 %, none at all for 4 % —
  those are parked for want of a contact), Google and Bing for the delisting;
- links over those domains by a Zipf law (s = 1.1: a few cyberlockers get most, a long tail gets a
  handful each), 15 % of those on unknown sites to delist (one notice per engine), the rest to
  remove; 200 members, 5,000 works, each work with two represented rights holders, one of them
  its reporter.

The links are written with COPY, then the tables the fill changed are analysed (not timed:
autovacuum would analyse such a load within its minute; the notices' tables, empty, are left as a
fresh database has them). When the server's autovacuum is off (as on the machines this project's
tests run on), the benchmark does its analyses while the phases run: every ``autovacuum_naptime``,
ANALYZE of each table changed past autovacuum's threshold (``bench/djangosetup.AutoAnalyze``).
Then, each in its own process (timed; peak memory
from ``getrusage`` of the children): ``--builders`` processes of ``manage.py build_notices
--part k/K`` side by side; a second pass with nothing new (every link is in a notice, none
delivered yet); ``--workers`` processes of ``manage.py deliver_notices --once`` side by side,
sending over SMTP to a local aiosmtpd server in this process that counts what it receives; and a
last pass once everything is delivered. Prints links/s, notices/s and the peak memory against the
targets of issue 14 (≥ 5,000 links/s built, ≥ 50 notices/s delivered with 4 workers, < 500 MB for
1,000,000 due links).
"""

from __future__ import annotations

import argparse
import bisect
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.djangosetup import AutoAnalyze, ensure_database, setup_postgres  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sentinelle_bench_notices"

MEMBERS = 200
WORKS = 5000
ZIPF_S = 1.1


class CountingSink:
    """A real SMTP server (aiosmtpd) that counts the messages and their Message-IDs, keeping no text."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from tests.notices.helpers import free_port

        self.port = free_port()
        self.count = 0
        self.message_ids: set[str] = set()
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        mid = next((line for line in head.split(b"\r\n") if line.lower().startswith(b"message-id:")), b"")
        with self.lock:
            self.count += 1
            self.message_ids.add(mid.decode("ascii", "replace"))
        return "250 Message accepted for delivery"


def fill(args: argparse.Namespace) -> dict[str, int]:
    """The registry, the catalogue and the due links; returns counts of what the links should give."""
    from sentinelle.catalogue.models import Interest, Party, Work
    from sentinelle.core.copyrows import insert_values
    from sentinelle.members.models import Member, User
    from sentinelle.platforms.models import Platform, PlatformDomain
    from sentinelle.recipients.models import ContactOverride
    from sentinelle.takedowns.models import ReportedLink, TakedownRequest

    rnd = random.Random(14)
    members = []
    for n in range(MEMBERS):
        user = User.objects.create_user(email=f"member{n}@bench.example", password=None)
        members.append(Member.objects.create(user=user, member_number=f"B{n}", name=f"Member {n}", kinds=["author"]))
    parties = Party.objects.bulk_create(
        Party(kind="writer", interested_party_number=f"BP{n}", name=f"Writer {n}", member=m)
        for n, m in enumerate(members)
    )
    works = Work.objects.bulk_create(Work(title=f"Bench work {i}", work_code=f"BW{i}") for i in range(WORKS))
    Interest.objects.bulk_create(
        Interest(work=w, party=parties[(i + k) % MEMBERS], member=members[(i + k) % MEMBERS], role="CA")
        for i, w in enumerate(works)
        for k in (0, 1)
    )
    engines = []
    for name, domain in (("Google", "google.com"), ("Bing", "bing.com")):
        p = Platform.objects.create(
            name=name, kind="search_engine", regime="us", notice_channel="email", contact_email=f"removals@{domain}"
        )
        PlatformDomain.objects.create(platform=p, domain=domain)
        engines.append(p)
    hosts: list[tuple[str, Any]] = []
    for i in range(args.platforms):
        p = Platform.objects.create(
            name=f"Host {i}",
            kind="file_host",
            regime="eu" if i % 2 else "us",
            notice_language="fr" if i % 4 == 1 else "en",
            notice_channel="email",
            contact_email=f"abuse@host{i}.example",
        )
        PlatformDomain.objects.create(platform=p, domain=f"host{i}.example")
        hosts.append((f"host{i}.example", p))
    overrides = []
    for i in range(args.sites):
        domain = f"site{i}.example"
        hosts.append((domain, None))
        if rnd.random() < 0.04:
            continue  # no contact known: its links are parked
        if rnd.random() < 0.85:
            overrides.append(ContactOverride(registrable_domain=domain, role="site", address=f"dmca@{domain}"))
        overrides.append(
            ContactOverride(registrable_domain=domain, role="hosting", address=f"abuse@net{i % 300}.example")
        )
    ContactOverride.objects.bulk_create(overrides)
    rnd.shuffle(hosts)  # the busiest domains are platforms and unknown sites alike
    weights = [1 / (rank**ZIPF_S) for rank in range(1, len(hosts) + 1)]
    cumulative = list(_accumulate(weights))
    requests = {
        m.pk: TakedownRequest.objects.create(member=m, work=works[0], actions=["remove", "delist"]) for m in members
    }
    engine_rows = [
        {"platform_id": e.pk, "name": e.name, "domain": d}
        for e, d in zip(engines, ("google.com", "bing.com"), strict=True)
    ]
    delist = 0
    for start in range(0, args.links, 50_000):
        rows = []
        for n in range(start, min(args.links, start + 50_000)):
            domain, platform = hosts[bisect.bisect(cumulative, rnd.random() * cumulative[-1])]
            i = rnd.randrange(WORKS)
            work, member = works[i], members[i % MEMBERS]  # one of the work's two represented holders
            to_delist = platform is None and rnd.random() < 0.15
            delist += to_delist
            url = f"https://{domain}/f/{n}/track-{n}.mp3"
            rows.append(
                {
                    "request_id": requests[member.pk].pk,
                    "member_id": member.pk,
                    "work_id": work.pk,
                    "action": "delist" if to_delist else "remove",
                    "status": "accepted",
                    "submitted_url": url,
                    "url": url,
                    "identity_key": url.removeprefix("https://"),
                    "host": domain,
                    "registrable_domain": domain,
                    "platform_id": platform.pk if platform is not None else None,
                    "recipients": engine_rows
                    if to_delist
                    else [{"platform_id": platform.pk if platform else None, "name": domain, "domain": domain}],
                    "escalation_level": 0,
                    "refusal_reason": "",
                    "file_key": "",
                    "content_key": "",
                    "info_hash": "",
                    "unwrapped_from": "",
                    "shortener": False,
                    "redirect_chain": [],
                    "resolved_url": "",
                    "resolution_error": "",
                    "line_number": n,
                    "created_at": _now(),
                    "updated_at": _now(),
                }
            )
        insert_values(ReportedLink, rows)
    return {"delist": delist}


def _accumulate(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


_NOW: list[Any] = []


def _now() -> Any:
    if not _NOW:
        from django.utils import timezone

        _NOW.append(timezone.now())
    return _NOW[0]


# A builder or a delivery worker as production runs it (``manage.py build_notices --part k/K``,
# ``manage.py deliver_notices --once``), less the queueing of one delivery task per notice built:
# here the delivery workers sweep the queued notices instead.
COMMAND = """
import sys, django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False
call_command(*sys.argv[1:])
"""


class BackendCpu:
    """CPU seconds used by the PostgreSQL server processes serving the benchmark's database (client
    backends only) while it runs, read from /proc every 0.1 s: the server must run on this machine
    and its processes be readable (else ``stop()`` gives None). A backend already there at the start
    counts from its reading then (the benchmark's AutoAnalyze connection, alive since the fill), and
    the backends of ``apart`` (that connection) are summed apart: ``apart_total``. A backend's last
    tenth of a second before it exits can be missed."""

    def __init__(self, url: str, apart: Collection[int] = ()) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.apart = set(apart)
        self.apart_total: float | None = None
        self.seen: dict[int, float] = {}
        self.readable = True
        self.baseline = self._read()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _read(self) -> dict[int, float]:
        tick = os.sysconf("SC_CLK_TCK")
        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        cpu = {}
        for (pid,) in self.conn.execute(query).fetchall():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                self.readable = False
                continue
            cpu[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        return cpu

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.seen.update(self._read())
            self.stopping.wait(0.1)

    def _used(self, pids: Collection[int]) -> float:
        return sum(self.seen[pid] - self.baseline.get(pid, 0.0) for pid in pids)

    def stop(self) -> float | None:
        self.stopping.set()
        self.thread.join()
        self.seen.update(self._read())
        self.conn.close()
        if not (self.readable and self.seen):
            return None
        self.apart_total = self._used([pid for pid in self.seen if pid in self.apart])
        return self._used([pid for pid in self.seen if pid not in self.apart])


def run_all(commands: list[list[str]], env: dict[str, str]) -> tuple[float, float, float]:
    """Run the commands side by side; (seconds, peak memory of the largest in MB, CPU seconds they
    used; printed too: on a busy machine the wall time says more about the others than about them)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    procs = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for c in commands]
    outputs = [p.communicate()[0].decode() for p in procs]
    seconds = time.perf_counter() - t0
    for p, out in zip(procs, outputs, strict=True):
        if p.returncode:
            sys.exit(f"{p.args} failed:\n{out}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"  ({len(commands)} process(es): {seconds:.1f} s wall, {cpu:.1f} s of CPU in them)")
    return seconds, after.ru_maxrss / 1024, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--links", type=int, default=200_000)
    parser.add_argument("--platforms", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=3000)
    parser.add_argument("--builders", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-delivery", action="store_true")
    parser.add_argument("--fill-only", action="store_true", help="Fill the database, build nothing (to profile).")
    args = parser.parse_args()
    if not args.database_url:
        args.database_url = os.environ.get("BENCH_NOTICES_DATABASE_URL", DEFAULT_URL)
        ensure_database(args.database_url, fresh=True)
    setup_postgres(args.database_url, needs="COPY to fill")
    from django.db import connection

    t0 = time.perf_counter()
    shape = fill(args)
    connection.close()
    analyse = AutoAnalyze(args.database_url)
    analysed = analyse.pass_once()  # what autovacuum does within a minute of such a load (the empty tables left alone)
    print(
        f"filled in {time.perf_counter() - t0:.0f} s: {args.links:,} due links ({shape['delist']:,} to delist), "
        f"{args.platforms:,} platforms, {args.sites:,} unknown sites; {len(analysed)} tables analysed; "
        f"{analyse.describe()}; load {os.getloadavg()[0]:.1f}"
    )
    if args.fill_only:
        analyse.stop()
        return
    analyse.start()
    try:
        measure(args, analyse)
    finally:
        analyse.stop()
    print(f"analyses of changed tables while it ran: {analyse.analysed - len(analysed)}")


def measure(args: argparse.Namespace, analyse: AutoAnalyze) -> None:
    """Build, build again, deliver, build once more: each phase timed (see the module)."""
    from sentinelle.notices.models import Notice, NoticeItem, NoticeStatus, ParkedLink

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    manage = [sys.executable, "-c", COMMAND]
    k = args.builders
    built_s, peak, _ = run_all([[*manage, "build_notices", "--part", f"{i}/{k}"] for i in range(k)], env)
    notices = Notice.objects.count()
    items = NoticeItem.objects.count()
    queued = Notice.objects.filter(status=NoticeStatus.QUEUED).count()
    parked = ParkedLink.objects.count()
    print(
        f"build ({k} builder(s)): {notices:,} notices ({queued:,} queued), {items:,} items, {parked:,} links parked "
        f"in {built_s:.1f} s -> {args.links / built_s:,.0f} links/s (target >= 5,000), "
        f"{notices / built_s:,.1f} notices/s; peak memory {peak:,.0f} MB (target < 500 MB at 1,000,000 links); "
        f"load {os.getloadavg()[0]:.1f}"
    )
    again_s, _, _ = run_all([[*manage, "build_notices"]], env)
    print(f"second pass, nothing new (every link in an undelivered notice): {again_s:.1f} s")
    if args.skip_delivery:
        return
    sink = CountingSink()
    sink.controller.start()
    env.update(
        SENTINELLE_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        SENTINELLE_EMAIL_HOST="127.0.0.1",
        SENTINELLE_EMAIL_PORT=str(sink.port),
    )
    w = args.workers
    print(f"delivery: load before {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    backends = BackendCpu(args.database_url, apart=[analyse.backend_pid])
    own = resource.getrusage(resource.RUSAGE_SELF)
    sent_s, _, workers_cpu = run_all([[*manage, "deliver_notices", "--once"] for _ in range(w)], env)
    sink.controller.stop()
    after = resource.getrusage(resource.RUSAGE_SELF)
    sink_cpu = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime  # this process: the SMTP server
    backends_cpu = backends.stop()
    delivered = Notice.objects.filter(status=NoticeStatus.DELIVERED).count()
    print(
        f"deliver ({w} worker(s)): {delivered:,} notices delivered, {sink.count:,} messages received "
        f"({len(sink.message_ids):,} Message-IDs) in {sent_s:.1f} s -> {delivered / sent_s:,.1f} notices/s "
        f"(target >= 50), {items / sent_s:,.0f} links/s, {items / max(delivered, 1):,.0f} links a notice; "
        f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    parts = [
        ("workers (each with its ~2 s start)", workers_cpu),
        ("their PostgreSQL backends", backends_cpu),
        ("the SMTP server", sink_cpu),
        ("the benchmark's ANALYZEs (autovacuum's, on a server that runs it)", backends.apart_total),
    ]
    known = [(name, cpu) for name, cpu in parts if cpu is not None]
    total = sum(cpu for _, cpu in known)
    print(
        "  CPU a notice: "
        + ", ".join(f"{name} {cpu / max(delivered, 1) * 1000:.1f} ms" for name, cpu in known)
        + f"; together {total / max(delivered, 1) * 1000:.1f} ms, so at most "
        f"{delivered / total * (os.cpu_count() or 1) if total else 0:,.0f} notices/s on {os.cpu_count()} cores "
        "with nothing else running"
        + ("" if backends_cpu is not None else " (the PostgreSQL backends' CPU unreadable: not counted)")
    )
    last_s, _, _ = run_all([[*manage, "build_notices"]], env)
    print(f"last pass, everything delivered (parked links skipped): {last_s:.1f} s")
    if sink.count != delivered or delivered != queued or len(sink.message_ids) != delivered:
        sys.exit("mismatch between notices queued, delivered and received")


if __name__ == "__main__":
    main()
