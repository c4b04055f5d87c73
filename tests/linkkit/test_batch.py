"""The batch API and the shortcuts behind it give exactly what the single calls give.

``iter_classify`` / ``classify_many`` inline the fast path and a per-host verdict; the unwrap path
finds parameters with ``str.find`` and decodes ASCII escapes with a table. Each is checked here
against the plain code path it replaces, on the URL table and on hypothesis inputs.
"""

from __future__ import annotations

import copy
import importlib
import pickle
import string
from collections.abc import Sequence
from urllib.parse import unquote_plus

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sentinelle.linkkit import (
    CanonicalURL,
    Classification,
    LinkError,
    PlatformRule,
    Registry,
    canonicalise,
    classify,
    classify_many,
    iter_classify,
)

from .conftest import PLATFORMS
from .test_fastpath import _simple_urls, _urls
from .test_fuzz import _inputs
from .test_shapes import SHAPES

C = importlib.import_module("sentinelle.linkkit.canonical")
U = importlib.import_module("sentinelle.linkkit.unwrap")


def _single(url: object, registry: Registry) -> Classification | tuple[type[LinkError], str]:
    try:
        return classify(url, registry)  # type: ignore[arg-type]
    except LinkError as error:
        return type(error), str(error)


def _batch(urls: Sequence[object], registry: Registry) -> list[Classification | tuple[type[LinkError], str]]:
    return [
        (type(r), str(r)) if isinstance(r, LinkError) else r
        for r in classify_many(urls, registry)  # type: ignore[arg-type]
    ]


def _fresh_registry() -> Registry:
    return Registry(PLATFORMS)


def test_batch_equals_single_calls_on_the_url_table() -> None:
    raws = [row[0] for row in SHAPES]
    # A fresh registry for each side: the batch fills the caches, the single calls find them.
    expected = [_single(raw, _fresh_registry()) for raw in raws]
    batch_registry = _fresh_registry()
    assert _batch(raws, batch_registry) == expected
    assert _batch(raws, batch_registry) == expected  # warm caches: the same again
    assert [_single(raw, batch_registry) for raw in raws] == expected


def test_batch_accepts_canonical_urls_and_non_strings(registry: Registry) -> None:
    canonical = canonicalise("https://mega.nz/file/AbC#key")
    given_urls: list[object] = [canonical, None, 42, "", "  https://Example.org/a  ", "hxxps://example[.]org/b"]
    assert _batch(given_urls, registry) == [_single(url, registry) for url in given_urls]
    results = list(iter_classify(given_urls, registry))  # type: ignore[arg-type]
    assert isinstance(results[0], Classification)
    assert isinstance(results[1], LinkError)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_urls() | _simple_urls | _inputs, max_size=8))
@example(["https://www.google.com/url?q=https%3A%2F%2Fvk.com%2Faudio%3Fa%3D1", "https://vk.com/music/x"])
@example(["https://WWW.Example.COM:80/a/b/../c/./%7e?utm_source=x&id=1#frag", "https://mega.nz/#!abc!key"])
def test_batch_equals_single_calls(urls: list[str]) -> None:
    registry = _fresh_registry()
    expected = [_single(url, _fresh_registry()) for url in urls]
    assert _batch(urls, registry) == expected


def test_a_path_prefix_rule_is_decided_per_url() -> None:
    rules = (
        PlatformRule("vk", "VK", "social_network", domains=(("vk.com", None),)),
        PlatformRule("vk-music", "VK Music", "audio_streaming", domains=(("vk.com", "/audio"),)),
    )
    registry = Registry(rules)
    results = classify_many(["https://vk.com/audio?x=1", "https://vk.com/id1", "https://vk.com/audio2"], registry)
    assert [r.platform.platform_id for r in results if isinstance(r, Classification) and r.platform] == [
        "vk-music",
        "vk",
        "vk",
    ]


_hosts = st.lists(
    st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=6), min_size=1, max_size=4
).map(".".join) | st.sampled_from(
    [
        "www.example.com",
        "m.x.blogspot.com",
        "a.local",
        "www.mega.nz",
        "www.1fichier.com",
        "x.youtube.com",
        "a.b.kobe.jp",
    ]
)


@settings(max_examples=500, deadline=None)
@given(_hosts)
def test_the_plain_host_shortcut_matches_host_info(host: str) -> None:
    if not C._is_fast_host(host):
        return
    plain = C._plain_host_info(host)
    full = C._host_info(host)
    if isinstance(full, LinkError):
        assert type(plain) is type(full)
    else:
        assert not isinstance(plain, LinkError)
        assert plain.astuple() == full.astuple()


_escaped = st.text(alphabet="%+&=abcXYZ019fF/:~ é\u00ff", max_size=30) | st.text(max_size=20).map(
    lambda text: "".join(f"%{byte:02x}" if i % 2 else f"%{byte:02X}" for i, byte in enumerate(text.encode()))
)


@settings(max_examples=1000, deadline=None)
@given(_escaped)
@example("%41%7e%2F%zz%4%")
@example("%C3%A9+%e9%2B")
def test_unquote_plus_matches_urllib(value: str) -> None:
    assert U._unquote_plus(value) == unquote_plus(value)


def _reference_query_value(query: str, *names: str) -> str | None:
    values: dict[str, str] = {}
    for piece in query.split("&"):
        name, sep, value = piece.partition("=")
        if sep and name in names and name not in values:
            values[name] = value
    for name in names:
        if values.get(name):
            return unquote_plus(values[name])
    return None


_query = st.lists(
    st.tuples(
        st.sampled_from(["url", "q", "u", "xurl", "url2", "", "=", "q="]),
        st.sampled_from(["", "=", "=a", "=b%2F", "==c"]),
    ),
    max_size=6,
).map(lambda pieces: "&".join(name + value for name, value in pieces))


@settings(max_examples=1000, deadline=None)
@given(_query)
@example("q=&url=x&url=y")
@example("xurl=a&url=b")
def test_query_value_matches_the_dict_reference(query: str) -> None:
    assert U.query_value(query, "url", "q") == _reference_query_value(query, "url", "q")
    assert U.query_value(query, "u") == _reference_query_value(query, "u")


def test_the_batch_result_is_the_canonical_form(registry: Registry) -> None:
    (result,) = classify_many(["https://www.Example.org/a/./b/../c?utm_source=x&id=2#top"], registry)
    assert isinstance(result, Classification)
    assert isinstance(result.url, CanonicalURL)
    assert result.url.url == "https://www.example.org/a/c?id=2"
    assert result.url.identity_key == "example.org/a/c?id=2"


def test_engine_names_read_as_people_write_them():
    from sentinelle.linkkit import display_name

    assert display_name("duckduckgo") == "DuckDuckGo"
    assert display_name("google") == "Google"
    assert display_name("someengine") == "Someengine"


def test_results_pickle_and_copy_as_values(registry: Registry) -> None:
    """Pickle and copy keep the value and leave the per-process host entry (and its verdict) behind."""
    result = classify("https://WWW.Example.org/a/?utm_source=x&id=1", registry)
    for value in (result.url, result):
        for again in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):  # noqa: S301
            assert again == value
            assert hash(again) == hash(value)
            assert type(again) is type(value)
    assert result.url._info is not None
    assert pickle.loads(pickle.dumps(result.url))._info is None  # noqa: S301  # our own bytes
