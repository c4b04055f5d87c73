"""Bearer tokens shown once and stored only as a digest (members' API keys, platforms' keys)."""

from __future__ import annotations

import hashlib
import secrets


def new_token(scheme: str) -> tuple[str, str]:
    """A fresh ``<scheme>_<prefix>_<secret>`` token and its prefix (shown in lists to tell keys apart)."""
    prefix = secrets.token_hex(4)
    return prefix, f"{scheme}_{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(plaintext: str) -> str:
    """What is stored and looked up: the SHA-256 of the token (a unique index, no plaintext)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()
