"""Registry lookups and classification rules that the URL table does not spell out."""

from __future__ import annotations

import pytest

from sentinelle.linkkit import FLAG_SEARCH_PAGE, KINDS, PlatformRule, Registry, canonicalise, classify


def test_longest_host_suffix_wins() -> None:
    registry = Registry(
        [
            PlatformRule(1, "Google", "search_engine", domains=(("google.com", None),)),
            PlatformRule(2, "Drive", "file_host", domains=(("drive.google.com", None),)),
        ]
    )
    assert registry.match("drive.google.com").platform_id == 2  # type: ignore[union-attr]
    assert registry.match("www.google.com").platform_id == 1  # type: ignore[union-attr]
    assert registry.match("google.com").platform_id == 1  # type: ignore[union-attr]


def test_suffix_matches_on_label_boundaries_only() -> None:
    registry = Registry([PlatformRule(1, "Google", "search_engine", domains=(("google.com", None),))])
    assert registry.match("notgoogle.com") is None
    assert registry.match("google.com.evil.example") is None


def test_path_prefix_matches_on_segment_boundaries() -> None:
    registry = Registry(
        [
            PlatformRule(1, "VK", "social_network", domains=(("vk.com", None),)),
            PlatformRule(2, "VK audio", "audio_streaming", domains=(("vk.com", "/audio"),)),
            PlatformRule(3, "VK music", "audio_streaming", domains=(("vk.com", "/music/"),)),
        ]
    )
    assert registry.match("vk.com", "/audio").platform_id == 2  # type: ignore[union-attr]
    assert registry.match("vk.com", "/audio/123").platform_id == 2  # type: ignore[union-attr]
    assert registry.match("vk.com", "/audios123").platform_id == 1  # type: ignore[union-attr]
    assert registry.match("vk.com", "/music/x").platform_id == 3  # type: ignore[union-attr]
    assert registry.match("vk.com", "/music").platform_id == 1  # type: ignore[union-attr]


def test_a_more_specific_host_beats_a_path_rule_on_its_parent() -> None:
    registry = Registry(
        [
            PlatformRule(1, "Sites", "other", domains=(("google.com", "/site"),)),
            PlatformRule(2, "Drive", "file_host", domains=(("drive.google.com", None),)),
        ]
    )
    assert registry.match("drive.google.com", "/site/x").platform_id == 2  # type: ignore[union-attr]
    assert registry.match("www.google.com", "/site/x").platform_id == 1  # type: ignore[union-attr]
    assert registry.match("www.google.com", "/maps") is None


def test_domains_are_normalised_from_what_staff_type() -> None:
    rule = PlatformRule(1, "Bücher", "other", domains=(("*.Bücher.DE.", "site/"),))
    assert rule.domains == (("xn--bcher-kva.de", "/site/"),)
    assert Registry([rule]).match("www.xn--bcher-kva.de", "/site/a") is rule


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        PlatformRule(1, "X", "pirate", domains=(("x.example", None),))
    assert "search_engine" in KINDS


def test_conflicting_rows_keep_the_first_and_report() -> None:
    first = PlatformRule(1, "A", "other", domains=(("a.example", None),))
    second = PlatformRule(2, "B", "other", domains=(("a.example", None),))
    registry = Registry([first, second])
    assert registry.match("a.example") is first
    assert registry.conflicts == [("a.example", None, first, second)]


def test_the_cache_is_bounded() -> None:
    registry = Registry([PlatformRule(1, "A", "other", domains=(("a.example", None),))], cache_size=10)
    for i in range(100):
        registry.match(f"h{i}.a.example")
    assert len(registry._host_candidates) <= 10
    assert registry.match("h5.a.example").platform_id == 1  # type: ignore[union-attr]


def test_unknown_site_is_its_own_recipient(registry: Registry) -> None:
    result = classify("https://www.pirate.example.co.uk/a", registry)
    assert result.platform is None
    assert result.remove_recipient == (None, "example.co.uk", "example.co.uk")


def test_classify_accepts_a_canonical_url(registry: Registry) -> None:
    canonical = canonicalise("https://thepiratebay.org/torrent/1?utm_source=x")
    assert classify(canonical, registry).url is canonical


def test_a_search_page_behind_a_redirect_is_still_a_search_page(registry: Registry) -> None:
    inner = "https%3A%2F%2Fwww.bing.com%2Fsearch%3Fq%3Dalbum"
    result = classify(f"https://www.google.com/url?q={inner}", registry)
    assert result.flag == FLAG_SEARCH_PAGE
    assert result.actions == ()
    assert result.unwrapped_from == "google"
    assert result.wrapper is not None and result.wrapper.host == "www.google.com"


def test_a_registry_without_search_engines_has_no_delist_recipient() -> None:
    registry = Registry([PlatformRule(1, "A", "file_host", domains=(("a.example", None),))])
    assert classify("https://a.example/f", registry).delist_recipients == ()
