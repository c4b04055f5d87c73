"""A local pirate site for the tests and the benchmark: two host names on one 127.0.0.1 server.

``pirate.test`` serves the site; ``pirate-mirror.test`` serves the same title and favicon (a
mirror) and redirects ``/old`` to the original. The site sets a cookie on every page, so a test
can show that the capture neither stored nor sent one: every request's headers are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORIGINAL = "pirate.test"
MIRROR = "pirate-mirror.test"
TITLE = "Pirate Music — free mp3 downloads"
FAVICON = b"\x00\x00\x01\x00fake-icon-bytes"
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><link rel='icon' href='/favicon.ico'>"
        "<link rel='stylesheet' href='/style.css'></head>"
        f"<body><h1>{title}</h1>{body}<img src='/logo.png' alt='logo'>"
        "<script>document.cookie = 'tracker=1';</script></body></html>"
    ).encode()


@dataclass
class FixtureSite:
    port: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (host, path, headers)

    def url(self, path: str = "/", host: str = ORIGINAL) -> str:
        return f"http://{host}:{self.port}{path}"

    def cookies_received(self) -> list[str]:
        return [h["Cookie"] for _host, _path, h in self.requests if "Cookie" in h]


def _answer(host: str, path: str) -> tuple[int, str, bytes, dict[str, str]]:
    if path == "/favicon.ico":
        return 200, "image/x-icon", FAVICON, {}
    if path == "/logo.png":
        return 200, "image/png", PNG_1PX, {}
    if path == "/style.css":
        return 200, "text/css", b"body { font-family: sans-serif; background: #fee; }", {}
    if host == MIRROR and path == "/old":
        return 301, "text/html", b"", {"Location": f"http://{ORIGINAL}:{{port}}/"}
    if path == "/" or path.startswith("/album/") or path.startswith("/page/"):
        works = "".join(f"<li><a href='/dl/{n}'>Song {n} (mp3)</a></li>" for n in range(1, 6))
        return 200, "text/html; charset=utf-8", page(TITLE, f"<p>{host}{path}</p><ul>{works}</ul>"), {}
    return 404, "text/html", b"<html><body>not found</body></html>", {}


def serve() -> tuple[FixtureSite, ThreadingHTTPServer]:
    site = FixtureSite()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle's algorithm and the client's
        # delayed ACK hold every second answer on a kept-alive connection for ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            host = self.headers.get("Host", "").split(":")[0]
            site.requests.append((host, self.path, dict(self.headers.items())))
            status, media, body, extra = _answer(host, self.path)
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Set-Cookie", "session=visitor-tracking; Path=/")
            for name, value in extra.items():
                self.send_header(name, value.replace("{port}", str(site.port)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site, server


def loopback_resolver(names: set[str]) -> Callable[[str, int], Awaitable[list[str]]]:
    """DNS for the tests: the fixture's names (and localhost) are 127.0.0.1, nothing else resolves."""
    from sentinelle.checks.fetch import DNSFailure

    async def resolve(host: str, port: int) -> list[str]:
        if host in names or host == "localhost":
            return ["127.0.0.1"]
        raise DNSFailure(f"{host}: no such name (test DNS)")

    return resolve
