"""Refreshing the RDAP bootstrap files: fetched through the safe fetcher, checked, then swapped in whole."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from sentinelle import conf
from sentinelle.checks.fetch import FetchError, SafeFetcher
from sentinelle.recipients import rdap

MAX_BYTES = 5 * 1024 * 1024


class RefreshFailed(Exception):
    pass


def configured_dir() -> str:
    return str(conf.setting("SENTINELLE_RDAP_BOOTSTRAP_DIR") or "")


async def _fetch_all(source: str) -> dict[str, bytes]:
    base = source if source.endswith("/") else source + "/"
    bodies: dict[str, bytes] = {}
    async with SafeFetcher(timeout=30, max_bytes=MAX_BYTES) as fetcher:
        for name in rdap.BOOTSTRAP_FILES:
            try:
                result = await fetcher.fetch(base + name)
            except FetchError as exc:
                raise RefreshFailed(f"{name}: {exc.code}: {exc}") from exc
            if result.status_code != 200 or result.truncated:
                raise RefreshFailed(f"{name}: HTTP {result.status_code}{' (too large)' if result.truncated else ''}")
            bodies[name] = result.body
    return bodies


def refresh(source: str, target: Path) -> dict[str, str]:
    """Fetch, check every file, then write them all (each atomically); nothing is written if one is bad."""
    bodies = asyncio.run(_fetch_all(source))
    publications: dict[str, str] = {}
    for name, body in bodies.items():
        try:
            data = json.loads(body)
            rdap.parse_bootstrap(name.removesuffix(".json"), data)
        except ValueError as exc:
            raise RefreshFailed(f"{name}: {exc}") from exc
        publications[name] = str(data.get("publication", ""))
    target.mkdir(parents=True, exist_ok=True)
    for name, body in bodies.items():
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, target / name)
    rdap.cached_bootstrap.cache_clear()
    return publications
