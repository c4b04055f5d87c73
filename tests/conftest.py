"""Project-wide test setup: a real database (SQLite or PostgreSQL by DATABASE_URL)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import make_platform

# Tests never write into the developer's var/: each run gets its own scratch folder.
os.environ.setdefault("SENTINELLE_VAR_DIR", tempfile.mkdtemp(prefix="sentinelle-test-"))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"../shared/data is missing beside the checkout (looked in {SHARED_DATA})")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _mail_in_memory(settings: pytest.FixtureRequest) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _english_by_default(settings: pytest.FixtureRequest) -> Iterator[None]:
    # The product defaults to French; tests assert English texts unless they ask for French.
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 is the product's hasher; tests that check it ask for it explicitly.
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    skip_pg = pytest.mark.skip(reason="PostgreSQL only; this run is on SQLite")
    for item in items:
        if on_sqlite and item.get_closest_marker("postgres_only"):
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _fresh_local_cache() -> Iterator[None]:
    # Rate-limit counters (logins from 127.0.0.1, API keys) must not carry from one test to the next.
    # Only the per-process cache is cleared: clearing a Redis cache would empty the shared server.
    from django.core.cache import cache

    from sentinelle import conf

    if not conf.cache_is_shared():
        cache.clear()
    yield
    if not conf.cache_is_shared():
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_registry():
    # A test's rows are rolled back without any signal: drop the cached registry around each test.
    from sentinelle.platforms.selectors import invalidate_registry

    invalidate_registry()
    yield
    invalidate_registry()


@pytest.fixture
def registry_platforms(db):
    """A small registry: two search engines, a licensed platform, two file hosts, a shortener."""
    platforms = {
        "google": make_platform("Google", "search_engine", ["google.com", "google.fr"], jurisdiction="US"),
        "bing": make_platform("Bing", "search_engine", ["bing.com"], jurisdiction="US"),
        "youtube": make_platform("YouTube", "video_platform", ["youtube.com", "youtu.be"], licensed=True),
        "mega": make_platform("MEGA", "file_host", ["mega.nz", "mega.co.nz"], jurisdiction="NZ"),
        "1fichier": make_platform("1fichier", "file_host", ["1fichier.com"], jurisdiction="FR"),
        "bitly": make_platform("Bitly", "url_shortener", ["bit.ly"], jurisdiction="US"),
    }
    yield platforms
