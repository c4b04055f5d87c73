"""HTTPS: the notice as a signed JSON POST.

The POST is signed per the Standard Webhooks specification (the ``standardwebhooks`` library):
``webhook-id`` is the notice's idempotency key (the same on every attempt), ``webhook-timestamp``
the moment of the attempt (Unix seconds), ``webhook-signature`` ``v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`` under each of the platform's ``PlatformSigningKey`` rows in force,
space-separated (a rotation lists the old and the new key). The timestamp is signed, so a
receiver that refuses old timestamps (the libraries' default: 5 minutes) cannot be replayed to.
The key is ``whsec_`` + base64, the specification's form; a key stored in another form is used as
its UTF-8 bytes. ``Idempotency-Key`` carries the same idempotency key, so a resend after a crash
or a timeout is recognised by the endpoint. 5xx answers,
408, 429, timeouts and connection errors are temporary (retried with backoff); any other 4xx is
permanent (never retried).

The POST goes through the project's one safe fetcher (``sentinelle.checks.fetch``): the
endpoint's addresses are checked after DNS resolution and the connection is pinned to them, so a
platform's endpoint can never be pointed at the society's own network. Plain ``http`` is refused
unless ``SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP`` (tests only); loopback only with
``SENTINELLE_FETCH_ALLOW_LOOPBACK`` (demo and tests only). Redirects are not followed: a signed
notice goes where it was addressed.

A channel (one per sweep: ``ChannelSet``) keeps one fetcher on an event loop of its own between
notices, so the notices of a batch to one endpoint share a connection (no TCP and TLS handshake
each). The guard is the fetcher's, unchanged: each request resolves and checks its host first (a
host now resolving to a refused address is refused, pooled connection or not), and each new
connection is checked at its socket; a pooled one goes to an address checked when it was opened.
A POST over a connection the endpoint has closed would fail after the commit point (a needless
retry): the loop takes one turn before each POST, so a connection closed while the worker was
recording the notice before is seen closed and not used, and an idle connection is kept
``KEEPALIVE_SECONDS`` only (servers commonly close theirs after 5 s). What is left is the race of
every HTTP client that keeps connections: the endpoint closing one just as the POST leaves, a
temporary failure resent later under the same Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from sentinelle import conf
from sentinelle.checks import fetch
from sentinelle.notices.channels.base import DeliveryError, DeliveryReceipt, excerpt
from sentinelle.notices.legal import NoticeData, reference
from sentinelle.notices.models import Notice, PlatformSigningKey

TEMPORARY_4XX = {408, 425, 429}
KEEPALIVE_SECONDS = 2.0
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of a key, not a secret


def _webhook(secret: str) -> Webhook:
    return Webhook(secret) if secret.startswith(SECRET_PREFIX) else Webhook(secret.encode("utf-8"))


def signature_headers(secrets: Sequence[str], message_id: str, body: bytes, at: dt.datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``at``, signed by every key in ``secrets``.

    The specification carries several signatures as space-separated ``v1,…`` entries in one
    ``webhook-signature`` header; a receiver accepts the message when any of them verifies, which
    is what lets a platform's key be rotated without a gap.
    """
    moment = at.astimezone(dt.UTC)  # the library reads the time as UTC
    signatures = [_webhook(secret).sign(message_id, moment, body.decode("utf-8")) for secret in secrets]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


class NoPublicUrl(DeliveryError):
    def __init__(self) -> None:
        super().__init__(
            "SENTINELLE_PUBLIC_URL is not set: the notice cannot give an absolute answer_url", temporary=False
        )


def answer_url(notice: Notice) -> str:
    """Where the platform answers this notice: absolute, or ``NoPublicUrl``."""
    public = conf.public_url()
    if not public:
        raise NoPublicUrl
    return f"{public}/api/v1/notices/{notice.pk}/answer"


def active_secrets(platform_id: int | None, at: dt.datetime) -> list[str]:
    """The secrets of every key of the platform in force at ``at``, oldest first."""
    if platform_id is None:
        return []
    keys = PlatformSigningKey.objects.filter(platform_id=platform_id).order_by("created_at", "pk")
    return [key.secret for key in keys if key.active_at(at)]


def verify(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    """What a receiver checks: the signature, and a timestamp within five minutes of now."""
    try:
        _webhook(secret).verify(body, headers, json_parse=False)
    except WebhookVerificationError:
        return False
    return True


def payload(notice: Notice) -> dict[str, Any]:
    return {
        "notice_id": notice.pk,
        "reference": reference(notice),
        "idempotency_key": notice.idempotency_key,
        "message_id": notice.message_id,
        "regime": notice.regime,
        "language": notice.language,
        "action": notice.action,
        "escalation_level": notice.escalation_level,
        "date": notice.dated.isoformat(),
        "sender": notice.sender,
        "recipient": {"name": notice.recipient_name, "domain": notice.recipient_domain},
        "subject": notice.subject,
        "text": notice.body,
        "items": [
            {
                "n": item.position,
                "url": item.url,
                "site": item.site,
                "work": {"title": item.work_title, "iswc": item.work_iswc, "rights_holders": item.rights_holders},
            }
            for item in notice.items.all()  # in position order (the model's ordering, or the caller's prefetch)
        ],
        "answer_url": answer_url(notice),
    }


def check_endpoint(url: str) -> None:
    parts = urlsplit(url)
    allow_http = conf.notice_allow_plain_http()
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise DeliveryError(f"endpoint must be https: {url!r}", temporary=False)
    if not parts.hostname:
        raise DeliveryError(f"endpoint has no host: {url!r}", temporary=False)


# What the fetcher's failures mean for a delivery: a refused address or a malformed endpoint will
# not get better by waiting; a timeout, a DNS failure or a refused connection may.
_PERMANENT_FETCH_ERRORS = (fetch.BlockedAddress, fetch.InvalidURL, fetch.TooManyRedirects)


class HttpsChannel:
    def __init__(self) -> None:
        self._runner: asyncio.Runner | None = None
        self._fetcher: fetch.SafeFetcher | None = None

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> fetch.FetchResult:
        """One POST through this channel's fetcher (made at the first, with its event loop), no redirect followed."""
        if self._runner is None or self._fetcher is None:
            self._runner = asyncio.Runner()
            self._fetcher = fetch.SafeFetcher(keepalive_timeout=KEEPALIVE_SECONDS)
        fetcher = self._fetcher

        async def post() -> fetch.FetchResult:
            # The loop stood still since the last notice: one turn first lets it read what came meanwhile,
            # so a kept connection the endpoint has closed is seen closed and not used for this POST.
            await asyncio.sleep(0)
            return await fetcher.fetch(
                url, method="POST", content=body, headers=headers, max_redirects=0, max_bytes=64 * 1024
            )

        return self._runner.run(post())

    def close(self) -> None:
        """Close the fetcher's connections and its event loop (the end of the sweep: ``ChannelSet.close``)."""
        runner, fetcher = self._runner, self._fetcher
        self._runner = self._fetcher = None
        if runner is None:
            return
        try:
            if fetcher is not None:
                runner.run(fetcher.aclose())
        finally:
            runner.close()

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        if not notice.recipient_endpoint:
            raise DeliveryError("the recipient has no HTTPS endpoint", temporary=False)
        now = timezone.now()
        secrets = active_secrets(notice.recipient_platform_id, now)
        if not secrets:
            raise DeliveryError("no signing key in force for this platform", temporary=False)
        check_endpoint(notice.recipient_endpoint)
        body = json.dumps(payload(notice), ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": notice.idempotency_key,
            **signature_headers(secrets, notice.idempotency_key, body, now),
        }
        commit_point()
        try:
            response = self._post(notice.recipient_endpoint, body, headers)
        except _PERMANENT_FETCH_ERRORS as exc:
            raise DeliveryError(f"endpoint refused: {exc}", temporary=False) from exc
        except fetch.FetchError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}", temporary=True) from exc
        text = excerpt(f"{response.status_code} {response.text()}")
        if 200 <= response.status_code < 300:
            return DeliveryReceipt(response_excerpt=text)
        temporary = response.status_code >= 500 or response.status_code in TEMPORARY_4XX
        raise DeliveryError(f"endpoint answered {response.status_code}", temporary=temporary, response_excerpt=text)
