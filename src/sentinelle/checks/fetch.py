"""The one safe fetcher for every outbound HTTP request of Sentinelle.

Link checks, notice delivery over HTTPS and evidence capture all go through :class:`SafeFetcher`
(or the :func:`fetch` / :func:`post` / :func:`fetch_sync` helpers). What it guarantees:

* the society names itself in the User-Agent; no cookie is ever stored or sent; environment
  proxies are ignored (a proxy would defeat the address check);
* a total deadline per request (10 s by default, DNS and every redirect hop included), at most
  5 redirects, followed by hand so that each hop is checked again, and a body cap (2 MB): the body
  is streamed and reading stops at the cap;
* DNS is resolved here (``getaddrinfo`` in a thread, or dnspython on the name servers named by
  ``SENTINELLE_DNS_NAMESERVERS``) and every address is checked: private,
  loopback, link-local, multicast, reserved, unspecified, shared (CGNAT) addresses are refused, and
  so are IPv6 addresses that embed one (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64);
* the connection goes to the address that was checked: aiohttp's resolver hook returns the pinned
  addresses of the hop, and the connector opens its sockets through :class:`PinnedBackend`, which
  checks each address again and connects to exactly it, while TLS still verifies the certificate
  against the host name (SNI), so a second, different DNS answer (DNS rebinding) is never used.

``SENTINELLE_FETCH_ALLOW_LOOPBACK`` (default False) opens 127.0.0.0/8 and ::1 for the demo and
the tests; nothing else is ever opened. ``SENTINELLE_FETCH_CA_FILE`` adds trusted CA certificates
to the usual ones (a TLS-inspecting proxy's, or the tests' own CA).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import ipaddress
import socket
import ssl
import time
import unicodedata
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ada_url
import aiohttp
import dns.asyncresolver
import dns.exception
import dns.message
import dns.nameserver
import dns.resolver
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult
from django.core.exceptions import ImproperlyConfigured
from multidict import CIMultiDictProxy

from sentinelle import conf

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = frozenset({"http", "https"})
# Longest response header line accepted (aiohttp's default, 8190, refuses some real sites).
MAX_HEADER_LINE = 65536

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses it resolves to (as text). Must raise DNSFailure when it does not.
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Networks that ``is_global`` lets through but that no public page lives on.
_EXTRA_BLOCKED = (
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


# --- Typed errors ---------------------------------------------------------------------------


class FetchError(Exception):
    """A fetch that gave no HTTP response. ``code`` is stable and stored on LinkCheck rows."""

    code = "fetch_error"

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class InvalidURL(FetchError):
    code = "invalid_url"


class BlockedAddress(FetchError):
    """The host is, or resolves to, an address the fetcher never connects to."""

    code = "blocked_address"

    def __init__(self, message: str, *, url: str = "", address: str = "") -> None:
        super().__init__(message, url=url)
        self.address = address


class DNSFailure(FetchError):
    """No usable address. ``reason``: nxdomain, no_address, timeout, cname_loop, servfail, unresolved."""

    code = "dns_failure"

    def __init__(self, message: str, *, url: str = "", reason: str = "unresolved") -> None:
        super().__init__(message, url=url)
        self.reason = reason


class ConnectFailed(FetchError):
    code = "connect_failed"


class FetchTimeout(FetchError):
    code = "timeout"


class TooManyRedirects(FetchError):
    code = "too_many_redirects"


class ProtocolFailure(FetchError):
    """The peer answered something that is not HTTP, or broke the connection mid-answer."""

    code = "protocol_error"


# --- The address guard ----------------------------------------------------------------------


def allow_loopback_setting() -> bool:
    return conf.fetch_allow_loopback()


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def refusal_reason(address: str | IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why the fetcher refuses to connect to ``address``, or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "scoped IPv6 address"
        for inner in _embedded_ipv4(ip):
            # An embedded loopback is refused even when loopback is open: only plain 127/8 and ::1 are.
            reason = refusal_reason(inner, allow_loopback=False)
            if reason is not None:
                return f"IPv6 address embedding a {reason}"
    if ip.is_loopback:
        return None if allow_loopback else "loopback address"
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_private:
        return "private address"
    if ip.is_reserved:
        return "reserved address"
    if not ip.is_global or any(ip in net for net in _EXTRA_BLOCKED if ip.version == net.version):
        return "non-public address"
    return None


def check_addresses(host: str, addresses: Iterable[str], *, allow_loopback: bool, url: str = "") -> list[str]:
    """The addresses, if every one of them is public; else BlockedAddress.

    All must pass: a name that resolves to one public and one private address is refused, since
    which one a later connection would use is not ours to predict.
    """
    checked: list[str] = []
    for address in addresses:
        reason = refusal_reason(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise BlockedAddress(f"{host} resolves to {address}, a {reason}", url=url, address=address)
        if address not in checked:
            checked.append(address)
    if not checked:
        raise DNSFailure(f"{host} has no address", url=url)
    return checked


async def system_resolver(host: str, port: int) -> list[str]:
    """``getaddrinfo`` in a worker thread (the event loop's default executor)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise DNSFailure(f"{host}: {exc}") from exc
    return [str(info[4][0]) for info in infos]


# --- Resolution through named servers (SENTINELLE_DNS_NAMESERVERS) ----------------------------


def parse_nameserver(item: str) -> tuple[str, int]:
    """``"9.9.9.9"``, ``"127.0.0.1:5353"``, ``"[::1]:53"`` -> (address, port); ValueError otherwise."""
    item = item.strip()
    host, port = item, 53
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        if rest:
            port = int(rest.removeprefix(":"))
    elif item.count(":") == 1:
        host, _, raw_port = item.partition(":")
        port = int(raw_port)
    ipaddress.ip_address(host)  # a name server is an address, never a name to resolve first
    if not 0 < port < 65536:
        raise ValueError(f"port out of range in {item!r}")
    return host, port


def configured_nameservers() -> list[tuple[str, int]]:
    raw: Any = conf.dns_nameservers()
    items = raw.split(",") if isinstance(raw, str) else raw
    return [parse_nameserver(str(item)) for item in items if str(item).strip()]


def dns_timeout() -> float:
    return conf.dns_timeout()


@functools.cache
def _dns_resolver(nameservers: tuple[tuple[str, int], ...], lifetime: float) -> dns.asyncresolver.Resolver:
    # configure=True reads the system's resolv.conf: "no name servers named" means the system's.
    resolver = dns.asyncresolver.Resolver(configure=not nameservers)
    if nameservers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in nameservers]
    resolver.lifetime = lifetime
    resolver.timeout = lifetime
    resolver.cache = None  # the callers cache what they keep, with its expiry
    return resolver


def dns_resolver_for(nameservers: Iterable[tuple[str, int]] | None = None) -> dns.asyncresolver.Resolver:
    """dnspython's resolver on ``nameservers`` (default: the configured ones, else the system's)."""
    chosen = tuple(configured_nameservers() if nameservers is None else nameservers)
    return _dns_resolver(chosen, dns_timeout())


async def lookup_addresses(host: str, resolver: dns.asyncresolver.Resolver | None = None) -> list[str]:
    """The A and AAAA addresses of ``host`` (CNAMEs followed by the server); DNSFailure otherwise."""
    resolver = resolver or dns_resolver_for()
    answers = await asyncio.gather(
        *(resolver.resolve(host, rdtype, search=False) for rdtype in ("A", "AAAA")), return_exceptions=True
    )
    addresses: list[str] = []
    failures: list[BaseException] = []
    for answer in answers:
        if isinstance(answer, BaseException):
            failures.append(answer)
        else:
            addresses.extend(str(record.address) for record in answer)
    if addresses:
        return addresses
    reason, text = _dns_reason(failures)
    raise DNSFailure(f"{host}: {text}", reason=reason)


def _dns_reason(failures: list[BaseException]) -> tuple[str, str]:
    """The most telling reason among the A and AAAA failures."""
    ranked = [
        (dns.resolver.NXDOMAIN, "nxdomain", "no such domain"),
        (dns.message.ChainTooLong, "cname_loop", "CNAME chain too long (a loop)"),
        (dns.resolver.LifetimeTimeout, "timeout", "no answer from the name server in time"),
        (dns.resolver.NoNameservers, "servfail", "the name servers failed to answer"),
        (dns.resolver.NoAnswer, "no_address", "no A or AAAA record"),
    ]
    # A server whose answer is unusable (a CNAME loop among others) shows as NoNameservers.
    inner = [
        error[3]
        for failure in failures
        if isinstance(failure, dns.resolver.NoNameservers)
        for error in failure.kwargs.get("errors", [])
        if len(error) > 3
    ]
    for kind, reason, text in ranked:
        if any(isinstance(failure, kind) for failure in [*inner, *failures]):
            return reason, text
    for failure in failures:
        if not isinstance(failure, dns.exception.DNSException):
            raise failure  # a bug, not a DNS answer
    return "unresolved", "; ".join(str(failure) or type(failure).__name__ for failure in failures)[:300]


async def nameserver_resolver(host: str, port: int) -> list[str]:
    """A :data:`Resolver` on the configured name servers (dnspython), for the fetcher."""
    return await lookup_addresses(host)


def overriding_resolver(overrides: Mapping[str, str], fallback: Resolver) -> Resolver:
    """``fallback``, except for the host names of ``overrides`` (SENTINELLE_FETCH_RESOLVE), which
    get their given address. The guard still checks it like any other answer."""

    async def resolve(host: str, port: int) -> list[str]:
        found = overrides.get(host.lower().rstrip("."))
        return [found] if found is not None else await fallback(host, port)

    return resolve


def default_resolver() -> Resolver:
    """The named servers when SENTINELLE_DNS_NAMESERVERS is set, else the system's ``getaddrinfo``;
    the host names of SENTINELLE_FETCH_RESOLVE first, when it is set (rehearsals only)."""
    base: Resolver = nameserver_resolver if configured_nameservers() else system_resolver
    overrides = conf.fetch_resolve()
    return overriding_resolver(overrides, base) if overrides else base


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


# --- Connection pinning ---------------------------------------------------------------------

# host -> the addresses the current fetch checked for it; set by SafeFetcher before each hop.
_PINS: contextvars.ContextVar[Mapping[str, list[str]] | None] = contextvars.ContextVar("sentinelle_pins", default=None)


class PinnedBackend:
    """Opens the TCP connections, to checked addresses only, never to a fresh DNS answer.

    aiohttp's connector hands over the addresses its resolver returned (the pinned ones, see
    :class:`_PinnedResolver`); every one is checked once more right here, at the socket, and TLS
    later verifies the certificate (and sends SNI) for the URL's host name. ``connect_tcp`` serves
    a host with no pin (not expected): it is resolved and checked first, so no path connects
    unchecked. Tests subclass ``open_tcp`` to watch or redirect the connections.
    """

    def __init__(self, resolver: Resolver, allow_loopback: bool) -> None:
        self._resolver = resolver
        self._allow_loopback = allow_loopback

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> socket.socket:
        pins = _PINS.get() or {}
        addresses = pins.get(host)
        if addresses is None:
            literal = _literal_ip(host)
            raw = [str(literal)] if literal is not None else await self._resolver(host, port)
            addresses = check_addresses(host, raw, allow_loopback=self._allow_loopback)
        return await self.connect_addresses(addresses, port, timeout, local_address, socket_options)

    async def connect_addresses(
        self,
        addresses: Iterable[str],
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> socket.socket:
        """A socket connected to the first of ``addresses`` that answers, each checked first."""
        last: OSError | None = None
        for address in addresses:
            # Checked once more right at the socket: this is the line the guard exists for.
            if refusal_reason(address, allow_loopback=self._allow_loopback) is not None:
                raise BlockedAddress(f"refusing to connect to {address}", address=address)
            try:
                return await self.open_tcp(address, port, timeout, local_address, socket_options)
            except OSError as exc:  # TimeoutError included: try the next address
                last = exc
        if last is None:
            raise DNSFailure("no address to connect to")
        raise last

    async def open_tcp(
        self,
        address: str,
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[Any] | None,
    ) -> socket.socket:
        """A non-blocking socket connected to exactly ``address``:``port``."""
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setblocking(False)
            for option in socket_options or ():
                sock.setsockopt(*option)
            if local_address:
                sock.bind((local_address, 0))
            async with asyncio.timeout(timeout):
                await asyncio.get_running_loop().sock_connect(sock, (address, port))
        except BaseException:
            sock.close()
            raise
        return sock

    def connect_unix_socket(self, path: str, *args: Any, **kwargs: Any) -> Any:
        raise BlockedAddress("unix sockets are never fetched")


class _PinnedResolver(AbstractResolver):
    """aiohttp's DNS hook: the addresses SafeFetcher checked for this hop, nothing else.

    The connector connects to exactly the addresses returned here (through the backend); the
    host name stays the TLS server name.
    """

    def __init__(self, fetcher: SafeFetcher) -> None:
        self._fetcher = fetcher

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = (_PINS.get() or {}).get(host)
        if addresses is None:
            addresses = await self._fetcher.resolve(host, port)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=socket.IPPROTO_TCP,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        pass


class _PinnedConnector(aiohttp.TCPConnector):
    """Opens its sockets through the fetcher's backend (which checks each address again)."""

    def __init__(self, fetcher: SafeFetcher, **kwargs: Any) -> None:
        super().__init__(resolver=_PinnedResolver(fetcher), use_dns_cache=False, **kwargs)
        self._fetcher = fetcher

    async def _wrap_create_connection(
        self,
        *args: Any,
        addr_infos: list[Any],
        req: aiohttp.ClientRequest,
        timeout: aiohttp.ClientTimeout,
        client_error: type[Exception] = aiohttp.ClientConnectorError,
        **kwargs: Any,
    ) -> tuple[asyncio.Transport, Any]:
        addresses = [str(info[4][0]) for info in addr_infos]
        port = int(addr_infos[0][4][1]) if addr_infos else 0
        # Every address is tried here, in order: none is left for the connector's own retry loop.
        addr_infos.clear()
        try:
            sock = await self._fetcher.backend.connect_addresses(addresses, port, timeout.sock_connect)
            try:
                return await self._loop.create_connection(*args, **kwargs, sock=sock)
            except BaseException:
                sock.close()
                raise
        except ssl.CertificateError as exc:
            raise aiohttp.ClientConnectorCertificateError(req.connection_key, exc) from exc
        except ssl.SSLError as exc:
            raise aiohttp.ClientConnectorSSLError(req.connection_key, exc) from exc
        except OSError as exc:
            if exc.errno is None and isinstance(exc, TimeoutError):
                raise
            raise client_error(req.connection_key, exc) from exc


def _ssl_context() -> ssl.SSLContext:
    return _ssl_context_for(conf.fetch_ca_file())


@functools.cache
def _ssl_context_for(extra_ca_file: str) -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds: one context per CA file for the whole process.
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi is a declared dependency
        context = ssl.create_default_context()
    else:
        context = ssl.create_default_context(cafile=certifi.where())
    if extra_ca_file:
        try:
            context.load_verify_locations(cafile=extra_ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ImproperlyConfigured(f"SENTINELLE_FETCH_CA_FILE={extra_ca_file!r} cannot be loaded: {exc}") from exc
    return context


# --- Results --------------------------------------------------------------------------------


@dataclass
class Hop:
    url: str
    status_code: int
    location: str = ""
    # What evidence capture records of each hop (the redirect's own exchange; its body is not read).
    headers: CIMultiDictProxy[str] | None = None
    request_headers: Mapping[str, str] = field(default_factory=dict)
    address: str = ""


@dataclass
class FetchResult:
    url: str
    final_url: str
    status_code: int
    headers: CIMultiDictProxy[str]
    body: bytes
    truncated: bool
    elapsed: float
    address: str = ""
    redirects: list[Hop] = field(default_factory=list)
    # The request as sent (aiohttp adds Host, Accept…): evidence capture writes it into its WARC.
    request_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def bytes_read(self) -> int:
        return len(self.body)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body as text (charset from the headers, else UTF-8), never raising."""
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


# --- The fetcher ----------------------------------------------------------------------------


def user_agent() -> str:
    society = conf.society()
    name = society.get("name") or "Sentinelle"
    email = society.get("email") or ""
    contact = f"; {email}" if email else ""
    text = f"Sentinelle/1.0 (notice-and-takedown verification for {name}{contact})"
    # Header values are ASCII: "Société" is sent as "Societe".
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded if ch.isprintable())


def normalise_url(url: str) -> tuple[str, str, int]:
    """The WHATWG form of ``url`` with its host and port; InvalidURL if it cannot be fetched.

    The WHATWG parser reads ``2130706433``, ``0177.0.0.1`` and ``0x7f.1`` as 127.0.0.1, as
    browsers do, so the guard sees the address a browser would reach.
    """
    try:
        parsed = ada_url.URL(url)
    except ValueError as exc:
        raise InvalidURL(f"not a URL: {url[:200]!r}", url=url) from exc
    scheme = parsed.protocol.rstrip(":")
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidURL(f"unsupported scheme {scheme!r}", url=url)
    host = parsed.hostname
    if not host:
        raise InvalidURL("no host", url=url)
    if parsed.username or parsed.password:
        raise InvalidURL("credentials in URL", url=url)
    port = int(parsed.port) if parsed.port else (443 if scheme == "https" else 80)
    parsed.hash = ""
    return parsed.href, host.strip("[]"), port


class _Decoder:
    """Content-Encoding decoding with a bounded output: a compression bomb stops at the cap."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        self._obj: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._obj = zlib.decompressobj()
        self.identity = self._obj is None

    def feed(self, chunk: bytes, room: int) -> bytes:
        if self._obj is None:
            return chunk[: room + 1]
        try:
            return bytes(self._obj.decompress(chunk, room + 1))
        except zlib.error as exc:
            raise ProtocolFailure(f"bad compressed body: {exc}") from exc


class SafeFetcher:
    """An async client with the guard, pinning and caps. One per event loop; close it after use.

    ``resolver`` replaces DNS (the benchmark maps its host names to 127.0.0.1 through it, the
    tests use it to fake resolutions); ``backend`` replaces the network backend (tests only).
    The aiohttp session is opened on the first fetch, inside the running event loop.
    """

    def __init__(
        self,
        *,
        allow_loopback: bool | None = None,
        resolver: Resolver | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_connections: int = 100,
        keepalive_timeout: float = 15.0,
        backend: PinnedBackend | None = None,
    ) -> None:
        self.allow_loopback = allow_loopback_setting() if allow_loopback is None else allow_loopback
        self.resolver: Resolver = resolver or default_resolver()
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.max_bytes = max_bytes
        self.max_connections = max_connections
        self.keepalive_timeout = keepalive_timeout  # how long an idle connection may wait for reuse
        self.backend = backend or PinnedBackend(self.resolver, self.allow_loopback)
        self._user_agent = user_agent()
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = _PinnedConnector(
                self,
                ssl=_ssl_context(),
                limit=self.max_connections,
                limit_per_host=0,  # the engine's politeness caps decide per host
                keepalive_timeout=self.keepalive_timeout,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # stores nothing, sends nothing
                trust_env=False,  # no environment proxy: it would defeat the address check
                auto_decompress=False,  # decoded here, with a bounded output
                requote_redirect_url=False,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=None),  # fetch() owns the deadline
                headers={"User-Agent": self._user_agent, "Accept-Encoding": "gzip, deflate"},
                max_line_size=MAX_HEADER_LINE,
                max_field_size=MAX_HEADER_LINE,
            )
        return self._session

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def resolve(self, host: str, port: int, url: str = "") -> list[str]:
        """The checked addresses of ``host``: BlockedAddress / DNSFailure before any connection."""
        literal = _literal_ip(host)
        raw = [str(literal)] if literal is not None else await self.resolver(host, port)
        return check_addresses(host, raw, allow_loopback=self.allow_loopback, url=url)

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_redirects: int | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """One request, redirects followed by hand; a FetchError when no HTTP answer came back.

        A redirect beyond ``max_redirects`` raises TooManyRedirects. 301/302/303 turn a POST into
        a body-less GET (as browsers do); 307/308 keep the method and body.
        """
        deadline = self.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(deadline):
                return await self._fetch(
                    url,
                    method.upper(),
                    content,
                    dict(headers or {}),
                    self.max_redirects if max_redirects is None else max_redirects,
                    self.max_bytes if max_bytes is None else max_bytes,
                )
        except TimeoutError as exc:
            raise FetchTimeout(f"no complete answer within {deadline:g} s", url=url) from exc

    async def _fetch(
        self,
        url: str,
        method: str,
        content: bytes | None,
        headers: dict[str, str],
        max_redirects: int,
        max_bytes: int,
    ) -> FetchResult:
        started = time.monotonic()
        session = self._get_session()
        hops: list[Hop] = []
        current = url
        while True:
            href, host, port = normalise_url(current)
            addresses = await self.resolve(host, port, url=href)
            token = _PINS.set({host: addresses})
            try:
                response = await self._send(session, method, href, content, headers)
                peer = _peer_address(response) or addresses[0]
                truncated = False
                try:
                    location = response.headers.get("Location", "")
                    if response.status in REDIRECT_CODES and location:
                        hops.append(
                            Hop(href, response.status, location, response.headers, response.request_info.headers, peer)
                        )
                        if len(hops) > max_redirects:
                            raise TooManyRedirects(f"more than {max_redirects} redirects", url=url)
                        try:
                            current = ada_url.join_url(href, location)
                        except ValueError as exc:
                            raise InvalidURL(f"bad redirect target {location[:200]!r}", url=href) from exc
                        if response.status in (301, 302, 303) and method not in ("GET", "HEAD"):
                            method, content = "GET", None
                            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
                        continue
                    body, truncated = await self._read_capped(response, href, max_bytes)
                finally:
                    if truncated:
                        response.close()  # the rest of the body is never read: drop the connection
                    else:
                        response.release()  # back to the pool when the answer was read whole
            finally:
                _PINS.reset(token)
            return FetchResult(
                url=url,
                final_url=href,
                status_code=response.status,
                headers=response.headers,
                body=body,
                truncated=truncated,
                elapsed=time.monotonic() - started,
                address=peer,
                redirects=hops,
                request_headers=response.request_info.headers,
            )

    async def _send(
        self,
        session: aiohttp.ClientSession,
        method: str,
        href: str,
        content: bytes | None,
        headers: dict[str, str],
    ) -> aiohttp.ClientResponse:
        try:
            return await session.request(
                method, yarl.URL(href, encoded=True), data=content, headers=headers, allow_redirects=False
            )
        except FetchError:
            raise
        except TimeoutError as exc:  # aiohttp's own (the overall deadline is fetch()'s)
            raise FetchTimeout(str(exc) or "timed out", url=href) from exc
        except aiohttp.InvalidURL as exc:
            raise InvalidURL(str(exc) or "invalid URL", url=href) from exc
        except aiohttp.ClientConnectorDNSError as exc:
            raise DNSFailure(str(exc) or "DNS failure", url=href) from exc
        except aiohttp.ClientConnectorError as exc:
            raise ConnectFailed(str(exc) or "connection failed", url=href) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ProtocolFailure(str(exc) or type(exc).__name__, url=href) from exc

    async def _read_capped(self, response: aiohttp.ClientResponse, href: str, max_bytes: int) -> tuple[bytes, bool]:
        decoder = _Decoder(response.headers.get("Content-Encoding", ""))
        parts: list[bytes] = []
        size = 0
        stream = response.content
        try:
            while chunk := await stream.readany():
                piece = decoder.feed(chunk, max_bytes - size)
                parts.append(piece)
                size += len(piece)
                if size > max_bytes:
                    return b"".join(parts)[:max_bytes], True
        except TimeoutError as exc:
            raise FetchTimeout(str(exc) or "timed out while reading", url=href) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise ProtocolFailure(str(exc) or type(exc).__name__, url=href) from exc
        return parts[0] if len(parts) == 1 else b"".join(parts), False


def _peer_address(response: aiohttp.ClientResponse) -> str:
    """The address the answer came from (one of the checked ones), while the connection is held."""
    connection = response.connection
    transport = connection.transport if connection is not None else None
    peer = transport.get_extra_info("peername") if transport is not None else None
    return str(peer[0]) if peer else ""


# --- Helpers --------------------------------------------------------------------------------


async def fetch(url: str, **kwargs: Any) -> FetchResult:
    """One GET through a short-lived SafeFetcher (use a SafeFetcher for many requests)."""
    options = {k: kwargs.pop(k) for k in ("allow_loopback", "resolver") if k in kwargs}
    async with SafeFetcher(**options) as fetcher:
        return await fetcher.fetch(url, **kwargs)


async def post(
    url: str,
    content: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    max_redirects: int = 0,
    **kwargs: Any,
) -> FetchResult:
    """One POST. Redirects are not followed unless asked: a signed notice goes where it was sent."""
    options = {k: kwargs.pop(k) for k in ("allow_loopback", "resolver") if k in kwargs}
    async with SafeFetcher(**options) as fetcher:
        return await fetcher.fetch(
            url, method="POST", content=content, headers=headers, max_redirects=max_redirects, **kwargs
        )


def fetch_sync(url: str, *, method: str = "GET", content: bytes | None = None, **kwargs: Any) -> FetchResult:
    """The same, for synchronous code (tasks, commands, services). Not for use inside an event loop."""
    if method.upper() == "POST":
        return asyncio.run(post(url, content or b"", **kwargs))
    return asyncio.run(fetch(url, method=method, content=content, **kwargs))
