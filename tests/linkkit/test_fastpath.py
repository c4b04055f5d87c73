"""The fast path (simple URLs parsed without ada) gives exactly what ada gives.

``canonical._split_fast`` recognises plain http(s) URLs whose WHATWG serialisation is known
without a parse; everything else goes to ada (``canonical._split_ada``). Wherever the fast path
answers, its answer must be ada's, component by component. Also checked here: the percent
normalisation shortcut, the tracking-parameter precheck and the folded Public Suffix List.
"""

from __future__ import annotations

import itertools
import re
import string

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from sentinelle.linkkit import LinkError, canonicalise
from sentinelle.linkkit import canonical as C
from sentinelle.linkkit import psl as P
from sentinelle.linkkit.tracking import TRACKING_PARAMS, TRACKING_PREFIXES

from .test_shapes import SHAPES


def _canonicalise_by_ada(url: str) -> C.CanonicalURL:
    """``canonicalise`` with every URL through ada: neither its shortcut nor ``_split_fast``."""
    return C.canonicalise_any(url, fast=False)


def _ada(text: str) -> C._Parts | None:
    try:
        return C._split_ada(text, text)
    except LinkError:
        return None


def _agree(text: str) -> bool:
    """True when the fast path answered (and then it matched ada)."""
    fast = C._split_fast(text)
    if fast is None:
        return False
    assert fast == _ada(text), text
    return True


@pytest.mark.parametrize("raw", [row[0] for row in SHAPES])
def test_fast_path_matches_ada_on_the_shape_table(raw: str) -> None:
    _agree(raw.strip())


def test_fast_path_takes_the_common_shapes() -> None:
    taken = sum(_agree(row[0].strip()) for row in SHAPES)
    assert taken >= len(SHAPES) // 3  # the shortcut is used, not silently bypassed


# Biased to the edges of the fast path: case, default and odd ports, dots and dot segments,
# percent escapes (valid, invalid, %2e), hyphens, digits-only labels, hex-looking labels,
# characters WHATWG encodes or rewrites, and a little non-ASCII.
_EDGE = "%2e%2E.%41%7e%7E%zz%4%gg/.././/?#@:;=&+$,!*'()~_-[]{}|\\^`\"<> \t\né"
_plain_label = st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=8)
_label = _plain_label | st.sampled_from(
    ["www", "WWW", "xn--bcher-kva", "0x7f", "1", "255", "a--b", "-a", "a-", "a_b", "ß", "com", "COM"]
)
_tld = st.sampled_from(["com", "ORG", "Fr", "co.uk", "x1", "a-b", "b-", "0x1f", "12", "xn--p1ai"])
_host = (
    st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_label, min_size=1, max_size=3), _tld)
    | st.lists(_label, min_size=1, max_size=4).map(".".join)
    | st.sampled_from(
        ["example.com", "Example.COM.", "1.2.3.4", "a.b.0x10", "[::1]", "a..b.com", "u@example.com", "example.com:"]
    )
)
_clean = string.ascii_letters + string.digits + "/.%-_~!$&()*+,;=:@?"
_chunk = st.text(alphabet=_clean, max_size=24) | st.text(alphabet=_clean + "'" + _EDGE, max_size=24)


@st.composite
def _urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "https", "HTTP", "Https", "hTtPs", "ftp", "httpx"]))
    sep = draw(st.sampled_from(["://"] * 6 + [":/", ":///", ":\\\\"]))
    port = draw(st.sampled_from(["", "", ":80", ":443", ":8080", ":080", ":0", ":65535", ":65536", ":99999", ":"]))
    path = draw(
        st.sampled_from(["", "/", "/a/b", "/A/./b", "/a/../b", "/%2e/x", "/.x", "/a%2Fb"])
        | _chunk.map(lambda p: "/" + p)
    )
    query = draw(st.sampled_from(["", "?", "?a=1&utm_source=x", "?%7e=%41"]) | _chunk.map(lambda q: "?" + q))
    fragment = draw(st.sampled_from(["", "#", "#!ID!key", "#a`b"]) | _chunk.map(lambda f: "#" + f))
    return f"{scheme}{sep}{draw(_host)}{port}{path}{query}{fragment}"


# Mostly shapes the fast path takes, with one ingredient at a time pushed to its edge.
_simple_urls = st.builds(
    lambda scheme, host, port, path, query, fragment: f"{scheme}://{host}{port}{path}{query}{fragment}",
    st.sampled_from(["http", "https", "HTTP", "HTTPS", "hTtPs"]),
    st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_plain_label, min_size=1, max_size=3), _tld),
    st.sampled_from(["", ":80", ":443", ":8080", ":080", ":00443", ":65535", ":65536"]),
    st.one_of(st.just(""), st.text(alphabet=_clean.replace("?", ""), max_size=30).map(lambda p: "/" + p)),
    st.one_of(st.just(""), st.text(alphabet=_clean, max_size=30).map(lambda q: "?" + q)),
    st.one_of(st.just(""), st.text(alphabet=_clean, max_size=20).map(lambda f: "#" + f)),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_urls() | _simple_urls)
@example("HTTP://WWW.Example.COM:80")
@example("https://example.com:443/a?b#c")
@example("http://example.com:8080/%7Efoo/%zz?%41=%2e#frag")
@example("http://a.b.c.example.co.uk/x/y.z/?q=a?b&c=d")
def test_fast_path_matches_ada(url: str) -> None:
    event("fast path" if _agree(url) else "ada")


# _FAST_RE with its possessive repeats made ordinary (backtracking) ones: the same language.
_BACKTRACKING = re.compile(C._FAST_RE.pattern.replace("]++", "]+").replace("]*+", "]*").replace("}+", "}"))
_near_simple = st.text(alphabet="hHtTpPsS:/?#@.-_%aZ09é \\[]", max_size=20).map(lambda tail: "http://a" + tail)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_urls() | _simple_urls | _near_simple)
@example("http://a.com:123456/")
@example("http://a.com:80:90/")
@example("http://a?#?")
@example("http://a#b#c")
def test_possessive_repeats_change_nothing(url: str) -> None:
    assert _BACKTRACKING.pattern != C._FAST_RE.pattern  # the repeats really differ
    fast, slow = C._FAST_RE.fullmatch(url), _BACKTRACKING.fullmatch(url)
    assert (fast is None) == (slow is None), url
    if fast is not None and slow is not None:
        assert fast.groups() == slow.groups()


@settings(max_examples=500, deadline=None)
@given(_urls())
def test_canonicalise_of_fast_and_ada_paths_agree(url: str) -> None:
    """Whole canonicalisation: forcing every URL through ada changes nothing."""
    try:
        fast = canonicalise(url)
    except LinkError as error:
        fast_error: type[LinkError] | None = type(error)
    else:
        fast_error = None
    try:
        slow = _canonicalise_by_ada(url)
    except LinkError as error:
        assert fast_error is type(error)
    else:
        assert fast_error is None
        assert fast == slow


def _reference_normalise_percent(text: str) -> str:
    parts = text.split("%")
    out = [parts[0]]
    for part in parts[1:]:
        fixed = C._PERCENT_TABLE.get(part[:2])
        out.append("%" + part if fixed is None else fixed + part[2:])
    return "".join(out)


def test_percent_shortcut_changes_nothing() -> None:
    alphabet = "%0123456789abcdefABCDEFgG~-._zZ/"
    for size in range(1, 4):
        for chars in itertools.product(alphabet, repeat=size):
            text = "".join(chars)
            assert C._normalise_percent(text) == _reference_normalise_percent(text), text
    for code in range(256):  # every escape, in every spelling, after a "%" or a character
        for spelling in {f"{code:02x}", f"{code:02X}", f"{code:02x}".upper()[0] + f"{code:02x}"[1]}:
            for text in (f"%{spelling}", f"a%{spelling}b", f"%%{spelling}", f"%2%{spelling}"):
                assert C._normalise_percent(text) == _reference_normalise_percent(text), text


def test_every_tracking_name_trips_the_query_precheck() -> None:
    for name in TRACKING_PARAMS | set(TRACKING_PREFIXES):
        for spelling in (name, name.upper(), name.capitalize()):
            assert C._may_need_cleaning(f"id=1&{spelling}x=2")
            assert C._may_need_cleaning(f"{spelling}=2")
    assert not C._may_need_cleaning("id=1&page=2")
    assert C._may_need_cleaning("id=1&&page=2")
    assert C._may_need_cleaning("&id=1")
    assert C._may_need_cleaning("id=1&")


@given(
    st.lists(st.sampled_from(["www", "a", "b", "city", "kobe", "jp", "co", "uk", "com", "blogspot", ""]), max_size=5)
)
@settings(max_examples=500, deadline=None)
def test_folded_psl_matches_the_package(labels: list[str]) -> None:
    name = ".".join(labels)
    assert P._private_suffix(name) == P.PSL.privatesuffix(name)


def test_folded_psl_matches_the_package_on_every_rule() -> None:
    for rule in P.PSL._publicsuffix:
        base = rule.lstrip("!").removeprefix("*.")
        for name in (base, "a." + base, "b.a." + base, "c.b.a." + base, base + "."):
            assert P._private_suffix(name) == P.PSL.privatesuffix(name), name
        for name in (base, "a." + base, "b.a." + base, "c.b.a." + base):
            if "." in name:
                assert P.plain_site(name) == (P._private_suffix(name) or name), name


@given(
    st.lists(
        st.sampled_from(["www", "a", "b", "city", "kobe", "jp", "co", "uk", "com", "blogspot"]), min_size=2, max_size=6
    )
)
@settings(max_examples=500, deadline=None)
def test_one_walk_site_matches_the_private_suffix(labels: list[str]) -> None:
    name = ".".join(labels)
    assert P.plain_site(name) == (P._private_suffix(name) or name)


@given(st.text(alphabet="aZ09.-", max_size=12))
@example("a.b")
@example("a.1b")
@example("a-.b")
@example("a.-b")
@example("a--b.c")
@settings(max_examples=1000, deadline=None)
def test_plain_host_test_matches_the_expression(host: str) -> None:
    expected = C._FAST_HOST_RE.fullmatch(host) is not None and "--" not in host
    assert C._is_fast_host(host) == expected


# Dot segments in every spelling WHATWG knows, which the fast path now resolves itself.
_dot_paths = st.lists(
    st.sampled_from([".", "..", "%2e", "%2E", ".%2e", "%2e.", "%2E%2e", "%2e%2e%2e", "...", "a", "b.c", "", "%2ex"]),
    max_size=6,
).map(lambda segments: "/" + "/".join(segments))


@settings(max_examples=1000, deadline=None)
@given(_dot_paths, st.sampled_from(["", "?a=1", "?a=/../b", "#x/./y"]))
@example("/a/b/..", "")
@example("/..", "")
@example("/a/./", "?q")
def test_fast_path_resolves_dot_segments_as_ada(path: str, tail: str) -> None:
    url = f"https://example.com{path}{tail}"
    assert _agree(url), url
    slow = _canonicalise_by_ada(url)
    assert canonicalise(url) == slow
