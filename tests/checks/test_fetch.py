"""The safe fetcher against a local server, and its address guard (no traffic leaves 127.0.0.1)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
from typing import Any

import pytest

from sentinelle.checks import fetch as fetchmod
from sentinelle.checks.fetch import (
    DEFAULT_MAX_BYTES,
    BlockedAddress,
    DNSFailure,
    FetchTimeout,
    InvalidURL,
    PinnedBackend,
    SafeFetcher,
    TooManyRedirects,
    refusal_reason,
)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _get(url: str, **options: Any) -> fetchmod.FetchResult:
    fetch_options = {k: options.pop(k) for k in ("timeout", "max_redirects", "max_bytes") if k in options}
    async with SafeFetcher(**options) as fetcher:
        return await fetcher.fetch(url, **fetch_options)


class NoConnectBackend(PinnedBackend):
    """Fails the test if the fetcher ever opens a socket."""

    async def open_tcp(self, address: str, port: int, *args: Any) -> Any:
        raise AssertionError(f"connection attempted to {address}:{port}")


def fake_resolver(table: dict[str, list[str]]) -> fetchmod.Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise DNSFailure(f"{host}: not in the test table")
        return table[host]

    return resolve


# --- Over the wire, loopback opened for the local server -------------------------------------


def test_plain_get_names_the_society_and_reads_the_body(local_server, settings):
    settings.SENTINELLE_SOCIETY = {**settings.SENTINELLE_SOCIETY, "name": "Société Test"}
    result = run(_get(local_server.url("/ok"), allow_loopback=True))
    assert result.status_code == 200
    assert b"Download now" in result.body
    assert result.final_url == local_server.url("/ok")
    assert result.address == "127.0.0.1"
    assert "Societe Test" in local_server.seen_headers["/ok"]["User-Agent"]
    assert len(result.sha256) == 64


def test_loopback_is_refused_by_default(local_server, settings):
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = False
    with pytest.raises(BlockedAddress):
        run(_get(local_server.url("/ok")))
    assert local_server.hits["/ok"] == 0


def test_loopback_setting_opens_it(local_server, settings):
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    assert run(_get(local_server.url("/ok"))).status_code == 200


def test_redirect_chain_is_followed_hop_by_hop(local_server):
    result = run(_get(local_server.url("/chain/4"), allow_loopback=True))
    assert result.status_code == 200
    assert len(result.redirects) == 5
    assert result.final_url.endswith("/ok")


def test_more_than_five_redirects_is_an_error(local_server):
    with pytest.raises(TooManyRedirects):
        run(_get(local_server.url("/chain/5"), allow_loopback=True))
    assert local_server.hits["/ok"] == 0


def test_redirect_to_metadata_address_is_refused_even_with_loopback_open(local_server):
    backend_calls: list[str] = []

    class Spy(PinnedBackend):
        async def open_tcp(self, address: str, port: int, *args: Any) -> Any:
            backend_calls.append(address)
            if address != "127.0.0.1":
                raise AssertionError(f"connection attempted to {address}")  # never any real traffic
            return await super().open_tcp(address, port, *args)

    async def go() -> None:
        fetcher = SafeFetcher(allow_loopback=True)
        fetcher.backend.__class__ = Spy
        async with fetcher:
            await fetcher.fetch(local_server.url("/to-metadata"))

    with pytest.raises(BlockedAddress) as caught:
        run(go())
    assert caught.value.address == "169.254.169.254"
    assert backend_calls == ["127.0.0.1"]  # the first hop only


def test_redirect_to_a_name_resolving_to_loopback_is_refused_when_loopback_is_closed(local_server):
    """The first hop goes to a "public" name (test-only remap to the local server), its redirect
    to localhost (127.0.0.1) must be refused before any connection."""
    connected: list[str] = []

    class RemapToLocal(PinnedBackend):
        async def open_tcp(self, address: str, port: int, *args: Any) -> Any:
            assert address == "93.184.215.14", address  # never connect anywhere real
            connected.append(address)
            return await super().open_tcp("127.0.0.1", port, *args)

    resolver = fake_resolver({"public.example": ["93.184.215.14"], "localhost": ["127.0.0.1"]})

    async def go() -> None:
        fetcher = SafeFetcher(
            allow_loopback=False, resolver=resolver, backend=RemapToLocal(resolver, allow_loopback=False)
        )
        async with fetcher:
            await fetcher.fetch(local_server.url("/to-loopback", host="public.example"))

    with pytest.raises(BlockedAddress) as caught:
        run(go())
    assert caught.value.address == "127.0.0.1"
    assert connected == ["93.184.215.14"]
    assert local_server.hits["/to-loopback"] == 1
    assert local_server.hits["/ok"] == 0


def test_hanging_endpoint_times_out(local_server):
    with pytest.raises(FetchTimeout):
        run(_get(local_server.url("/hang"), allow_loopback=True, timeout=0.5))


def test_huge_body_is_capped_at_2_mb(local_server):
    result = run(_get(local_server.url("/huge"), allow_loopback=True))
    assert result.status_code == 200
    assert result.truncated is True
    assert result.bytes_read == DEFAULT_MAX_BYTES


def test_compressed_body_is_capped_after_decoding(local_server):
    result = run(_get(local_server.url("/gzip-bomb"), allow_loopback=True, max_bytes=1024))
    assert result.truncated is True
    assert result.body == b"\0" * 1024


def test_no_cookie_is_kept_between_requests(local_server):
    async def go() -> None:
        async with SafeFetcher(allow_loopback=True) as fetcher:
            await fetcher.fetch(local_server.url("/set-cookie"))
            await fetcher.fetch(local_server.url("/ok"))

    run(go())
    assert "Cookie" not in local_server.seen_headers["/ok"]
    assert "cookie" not in {k.lower() for k in local_server.seen_headers["/ok"]}


def test_post_sends_body_and_headers_and_follows_no_redirect_unless_asked(local_server):
    result = run(
        fetchmod.post(local_server.url("/post"), b'{"a": 1}', headers={"X-Signature": "abc"}, allow_loopback=True)
    )
    assert result.body == b'got:{"a": 1}'
    assert local_server.seen_headers["/post"]["X-Signature"] == "abc"
    with pytest.raises(TooManyRedirects):
        run(fetchmod.post(local_server.url("/post-redirect"), b"x", allow_loopback=True))
    kept = run(fetchmod.post(local_server.url("/post-redirect"), b"again", allow_loopback=True, max_redirects=1))
    assert kept.body == b"got:again"  # 307 keeps method and body


def test_sync_wrapper(local_server):
    assert fetchmod.fetch_sync(local_server.url("/410"), allow_loopback=True).status_code == 410


def test_unsupported_scheme_is_refused():
    with pytest.raises(InvalidURL):
        run(_get("file:///etc/passwd"))
    with pytest.raises(InvalidURL):
        run(_get("ftp://example.org/x"))


# --- The guard, with loopback closed: refusal before any connection ----------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3/",
        "http://2130706433/",  # decimal 127.0.0.1
        "http://0177.0.0.1/",  # octal
        "http://0x7f.0.0.1/",  # hexadecimal
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://[::ffff:10.0.0.1]/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",  # shared address space (CGNAT)
        "http://224.0.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[2002:7f00:1::]/",  # 6to4 embedding 127.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 embedding 10.0.0.1
    ],
)
def test_guard_refuses_literal_private_addresses(url):
    resolver = fake_resolver({})

    async def go() -> None:
        async with SafeFetcher(
            allow_loopback=False, resolver=resolver, backend=NoConnectBackend(resolver, False)
        ) as fetcher:
            await fetcher.fetch(url)

    with pytest.raises(BlockedAddress):
        run(go())


@pytest.mark.parametrize(
    "addresses",
    [["10.0.0.7"], ["127.0.0.1"], ["::1"], ["::ffff:127.0.0.1"], ["8.8.8.8", "192.168.1.1"], ["fd12::1"]],
)
def test_guard_refuses_names_resolving_to_private_addresses(monkeypatch, addresses):
    """The real resolver path (getaddrinfo in a thread), with getaddrinfo mocked."""

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "pirate.example"
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)

    async def go() -> None:
        async with SafeFetcher(
            allow_loopback=False, backend=NoConnectBackend(fetchmod.system_resolver, False)
        ) as fetcher:
            await fetcher.fetch("https://pirate.example/file/1")

    with pytest.raises(BlockedAddress):
        run(go())


def test_dns_failure_is_typed(monkeypatch):
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", failing)
    with pytest.raises(DNSFailure):
        run(_get("https://no-such-host.example/"))


def test_backend_refuses_an_unpinned_private_host_itself():
    backend = PinnedBackend(fake_resolver({"evil.example": ["10.0.0.1"]}), allow_loopback=False)
    with pytest.raises(BlockedAddress):
        run(backend.connect_tcp("evil.example", 80))


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("::ffff:8.8.8.8", False),
        ("::ffff:192.168.0.1", False),
        ("2001::1", False),
        ("192.0.2.1", False),
        ("255.255.255.255", False),
    ],
)
def test_refusal_reason(address, allowed):
    # An AAAA answer in ::ffff:0:0/96 is never a real public host: refused even when it embeds one.
    assert (refusal_reason(address) is None) is allowed


def test_loopback_open_still_refuses_embedded_loopback():
    assert refusal_reason("127.0.0.1", allow_loopback=True) is None
    assert refusal_reason("::ffff:127.0.0.1", allow_loopback=True) is not None


# --- Pinning through aiohttp: no DNS of its own, TLS for the host name -------------------------


def test_the_connector_connects_to_the_checked_address_without_resolving_again(local_server):
    """DNS rebinding: a second answer (here 10.0.0.1) is never asked for nor used."""
    answers = [["127.0.0.1"], ["10.0.0.1"]]
    calls: list[str] = []
    connected: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]

    class Spy(PinnedBackend):
        async def open_tcp(self, address: str, port: int, *args: Any) -> Any:
            connected.append(address)
            return await super().open_tcp(address, port, *args)

    async def go() -> fetchmod.FetchResult:
        async with SafeFetcher(allow_loopback=True, resolver=rebinding, backend=Spy(rebinding, True)) as fetcher:
            return await fetcher.fetch(local_server.url("/ok", host="rebind.example"))

    result = run(go())
    assert result.status_code == 200
    assert calls == ["rebind.example"]  # one lookup, by the fetcher; the connector used the pin
    assert connected == ["127.0.0.1"]
    assert local_server.seen_headers["/ok"]["Host"] == f"rebind.example:{local_server.port}"


@pytest.fixture
def tls_server(tmp_path):  # type: ignore[no-untyped-def]
    """An HTTPS server on 127.0.0.1 whose certificate names pinned.test only; records the SNI."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not available")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subject = ["-days", "1", "-subj", "/CN=pinned.test", "-addext", "subjectAltName=DNS:pinned.test"]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), *subject],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls_is_verified_for_the_host_name_while_connecting_to_the_pinned_address(tls_server, monkeypatch):
    cert, key = tls_server
    client_context = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(fetchmod, "_ssl_context", lambda: client_context)
    server_names: list[str | None] = []
    resolver = fake_resolver({"pinned.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecure")
        await writer.drain()
        writer.close()

    async def go() -> tuple[fetchmod.FetchResult, Exception]:
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(str(cert), str(key))

        def record_sni(sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
            server_names.append(name)

        server_context.sni_callback = record_sni
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)
        port = server.sockets[0].getsockname()[1]
        async with server, SafeFetcher(allow_loopback=True, resolver=resolver) as fetcher:
            good = await fetcher.fetch(f"https://pinned.test:{port}/")
            try:
                await fetcher.fetch(f"https://other.test:{port}/")
            except fetchmod.FetchError as exc:
                return good, exc
        raise AssertionError("a certificate for another name was accepted")

    good, refused = run(go())
    assert good.body == b"secure"
    assert good.address == "127.0.0.1"
    assert "pinned.test" in server_names  # SNI: the host name, not the address
    assert isinstance(refused, fetchmod.ConnectFailed)
    assert "certificate" in str(refused).lower() or "hostname" in str(refused).lower()


def test_the_next_checked_address_is_tried_when_one_refuses(local_server):
    connected: list[str] = []

    class Spy(PinnedBackend):
        async def open_tcp(self, address: str, port: int, *args: Any) -> Any:
            connected.append(address)
            return await super().open_tcp(address, port, *args)

    resolver = fake_resolver({"two.example": ["127.0.0.2", "127.0.0.1"]})  # nothing listens on .2

    async def go() -> fetchmod.FetchResult:
        async with SafeFetcher(allow_loopback=True, resolver=resolver, backend=Spy(resolver, True)) as fetcher:
            return await fetcher.fetch(local_server.url("/ok", host="two.example"))

    assert run(go()).status_code == 200
    assert connected == ["127.0.0.2", "127.0.0.1"]  # each once, in order
