"""Reads of the platform registry: the rows linkkit's ``Registry`` is built from, and the registry itself.

The registry is cached per process. Every save or delete of a ``Platform`` or ``PlatformDomain``
(wired in ``PlatformsConfig.ready``) bumps a version number in Django's cache, so every process
sharing that cache (``SENTINELLE_CACHE_URL``, Redis) rebuilds its registry within
``REGISTRY_VERSION_CHECK_INTERVAL``; with the demo's per-process cache, or while the cache does not
answer, only the process that made the change sees it at once and the others after ``REGISTRY_MAX_AGE``.
Bulk updates (``QuerySet.update``) send no signal: call ``invalidate_registry()`` after them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from sentinelle import conf
from sentinelle.linkkit import PlatformRule, Registry
from sentinelle.platforms.models import NoticeChannel, Platform, PlatformDomain

logger = logging.getLogger(__name__)

REGISTRY_VERSION_KEY = "sentinelle:platforms:registry-version"
# A process re-reads the version key at most this often (seconds); the floor on how stale a
# registry can be in another process when the cache backend is shared.
REGISTRY_VERSION_CHECK_INTERVAL = 2.0
# Without a shared cache backend, other processes rebuild at least this often (seconds).
REGISTRY_MAX_AGE = 60.0

_lock = threading.Lock()
_local_version = 0
_cached: tuple[Registry, int, float] | None = None  # (registry, version, built_at)
_version_checked_at = 0.0
_seen_shared_version: Any = None


def active_platforms() -> QuerySet[Platform]:
    """Active platforms with their domains, for the registry and for listings."""
    return (
        Platform.objects.filter(is_active=True)
        .prefetch_related(Prefetch("domains", queryset=PlatformDomain.objects.order_by("domain", "path_prefix")))
        .order_by("name")
    )


def _notice_recipient(channel: str, email: str, url: str) -> str:
    if channel == NoticeChannel.EMAIL:
        return email
    return url or email


def platform_rules() -> list[PlatformRule]:
    """One ``linkkit.PlatformRule`` per active platform (inactive platforms match nothing).

    ``domains`` holds ``(host_suffix, path_prefix or None)``; ``notice_recipient`` is the
    contact for the platform's notice channel (e-mail address, or endpoint / form URL).
    Two flat queries, no model instances: the registry is rebuilt after every change.
    """
    domains: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for platform_id, domain, prefix in (
        PlatformDomain.objects.filter(platform__is_active=True)
        .order_by("domain", "path_prefix")
        .values_list("platform_id", "domain", "path_prefix")
    ):
        domains[platform_id].append((domain, prefix or None))
    rows = (
        Platform.objects.filter(is_active=True)
        .order_by("name")
        .values_list("pk", "name", "kind", "licensed", "notice_channel", "contact_email", "contact_url")
    )
    return [
        PlatformRule(
            platform_id=pk,
            name=name,
            kind=kind,
            licensed=licensed,
            domains=tuple(domains.get(pk, ())),
            notice_recipient=_notice_recipient(channel, email, url),
        )
        for pk, name, kind, licensed, channel, email, url in rows
    ]


def build_registry() -> Registry:
    """A fresh ``linkkit.Registry`` from the database (uncached; see ``get_registry``)."""
    return Registry(platform_rules(), delist_domains=conf.delist_search_engines() or None)


def _shared_version(unchanged: Any) -> Any:
    """The registry version in the shared cache; ``unchanged`` when the cache does not answer.

    Without the cache every process still rebuilds after ``REGISTRY_MAX_AGE``.
    """
    try:
        return cache.get(REGISTRY_VERSION_KEY)
    except Exception:  # the cache backend's own errors (redis.ConnectionError, OSError, …)
        logger.exception("the registry's version was not read: the cache does not answer")
        return unchanged


def get_registry() -> Registry:
    """The process-wide registry, rebuilt after any change to the platform tables."""
    global _cached, _version_checked_at, _seen_shared_version
    now = time.monotonic()
    with _lock:
        if now - _version_checked_at >= REGISTRY_VERSION_CHECK_INTERVAL:
            shared = _shared_version(_seen_shared_version)
            _version_checked_at = now
            if shared != _seen_shared_version:
                _seen_shared_version = shared
                _cached = None
        cached = _cached
        if cached is not None and cached[1] == _local_version and now - cached[2] < REGISTRY_MAX_AGE:
            return cached[0]
        version = _local_version
    registry = build_registry()
    with _lock:
        if version == _local_version:
            _cached = (registry, version, now)
    return registry


def invalidate_registry() -> None:
    """Drop the cached registry here and tell other processes sharing the cache backend."""
    global _local_version, _cached, _seen_shared_version
    with _lock:
        _local_version += 1
        _cached = None
    try:
        shared = cache.incr(REGISTRY_VERSION_KEY)
    except ValueError:
        shared = 1
        cache.set(REGISTRY_VERSION_KEY, shared, timeout=None)
    except Exception:  # the cache backend's own errors (redis.ConnectionError, OSError, …)
        logger.exception("the registry's version was not bumped: the cache does not answer")
        return
    with _lock:
        # Our own bump needs no second rebuild here; other processes see it on their next check.
        _seen_shared_version = shared


def registry_changed(sender: type, **kwargs: Any) -> None:
    """Signal receiver: a platform or one of its domains was saved or deleted.

    Invalidates at once (this thread sees its own change, even inside a transaction) and again
    after the commit (another thread may have rebuilt from the pre-commit rows in between).
    """
    invalidate_registry()
    transaction.on_commit(invalidate_registry)


def has_history(platform: Platform) -> bool:
    """Whether links or notices name the platform: then it can be deactivated, never deleted."""
    return platform.links.exists() or platform.notices.exists()


def licensed_platforms() -> QuerySet[Platform]:
    """The platforms the society licenses (links to them are refused), with their domains."""
    return (
        Platform.objects.filter(licensed=True)
        .order_by("name")
        .prefetch_related(Prefetch("domains", queryset=PlatformDomain.objects.order_by("domain", "path_prefix")))
    )
