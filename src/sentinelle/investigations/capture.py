"""Evidence capture: a page fetched through the safe fetcher, its favicon, a screenshot.

No database here (the services load and save rows around it). Every request, the browser's
included, goes through ``checks.fetch.SafeFetcher``: the same SSRF guard, caps and User-Agent as
the link checks, and no cookie jar (nothing stored, nothing sent). The browser never reaches the
network itself: every request it makes is intercepted (Playwright routing) and answered either
from the captured page or through the safe fetcher, its own DNS maps every name to nothing and
its proxy is a closed port, so a request that escaped the routing would fail rather than leave.
Its context is fresh for every capture (no profile, no storage), cookies set by the page are
dropped (``Set-Cookie`` is removed, ``document.cookie`` is disabled) and the context is closed at
the end; the number of cookies it held is recorded (always zero).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import ada_url

from sentinelle.checks import fetch

# Headers that describe how the bytes travelled, not the recorded bytes (the body is stored decoded
# of its transfer coding, and of a content coding the server sent although it was asked not to).
RENAMED_HEADERS = frozenset({"transfer-encoding", "content-encoding"})
ARCHIVE_PREFIX = "X-Archive-Orig-"
# What the browser is never handed back.
BROWSER_DROPPED = frozenset({"set-cookie", "set-cookie2", "transfer-encoding", "content-encoding", "content-length"})
MAX_SUBRESOURCES = 60
FAVICON_MAX_BYTES = 1024 * 1024
NO_COOKIES_SCRIPT = (
    "Object.defineProperty(Document.prototype, 'cookie', {get() { return ''; }, set(v) {}, configurable: false});"
)
BROWSER_ARGS = [
    "--no-sandbox",
    "--headless",
    # The browser has no network of its own: every request is routed through the safe fetcher.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-background-networking",
    "--no-first-run",
]


@dataclass
class Exchange:
    """One request and its answer, as the fetcher saw them."""

    url: str
    at: dt.datetime
    address: str
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes = b""
    body_read: bool = True
    truncated: bool = False
    method: str = "GET"


@dataclass
class PageCapture:
    url: str
    final_url: str
    status: int
    address: str
    at: dt.datetime
    content_type: str
    body: bytes
    title: str
    redirects: list[dict[str, Any]]
    exchanges: list[Exchange]
    headers: list[tuple[str, str]] = field(default_factory=list)
    favicon_sha256: str = ""
    favicon_url: str = ""


@dataclass
class Screenshot:
    png: bytes | None
    note: str
    cookies_held: int = 0
    requests: int = 0
    exchanges: list[Exchange] = field(default_factory=list)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in headers.items()] if headers is not None else []


def recorded_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(ARCHIVE_PREFIX + k if k.lower() in RENAMED_HEADERS else k, v) for k, v in headers]


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.icons: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "title" and not self.title:
            self._in_title = True
        elif tag == "link" and "icon" in values.get("rel", "").lower().split() and values.get("href"):
            self.icons.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def page_head(text: str) -> tuple[str, list[str]]:
    """The page's title (whitespace folded) and its declared icons."""
    parser = _HeadParser()
    try:
        parser.feed(text[:500_000])
        parser.close()
    except (AssertionError, ValueError):  # a page broken beyond the parser's recovery
        pass
    title = re.sub(r"\s+", " ", html.unescape("".join(parser.title))).strip()
    return title[:500], parser.icons


def _exchange(url: str, result: fetch.FetchResult | fetch.Hop, at: dt.datetime) -> Exchange:
    if isinstance(result, fetch.Hop):
        return Exchange(
            url=result.url,
            at=at,
            address=result.address,
            request_headers=_pairs(result.request_headers),
            status=result.status_code,
            response_headers=_pairs(result.headers),
            body_read=False,
        )
    return Exchange(
        url=url,
        at=at,
        address=result.address,
        request_headers=_pairs(result.request_headers),
        status=result.status_code,
        response_headers=_pairs(result.headers),
        body=result.body,
        truncated=result.truncated,
    )


async def fetch_page(url: str, fetcher: fetch.SafeFetcher, *, max_bytes: int, timeout: float) -> PageCapture:
    """The page and its favicon. Raises FetchError when the page gave no HTTP answer."""
    at = _utcnow()
    result = await fetcher.fetch(url, headers={"Accept-Encoding": "identity"}, max_bytes=max_bytes, timeout=timeout)
    exchanges = [_exchange(hop.url, hop, at) for hop in result.redirects]
    exchanges.append(_exchange(result.final_url, result, at))
    is_html = result.content_type in ("text/html", "application/xhtml+xml", "")
    title, icons = page_head(result.text()) if is_html else ("", [])
    page = PageCapture(
        url=url,
        final_url=result.final_url,
        status=result.status_code,
        address=result.address,
        at=at,
        content_type=result.content_type,
        body=result.body,
        title=title,
        redirects=[{"url": hop.url, "status": hop.status_code, "location": hop.location} for hop in result.redirects],
        exchanges=exchanges,
        headers=_pairs(result.headers),
    )
    await _favicon(page, icons, fetcher, timeout)
    return page


async def _favicon(page: PageCapture, icons: list[str], fetcher: fetch.SafeFetcher, timeout: float) -> None:
    try:
        icon_url = ada_url.join_url(page.final_url, icons[0] if icons else "/favicon.ico")
    except ValueError:
        return
    at = _utcnow()
    try:
        result = await fetcher.fetch(
            icon_url, headers={"Accept-Encoding": "identity"}, max_bytes=FAVICON_MAX_BYTES, timeout=timeout
        )
    except fetch.FetchError:
        return
    page.exchanges.extend(_exchange(hop.url, hop, at) for hop in result.redirects)
    page.exchanges.append(_exchange(result.final_url, result, at))
    if result.status_code == 200 and result.body and not result.truncated:
        page.favicon_sha256 = hashlib.sha256(result.body).hexdigest()
        page.favicon_url = result.final_url


def browser_missing(chromium: str) -> str | None:
    """Why no screenshot can be taken here, or None."""
    if not Path(chromium).exists():
        return f"no screenshot: Chromium is not installed at {chromium}"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "no screenshot: Playwright is not installed"
    return None


async def take_screenshot(
    page: PageCapture, fetcher: fetch.SafeFetcher, *, chromium: str, timeout: float, max_bytes: int
) -> Screenshot:
    """A full-page PNG of the captured page, or a note saying why there is none."""
    missing = browser_missing(chromium)
    if missing:
        return Screenshot(None, missing)
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    shot = Screenshot(None, "")
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, headless=True, args=BROWSER_ARGS)
            try:
                await _shoot(browser, page, fetcher, shot, timeout, max_bytes)
            finally:
                await browser.close()
    except (PlaywrightError, TimeoutError, OSError) as exc:
        shot.png = None
        shot.note = f"no screenshot: the browser failed ({str(exc).splitlines()[0][:300]})"
    return shot


async def _shoot(
    browser: Any, page: PageCapture, fetcher: fetch.SafeFetcher, shot: Screenshot, timeout: float, max_bytes: int
) -> None:
    context = await browser.new_context(
        accept_downloads=False, service_workers="block", viewport={"width": 1280, "height": 900}
    )
    try:
        await context.add_init_script(NO_COOKIES_SCRIPT)
        await context.route("**/*", lambda route: _answer(route, page, fetcher, shot, timeout, max_bytes))
        tab = await context.new_page()
        await tab.goto(page.final_url, wait_until="load", timeout=timeout * 1000)
        await asyncio.sleep(0.2)  # late layout after load
        shot.png = await tab.screenshot(full_page=True, timeout=timeout * 1000)
        shot.note = "taken"
        shot.cookies_held = len(await context.cookies())
    finally:
        await context.close()


async def _answer(
    route: Any, page: PageCapture, fetcher: fetch.SafeFetcher, shot: Screenshot, timeout: float, max_bytes: int
) -> None:
    """Every browser request: the captured page itself, or a GET through the safe fetcher."""
    url = route.request.url
    shot.requests += 1
    if url == page.final_url:
        await route.fulfill(status=page.status, headers=_for_browser(page.headers), body=page.body)
        return
    if route.request.method != "GET" or not url.startswith(("http://", "https://")) or shot.requests > MAX_SUBRESOURCES:
        await route.abort()
        return
    at = _utcnow()
    try:
        result = await fetcher.fetch(url, headers={"Accept-Encoding": "identity"}, max_bytes=max_bytes, timeout=timeout)
    except fetch.FetchError:
        await route.abort()
        return
    shot.exchanges.extend(_exchange(hop.url, hop, at) for hop in result.redirects)
    shot.exchanges.append(_exchange(result.final_url, result, at))
    await route.fulfill(status=result.status_code, headers=_for_browser(_pairs(result.headers)), body=result.body)


def _for_browser(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {k: v for k, v in headers if k.lower() not in BROWSER_DROPPED}
