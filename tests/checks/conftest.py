"""A local HTTP server started by the tests, on 127.0.0.1 only."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HUGE_BYTES = 50 * 1024 * 1024
CHUNK = b"x" * 65536

PAGES = {
    "/": (200, "<html><title>Pirate music</title><body>Welcome home</body></html>"),
    "/ok": (
        200,
        "<html><title>My Song - download mp3</title><body><h1>My Song</h1>Download now. "
        "<footer><a href='/dmca'>DMCA</a> policy</footer></body></html>",
    ),
    "/404": (404, "<html><body>Not here</body></html>"),
    "/410": (410, "gone"),
    "/451": (451, "unavailable for legal reasons"),
    "/500": (500, "oops"),
    "/503": (503, "busy"),
    "/403": (403, "forbidden"),
    "/empty": (200, ""),
    "/soft404": (200, "<html><head><title>File not found</title></head><body>Sorry.</body></html>"),
    "/soft404-fr": (200, "<html><body><p>Désolé, le fichier a été supprimé.</p></body></html>"),
    "/soft404-dmca": (200, "<html><body>This file has been removed due to a DMCA complaint.</body></html>"),
    "/platform-marker": (200, "<html><body><div class=x>Ce lien a expiré chez PirateBox</div></body></html>"),
    "/file-removed": (200, "<html><body>Sorry</body></html>"),
}


@dataclass
class LocalServer:
    port: int
    hits: Counter[str] = field(default_factory=Counter)
    seen_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    # What the next GET of /live answers (the reappearance tests flip it).
    live_status: int = 200

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str, code: int = 302) -> None:
            self._send(code, b"", {"Location": location})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            server.hits[self.path] += 1
            server.seen_headers[self.path] = dict(self.headers.items())
            if self.path == "/post-redirect":
                self._redirect("/post", 307)
                return
            self._send(200, b"got:" + body, {"Content-Type": "text/plain"})

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.hits[path] += 1
            server.seen_headers[path] = dict(self.headers.items())
            if path in PAGES:
                code, text = PAGES[path]
                self._send(code, text.encode())
            elif path.startswith("/chain/"):
                remaining = int(path.rsplit("/", 1)[1])
                self._redirect(f"/chain/{remaining - 1}" if remaining > 0 else "/ok")
            elif path == "/to-home":
                self._redirect("/")
            elif path == "/moved-away":
                self._redirect("/file-removed?error=deleted")
            elif path == "/to-loopback":
                self._redirect(f"http://localhost:{server.port}/ok")
            elif path == "/to-127":
                self._redirect(f"http://127.0.0.1:{server.port}/ok")
            elif path == "/to-metadata":
                self._redirect("http://169.254.169.254/latest/meta-data/")
            elif path == "/hang":
                server.release.wait(10)
                self._send(200, b"too late")
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(HUGE_BYTES))
                self.end_headers()
                try:
                    for _ in range(HUGE_BYTES // len(CHUNK)):
                        self.wfile.write(CHUNK)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
            elif path == "/gzip-bomb":
                body = gzip.compress(b"\0" * (20 * 1024 * 1024))
                self._send(200, body, {"Content-Encoding": "gzip", "Content-Type": "text/plain"})
            elif path == "/set-cookie":
                self._send(200, b"<p>cookie set</p>", {"Set-Cookie": "session=abc; Path=/"})
            elif path == "/live":
                if server.live_status == 200:
                    self._send(200, b"<html><title>My Song</title><body>Download here</body></html>")
                else:
                    self._send(server.live_status, b"gone")
            else:
                self._send(404, b"no such page")

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client closing early (the body cap, a timeout) is expected here


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    state = LocalServer(port=0)
    httpd = QuietServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        time.sleep(0)
