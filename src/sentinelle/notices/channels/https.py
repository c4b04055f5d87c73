"""HTTPS: the notice as a signed JSON POST.

The body is signed with HMAC-SHA256 under the platform's ``PlatformSigningKey``
(header ``X-Sentinelle-Signature: sha256=<hex>``); ``Idempotency-Key`` carries the key fixed at
build time, so a resend after a crash or a timeout is recognised by the endpoint. 5xx answers,
408, 429, timeouts and connection errors are temporary (retried with backoff); any other 4xx is
permanent (never retried).

Outbound HTTP should go through the project's one safe fetcher (``sentinelle.checks.fetch``,
being written concurrently); until it exists this channel takes an injectable ``httpx.Client``
and applies its own address guard (no private, loopback or link-local endpoint unless
``SENTINELLE_NOTICE_ALLOW_PRIVATE_ENDPOINTS``; https only unless
``SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP`` — both test-only).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from sentinelle.notices.channels.base import DeliveryError, DeliveryReceipt, excerpt
from sentinelle.notices.legal import reference

if TYPE_CHECKING:
    from sentinelle.notices.models import Notice

SIGNATURE_HEADER = "X-Sentinelle-Signature"
TEMPORARY_4XX = {408, 425, 429}


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(sign(secret, body), header or "")


def payload(notice: Notice) -> dict[str, Any]:
    public = str(getattr(settings, "SENTINELLE_PUBLIC_URL", "")).rstrip("/")
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
            for item in notice.items.order_by("position")
        ],
        "answer_url": f"{public}/api/v1/notices/{notice.pk}/answer",
    }


def check_endpoint(url: str) -> None:
    parts = urlsplit(url)
    allow_http = bool(getattr(settings, "SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP", False))
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise DeliveryError(f"endpoint must be https: {url!r}", temporary=False)
    if not parts.hostname:
        raise DeliveryError(f"endpoint has no host: {url!r}", temporary=False)
    if getattr(settings, "SENTINELLE_NOTICE_ALLOW_PRIVATE_ENDPOINTS", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DeliveryError(f"cannot resolve {parts.hostname}: {exc}", temporary=True) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        mapped = getattr(address, "ipv4_mapped", None)
        if not address.is_global or (mapped is not None and not mapped.is_global):
            raise DeliveryError(f"endpoint resolves to a non-public address {address}", temporary=False)


class HttpsChannel:
    def __init__(self, client: httpx.Client | None = None) -> None:
        self.client = client

    def deliver(self, notice: Notice, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        from sentinelle.notices.models import PlatformSigningKey

        if not notice.recipient_endpoint:
            raise DeliveryError("the recipient has no HTTPS endpoint", temporary=False)
        key = (
            PlatformSigningKey.objects.filter(platform_id=notice.recipient_platform_id).first()
            if notice.recipient_platform_id is not None
            else None
        )
        if key is None:
            raise DeliveryError("no signing key for this platform", temporary=False)
        check_endpoint(notice.recipient_endpoint)
        body = json.dumps(payload(notice), ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": notice.idempotency_key,
            SIGNATURE_HEADER: sign(key.secret, body),
            "User-Agent": f"Sentinelle notices ({notice.sender.get('name', '')})".encode("ascii", "replace").decode(),
        }
        client = self.client or httpx.Client(timeout=httpx.Timeout(10.0), follow_redirects=False)
        commit_point()
        try:
            response = client.post(notice.recipient_endpoint, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"timeout: {exc}", temporary=True) from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"HTTP error: {exc}", temporary=True) from exc
        finally:
            if self.client is None:
                client.close()
        text = excerpt(f"{response.status_code} {response.text}")
        if 200 <= response.status_code < 300:
            return DeliveryReceipt(response_excerpt=text)
        temporary = response.status_code >= 500 or response.status_code in TEMPORARY_4XX
        raise DeliveryError(f"endpoint answered {response.status_code}", temporary=temporary, response_excerpt=text)
