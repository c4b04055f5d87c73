"""The evidence store: write-once files named by their SHA-256, under SENTINELLE_EVIDENCE_DIR.

A file is written aside, flushed to disk and linked into place read-only; a second write of the
same content is a no-op (same name). Nothing here renames, rewrites or deletes a stored file.
``check`` re-reads a file and says whether it still has its hash: a later mismatch is reported,
never repaired.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

CHUNK = 1024 * 1024


class StoreError(Exception):
    pass


def root() -> Path:
    return Path(settings.SENTINELLE_EVIDENCE_DIR)


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise StoreError(f"not a SHA-256: {sha256!r}")
    return root() / "sha256" / sha256[:2] / sha256[2:4] / sha256


def put(data: bytes) -> str:
    """Stores ``data``; returns its SHA-256 (its name)."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)
        with contextlib.suppress(FileExistsError):  # another writer stored the same content first
            os.link(tmp, target)
    finally:
        os.unlink(tmp)
    return digest


def open_stored(sha256: str) -> Iterator[bytes]:
    path = path_for(sha256)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise StoreError(f"evidence file {sha256} is missing from the store") from None
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def read(sha256: str) -> bytes:
    return b"".join(open_stored(sha256))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check(sha256: str) -> str | None:
    """None when the stored file still has its hash; else what is wrong."""
    path = path_for(sha256)
    if not path.exists():
        return "missing from the store"
    actual = file_sha256(path)
    return None if actual == sha256 else f"altered: its SHA-256 is now {actual}"
