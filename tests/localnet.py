"""Real local network parts for the tests: a DNS server and a certificate authority of our own.

Both listen on 127.0.0.1 only, on ephemeral ports. The DNS server answers like a recursive
resolver would (CNAME chains spelled out in the answer); names can be told to time out (no reply)
or to fail (SERVFAIL).
"""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme
from dnslib import AAAA, CNAME, QTYPE, RCODE, RR, A, DNSError, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer

MAX_CHAIN = 20  # longer than dnspython's 16: a loop reaches the client as a loop


@dataclass
class Zone:
    """What the local DNS server knows; edit it while the server runs (tests do)."""

    a: dict[str, list[str]] = field(default_factory=dict)
    aaaa: dict[str, list[str]] = field(default_factory=dict)
    cname: dict[str, str] = field(default_factory=dict)
    silent: set[str] = field(default_factory=set)  # never answered: the client times out
    servfail: set[str] = field(default_factory=set)
    queries: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, *addresses: str) -> None:
        for address in addresses:
            target = self.aaaa if ":" in address else self.a
            target.setdefault(name.lower(), []).append(address)

    def remove(self, name: str) -> None:
        for table in (self.a, self.aaaa, self.cname):
            table.pop(name.lower(), None)  # type: ignore[attr-defined]


class _ZoneResolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, zone: Zone) -> None:
        self.zone = zone

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        zone = self.zone
        with zone.lock:
            zone.queries.append((name, qtype))
        if name in zone.silent:
            raise DNSError("dropped on purpose")  # dnslib sends nothing back
        reply = request.reply()
        if name in zone.servfail:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        current = name
        for _ in range(MAX_CHAIN):
            target = zone.cname.get(current)
            if target is None:
                break
            reply.add_answer(RR(current, QTYPE.CNAME, rdata=CNAME(target), ttl=60))
            current = target
        else:
            return reply  # a loop: the chain as far as it goes
        table, rdata = (zone.a, A) if qtype == "A" else (zone.aaaa, AAAA) if qtype == "AAAA" else ({}, A)
        known = current in zone.a or current in zone.aaaa or current in zone.cname
        for address in table.get(current, []):
            reply.add_answer(RR(current, request.q.qtype, rdata=rdata(address), ttl=60))
        if not known:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class _QuietLogger(DNSLogger):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)


class LocalDNS:
    """A UDP DNS server on 127.0.0.1, answering from a :class:`Zone`."""

    def __init__(self, zone: Zone | None = None) -> None:
        self.zone = zone or Zone()
        self._server = DNSServer(_ZoneResolver(self.zone), port=0, address="127.0.0.1", logger=_QuietLogger())
        self.port = int(self._server.server.server_address[1])

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> LocalDNS:
        self._server.start_thread()
        return self

    def stop(self) -> None:
        self._server.stop()
        self._server.server.server_close()


class LocalCA:
    """A certificate authority of the tests' own (trustme); its PEM goes to SENTINELLE_FETCH_CA_FILE."""

    def __init__(self, directory: Path) -> None:
        self._ca = trustme.CA()
        self.ca_file = directory / "sentinelle-test-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self, names: Iterable[str]) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(*names).configure_cert(context)
        return context

    def sni_context(self, names: Iterable[str]) -> ssl.SSLContext:
        """A server context for ``names`` that also issues a certificate for any other name asked (SNI)."""
        default = self.server_context(names)
        issued: dict[str, ssl.SSLContext] = {}
        lock = threading.Lock()

        def choose(sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
            if not name:
                return
            with lock:
                if name not in issued:
                    issued[name] = self.server_context([name])
                sock.context = issued[name]

        default.sni_callback = choose
        return default


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serve ``handler`` on 127.0.0.1 (an ephemeral port, yielded) until the block ends."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
