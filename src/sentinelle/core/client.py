"""The client's address, read one way for every limit: django-ratelimit's, django-axes' lockouts,
the password-reset limit.

``SENTINELLE_TRUSTED_PROXY_COUNT`` = N says how many reverse proxies stand in front of the service,
each appending the address it received the request from to ``X-Forwarded-For``. The client is
then the N-th entry from the right: those N entries were written by proxies the operator runs;
anything further left was written by the client and is never believed. With N = 0 (the default:
no proxy) the header is ignored and the connection's address is the client's.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from sentinelle import conf


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``; ``None`` when there is none.

    A request that carries fewer entries than there are trusted proxies did not come through all
    of them (or a proxy is misconfigured): its connection's address is used, as for an entry that
    is not an address. django-axes stores the result in an address column, hence ``None``.
    """
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    trusted = conf.trusted_proxy_count()
    if not trusted:
        return peer
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted:
        return peer
    return _address(forwarded[-trusted]) or peer


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
