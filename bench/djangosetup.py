"""The set-up the PostgreSQL benchmarks of the history and the intake share.

A scratch folder for the service's files, the database given, Django's settings with nothing that
would time a limit instead of the code (no API rate limit, no statement timeout, any host), then
the schema migrated.
"""

from __future__ import annotations

import os
import sys
import tempfile


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
