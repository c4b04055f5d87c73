"""The HTTPS channel against a local HTTP server: signature, Idempotency-Key, retries."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sentinelle.notices import services
from sentinelle.notices.channels.https import signature_headers, verify
from sentinelle.notices.models import AttemptOutcome, Notice, NoticeStatus, PlatformSigningKey
from tests.factories import make_platform
from tests.notices.helpers import Endpoint, make_links, rights

pytestmark = pytest.mark.django_db
SECRET = "s3cret-shared-with-the-platform"


@pytest.fixture
def endpoint_settings(settings: Any) -> Iterator[None]:
    settings.SENTINELLE_PUBLIC_URL = "https://sentinelle.example.org"
    settings.SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP = True
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    yield


def https_notice(url: str, links: int = 2) -> Notice:
    platform = make_platform(
        "API Host",
        "file_host",
        ["apihost.com"],
        jurisdiction="US",
        regime="us",
        notice_channel="https",
        contact_url=url,
    )
    PlatformSigningKey.objects.create(platform=platform, secret=SECRET)
    make_links(rights(), platform, [f"https://apihost.com/f/{n}" for n in range(1, links + 1)])
    services.build_notices()
    return Notice.objects.order_by("pk").first()  # type: ignore[return-value]


def test_the_post_is_signed_and_carries_the_idempotency_key(endpoint_settings):
    with Endpoint([200]) as server:
        notice = https_notice(server.url)
        assert services.deliver_due()["delivered"] == 1
    (request,) = server.requests
    headers = request["headers"]
    assert verify(SECRET, request["body"], headers)
    assert not verify("another secret", request["body"], headers)
    assert not verify(SECRET, request["body"] + b" ", headers)
    assert headers["webhook-id"] == headers["Idempotency-Key"] == notice.idempotency_key
    payload = json.loads(request["body"])
    assert [i["url"] for i in payload["items"]] == ["https://apihost.com/f/1", "https://apihost.com/f/2"]
    assert payload["regime"] == "us" and "§512(c)(3)" in payload["text"]
    assert payload["answer_url"] == f"https://sentinelle.example.org/api/v1/notices/{notice.pk}/answer"


def test_an_https_notice_is_not_built_to_go_without_a_public_url(settings):
    settings.SENTINELLE_PUBLIC_URL = ""
    notice = https_notice("https://apihost.com/notices")
    assert notice.status == NoticeStatus.DRAFT
    assert "SENTINELLE_PUBLIC_URL" in notice.hold_reason
    assert services.deliver_due()["delivered"] == 0


def test_every_key_in_force_signs_while_a_key_is_rotated(endpoint_settings):
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False), Endpoint([200]) as server:
        notice = https_notice(server.url)
        platform = notice.recipient_platform
        new = "whsec_" + base64.b64encode(b"the platform's next key, 32 byte").decode()
        PlatformSigningKey.objects.create(platform=platform, name="next", secret=new)
        PlatformSigningKey.objects.create(
            platform=platform, name="old", secret="retired", revoked_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
        )
        services.deliver_due()
        (request,) = server.requests
        signatures = request["headers"]["webhook-signature"].split(" ")
        assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
        assert verify(SECRET, request["body"], request["headers"])  # the key being retired
        assert verify(new, request["body"], request["headers"])  # and the one replacing it
        assert not verify("retired", request["body"], request["headers"])  # a revoked key signs nothing


def test_5xx_is_retried_with_the_same_key_until_delivered(endpoint_settings):
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False) as clock, Endpoint([503, 500]) as server:
        notice = https_notice(server.url)
        for _ in range(3):
            services.deliver_due()
            clock.shift(3600)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED
    assert len(server.requests) == 3
    assert {r["headers"]["Idempotency-Key"] for r in server.requests} == {notice.idempotency_key}
    assert list(notice.attempts.values_list("outcome", flat=True)) == [
        AttemptOutcome.TEMPORARY_FAILURE,
        AttemptOutcome.TEMPORARY_FAILURE,
        AttemptOutcome.DELIVERED,
    ]


def test_4xx_is_not_retried(endpoint_settings):
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False) as clock, Endpoint([400]) as server:
        notice = https_notice(server.url)
        for _ in range(3):
            services.deliver_due()
            clock.shift(3600)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and len(server.requests) == 1
    assert notice.attempts.get().response_excerpt.startswith("400")


def test_a_loopback_endpoint_is_refused_by_default(settings):
    settings.SENTINELLE_PUBLIC_URL = "https://sentinelle.example.org"
    settings.SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP = True
    with Endpoint([200]) as server:
        notice = https_notice(server.url)
        services.deliver_due()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and server.requests == []
    assert "loopback address" in notice.hold_reason


def test_the_signature_follows_the_standard_webhooks_test_vector():
    # The specification's published example: secret, id, timestamp, payload and signature.
    headers = signature_headers(
        ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        b'{"test": 2432232314}',
        dt.datetime.fromtimestamp(1614265330, dt.UTC),
    )
    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


def test_the_timestamp_is_signed_so_a_captured_notice_cannot_be_replayed_later(endpoint_settings):
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False) as clock, Endpoint([200]) as server:
        https_notice(server.url)
        services.deliver_due()
        (request,) = server.requests
        assert verify(SECRET, request["body"], request["headers"])
        clock.shift(10 * 60)  # ten minutes later, a replay of the same request
        assert not verify(SECRET, request["body"], request["headers"])
        moved = {**request["headers"], "webhook-timestamp": str(int(dt.datetime.now(dt.UTC).timestamp()))}
        assert not verify(SECRET, request["body"], moved)  # a fresh timestamp breaks the signature


def test_the_notices_of_a_sweep_to_one_endpoint_share_a_connection(endpoint_settings, settings):
    """``HttpsChannel`` keeps its fetcher (and its pool) for the sweep: three notices, one connection."""
    settings.SENTINELLE_NOTICE_MAX_URLS = 1
    with Endpoint([], keep_alive=True) as server:
        https_notice(server.url, links=3)
        assert services.deliver_due()["delivered"] == 3
    assert len(server.requests) == 3
    assert len({request["peer"] for request in server.requests}) == 1


def test_each_request_of_a_kept_connection_checks_its_destination_again(endpoint_settings, settings, monkeypatch):
    """A pooled connection is no way around the guard: the endpoint's host, resolved again for the
    second notice, now gives a private address, and that notice is refused (never sent)."""
    from sentinelle.checks import fetch

    answers = iter([["127.0.0.1"]] + [["10.0.0.7"]] * 5)

    async def resolver(host: str, port: int) -> list[str]:
        assert host == "api.example"
        return next(answers)

    monkeypatch.setattr(fetch, "default_resolver", lambda: resolver)
    settings.SENTINELLE_NOTICE_MAX_URLS = 1
    with Endpoint([], keep_alive=True) as server:
        https_notice(server.url.replace("127.0.0.1", "api.example"), links=2)
        counts = services.deliver_due()
    assert counts["delivered"] == 1 and counts["failed"] == 1 and len(server.requests) == 1
    failed = Notice.objects.get(status=NoticeStatus.FAILED)
    [attempt] = failed.attempts.all()
    assert attempt.outcome == AttemptOutcome.PERMANENT_FAILURE and "10.0.0.7" in attempt.error


def test_a_connection_the_endpoint_closed_while_idle_is_not_used_again(endpoint_settings, settings):
    """The endpoint closes a connection idle for 0.1 s; the worker records its notice meanwhile
    (1 s here: ten times the idle time, so that a loaded machine has closed it). The next POST goes
    over a new connection, not the closed one (which would fail after the commit point: a needless
    retry)."""
    import time

    from sentinelle.notices.channels.https import HttpsChannel
    from sentinelle.notices.selectors import notice_data

    settings.SENTINELLE_NOTICE_MAX_URLS = 1
    with Endpoint([], keep_alive=True, idle_timeout=0.1) as server:
        https_notice(server.url, links=3)
        channel = HttpsChannel()
        try:
            for notice in Notice.objects.order_by("pk"):
                receipt = channel.deliver(notice, notice_data(notice), commit_point=lambda: None)
                assert receipt.response_excerpt.startswith("200")
                time.sleep(1.0)
        finally:
            channel.close()
    assert len(server.requests) == 3
    assert len({request["peer"] for request in server.requests}) == 3
