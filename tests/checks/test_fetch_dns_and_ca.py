"""The fetcher on named DNS servers (SENTINELLE_DNS_NAMESERVERS) and extra CAs (SENTINELLE_FETCH_CA_FILE).

A real DNS server and a real TLS server run on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from sentinelle.checks import fetch as fetchmod
from sentinelle.checks.fetch import BlockedAddress, DNSFailure, PinnedBackend, SafeFetcher
from tests.localnet import LocalCA, LocalDNS


@pytest.fixture(scope="module")
def dns_server() -> Iterator[LocalDNS]:
    server = LocalDNS().start()
    zone = server.zone
    zone.add("site.test", "127.0.0.1")
    zone.add("inside.test", "10.1.2.3")
    zone.add("mixed.test", "127.0.0.1", "192.168.1.1")
    zone.cname["alias.test"] = "site.test"
    zone.cname["loop-a.test"] = "loop-b.test"
    zone.cname["loop-b.test"] = "loop-a.test"
    zone.silent.add("slow.test")
    zone.servfail.add("broken.test")
    yield server
    server.stop()


@pytest.fixture
def named(settings: Any, dns_server: LocalDNS) -> LocalDNS:
    settings.SENTINELLE_DNS_NAMESERVERS = [dns_server.nameserver]
    settings.SENTINELLE_DNS_TIMEOUT_SECONDS = 0.5
    return dns_server


class NoConnect(PinnedBackend):
    async def open_tcp(self, address: str, port: int, *args: Any) -> Any:
        raise AssertionError(f"connection attempted to {address}:{port}")


async def _get(url: str, **options: Any) -> fetchmod.FetchResult:
    async with SafeFetcher(allow_loopback=True, **options) as fetcher:
        return await fetcher.fetch(url)


def test_the_fetcher_resolves_through_the_named_server(named, local_server):
    result = asyncio.run(_get(local_server.url("/ok", host="site.test")))
    assert result.status_code == 200
    assert result.address == "127.0.0.1"
    assert ("site.test", "A") in named.zone.queries


def test_a_cname_is_followed_to_its_address(named, local_server):
    result = asyncio.run(_get(local_server.url("/ok", host="alias.test")))
    assert result.status_code == 200


def test_without_named_servers_the_system_resolver_is_used(settings):
    settings.SENTINELLE_DNS_NAMESERVERS = []
    assert fetchmod.default_resolver() is fetchmod.system_resolver


def test_a_name_the_named_server_points_inside_is_refused_before_connecting(named):
    with pytest.raises(BlockedAddress) as caught:
        asyncio.run(_get("http://inside.test/", backend=NoConnect(fetchmod.nameserver_resolver, True)))
    assert caught.value.address == "10.1.2.3"


def test_one_private_address_among_public_ones_refuses_the_name(named):
    with pytest.raises(BlockedAddress):
        asyncio.run(_get("http://mixed.test/", backend=NoConnect(fetchmod.nameserver_resolver, True)))


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("nowhere.test", "nxdomain"),
        ("loop-a.test", "cname_loop"),
        ("slow.test", "timeout"),
        ("broken.test", "servfail"),
    ],
)
def test_dns_failures_carry_their_reason(named, host, reason):
    with pytest.raises(DNSFailure) as caught:
        asyncio.run(fetchmod.lookup_addresses(host))
    assert caught.value.reason == reason


@pytest.mark.parametrize("bad", ["dns.example:53", "127.0.0.1:0", "127.0.0.1:x", "[::1]:70000"])
def test_a_nameserver_must_be_an_address_with_a_valid_port(bad):
    with pytest.raises(ValueError):
        fetchmod.parse_nameserver(bad)


# --- SENTINELLE_FETCH_CA_FILE ------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("ca"))


async def _tls_fetch(ca: LocalCA, name: str) -> fetchmod.FetchResult:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecure")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ca.server_context([name]))
    port = server.sockets[0].getsockname()[1]

    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async with server, SafeFetcher(allow_loopback=True, resolver=resolve) as fetcher:
        return await fetcher.fetch(f"https://{name}:{port}/")


def test_a_certificate_of_an_unknown_ca_is_refused(settings, local_ca):
    settings.SENTINELLE_FETCH_CA_FILE = ""
    with pytest.raises(fetchmod.ConnectFailed):
        asyncio.run(_tls_fetch(local_ca, "secure.test"))


def test_the_ca_file_adds_a_trusted_authority(settings, local_ca):
    settings.SENTINELLE_FETCH_CA_FILE = str(local_ca.ca_file)
    assert asyncio.run(_tls_fetch(local_ca, "secure.test")).body == b"secure"


def test_the_ca_file_keeps_the_host_name_check(settings, local_ca):
    settings.SENTINELLE_FETCH_CA_FILE = str(local_ca.ca_file)

    async def go() -> None:
        # The certificate names secure.test; the URL asks for other.test.
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=local_ca.server_context(["secure.test"]))
        port = server.sockets[0].getsockname()[1]

        async def resolve(host: str, port: int) -> list[str]:
            return ["127.0.0.1"]

        async with server, SafeFetcher(allow_loopback=True, resolver=resolve) as fetcher:
            await fetcher.fetch(f"https://other.test:{port}/")

    with pytest.raises(fetchmod.ConnectFailed):
        asyncio.run(go())


def test_a_missing_ca_file_is_a_configuration_error(settings, tmp_path):
    settings.SENTINELLE_FETCH_CA_FILE = str(tmp_path / "absent.pem")
    with pytest.raises(ImproperlyConfigured):
        fetchmod._ssl_context()
