"""canonicalise: typed errors, identity keys, file keys, the fragment policy."""

from __future__ import annotations

import pytest

from sentinelle.linkkit import (
    ERROR_CODES,
    EmptyURL,
    LinkError,
    MissingHost,
    NotAURL,
    PrivateAddress,
    UnsupportedScheme,
    URLTooLong,
    canonicalise,
)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", EmptyURL),
        ("   \t\n ", EmptyURL),
        ("hello world", NotAURL),
        ("not a url at all", NotAURL),
        ("readme", NotAURL),
        ("http://exa mple.com/", NotAURL),
        ("https://[::1/", NotAURL),
        ("ftp://files.example.org/album.zip", UnsupportedScheme),
        ("magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a", UnsupportedScheme),
        ("javascript:alert(1)", UnsupportedScheme),
        ("mailto:someone@example.org", UnsupportedScheme),
        ("file:///etc/passwd", UnsupportedScheme),
        ("ws://example.org/socket", UnsupportedScheme),
        ("data:text/html,hi", UnsupportedScheme),
        ("http://", MissingHost),
        ("https://", MissingHost),
        ("https:///", MissingHost),
        ("http://?q=1", MissingHost),
        ("http://intranet/page", MissingHost),
        ("http://127.0.0.1/admin", PrivateAddress),
        ("http://2130706433/", PrivateAddress),  # 127.0.0.1 written as one number
        ("http://0x7f.1/", PrivateAddress),
        ("http://10.1.2.3/", PrivateAddress),
        ("http://172.16.0.1/", PrivateAddress),
        ("http://192.168.1.10/a", PrivateAddress),
        ("http://169.254.169.254/latest/meta-data/", PrivateAddress),
        ("http://100.64.0.1/", PrivateAddress),
        ("http://0.0.0.0/", PrivateAddress),
        ("http://224.0.0.1/", PrivateAddress),
        ("http://240.0.0.1/", PrivateAddress),
        ("http://[::1]/", PrivateAddress),
        ("http://[fe80::1]/", PrivateAddress),
        ("http://[fc00::1]/", PrivateAddress),
        ("http://[::ffff:127.0.0.1]/", PrivateAddress),
        ("http://localhost:8000/", PrivateAddress),
        ("http://app.localhost/", PrivateAddress),
        ("http://printer.local/", PrivateAddress),
        ("http://db.internal/", PrivateAddress),
        ("https://example.org/" + "a" * 8200, URLTooLong),
        ("https://example.org/" + "é" * 4100, URLTooLong),  # under 8192 characters, over 8192 bytes
    ],
)
def test_each_error_has_its_type(raw: str, error: type[LinkError]) -> None:
    with pytest.raises(error) as caught:
        canonicalise(raw)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == error.code


def test_error_codes_are_stable_and_distinct() -> None:
    assert ERROR_CODES == ("empty", "not_a_url", "unsupported_scheme", "no_host", "private_address", "too_long")


def test_a_refused_host_raises_each_time() -> None:
    for _ in range(2):  # the second time comes from the host cache
        with pytest.raises(PrivateAddress):
            canonicalise("http://10.0.0.1/x")


def test_non_string_is_not_a_url() -> None:
    with pytest.raises(NotAURL):
        canonicalise(b"https://example.org/")  # type: ignore[arg-type]


def test_exactly_8192_bytes_is_accepted() -> None:
    base = "https://example.org/"
    assert len(canonicalise(base + "a" * (8192 - len(base))).url) == 8192


@pytest.mark.parametrize(
    "variants",
    [
        ("https://www.example.org/album/1", "http://example.org/album/1/", "https://m.example.org/album/1"),
        ("https://example.org/", "http://www.example.org", "https://WWW.EXAMPLE.ORG/?utm_source=x"),
        ("https://www.facebook.com/page/", "https://m.facebook.com/page", "https://mobile.facebook.com/page"),
        ("https://example.org/a?x=1", "https://www.example.org/a/?x=1&fbclid=2", "http://example.org/a?x=1#top"),
    ],
)
def test_identity_key_ignores_www_mobile_scheme_and_trailing_slash(variants: tuple[str, ...]) -> None:
    assert len({canonicalise(v).identity_key for v in variants}) == 1


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("https://example.org/a", "https://example.org/b"),
        ("https://example.org/a?x=1", "https://example.org/a?x=2"),
        ("https://example.org/a?x=1&y=2", "https://example.org/a?y=2&x=1"),  # order kept: it can matter
        ("https://example.org/A", "https://example.org/a"),
        ("https://a.example.org/x", "https://b.example.org/x"),
        ("https://example.org:8080/x", "https://example.org/x"),
        ("https://www.co.uk/x", "https://co.uk/x"),  # www. is the site itself when nothing else is left
    ],
)
def test_identity_key_keeps_what_makes_a_different_page(left: str, right: str) -> None:
    assert canonicalise(left).identity_key != canonicalise(right).identity_key


@pytest.mark.parametrize(
    ("shapes", "key"),
    [
        (
            (
                "https://mega.nz/file/AbC123#k1",
                "https://mega.nz/#!AbC123!k1",
                "https://mega.co.nz/#!AbC123!k1",
                "https://mega.nz/embed/AbC123#k1",
            ),
            "mega.nz:AbC123",
        ),
        (("https://mega.nz/folder/Fo1#k", "https://mega.nz/#F!Fo1!k"), "mega.nz:folder/Fo1"),
        (
            (
                "https://www.mediafire.com/file/abc123/album.zip/file",
                "https://www.mediafire.com/?abc123",
                "https://mediafire.com/download/abc123",
            ),
            "mediafire.com:abc123",
        ),
        (
            (
                "https://1fichier.com/?abcdef123",
                "https://1fichier.com/?abcdef123&af=42",
                "https://abcdef123.1fichier.com/",
                "https://desfichiers.com/?abcdef123",
            ),
            "1fichier.com:abcdef123",
        ),
        (
            ("https://uptobox.com/abc123def456", "https://uptostream.com/iframe/abc123def456"),
            "uptobox.com:abc123def456",
        ),
        (("https://rapidgator.net/file/0a1b2c/album.rar.html", "https://rg.to/file/0a1b2c"), "rapidgator.net:0a1b2c"),
        (("https://uploaded.net/file/x1y2/album.rar", "https://ul.to/x1y2"), "uploaded.net:x1y2"),
        (("https://turbobit.net/q1w2e3.html", "https://turbobit.net/download/free/q1w2e3"), "turbobit.net:q1w2e3"),
        (
            ("https://www12.zippyshare.com/v/AbCd/file.html", "https://www12.zippyshare.com/d/AbCd/1/album.zip"),
            "zippyshare.com:www12/AbCd",
        ),
        (
            (
                "https://drive.google.com/file/d/1XyZ/view?usp=sharing",
                "https://drive.google.com/open?id=1XyZ",
                "https://drive.google.com/uc?id=1XyZ&export=download",
                "https://docs.google.com/uc?export=download&id=1XyZ",
            ),
            "drive.google.com:1XyZ",
        ),
        (
            ("https://www.dropbox.com/s/abc/album.zip?dl=0", "https://dl.dropboxusercontent.com/s/abc/album.zip"),
            "dropbox.com:s/abc",
        ),
        (
            ("https://www.4shared.com/mp3/Ab12/song.html", "https://www.4shared.com/file/Ab12/song.html"),
            "4shared.com:Ab12",
        ),
    ],
)
def test_one_file_under_several_shapes_has_one_key(shapes: tuple[str, ...], key: str) -> None:
    results = [canonicalise(shape) for shape in shapes]
    assert {r.file_key for r in results} == {key}
    assert {r.identity_key for r in results} == {key}


def test_file_key_distinguishes_files() -> None:
    assert canonicalise("https://mega.nz/file/A#k").file_key != canonicalise("https://mega.nz/file/B#k").file_key


def test_no_file_key_on_a_file_host_page_without_a_file() -> None:
    assert canonicalise("https://www.mediafire.com/").file_key is None
    assert canonicalise("https://mega.nz/").file_key is None


def test_fragment_kept_only_where_it_names_content() -> None:
    assert canonicalise("https://mega.nz/file/AbC#KeyKey").fragment == "KeyKey"
    assert canonicalise("https://mega.nz/#!AbC!KeyKey").url == "https://mega.nz/#!AbC!KeyKey"
    assert canonicalise("https://example.org/page#!AbC!KeyKey").url == "https://example.org/page"
    assert canonicalise("https://mega.nz/file/AbC#").url == "https://mega.nz/file/AbC"


def test_site_scoped_tracking_parameter_is_kept_elsewhere() -> None:
    assert canonicalise("https://open.spotify.com/track/1?si=abc").query == ""
    assert canonicalise("https://forum.example.org/t?si=2").query == "si=2"


def test_components() -> None:
    result = canonicalise("HTTP://User:Pw@WWW.Example.ORG:8080/a/../b?x=1&utm_term=2#frag")
    assert result.url == "http://www.example.org:8080/b?x=1"
    assert (result.scheme, result.host, result.port, result.path, result.query, result.fragment) == (
        "http",
        "www.example.org",
        8080,
        "/b",
        "x=1",
        "",
    )
    assert result.registrable_domain == "example.org"
    assert result.identity_key == "example.org:8080/b?x=1"
    assert str(result) == result.url
