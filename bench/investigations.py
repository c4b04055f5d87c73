"""Benchmark: evidence capture and dossier export + verification, against named peers.

    .venv/bin/python bench/investigations.py [--pages 200] [--files 1000] [--file-kb 32]

1. Capture of N pages of the local fixture site (tests/investigations/fixture_site.py, two host
   names on 127.0.0.1 through the fetcher's resolver hook), without screenshots, through the whole
   service (`run_capture`: safe fetcher, favicon, WARC, write-once store, signed manifest, custody
   event, mirror suggestions, SQLite rows): captures/s. Peer, same run, same pages: **raw warcio**
   (`warcio.capture_http` around `http.client`, writing the same exchanges, page and favicon, into
   one WARC), pages/s.
2. Export + verification of a dossier holding F evidence files (F/2 captures, each a WARC and a
   PNG-sized blob, sealed through the real `_seal`), seconds. Peer: **sha256sum** over the same F
   files (the hashing floor of any verification), seconds.

Runs against a fresh SQLite file under a temporary directory. Prints figures and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def setup(scratch: str) -> None:
    os.environ["SENTINELLE_VAR_DIR"] = scratch
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ["SENTINELLE_FETCH_ALLOW_LOOPBACK"] = "true"
    os.environ["SENTINELLE_EVIDENCE_SCREENSHOTS"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentinelle.settings")
    os.environ.setdefault("SENTINELLE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def raw_warcio(port: int, paths: list[str], out: Path) -> float:
    """The peer: warcio's own capture around http.client, same pages (and favicon), one WARC."""
    from warcio.capture_http import capture_http

    started = time.perf_counter()
    with capture_http(str(out)):
        for path in paths:
            for target in (path, "/favicon.ico"):
                conn = http.client.HTTPConnection("127.0.0.1", port)
                conn.request("GET", target, headers={"Host": f"pirate.test:{port}"})
                conn.getresponse().read()
                conn.close()
    return time.perf_counter() - started


def bench_capture(pages: int) -> None:
    from sentinelle.checks import fetch
    from sentinelle.investigations.services import dossiers, evidence
    from sentinelle.members.models import INVESTIGATOR_GROUP, User
    from sentinelle.members.services import grant_role
    from tests.investigations import fixture_site

    fetch.system_resolver = fixture_site.loopback_resolver({fixture_site.ORIGINAL, fixture_site.MIRROR})
    site_server, server = fixture_site.serve()
    user = User.objects.create_user("bench@example.org", "x", full_name="Bench Investigator")
    grant_role(user, INVESTIGATOR_GROUP)
    site = dossiers.open_dossier([fixture_site.ORIGINAL], actor=user)
    paths = [f"/page/{n}" for n in range(pages)]
    rows = evidence.request_captures(site, [site_server.url(p) for p in paths], actor=user)
    evidence.run_capture(rows[0].pk)  # warm-up: key generation, imports (not timed)
    started = time.perf_counter()
    for row in rows[1:]:
        done = evidence.run_capture(row.pk)
        assert done.status == "done", done.error
    ours = time.perf_counter() - started
    n = len(rows) - 1
    peer = raw_warcio(site_server.port, paths[1:], Path(tempfile.mkdtemp()) / "peer.warc.gz")
    server.shutdown()
    print(f"capture, {n} fixture pages, no screenshot (sequential, SQLite):")
    print(f"  Sentinelle run_capture : {n / ours:8.1f} captures/s  ({ours:.2f} s)")
    print(
        f"  raw warcio capture_http: {n / peer:8.1f} pages/s     ({peer:.2f} s)"
        "  [same pages + favicons, no signing, no DB]"
    )
    print(f"  ratio: Sentinelle is {peer / ours:.2f}x the raw warcio rate")


def bench_export(files: int, file_kb: int) -> None:
    from sentinelle.investigations import capture, dossierzip, storage
    from sentinelle.investigations.models import Evidence
    from sentinelle.investigations.services import dossiers, export
    from sentinelle.investigations.services import evidence as evidence_service
    from sentinelle.members.models import User

    user = User.objects.get(email="bench@example.org")
    site = dossiers.open_dossier(["bench-export.test"], actor=user)
    now = dt.datetime.now(dt.UTC)
    for n in range(files // 2):
        body = os.urandom(file_kb * 1024)
        row = Evidence.objects.create(
            site=site, url=f"http://bench-export.test/{n}", domain="bench-export.test", requested_by=user
        )
        exchange = capture.Exchange(
            row.url,
            now,
            "192.0.2.1",
            [("Host", "bench-export.test")],
            200,
            [("Content-Type", "application/octet-stream")],
            body,
        )
        page = capture.PageCapture(
            row.url, row.url, 200, "192.0.2.1", now, "application/octet-stream", body, "", [], [exchange]
        )
        shot = capture.Screenshot(os.urandom(file_kb * 1024), "taken")
        evidence_service._seal(row, page, shot)
    stored = [storage.path_for(sha) for sha in site.evidence.values_list("files__sha256", flat=True)]
    out = Path(tempfile.mkdtemp()) / "dossier.zip"
    started = time.perf_counter()
    export.export_dossier(site, out, actor=user, reason="benchmark")
    exported = time.perf_counter() - started
    started = time.perf_counter()
    report = dossierzip.verify_zip(out)
    verified = time.perf_counter() - started
    assert report.intact, report.problems[:3]
    started = time.perf_counter()
    subprocess.run(["sha256sum", *map(str, stored)], check=True, capture_output=True)
    peer = time.perf_counter() - started
    size = sum(p.stat().st_size for p in stored) / 1e6
    print(f"export + verify, dossier of {len(stored)} evidence files ({size:.0f} MB, {files // 2} captures):")
    print(f"  export_dossier : {exported:6.2f} s   (ZIP {out.stat().st_size / 1e6:.0f} MB, report.pdf included)")
    print(f"  verify_dossier : {verified:6.2f} s")
    print(f"  sha256sum over the same files: {peer:6.2f} s  [the hashing floor]")
    print(
        f"  ratio: export + verify = {(exported + verified) / peer:.1f}x sha256sum;"
        f" verify alone = {verified / peer:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--file-kb", type=int, default=32)
    args = parser.parse_args()
    setup(tempfile.mkdtemp(prefix="sentinelle-bench-"))
    bench_capture(args.pages + 1)
    bench_export(args.files, args.file_kb)


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
