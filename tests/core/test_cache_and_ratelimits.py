"""The shared cache (SENTINELLE_CACHE_URL) and the rate limits counted in it (django-ratelimit)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client

from sentinelle import conf
from sentinelle.core import ratelimit
from sentinelle.platforms import selectors as registry
from tests.factories import UserFactory

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_or_skip() -> Any:
    import os

    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("SENTINELLE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (SENTINELLE_REQUIRE_REDIS=1) but does not answer: {exc}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    return client


@pytest.fixture
def shared_cache(settings: Any) -> Iterator[tuple[Any, str]]:
    """The real Redis as the default cache, under a key prefix of this test's own."""
    client = _redis_or_skip()
    prefix = f"sentinelle-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**conf.cache_settings(REDIS_URL), "KEY_PREFIX": prefix}}
    yield client, prefix
    caches["default"].close()
    settings.CACHES = {"default": conf.cache_settings("")}  # later teardowns write to local memory
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache", "sentinelle"),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", "sentinelle"),
        ("redis://:secret@cache.internal:6379/1", "django.core.cache.backends.redis.RedisCache", None),
        ("rediss://cache.internal:6380/0", "django.core.cache.backends.redis.RedisCache", None),
        ("unix:///run/redis/redis.sock?db=2", "django.core.cache.backends.redis.RedisCache", None),
    ],
)
def test_the_cache_url_names_the_backend(url: str, backend: str, location: str | None) -> None:
    found = conf.cache_settings(url)
    assert found["BACKEND"] == backend
    assert found["LOCATION"] == (location or url)


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "127.0.0.1:6379", "file:///tmp/cache"])
def test_an_unknown_cache_url_is_a_clear_configuration_error(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="SENTINELLE_CACHE_URL"):
        conf.cache_settings(url)


def test_check_deploy_warns_when_the_cache_is_per_process(settings: Any, capsys: Any) -> None:
    settings.CACHES = {"default": conf.cache_settings("")}
    from sentinelle.core.checks import shared_cache as check

    assert [message.id for message in check()] == ["sentinelle.W001"]
    settings.CACHES = {"default": conf.cache_settings(REDIS_URL)}
    assert check() == []


# --- the login limit ------------------------------------------------------------------------------


def _login(client: Client, email: str, address: str, **headers: str) -> Any:
    return client.post(
        "/login/", {"username": email, "password": "wrong password"}, REMOTE_ADDR=address, headers=headers
    )


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_refused_past_the_login_limit(settings: Any) -> None:
    settings.SENTINELLE_LOGIN_RATE_LIMIT = 3
    settings.AXES_FAILURE_LIMIT = 100  # the per-account lockout is not what this test is about
    client = Client()
    for number in range(3):
        assert _login(client, f"user{number}@example.org", "203.0.113.7").status_code == 200
    refused = _login(client, "user9@example.org", "203.0.113.7")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert b"Too many login attempts came from your address" in refused.content
    # Another address is not held back by the first one's attempts.
    assert _login(client, "user9@example.org", "198.51.100.2").status_code == 200


@pytest.mark.django_db
def test_a_refused_login_attempt_is_not_tried_even_with_the_right_password(settings: Any) -> None:
    settings.SENTINELLE_LOGIN_RATE_LIMIT = 1
    user = UserFactory(email="right@example.org")
    user.set_password("the right password 1")
    user.save()
    client = Client()
    assert _login(client, "someone@example.org", "203.0.113.8").status_code == 200
    answer = client.post(
        "/login/", {"username": "right@example.org", "password": "the right password 1"}, REMOTE_ADDR="203.0.113.8"
    )
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_behind_a_proxy_the_last_forwarded_address_is_the_clients(settings: Any) -> None:
    settings.SENTINELLE_LOGIN_RATE_LIMIT = 2
    settings.SENTINELLE_TRUSTED_PROXY_COUNT = 1
    client = Client()
    proxy = "10.0.0.5"
    # The client forges the first entry each time; the proxy appends the address it saw.
    for forged in ("1.1.1.1", "2.2.2.2"):
        forwarded = {"X-Forwarded-For": f"{forged}, 203.0.113.9"}
        assert _login(client, "a@example.org", proxy, **forwarded).status_code == 200
    assert _login(client, "a@example.org", proxy, **{"X-Forwarded-For": "3.3.3.3, 203.0.113.9"}).status_code == 429
    # Another client behind the same proxy has its own allowance.
    assert _login(client, "a@example.org", proxy, **{"X-Forwarded-For": "198.51.100.3"}).status_code == 200


def test_the_clients_address_is_an_address_or_none(settings: Any) -> None:
    from django.test import RequestFactory

    from sentinelle.core.client import client_ip

    settings.SENTINELLE_TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5", headers={"X-Forwarded-For": "::1"})) == "::1"
    # Not an address in the header (not from the proxy, or garbage): the connection's address.
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.5", headers={"X-Forwarded-For": "1.1.1.1, <script>"})
    assert client_ip(garbage) == "10.0.0.5"
    no_address = factory.get("/")
    no_address.META.pop("REMOTE_ADDR", None)
    assert client_ip(no_address) is None


# --- over the real Redis --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_limit_is_counted_in_redis_so_every_process_shares_it(shared_cache: Any, settings: Any) -> None:
    from tests.api.conftest import make_api_user

    client, prefix = shared_cache
    settings.SENTINELLE_API_RATE_LIMIT = 2
    alice = make_api_user()
    assert alice.get("/works").status_code == 200
    assert alice.get("/works").status_code == 200
    counters = list(client.scan_iter(f"{prefix}:*"))
    assert len(counters) == 1 and int(client.get(counters[0])) == 2
    # Another process is another connection to the same server: drop ours, the count is still there.
    first = caches["default"]
    first.close()
    settings.CACHES = dict(settings.CACHES)  # Django drops its cache connections when CACHES changes
    assert caches["default"] is not first
    assert alice.get("/works").status_code == 429


@pytest.mark.django_db
def test_a_registry_edit_in_another_process_reaches_this_one_through_redis(
    shared_cache: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories import make_platform

    client, prefix = shared_cache
    monkeypatch.setattr(registry, "REGISTRY_VERSION_CHECK_INTERVAL", 0.0)
    registry.invalidate_registry()
    before = registry.get_registry()
    assert registry.get_registry() is before  # cached
    # Another process added a platform and bumped the version in Redis; this one has no signal of it.
    make_platform("Elsewhere", "file_host", ["elsewhere.example"])
    registry._cached = (before, registry._local_version, registry.time.monotonic())
    client.incr(f"{prefix}:1:{registry.REGISTRY_VERSION_KEY}")
    after = registry.get_registry()
    assert after is not before
    assert any(rule.name == "Elsewhere" for rule in after.rules)


@pytest.mark.django_db
def test_a_cache_that_does_not_answer_lets_requests_through(settings: Any, caplog: Any) -> None:
    from tests.api.conftest import make_api_user

    settings.CACHES = {"default": conf.cache_settings("redis://127.0.0.1:1/0")}  # nothing listens there
    settings.SENTINELLE_API_RATE_LIMIT = 1
    try:
        alice = make_api_user()
        assert alice.get("/works").status_code == 200
        assert alice.get("/works").status_code == 200
        assert "the cache does not answer" in caplog.text
    finally:
        caches["default"].close()
        settings.CACHES = {"default": conf.cache_settings("")}


def test_zero_turns_a_limit_off(settings: Any) -> None:
    from django.test import RequestFactory

    settings.SENTINELLE_API_RATE_LIMIT = 0
    request = RequestFactory().get("/")
    for _ in range(300):
        ratelimit.hit_api_key(request, "digest")


def test_the_default_limits(settings: Any) -> None:
    for name in ("SENTINELLE_API_RATE_LIMIT", "SENTINELLE_LOGIN_RATE_LIMIT"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert (conf.api_rate_limit(), conf.login_rate_limit()) == (120, 20)
    call_command("check")  # the settings as shipped pass Django's checks
