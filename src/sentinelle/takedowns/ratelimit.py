"""A fixed-window request counter per API token, kept in Django's cache.

Fixed windows are crude at their edges (up to twice the rate across a boundary) but cost one
cache increment a request and need no clock agreement between processes beyond the cache's.
With the default per-process LocMem cache the limit holds per process; production shares one
cache (Redis, Memcached, the database cache) so that it holds across processes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from django.core.cache import cache

from sentinelle import conf

WINDOW_SECONDS = 60


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after
        self.limit = limit


def api_rate_limit() -> int:
    """Requests a minute per token (SENTINELLE_API_RATE_LIMIT); 0 or less turns the limit off."""
    return conf.api_rate_limit()


def hit(key: str, *, clock: Callable[[], float] = time.time) -> None:
    """Count one request for ``key``; raise RateLimited once the window's allowance is spent."""
    limit = api_rate_limit()
    if limit <= 0:
        return
    now = clock()
    window = int(now // WINDOW_SECONDS)
    cache_key = f"sentinelle:api-rate:{key}:{window}"
    # add() is a no-op when the key exists, so concurrent first hits do not reset each other.
    cache.add(cache_key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        raise RateLimited(retry_after, limit)
