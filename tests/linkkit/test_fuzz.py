"""Property tests: arbitrary input never escapes as anything but a LinkError."""

from __future__ import annotations

import contextlib
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinelle.linkkit import LinkError, Registry, canonicalise, classify, extract_lines, extract_urls

_URL_ALPHABET = string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%{}|\\^` \"<>\t" + "éüß食пи\u200b\x00\x7f"

_hosts = st.sampled_from(
    [
        "example.org",
        "WWW.Example.ORG",
        "bücher.de",
        "mega.nz",
        "www.google.com",
        "duckduckgo.com",
        "bit.ly",
        "127.0.0.1",
        "[::1]",
        "93.184.216.34",
        "xn--bcher-kva.de",
        "a.b.c.blogspot.com",
        "localhost",
        "x",
        "",
    ]
)
_parts = st.text(alphabet=_URL_ALPHABET, max_size=40)

_url_like = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}{host}{port}{path}{query}{frag}",
    st.sampled_from(["http://", "https://", "HTTPS://", "hxxps://", "//", "", "ftp://", "http:", "https:/"]),
    _hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":", ":99999"]),
    _parts.map(lambda p: "/" + p),
    st.one_of(st.just(""), _parts.map(lambda q: "?" + q), st.just("?utm_source=x&id=1&fbclid=2")),
    st.one_of(st.just(""), _parts.map(lambda f: "#" + f)),
)

_inputs = st.one_of(_url_like, st.text(max_size=200))
_settings = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(_inputs)
def test_canonicalise_raises_only_link_errors_and_is_idempotent(raw: str) -> None:
    try:
        first = canonicalise(raw)
    except LinkError:
        return
    second = canonicalise(first.url)
    assert second.url == first.url
    assert second.identity_key == first.identity_key
    assert second.registrable_domain == first.registrable_domain


@_settings
@given(_inputs)
def test_classify_raises_only_link_errors(registry: Registry, raw: str) -> None:
    try:
        result = classify(raw, registry)
    except LinkError:
        return
    assert result.url.url.startswith(("http://", "https://"))


@_settings
@given(st.lists(st.one_of(_url_like, st.text(max_size=80)), max_size=20).map("\n".join))
def test_extraction_never_raises(text: str) -> None:
    urls = extract_urls(text)
    lines = list(extract_lines(text))
    assert urls == [line.url for line in lines if line.url]
    for url in urls:
        with contextlib.suppress(LinkError):
            canonicalise(url)
