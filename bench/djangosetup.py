"""The set-up the PostgreSQL benchmarks of the history and the intake share.

A scratch folder for the service's files, the database given, Django's settings with nothing that
would time a limit instead of the code (no API rate limit, no statement timeout, any host), then
the schema migrated.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading


def setup_postgres(database_url: str, *, needs: str) -> None:
    """Set Django up on ``database_url`` (PostgreSQL only: ``needs`` says what for) and migrate."""
    if not database_url.startswith("postgres"):
        sys.exit(f"PostgreSQL only ({needs})")
    os.environ["SENTINELLE_VAR_DIR"] = tempfile.mkdtemp(prefix="sentinelle-bench-")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentinelle.settings")
    os.environ.setdefault("SENTINELLE_LOG_LEVEL", "WARNING")
    os.environ["SENTINELLE_API_RATE_LIMIT"] = "1000000"
    os.environ["SENTINELLE_DB_STATEMENT_TIMEOUT_MS"] = "0"  # no statement timeout for a benchmark

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the database of ``url`` if it is missing; with ``fresh``, drop it first if it exists
    (a benchmark's own database)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    try:
        conn = psycopg.connect(f"{base}/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        sys.exit(f"this benchmark needs PostgreSQL ({base}): {exc}")
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


class AutoAnalyze:
    """What the server's autovacuum does for the planner, done by the benchmark when the server has it
    off (the machines the project's tests run on do): every ``autovacuum_naptime``, ANALYZE each table
    changed past autovacuum's threshold (``autovacuum_analyze_threshold`` rows +
    ``autovacuum_analyze_scale_factor`` of the table, the server's own settings). Without it the
    statistics of a table analysed empty stay "empty" for ever, and the plans the builders' foreign-key
    checks cache at their first use (a sequential scan of a table thought empty) stay too: a build of
    200,000 links spent 84 s of its 95 s in COMMITs scanning the notices table once per item."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.backend_pid = self.conn.info.backend_pid  # its ANALYZEs' server process
        self.server_does_it = self._setting("autovacuum") == "on"
        self.naptime = float(self._setting("autovacuum_naptime") or 60)  # pg_settings gives seconds
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.analysed = 0

    def _setting(self, name: str) -> str:
        row = self.conn.execute("SELECT setting FROM pg_settings WHERE name = %s", (name,)).fetchone()
        return str(row[0]) if row else ""

    def describe(self) -> str:
        if self.server_does_it:
            return "the server's autovacuum is on"
        return f"the server's autovacuum is off: the benchmark analyses as it would, every {self.naptime:.0f} s"

    def pass_once(self) -> list[str]:
        """Analyse the tables autovacuum would analyse now; their names."""
        rows = self.conn.execute(
            "SELECT s.relid::regclass::text FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
            "WHERE s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8 "
            "+ current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)"
        ).fetchall()
        for (table,) in rows:
            self.conn.execute(f"ANALYZE {table}")
        self.analysed += len(rows)
        return [table for (table,) in rows]

    def _loop(self) -> None:
        while not self.stopping.wait(self.naptime):
            self.pass_once()

    def start(self) -> None:
        if not self.server_does_it:
            self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        self.conn.close()
