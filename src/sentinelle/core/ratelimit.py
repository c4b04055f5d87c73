"""Rate limits (members' API keys, platforms' answer keys, login attempts) through django-ratelimit,
counted in the shared cache.

django-ratelimit keeps one fixed-window counter per key in Django's cache (``SENTINELLE_CACHE_URL``:
Redis in production, so every web process on every machine counts together; the embedded demo's
local-memory cache counts per process). Each key's window is staggered by the library so that
all keys do not reset at once. A cache that cannot be reached lets requests through (logged):
an outage of the counters must not take the API or the login down.

The client's address is read in one place, ``core/client.py`` (``SENTINELLE_TRUSTED_PROXY_COUNT``),
for these limits, django-axes' lockouts and the password-reset limit.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django_ratelimit.core import get_usage

from sentinelle import conf
from sentinelle.core.client import client_ip

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after
        self.limit = limit


def hit(request: HttpRequest, *, group: str, key: str, per_minute: int) -> None:
    """Count one request of ``key`` in ``group``; raise RateLimited past ``per_minute`` (0: no limit)."""
    if per_minute <= 0:
        return
    try:
        usage = get_usage(
            request, group=group, key=lambda _group, _request: key, rate=f"{per_minute}/m", increment=True
        )
    except Exception:  # the cache backend's own errors (redis.ConnectionError, OSError, …)
        logger.exception("rate limit %s not counted: the cache does not answer", group)
        return
    if usage is not None and usage["should_limit"]:
        # The window still counts at its last second ("time_left" 0): the next one starts a second later.
        raise RateLimited(max(1, int(usage["time_left"]) + 1), per_minute)


def hit_api_key(request: HttpRequest, token_digest: str) -> None:
    """One API request with the key whose digest is ``token_digest`` (SENTINELLE_API_RATE_LIMIT)."""
    hit(request, group="sentinelle:api", key=token_digest, per_minute=conf.api_rate_limit())


def hit_platform_key(request: HttpRequest, token_id: int) -> None:
    """One request to the platforms' answer API with that key (SENTINELLE_ANSWER_API_RATE_LIMIT)."""
    hit(request, group="sentinelle:answers", key=str(token_id), per_minute=conf.answer_api_rate_limit())


def hit_login(request: HttpRequest) -> None:
    """One login attempt from the client's address (SENTINELLE_LOGIN_RATE_LIMIT), whatever the account."""
    address = client_ip(request) or "unknown"
    hit(request, group="sentinelle:login", key=address, per_minute=conf.login_rate_limit())
