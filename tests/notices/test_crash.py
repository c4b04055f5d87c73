"""A worker SIGKILLed mid-batch: after a restart, no notice is lost.

The worker is a real subprocess (``python -m sentinelle deliver_notices --once``) against the
test's database, sending to a real SMTP server in this process. It kills itself with SIGKILL
on the third notice at a chosen point (``sentinelle.notices.faults``). Killed before the point of
no return, the notice is sent once. Killed after it (``after_commit_point``: the final "." not
yet sent; ``after_send``: the server has it, nothing recorded), the outcome is unknown: the
notice is resent with the same Message-ID and marked "resent after an unknown outcome" — the
server holds one copy or two recognisable copies, never none (docs/notices.md). The many-kills
drill is ``bench/crash_drill.py``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from sentinelle.notices import services
from sentinelle.notices.models import Notice
from tests.notices.helpers import SmtpSink, email_platform, make_links, rights

ROOT = Path(__file__).resolve().parents[2]
NOTICES = 5
CRASH_ON = 3

Query = Callable[[str], list[tuple[Any, ...]]]


def shared_database(tmp_path: Path) -> tuple[str, Query]:
    """A DATABASE_URL the subprocess can open holding this test's rows, and a way to read it back."""
    sd = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = sd["HOST"] or "127.0.0.1", sd["PORT"] or 5432
        url = f"postgres://{sd['USER']}:{sd['PASSWORD'] or ''}@{host}:{port}/{sd['NAME']}"
    elif str(sd["NAME"]).startswith(("file:memorydb", ":memory:")) or "mode=memory" in str(sd["NAME"]):
        # The in-memory test database cannot be shared with another process: copy it to a file.
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

        def query_file(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(path) as db:
                return list(db.execute(sql).fetchall())

        return f"sqlite:///{path}", query_file
    else:
        url = f"sqlite:///{sd['NAME']}"

    def query_db(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    return url, query_db


def run_worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentinelle", "deliver_notices", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("point", "crashed_received", "crashed_outcomes"),
    [
        ("after_claim", 1, ["abandoned", "delivered"]),
        ("mid_data", 1, ["abandoned", "delivered"]),
        ("after_send", 2, ["unknown", "delivered"]),  # a duplicate, with the same Message-ID
        ("after_commit_point", 1, ["unknown", "delivered"]),  # was lost before issue 10
    ],
)
def test_worker_killed_mid_batch(tmp_path, smtp: SmtpSink, point, crashed_received, crashed_outcomes):
    r = rights()
    for i in range(NOTICES):
        make_links(r, email_platform(f"Host {i}", f"host{i}.fr"), [f"https://host{i}.fr/x"])
    services.build_notices()
    notices = list(Notice.objects.order_by("pk").values_list("pk", "message_id"))
    assert len(notices) == NOTICES
    url, query = shared_database(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notices.worker_settings",
        "DATABASE_URL": url,
        "SENTINELLE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "SENTINELLE_EMAIL_HOST": "127.0.0.1",
        "SENTINELLE_EMAIL_PORT": str(smtp.port),
        "SENTINELLE_EMAIL_TIMEOUT": "10",
        "PYTHONPATH": str(ROOT),
    }

    first = run_worker({**env, "SENTINELLE_NOTICE_CRASH_AT": point, "SENTINELLE_NOTICE_CRASH_ON": str(CRASH_ON)})
    assert first.returncode == -signal.SIGKILL, first.stderr[-3000:]
    before = len(smtp.received)
    assert before == CRASH_ON - 1 + (1 if point == "after_send" else 0)

    second = run_worker(env)
    assert second.returncode == 0, second.stderr[-3000:]

    received = Counter(smtp.message_ids())
    crashed_pk, _ = notices[CRASH_ON - 1]
    for pk, mid in notices:
        assert received[mid] == (crashed_received if pk == crashed_pk else 1), (pk, received)
    assert sum(received.values()) == NOTICES - 1 + crashed_received
    statuses = dict(query("SELECT id, status FROM notices_notice"))
    assert set(statuses.values()) == {"delivered"}
    attempts = query("SELECT notice_id, outcome FROM notices_deliveryattempt ORDER BY notice_id, number")
    outcomes = [outcome for notice_id, outcome in attempts if notice_id == crashed_pk]
    assert outcomes == crashed_outcomes
    flagged = {pk for (pk,) in query("SELECT id FROM notices_notice WHERE resent_after_unknown_outcome")}
    assert flagged == ({crashed_pk} if "unknown" in crashed_outcomes else set())
    # A third run finds nothing to do: nothing is ever sent twice.
    assert run_worker(env).returncode == 0
    assert sum(Counter(smtp.message_ids()).values()) == NOTICES - 1 + crashed_received
