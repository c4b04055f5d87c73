"""Load test: simulated members browsing and reporting against the production layout on this machine.

    python bench/load.py [--users 200] [--minutes 5] [--web-workers 5] [--rq-workers 2]
                         [--database-url postgres://postgres@127.0.0.1:5432/sentinelle_load]

Not part of CI (``make load`` runs it). It lays out what docs/deployment.md describes, all on
loopback: PostgreSQL (a database of its own, dropped and made again), Redis as the shared cache
(database 14) and as the RQ queue (database 15), ``python -m sentinelle serve`` (gunicorn),
``--rq-workers`` RQ workers and the scheduler (notices built every 30 s). It creates ``--users``
members, each with a work, a password and an API key, then runs locust headless
(``bench/load/locustfile.py``): each member logs in, then browses the catalogue, the history
(plain and filtered), link pages, the report page, the API's lists, and reports links on the page
and through the API, waiting 2 to 8 s between two actions. Every request goes to 127.0.0.1.

It prints, per endpoint, the requests, the error rate and the p50 / p95 / p99 latencies, then what
the workers made of the reports (links, notices built and delivered, failed jobs). The mail
backend is Django's dummy backend: deliveries succeed without leaving the machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password-1"  # noqa: S105 - the simulated members' password, this run only
CACHE_URL = "redis://127.0.0.1:6379/14"
RQ_URL = "redis://127.0.0.1:6379/15"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(args: argparse.Namespace, var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sentinelle.settings",
        "DATABASE_URL": args.database_url,
        "SENTINELLE_VAR_DIR": var_dir,
        "SENTINELLE_SECRET_KEY": "load-test-only",
        "SENTINELLE_DEBUG": "false",
        "SENTINELLE_LOG_LEVEL": "WARNING",
        "SENTINELLE_CACHE_URL": CACHE_URL,
        "SENTINELLE_TASK_BACKEND": "rq",
        "SENTINELLE_RQ_URL": RQ_URL,
        "SENTINELLE_TRUSTED_PROXY_COUNT": "1",
        "SENTINELLE_DAILY_LINK_QUOTA": "100000",
        "SENTINELLE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SENTINELLE_BUILD_NOTICES_EVERY": "30",
        "SENTINELLE_DELIVER_DUE_EVERY": "60",
        "SENTINELLE_WEB_WORKERS": str(args.web_workers),
        "SENTINELLE_DB_CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT),
    }


def _fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _fresh_redis() -> None:
    import redis

    for url in (CACHE_URL, RQ_URL):
        redis.Redis.from_url(url).flushdb()


def _prepare(env: dict[str, str], users: int, out: Path) -> None:
    """Migrate, seed the registry, make the members (in a child process with the load settings)."""
    python = [sys.executable, "-m", "sentinelle"]
    subprocess.run([*python, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([*python, "seed_platforms"], env=env, check=True, stdout=subprocess.DEVNULL)
    script = f"""
import json, django
django.setup()
from django.contrib.auth.hashers import make_password
from sentinelle.members.services import create_api_token
from tests.factories import InterestFactory
hashed = make_password({PASSWORD!r})
rows = []
for n in range({users}):
    interest = InterestFactory(member__user__email=f"load{{n}}@example.org")
    user = interest.member.user
    user.password = hashed
    user.save(update_fields=["password"])
    _row, token = create_api_token(user, "load test")
    rows.append({{"email": user.email, "password": {PASSWORD!r}, "token": token, "work_id": interest.work_id}})
open({str(out)!r}, "w").write(json.dumps(rows))
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True)


def _start(env: dict[str, str], args: argparse.Namespace, port: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    python = [sys.executable, "-m", "sentinelle"]
    commands = {
        "web": [*python, "serve", "--bind", f"127.0.0.1:{port}"],
        "scheduler": [*python, "run_scheduler"],
        **{f"rq{n}": [*python, "rqworker", "--with-scheduler", "default"] for n in range(args.rq_workers)},
    }
    processes = []
    for name, command in commands.items():
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process's life
        processes.append(
            subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return processes
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the web server did not answer; see {logs}/web.log")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _table(stats_csv: Path) -> None:
    rows = list(csv.DictReader(stats_csv.open()))
    print(
        f"{'endpoint':<36} {'requests':>8} {'errors':>7} {'error %':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>6}"
    )
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        rate = 100 * failures / count if count else 0.0
        label = f"{row['Type']} {name}".strip() if name != "ALL" else "ALL"
        print(
            f"{label[:36]:<36} {count:>8} {failures:>7} {rate:>6.2f}% {row['50%']:>7} {row['95%']:>7} "
            f"{row['99%']:>7} {float(row['Requests/s']):>6.1f}"
        )


def _outcome(env: dict[str, str]) -> None:
    script = """
import django
django.setup()
from django.db.models import Count
from sentinelle.notices.models import Notice
from sentinelle.takedowns.models import ReportedLink
import django_rq
from rq.registry import FailedJobRegistry
links = dict(ReportedLink.objects.values_list("status").annotate(n=Count("pk")))
notices = dict(Notice.objects.values_list("status").annotate(n=Count("pk")))
queue = django_rq.get_queue("default")
print(f"links by status: {links}")
print(f"notices by status: {notices}")
print(f"RQ: {len(queue)} queued, {len(FailedJobRegistry(queue=queue))} failed")
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--web-workers", type=int, default=5)
    parser.add_argument("--rq-workers", type=int, default=2)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sentinelle_load")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sentinelle-load-"))
    env = _environment(args, str(work))
    print(f"preparing {args.users} members in {args.database_url} (logs and results in {work})", flush=True)
    _fresh_database(args.database_url)
    _fresh_redis()
    users_file = work / "users.json"
    _prepare(env, args.users, users_file)
    port = _free_port()
    processes = _start(env, args, port, work)
    load_cpu = os.cpu_count()
    print(
        f"gunicorn ({args.web_workers} workers) + {args.rq_workers} RQ workers + scheduler on 127.0.0.1:{port}; "
        f"{args.users} users for {args.minutes:g} min on {load_cpu} cores; "
        f"load average before: {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench/load/locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{int(args.minutes * 60)}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**env, "SENTINELLE_LOAD_USERS": str(users_file)},
            check=False,
        )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        time.sleep(35)  # one more notice build and its deliveries
        _table(work / "locust_stats.csv")
        _outcome(env)
    finally:
        _stop(processes)


if __name__ == "__main__":
    main()
