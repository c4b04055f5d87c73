"""Browser tests: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SENTINELLE_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    if os.environ.get("SENTINELLE_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"Chromium is required for the browser tests but {CHROMIUM} is absent")
    skip = pytest.mark.skip(reason=f"BROWSER TEST SKIPPED: Chromium is absent ({CHROMIUM}); apt-get install chromium")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # Playwright runs an event loop in this thread while it is open, so it is closed after each
    # module (tests run later may call asyncio.run). Meanwhile the ORM calls the tests make around
    # it are plain synchronous code, which Django would otherwise refuse.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def custody_flush() -> Iterator[None]:
    """Let a browser test's database be emptied after it recorded custody events.

    The custody log is append-only in the database itself (investigations migration 0002).
    PostgreSQL empties tables with TRUNCATE, which that guard lets through; SQLite deletes row by
    row, so the guard is lifted for the flush and put back.
    """
    yield
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    guard = importlib.import_module("sentinelle.investigations.migrations.0002_custody_append_only")
    with connection.cursor() as cursor:
        for statement in guard.SQLITE_REVERSE:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {guard.TABLE}")  # noqa: S608 - a constant table name
        for statement in guard.SQLITE:
            cursor.execute(statement)
