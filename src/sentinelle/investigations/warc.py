"""The HTTP exchanges of a capture as one WARC file (ISO 28500), gzip-compressed per record.

A ``warcinfo`` record says who captured, with what, and under which privacy rules; then, per
exchange, a ``request`` record (the request line and headers as sent) and a ``response`` record
(status line, headers and body as received), tied by ``WARC-Concurrent-To``, dated with the UTC
time of the fetch and carrying the server's address (``WARC-IP-Address``). Bodies are stored after
transfer decoding: the headers that described the encoding on the wire are kept with an
``X-Archive-Orig-`` prefix (as web archives do). A redirect's body is not read (``WARC-Truncated:
unspecified`` when it announced one), a body cut at the size cap is marked ``WARC-Truncated: length``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from http import HTTPStatus

import ada_url
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sentinelle.investigations.capture import Exchange, recorded_headers


def _warc_date(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _request_line(url: str, method: str) -> str:
    parsed = ada_url.URL(url)
    return f"{method} {parsed.pathname or '/'}{parsed.search} HTTP/1.1"


def _write_exchange(writer: WARCWriter, exchange: Exchange) -> None:
    date = _warc_date(exchange.at)
    common = {"WARC-Date": date}
    if exchange.address:
        common["WARC-IP-Address"] = exchange.address
    response_headers = StatusAndHeaders(
        f"{exchange.status} {_reason(exchange.status)}".strip(),
        recorded_headers(exchange.response_headers),
        protocol="HTTP/1.1",
    )
    extra = dict(common)
    announced = next((v for k, v in exchange.response_headers if k.lower() == "content-length"), "0")
    if exchange.truncated:
        extra["WARC-Truncated"] = "length"
    elif not exchange.body_read and announced.strip() not in ("", "0"):
        extra["WARC-Truncated"] = "unspecified"
    response = writer.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        http_headers=response_headers,
        warc_headers_dict=extra,
    )
    request_headers = StatusAndHeaders(
        _request_line(exchange.url, exchange.method), exchange.request_headers, is_http_request=True
    )
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=request_headers,
        warc_headers_dict={**common, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
    )
    writer.write_record(request)
    writer.write_record(response)


def build_warc(filename: str, info: Mapping[str, str], exchanges: Iterable[Exchange]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record(filename, dict(info)))
    for exchange in exchanges:
        _write_exchange(writer, exchange)
    return buffer.getvalue()
