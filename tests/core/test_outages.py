"""A database that is locked or gone: a quick 503 (JSON for the API, a plain page), nothing half-saved."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory

from sentinelle import conf
from sentinelle.core.views import server_error
from sentinelle.takedowns.models import DailyQuotaUsage, LinkEvent, ReportedLink, TakedownRequest
from tests.api.conftest import make_api_user

pytestmark = pytest.mark.django_db(transaction=True)

SHORT_MS = 300


def test_postgresql_gets_statement_lock_and_connect_timeouts_sqlite_its_busy_timeout() -> None:
    environ = {"SENTINELLE_DB_STATEMENT_TIMEOUT_MS": "2000", "SENTINELLE_DB_LOCK_TIMEOUT_MS": "500"}
    pg = conf.database_options("django.db.backends.postgresql", {"sslmode": "require"}, environ)
    assert pg == {
        "sslmode": "require",
        "options": "-c statement_timeout=2000 -c lock_timeout=500",
        "connect_timeout": 5,
    }
    kept = conf.database_options("django.db.backends.postgresql", {"options": "-c search_path=s"}, environ)
    assert kept["options"] == "-c search_path=s -c statement_timeout=2000 -c lock_timeout=500"
    assert conf.database_options("django.db.backends.sqlite3", {}, environ) == {"timeout": 0.5}


@pytest.mark.postgres_only
def test_every_postgresql_connection_carries_the_timeouts_of_the_settings() -> None:
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "10s"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 50")
            with pytest.raises(OperationalError, match="statement timeout"):
                cursor.execute("SELECT pg_sleep(2)")
    finally:
        connection.close()  # the next connection has the settings' timeouts again


@contextlib.contextmanager
def _short_lock_timeout() -> Iterator[None]:
    """The next connections give up on a lock after SHORT_MS (the settings' dict is shared by all)."""
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    if connection.vendor == "postgresql":
        options["options"] = f"-c statement_timeout=5000 -c lock_timeout={SHORT_MS}"
    else:
        options["timeout"] = SHORT_MS / 1000
    connection.close()
    try:
        yield
    finally:
        options.clear()
        options.update(saved)
        connection.close()


@contextlib.contextmanager
def _writes_held() -> Iterator[None]:
    """Another connection holds the lock a submission's last write needs (its events' table)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        import psycopg

        other = psycopg.connect(
            dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or None, port=settings["PORT"] or None
        )
        other.execute(f"LOCK TABLE {LinkEvent._meta.db_table} IN EXCLUSIVE MODE")  # reads pass, writes wait
        try:
            yield
        finally:
            other.rollback()
            other.close()
        return
    name = str(settings["NAME"])
    if name.startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database cannot be locked from another connection; make test uses a file")
    other_sqlite = sqlite3.connect(name, isolation_level=None)
    other_sqlite.execute("BEGIN IMMEDIATE")  # SQLite locks the whole database for writing
    try:
        yield
    finally:
        other_sqlite.execute("ROLLBACK")
        other_sqlite.close()


@contextlib.contextmanager
def _database_gone() -> Iterator[None]:
    settings = connection.settings_dict
    saved = {key: settings[key] for key in ("NAME", "PORT")}
    if connection.vendor == "postgresql":
        settings["PORT"] = "1"  # nothing listens there: the connection is refused
    else:
        settings["NAME"] = "/nonexistent-sentinelle-dir/gone.sqlite3"
    connection.close()
    try:
        yield
    finally:
        settings.update(saved)
        connection.close()


def _counts() -> tuple[int, int, int, list[int]]:
    return (
        TakedownRequest.objects.count(),
        ReportedLink.objects.count(),
        LinkEvent.objects.count(),
        list(DailyQuotaUsage.objects.values_list("accepted", flat=True)),
    )


def test_a_locked_database_gives_the_api_a_json_503_and_saves_nothing(registry_platforms: Any) -> None:
    alice = make_api_user()
    alice.client = Client(raise_request_exception=False)  # the 503 is the answer under test
    before = _counts()
    with _short_lock_timeout(), _writes_held():
        answer = alice.submit("https://mega.nz/file/locked1\nhttps://1fichier.com/?locked2")
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith("application/json")
    assert answer["Retry-After"] == "30"
    assert answer.json()["error"]["code"] == "unavailable"
    assert _counts() == before  # the submission's transaction was rolled back whole

    again = alice.submit("https://mega.nz/file/locked1\nhttps://1fichier.com/?locked2")
    assert again.status_code == 201
    assert ReportedLink.objects.count() == before[1] + 2


def test_a_locked_database_gives_the_pages_a_plain_503_page(registry_platforms: Any) -> None:
    alice = make_api_user()
    client = Client(raise_request_exception=False)
    client.force_login(alice.member.user)
    before = _counts()
    with _short_lock_timeout(), _writes_held():
        page = client.post(
            f"/works/{alice.work.pk}/report/", {"links": "https://mega.nz/file/page1", "action": "remove"}
        )
    assert page.status_code == 503
    assert page["Content-Type"].startswith("text/html")
    assert page["Retry-After"] == "30"
    assert b"cannot reach its database" in page.content
    assert _counts() == before


def test_a_database_that_is_gone_gives_503_not_a_hang_nor_a_500(registry_platforms: Any) -> None:
    alice = make_api_user()
    client = Client(raise_request_exception=False)
    client.force_login(alice.member.user)
    api = Client(raise_request_exception=False)
    with _database_gone():
        answer = api.get("/api/v1/works", headers=alice.headers())
        page = client.get("/history/")
    assert (answer.status_code, answer.json()["error"]["code"]) == (503, "unavailable")
    assert (page.status_code, page["Retry-After"]) == (503, "30")
    assert b"Briefly unavailable" in page.content


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("database is locked"), 503),
        (InterfaceError("connection already closed"), 503),
        (RuntimeError("a bug"), 500),
        (ValueError("a bug"), 500),
    ],
)
def test_only_a_database_outage_is_a_503_any_other_error_stays_a_500(error: Exception, status: int) -> None:
    request = RequestFactory().get("/history/")
    try:
        raise error
    except Exception:  # noqa: BLE001 - Django calls handler500 while handling the exception
        answer = server_error(request)
    assert answer.status_code == status
    assert ("Retry-After" in answer) is (status == 503)
