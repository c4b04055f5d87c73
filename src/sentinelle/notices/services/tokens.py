"""Platforms' API tokens, with which recipients answer notices through the API."""

from __future__ import annotations

from sentinelle.core.tokens import new_token, token_digest
from sentinelle.notices.models import (
    PlatformApiToken,
)
from sentinelle.platforms.models import Platform, PlatformKind

# --- platform tokens ---------------------------------------------------------------------------

PLATFORM_TOKEN_SCHEME = "snp"  # noqa: S105 - a prefix, not a secret


def create_platform_token(platform: Platform, name: str = "") -> tuple[PlatformApiToken, str]:
    """A token for ``platform``'s answers. The plaintext is returned once and never stored."""
    prefix, plaintext = new_token(PLATFORM_TOKEN_SCHEME)
    row = PlatformApiToken.objects.create(
        platform=platform, name=name[:100], prefix=prefix, key_hash=token_digest(plaintext)
    )
    return row, plaintext


def authenticate_platform_token(plaintext: str) -> PlatformApiToken | None:
    if not isinstance(plaintext, str) or not plaintext.startswith(f"{PLATFORM_TOKEN_SCHEME}_") or len(plaintext) > 200:
        return None
    return (
        PlatformApiToken.objects.select_related("platform")
        .filter(key_hash=token_digest(plaintext), revoked_at__isnull=True, platform__is_active=True)
        .first()
    )


def is_search_engine(platform: Platform | None) -> bool:
    return platform is not None and platform.kind == PlatformKind.SEARCH_ENGINE
