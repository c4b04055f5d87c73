"""System checks of the deployment (``python -m sentinelle check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from sentinelle import conf


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A production installation shares one cache, or each process counts its own rate limits."""
    if conf.cache_is_shared():
        return []
    return [
        checks.Warning(
            "SENTINELLE_CACHE_URL is not set: each process keeps its own rate-limit counters and "
            "learns of registry edits only after a minute.",
            hint="Set SENTINELLE_CACHE_URL=redis://host:6379/1 (docs/deployment.md).",
            id="sentinelle.W001",
        )
    ]
