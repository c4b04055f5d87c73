"""Benchmark: link checks per second through the safe fetcher and the verdict rules.

    python bench/checks.py [--links 20000] [--hosts 200] [--delay-ms 500] [--concurrency 100]

A local HTTP/1.1 server (a raw asyncio protocol answering canned responses, keep-alive, in
separate processes sharing the port with SO_REUSEPORT, so it never shares the client's GIL)
answers every request: most links are pages still online, one in ten is a 404 and one in ten a
soft 404. The 200 host names resolve to 127.0.0.1 through the fetcher's resolver
hook (loopback opened for this run only). Each check is the whole engine path: address check,
pinned connection, GET, capped body read, SHA-256, verdict rules. Two runs:

* caps off: no per-host cap, no per-host delay, ``--concurrency`` requests in flight;
* caps on: the production politeness (per host 4 in flight, ``--delay-ms`` between request starts
  to one host, 50 overall) — bounded by design at hosts / delay checks per second.

Each run prints its wall time and the client process's CPU time, and checks that every link got
the verdict its page calls for. Database writes (LinkCheck rows, status changes) are not part of
these figures.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentinelle.settings")
os.environ.setdefault("SENTINELLE_SECRET_KEY", "bench-only")
os.environ.setdefault("SENTINELLE_VAR_DIR", tempfile.mkdtemp(prefix="sentinelle-bench-"))

import django  # noqa: E402

django.setup()

from sentinelle.checks.engine import Outcome, Politeness, Target, check_targets  # noqa: E402
from sentinelle.checks.fetch import SafeFetcher  # noqa: E402

ONLINE = b"<html><title>My Song - download</title><body><h1>My Song</h1>Download the mp3 here.</body></html>"
SOFT404 = b"<html><title>File not found</title><body>The file you requested has been deleted.</body></html>"


def _response(code: bytes, body: bytes) -> bytes:
    head = b"HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % (code, len(body))
    return head + body


RESPONSES = {
    b"online": _response(b"200 OK", ONLINE),
    b"gone": _response(b"404 Not Found", b"not here"),
    b"soft": _response(b"200 OK", SOFT404),
}


class _HTTP(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            path = head.split(b" ", 2)[1]
            kind = path.rsplit(b"/", 1)[-1]
            self.transport.write(RESPONSES.get(kind, RESPONSES[b"online"]))  # type: ignore[attr-defined]


def _serve(sock: socket.socket) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_HTTP, sock=sock)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def start_servers(processes: int) -> tuple[int, list[multiprocessing.Process]]:
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    workers = []
    for _ in range(processes):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
        proc = multiprocessing.Process(target=_serve, args=(sock,), daemon=True)
        proc.start()
        sock.close()
        workers.append(proc)
    probe.close()
    time.sleep(0.3)
    return port, workers


async def resolve_to_loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def targets(n: int, hosts: int, port: int) -> list[Target]:
    found = []
    for i in range(n):
        kind = "gone" if i % 10 == 3 else "soft" if i % 10 == 7 else "online"
        host = f"site{i % hosts:03d}.bench.test"
        found.append(Target(i, f"http://{host}:{port}/file/{i}/{kind}", host))
    return found


def expected_verdicts(items: list[Target]) -> Counter[str]:
    expected: Counter[str] = Counter({"still_online": 0, "removed": 0})
    for target in items:
        expected["removed" if target.url.endswith(("gone", "soft")) else "still_online"] += 1
    return expected


def run(label: str, items: list[Target], politeness: Politeness, connections: int) -> float:
    async def go() -> list[Outcome]:
        fetcher = SafeFetcher(allow_loopback=True, resolver=resolve_to_loopback, max_connections=connections)
        async with fetcher:
            return await check_targets(items, fetcher, politeness)

    cpu = time.process_time()
    started = time.perf_counter()
    outcomes = asyncio.run(go())
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    verdicts = Counter(o.verdict for o in outcomes)
    rate = len(outcomes) / elapsed
    print(
        f"{label:<9} {len(outcomes):>7,} checks: wall {elapsed:6.2f} s = {rate:7,.0f} checks/s; "
        f"client CPU {cpu:6.2f} s = {cpu / len(outcomes) * 1e6:4.0f} us/check   {dict(verdicts)}"
    )
    # Every link checked once, each with the verdict its page calls for.
    assert len(outcomes) == len(items), (len(outcomes), len(items))
    assert verdicts == expected_verdicts(items), (verdicts, expected_verdicts(items))
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=20_000)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=100, help="in flight overall, caps off")
    parser.add_argument("--delay-ms", type=int, default=500, help="per-host delay, caps on")
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--server-processes", type=int, default=2)
    parser.add_argument("--skip-caps-on", action="store_true")
    args = parser.parse_args()

    port, servers = start_servers(args.server_processes)
    try:
        items = targets(args.links, args.hosts, port)
        print(
            f"{args.links:,} links over {args.hosts} host names (resolver hook -> 127.0.0.1), "
            f"local server on 127.0.0.1:{port} ({args.server_processes} processes), {os.cpu_count()} CPUs"
        )
        off = run("caps off", items, Politeness.off(concurrency=args.concurrency), args.concurrency)
        if not args.skip_caps_on:
            caps = Politeness(concurrency=50, per_host=args.per_host, host_delay=args.delay_ms / 1000)
            ceiling = args.hosts / caps.host_delay if caps.host_delay else float("inf")
            on = run("caps on", items, caps, 100)
            print(
                f"caps on: per host {caps.per_host} in flight, {args.delay_ms} ms between starts, 50 overall "
                f"(ceiling {ceiling:,.0f} checks/s); caps off / caps on = {off / on:.1f}x"
            )
        print(f"target >= 1,000 checks/s caps off: {'met' if off >= 1000 else 'NOT met'} ({off:,.0f})")
    finally:
        for proc in servers:
            proc.terminate()
            proc.join(2)


if __name__ == "__main__":
    main()
