"""A small internet on 127.0.0.0/8 for recipient discovery: DNS, sites, RDAP registries.

* a DNS server (dnslib) pointing the fixture domains at 127.0.X.Y addresses;
* one HTTPS and one HTTP server answering for every fixture site by Host header (the fetcher's
  connections to port 443/80 of any 127.0.X.Y are sent to them: see :class:`RemapBackend`);
* one HTTPS RDAP server playing three registries: an ARIN-like one (the abuse entity nested in
  the registrant organisation), a RIPE-like one (the abuse entity at the top level) and a domain
  registry (the registrar entity with its abuse entity, as ICANN's RDAP profile asks), plus the
  misbehaving networks of the bad-input list;
* bootstrap files and a CDN ranges file that send 127.0.X.0/24 to them.

Address plan: 127.0.1.x ARIN-like hosts, 127.0.2.x RIPE-like hosts, 127.0.3.x behind the test
CDN, 127.0.4.x networks whose RDAP answers badly, 127.0.5.x no RDAP service at all.
TLDs .to/.cc/.net have an RDAP registry; .ws has none.

The RDAP answers are written here in the shape of the registries' real answers (RFC 9083 with
ARIN's and RIPE's layout of entities and jCard arrays); no real answer is copied.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sentinelle.checks import fetch as fetchmod
from sentinelle.checks.fetch import PinnedBackend, SafeFetcher
from tests.localnet import LocalCA, LocalDNS

Page = tuple[int, str, bytes]  # status, content type, body
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


# --- the sites --------------------------------------------------------------------------------


def html(body: str, title: str = "Free MP3 downloads") -> bytes:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>".encode()


def security_txt(*contacts: str, expires: str = "2099-01-01T00:00:00Z", signed: bool = False) -> bytes:
    lines = [f"Contact: {c}" for c in contacts] + [f"Expires: {expires}", "Preferred-Languages: en, fr"]
    text = "\n".join(lines) + "\n"
    if signed:
        escaped = "\n".join(f"- {line}" if line.startswith("-") else line for line in text.splitlines())
        text = (
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
            + escaped
            + "\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE0000000000000000000000000000000=\n=abcd\n"
            "-----END PGP SIGNATURE-----\n"
        )
    return text.encode()


HOME_PLAIN = html("<h1>Latest albums</h1><a href='/album/1'>Album 1</a> <a href='/top'>Top 100</a>")


@dataclass
class Expect:
    """What discovery must find for a fixture domain: (role, kind, address, source), or a reason."""

    contacts: list[tuple[str, str, str, str]] = field(default_factory=list)
    reason_steps: dict[str, str] = field(default_factory=dict)  # step -> code, when nothing is found


@dataclass
class World:
    dns: LocalDNS
    ca: LocalCA
    https_port: int
    http_port: int
    rdap_port: int
    directory: Path
    sites: dict[str, dict[str, Page]]
    expected: dict[str, Expect]
    hits: Counter[str] = field(default_factory=Counter)
    connections: list[tuple[str, int]] = field(default_factory=list)
    rdap_state: dict[str, Any] = field(default_factory=dict)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    @property
    def bootstrap_dir(self) -> Path:
        return self.directory / "bootstrap"

    @property
    def cdn_file(self) -> Path:
        return self.directory / "cdn.json"

    def fetcher(self) -> SafeFetcher:
        backend = RemapBackend(fetchmod.nameserver_resolver, True, self)
        return SafeFetcher(allow_loopback=True, backend=backend, timeout=5)

    def configure(self, settings: Any) -> None:
        settings.SENTINELLE_DNS_NAMESERVERS = [self.dns.nameserver]
        # Generous: an answered lookup never waits for it, and a loaded machine (CI) has taken over
        # 0.4 s to answer one (a registrar step failed so). A test whose lookups time out on purpose
        # sets a short one itself (test_bad_input).
        settings.SENTINELLE_DNS_TIMEOUT_SECONDS = 3
        settings.SENTINELLE_FETCH_CA_FILE = str(self.ca.ca_file)
        settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
        settings.SENTINELLE_RDAP_BOOTSTRAP_DIR = str(self.bootstrap_dir)
        settings.SENTINELLE_CDN_RANGES_FILE = str(self.cdn_file)
        settings.SENTINELLE_CHECK_HOST_DELAY_MS = 0
        settings.SENTINELLE_CHECK_PER_HOST = 0
        settings.SENTINELLE_RECIPIENTS_ENQUEUE = False

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        self.dns.stop()


class RemapBackend(PinnedBackend):
    """Connections to port 443/80 of a checked loopback address go to the local site servers.

    The address guard has already run (in ``connect_addresses``) on the resolved address; every
    address connected to is recorded, so a test can assert that none left 127.0.0.0/8.
    """

    def __init__(self, resolver: fetchmod.Resolver, allow_loopback: bool, world: World) -> None:
        super().__init__(resolver, allow_loopback)
        self.world = world

    async def open_tcp(self, address: str, port: int, *args: Any) -> Any:
        self.world.connections.append((address, port))
        if not ipaddress.ip_address(address).is_loopback:
            raise AssertionError(f"a connection to {address}:{port} was attempted")
        target = {443: self.world.https_port, 80: self.world.http_port}.get(port, port)
        return await super().open_tcp("127.0.0.1", target, *args)


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def _site_handler(world: World) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            path = self.path.split("?", 1)[0]
            world.hits[f"{host}{path}"] += 1
            site = world.sites.get(host.removeprefix("www.")) or {}
            status, ctype, body = site.get(path, (404, HTML, html("Not found")))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


# --- the RDAP registries ----------------------------------------------------------------------


def vcard(*props: list[Any]) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], *props]]


def arin_network(start: str, end: str, org: str, abuse: str | None, handle: str) -> dict[str, Any]:
    abuse_props: list[list[Any]] = [["fn", {}, "text", "Abuse"], ["kind", {}, "text", "group"]]
    if abuse:
        abuse_props.append(["email", {}, "text", abuse])
    abuse_props.append(["tel", {"type": ["work", "voice"]}, "uri", "tel:+1-555-0100"])
    return {
        "rdapConformance": ["nro_rdap_profile_0", "rdap_level_0", "cidr0", "arin_originas0"],
        "notices": [{"title": "Terms of Service", "description": ["By using the ARIN RDAP/Whois service…"]}],
        "handle": handle,
        "startAddress": start,
        "endAddress": end,
        "ipVersion": "v4",
        "name": org.upper().replace(" ", "-")[:20],
        "type": "DIRECT ALLOCATION",
        "parentHandle": "NET-127-0-0-0-0",
        "cidr0_cidrs": [{"v4prefix": start, "length": 26}],
        "status": ["active"],
        "port43": "whois.arin.net",
        "objectClassName": "ip network",
        "events": [{"eventAction": "registration", "eventDate": "2019-04-01T10:00:00-04:00"}],
        "entities": [
            {
                "handle": f"{handle}-ORG",
                "vcardArray": vcard(
                    ["fn", {}, "text", org],
                    ["adr", {"label": "1 Server Street\nAshburn\nVA\n20147\nUnited States"}, "text", [""] * 7],
                    ["kind", {}, "text", "org"],
                ),
                "roles": ["registrant"],
                "objectClassName": "entity",
                "entities": [
                    {
                        "handle": f"NOC-{handle}",
                        "vcardArray": vcard(["fn", {}, "text", "NOC"], ["email", {}, "text", "noc@wrong.example"]),
                        "roles": ["noc", "technical"],
                        "objectClassName": "entity",
                    },
                    {
                        "handle": f"ABUSE-{handle}",
                        "vcardArray": vcard(*abuse_props),
                        "roles": ["abuse"],
                        "objectClassName": "entity",
                    },
                ],
            }
        ],
    }


def ripe_network(start: str, end: str, org: str, abuse: str, handle: str) -> dict[str, Any]:
    return {
        "handle": f"{start} - {end}",
        "name": handle,
        "country": "NL",
        "parentHandle": "0.0.0.0 - 255.255.255.255",
        "type": "ASSIGNED PA",
        "startAddress": start,
        "endAddress": end,
        "ipVersion": "v4",
        "objectClassName": "ip network",
        "rdapConformance": ["cidr0", "rdap_level_0", "nro_rdap_profile_0", "redacted"],
        "entities": [
            {
                "handle": f"ORG-{handle}-RIPE",
                "vcardArray": vcard(["fn", {}, "text", org], ["kind", {}, "text", "org"]),
                "roles": ["registrant"],
                "objectClassName": "entity",
            },
            {
                "handle": f"{handle}-ADMIN-RIPE",
                "vcardArray": vcard(["fn", {}, "text", "Admin"], ["email", {}, "text", "admin@wrong.example"]),
                "roles": ["administrative", "technical"],
                "objectClassName": "entity",
            },
            {
                "handle": f"AR-{handle}-RIPE",
                "vcardArray": vcard(
                    ["fn", {}, "text", "Abuse contact"],
                    ["kind", {}, "text", "group"],
                    ["email", {"pref": "2"}, "text", "second@wrong.example"],
                    ["email", {"pref": "1"}, "text", abuse],
                ),
                "roles": ["abuse"],
                "objectClassName": "entity",
            },
        ],
        "port43": "whois.ripe.net",
    }


def domain_answer(domain: str, registrar: str, iana_id: str, abuse: str) -> dict[str, Any]:
    return {
        "objectClassName": "domain",
        "handle": f"{domain.upper()}-REG",
        "ldhName": domain.upper(),
        "rdapConformance": ["rdap_level_0", "icann_rdap_technical_implementation_guide_1"],
        "status": ["client transfer prohibited"],
        "events": [{"eventAction": "registration", "eventDate": "2021-02-03T04:05:06Z"}],
        "entities": [
            {
                "objectClassName": "entity",
                "handle": iana_id,
                "roles": ["registrar"],
                "publicIds": [{"type": "IANA Registrar ID", "identifier": iana_id}],
                "vcardArray": vcard(["fn", {}, "text", registrar]),
                "entities": [
                    {
                        "objectClassName": "entity",
                        "roles": ["abuse"],
                        "vcardArray": vcard(
                            ["fn", {}, "text", ""],
                            ["tel", {"type": "voice"}, "uri", "tel:+1.5555550100"],
                            ["email", {}, "text", abuse],
                        ),
                    }
                ],
            }
        ],
    }


ARIN_NETS = [
    ("127.0.1.0", "127.0.1.63", "Host A Inc", "abuse@host-a.example", "NET-127-0-1-0-1"),
    ("127.0.1.64", "127.0.1.127", "Host B LLC", "abuse@host-b.example", "NET-127-0-1-64-1"),
]
RIPE_NETS = [
    ("127.0.2.0", "127.0.2.127", "Host C B.V.", "abuse@host-c.example", "HOSTC-NET"),
    ("127.0.2.128", "127.0.2.255", "Host D SARL", "abuse@host-d.example", "HOSTD-NET"),
]
REGISTRARS = {"to": ("Tonic Registrar", "9001"), "cc": ("Example Registrar LLC", "9002"), "net": ("Net Names", "9003")}
# 127.0.4.x: networks whose RDAP answers are bad input.
BAD_NETWORKS = {
    "127.0.4.1": "not_found",
    "127.0.4.2": "rate_limited",
    "127.0.4.3": "malformed",
    "127.0.4.4": "huge",
    "127.0.4.5": "no_email",
    "127.0.4.6": "server_error",
    "127.0.4.7": "not_json_object",
}


def _find_network(address: str, nets: list[tuple[str, str, str, str, str]]) -> tuple[str, ...] | None:
    ip = ipaddress.ip_address(address)
    for net in nets:
        if ipaddress.ip_address(net[0]) <= ip <= ipaddress.ip_address(net[1]):
            return net
    return None


def _rdap_handler(world: World) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            body = data if isinstance(data, bytes) else json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            world.hits[f"rdap{self.path}"] += 1
            parts = self.path.strip("/").split("/")
            if len(parts) == 3 and parts[1] == "ip":
                self._ip(parts[0], parts[2])
            elif len(parts) == 3 and parts[0] == "registry" and parts[1] == "domain":
                self._domain(parts[2].lower())
            elif self.path.startswith("/iana/"):
                self._iana(parts[-1])
            else:
                self._json(404, {"errorCode": 404, "title": "Not Found"})

        def _ip(self, registry: str, address: str) -> None:
            behaviour = world.rdap_state.get(address) or BAD_NETWORKS.get(address)
            if behaviour == "not_found":
                self._json(404, {"errorCode": 404, "title": "Not Found", "description": ["no such network"]})
            elif behaviour == "rate_limited":
                self._json(429, {"errorCode": 429, "title": "Too Many Requests"}, {"Retry-After": "120"})
            elif behaviour == "malformed":
                self._json(200, b'{"objectClassName": "ip network", "handle": ')
            elif behaviour == "not_json_object":
                self._json(200, b'["ip network"]')
            elif behaviour == "server_error":
                self._json(503, {"errorCode": 503, "title": "Service Unavailable"})
            elif behaviour == "huge":
                self._huge()
            elif behaviour == "no_email":
                self._json(200, arin_network("127.0.4.5", "127.0.4.5", "No Mail Hosting", None, "NET-NOMAIL"))
            elif registry == "arin" and (net := _find_network(address, ARIN_NETS)):
                self._json(200, arin_network(*net))
            elif registry == "ripe" and (net := _find_network(address, RIPE_NETS)):
                self._json(200, ripe_network(*net))
            else:
                self._json(404, {"errorCode": 404, "title": "Not Found"})

        def _huge(self) -> None:
            size = 5 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True

        def _domain(self, domain: str) -> None:
            tld = domain.rsplit(".", 1)[-1]
            if domain.startswith("unregistered") or tld not in REGISTRARS:
                self._json(404, {"errorCode": 404, "title": "Not Found"})
                return
            name, iana_id = REGISTRARS[tld]
            self._json(200, domain_answer(domain, name, iana_id, f"abuse@registrar-{tld}.example"))

        def _iana(self, name: str) -> None:
            files = world.rdap_state.get("iana_files", {})
            if name in files:
                self._json(200, files[name])
            else:
                self._json(404, {"errorCode": 404})

    return Handler


# --- the fixture domains ----------------------------------------------------------------------


def _address(block: int, index: int) -> str:
    return f"127.0.{block}.{index}"


def build_domains(copies: int = 1) -> tuple[dict[str, dict[str, Page]], dict[str, Expect], dict[str, list[str]]]:
    """100 pirate-style domains (times ``copies``) of five kinds, their pages, expected findings, addresses."""
    sites: dict[str, dict[str, Page]] = {}
    expected: dict[str, Expect] = {}
    addresses: dict[str, list[str]] = {}
    for copy in range(copies):
        _build_copy(sites, expected, addresses, f"-{copy}" if copy else "")
    return sites, expected, addresses


def _build_copy(
    sites: dict[str, dict[str, Page]],
    expected: dict[str, Expect],
    addresses: dict[str, list[str]],
    tag: str,
) -> None:
    tlds = ["to", "cc", "net"]

    def registrar(domain: str) -> list[tuple[str, str, str, str]]:
        tld = domain.rsplit(".", 1)[-1]
        return [("registrar", "email", f"abuse@registrar-{tld}.example", "rdap_domain")] if tld in REGISTRARS else []

    def hosting(address: str) -> list[tuple[str, str, str, str]]:
        net = _find_network(address, ARIN_NETS) or _find_network(address, RIPE_NETS)
        return [("hosting", "email", net[3], "rdap_ip")] if net else []

    for i in range(25):  # security.txt (every fifth signed; every fourth with a form as well)
        domain = f"mp3-vault{tag}-{i:02d}.{tlds[i % 3]}"
        address = _address(1 if i % 2 else 2, 10 + i)
        contacts = [f"mailto:dmca@{domain}"]
        if i % 4 == 0:
            contacts.append(f"https://{domain}/report-form")
        sites[domain] = {
            "/.well-known/security.txt": (200, TEXT, security_txt(*contacts, signed=i % 5 == 0)),
            "/": (200, HTML, HOME_PLAIN),
        }
        found = [("site", "email", f"dmca@{domain}", "security_txt")]
        if i % 4 == 0:
            found.append(("site", "web_form", f"https://{domain}/report-form", "security_txt"))
        expected[domain] = Expect(found + hosting(address) + registrar(domain))
        addresses[domain] = [address]
    for i in range(25):  # a DMCA / copyright / legal page linked from the home page
        domain = f"flac-share{tag}-{i:02d}.{tlds[i % 3]}"
        address = _address(1 if i % 2 else 2, 70 + i)
        link, page_path = [
            ("<a href='/dmca'>DMCA</a>", "/dmca"),
            ("<a href='/pages/copyright-policy'>Copyright</a>", "/pages/copyright-policy"),
            ("<a href='/mentions-legales'>Mentions légales</a>", "/mentions-legales"),
            ("<a href='/info/notice'>Signaler un abus</a>", "/info/notice"),
            ("<a href='/contact'>Contact us</a>", "/contact"),
        ][i % 5]
        email = f"copyright{i}@{domain}"
        if i % 5 == 2:  # a French legal page naming the address in its text, no link
            page = html(f"<h1>Mentions légales</h1><p>Hébergeur : voir ci-dessous. Écrire à {email}.</p>")
        elif i % 5 == 4:  # a contact page with a form only
            page = html(
                "<form action='/send' method=post><input type=email name=from><textarea name=msg></textarea></form>"
            )
        else:
            page = html(f"<p>Send notices to <a href='mailto:{email}?subject=DMCA'>our agent</a>.</p>")
        home = html(f"<h1>FLAC albums</h1><a href='/album/9'>Album</a><footer>{link}</footer>")
        sites[domain] = {"/": (200, HTML, home), page_path: (200, HTML, page)}
        found = (
            [("site", "web_form", f"https://{domain}/contact", "site_page")]
            if i % 5 == 4
            else [("site", "email", email, "site_page")]
        )
        expected[domain] = Expect(found + hosting(address) + registrar(domain))
        addresses[domain] = [address]
    for i in range(20):  # nothing on the site: the hosting network's abuse contact only
        domain = f"rip-tracks{tag}-{i:02d}.{tlds[i % 3]}"
        address = _address(1 if i % 2 else 2, 100 + i if i % 2 == 0 else 100 - i)
        sites[domain] = {"/": (200, HTML, HOME_PLAIN)}
        expected[domain] = Expect(hosting(address) + registrar(domain))
        addresses[domain] = [address]
    for i in range(15):  # behind the CDN
        domain = f"cdn-tunes{tag}-{i:02d}.{tlds[i % 3]}"
        sites[domain] = {"/": (200, HTML, HOME_PLAIN)}
        expected[domain] = Expect(
            [("cdn", "web_form", "https://abuse.cdn.test/report", "cdn_ranges"), *registrar(domain)]
        )
        addresses[domain] = [_address(3, 10 + i)]
    for i in range(15):  # nothing at all: no contact on the site, no RDAP service for the address or the TLD
        domain = f"dead-drop{tag}-{i:02d}.ws"
        if i % 3 == 0:
            sites[domain] = {"/": (200, HTML, HOME_PLAIN)}
        expected[domain] = Expect([], {"hosting": "rdap_no_service", "registrar": "rdap_no_service"})
        addresses[domain] = [_address(5, 10 + i)]


def start_world(directory: Path, copies: int = 1) -> World:
    sites, expected, addresses = build_domains(copies)
    dns = LocalDNS().start()
    ca = LocalCA(directory)
    names = [
        *sites,
        *(f"www.{d}" for d in sites),
        "rdap-arin.test",
        "rdap-ripe.test",
        "rdap-registry.test",
        "iana.test",
    ]
    names += [d for d in expected if d not in sites]
    site_context = ca.sni_context(sorted(set(names)))
    world = World(dns, ca, 0, 0, 0, directory, sites, expected)

    def serve(handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext | None) -> int:
        server = _Quiet(("127.0.0.1", 0), handler)
        if context is not None:
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        world.servers.append(server)
        return int(server.server_address[1])

    world.https_port = serve(_site_handler(world), site_context)
    world.http_port = serve(_site_handler(world), None)
    world.rdap_port = serve(_rdap_handler(world), site_context)
    for domain, addrs in addresses.items():
        dns.zone.add(domain, *addrs)
    for name in ("rdap-arin.test", "rdap-ripe.test", "rdap-registry.test", "iana.test"):
        dns.zone.add(name, "127.0.0.1")
    _write_bootstrap(world)
    return world


def _write_bootstrap(world: World) -> None:
    port = world.rdap_port
    arin, ripe = f"https://rdap-arin.test:{port}/arin/", f"https://rdap-ripe.test:{port}/ripe/"
    registry = f"https://rdap-registry.test:{port}/registry/"
    ipv4 = {
        "description": "test bootstrap for IPv4",
        "publication": "2026-11-30T00:00:00Z",
        "services": [
            [["127.0.1.0/24", "127.0.4.0/24", "127.0.0.0/24"], [f"http://rdap-arin.test:{port}/arin/", arin]],
            [["127.0.2.0/24"], [ripe]],
            [["127.0.3.0/24"], [arin]],
        ],
        "version": "1.0",
    }
    ipv6 = {
        "description": "test bootstrap for IPv6",
        "publication": "2026-11-30T00:00:00Z",
        "services": [[["2001:db8::/32"], [arin]]],
    }
    dns_file = {
        "description": "test bootstrap for DNS",
        "publication": "2026-11-30T00:00:00Z",
        "services": [[["to", "cc", "net"], [registry]], [["kg"], ["http://rdap.example.kg/"]]],
    }
    world.bootstrap_dir.mkdir(parents=True, exist_ok=True)
    for name, data in (("ipv4.json", ipv4), ("ipv6.json", ipv6), ("dns.json", dns_file)):
        (world.bootstrap_dir / name).write_text(json.dumps(data))
    cdn = {
        "providers": [
            {
                "name": "TestCDN",
                "abuse_form": "https://abuse.cdn.test/report",
                "source": "tests",
                "as_of": "2026-11",
                "ranges": ["127.0.3.0/24"],
            }
        ]
    }
    world.cdn_file.write_text(json.dumps(cdn))


def add_site(world: World, domain: str, address: str, pages: dict[str, Page]) -> None:
    """One more site for a single test (names are unique per test: the world is shared)."""
    world.sites[domain] = pages
    world.dns.zone.add(domain, address)


FetcherFactory = Callable[[], SafeFetcher]
