"""Drill: SIGKILL a delivery worker at every crash point, many times; count lost and duplicated notices.

    python bench/crash_drill.py [--kills 10] [--notices 3] [--database-url postgres://…/drill]

Each round builds ``--notices`` notices to a real SMTP server in this process (aiosmtpd), runs a
real worker (``python -m sentinelle deliver_notices --once``) that SIGKILLs itself at the chosen
point on the second notice, then a second worker that recovers and sends the rest. It counts, per
notice, the messages the server received: 0 is a **lost** notice, 2 or more a **duplicate** (all
copies carry the notice's one Message-ID, checked). Points: ``after_claim``, ``mid_data``,
``after_commit_point`` (hand-over recorded, final "." not sent), ``after_send`` (the server has
it, nothing recorded). A message whose Message-ID is none of the round's notices is counted as
**foreign** (a copy sent under another identity would show there: it must stay 0). The unit
test (tests/notices/test_crash.py) kills once per point; this is the many-kills drill whose
figures issue 10's note quotes. Without ``--database-url``, a SQLite
file in a scratch folder.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
POINTS = ["after_claim", "mid_data", "after_commit_point", "after_send"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10, help="kills per crash point")
    parser.add_argument("--notices", type=int, default=3, help="notices per round (the 2nd is killed)")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="sentinelle-drill-")
    os.environ["SENTINELLE_VAR_DIR"] = scratch
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{scratch}/drill.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.notices.worker_settings"
    os.environ.setdefault("SENTINELLE_LOG_LEVEL", "WARNING")

    import django

    django.setup()
    import logging

    from django.core.management import call_command

    from sentinelle.notices import services
    from sentinelle.notices.models import Notice
    from tests.notices.helpers import SmtpSink, email_platform, make_links, rights

    call_command("migrate", verbosity=0)
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = SmtpSink()
    sink.start()
    env = {
        **os.environ,
        "SENTINELLE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "SENTINELLE_EMAIL_HOST": "127.0.0.1",
        "SENTINELLE_EMAIL_PORT": str(sink.port),
        "SENTINELLE_EMAIL_TIMEOUT": "10",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }

    def worker(extra: dict[str, str]) -> int:
        run = subprocess.run(
            [sys.executable, "-m", "sentinelle", "deliver_notices", "--once"],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return run.returncode

    vendor = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"crash drill on {vendor}: {args.kills} kills per point, {args.notices} notices per round")
    print(f"load average at the start: {os.getloadavg()}")
    print(f"{'point':<20}{'kills':>6}{'notices':>9}{'lost':>6}{'dup.':>6}{'foreign':>8}{'flagged':>9}{'s/kill':>8}")
    serial = 0
    totals = Counter()
    for point in POINTS:
        counts = Counter()
        started = time.perf_counter()
        for _ in range(args.kills):
            serial += 1
            r = rights(title=f"Drill {serial}")
            for i in range(args.notices):
                host = f"d{serial}-{i}.example"
                make_links(r, email_platform(f"Drill host {serial}-{i}", host), [f"https://{host}/file/x"])
            before = set(Notice.objects.values_list("pk", flat=True))
            services.build_notices()
            mine = Notice.objects.exclude(pk__in=before)
            ids = dict(mine.values_list("message_id", "pk"))
            seen = len(sink.message_ids())
            killed = worker({"SENTINELLE_NOTICE_CRASH_AT": point, "SENTINELLE_NOTICE_CRASH_ON": "2"})
            counts["killed"] += killed == -signal.SIGKILL
            worker({})
            new = sink.message_ids()[seen:]
            received = Counter(m for m in new if m in ids)
            counts["foreign"] += sum(1 for m in new if m not in ids)
            counts["notices"] += len(ids)
            counts["lost"] += sum(1 for mid in ids if received[mid] == 0)
            counts["duplicated"] += sum(1 for mid in ids if received[mid] > 1)
            counts["flagged"] += mine.filter(resent_after_unknown_outcome=True).count()
            counts["undelivered"] += mine.exclude(status="delivered").count()
        per_kill = (time.perf_counter() - started) / max(1, args.kills)
        print(
            f"{point:<20}{counts['killed']:>6}{counts['notices']:>9}{counts['lost']:>6}"
            f"{counts['duplicated']:>6}{counts['foreign']:>8}{counts['flagged']:>9}{per_kill:>8.1f}"
        )
        totals.update(counts)
    sink.stop()
    print(
        f"{'total':<20}{totals['killed']:>6}{totals['notices']:>9}{totals['lost']:>6}"
        f"{totals['duplicated']:>6}{totals['foreign']:>8}{totals['flagged']:>9}"
    )
    print(f"load average at the end: {os.getloadavg()}")
    print(f"notices not delivered after recovery: {totals['undelivered']}")
    print("every copy of a notice carries its one Message-ID (copies are counted per Message-ID)")


if __name__ == "__main__":
    main()
