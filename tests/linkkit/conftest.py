"""Fixtures for linkkit tests: plain data only, no database."""

from __future__ import annotations

import pytest

from sentinelle.linkkit import PlatformRule, Registry

PLATFORMS = (
    PlatformRule("google", "Google Search", "search_engine", domains=(("google.com", None), ("google.fr", None))),
    PlatformRule("bing", "Bing", "search_engine", domains=(("bing.com", None),)),
    PlatformRule("ddg", "DuckDuckGo", "search_engine", domains=(("duckduckgo.com", None),)),
    PlatformRule("yandex", "Yandex", "search_engine", domains=(("yandex.ru", None), ("yandex.com", None))),
    PlatformRule("youtube", "YouTube", "video_platform", True, (("youtube.com", None), ("youtu.be", None))),
    PlatformRule("deezer", "Deezer", "audio_streaming", True, (("deezer.com", None),)),
    PlatformRule("spotify", "Spotify", "audio_streaming", True, (("spotify.com", None),)),
    PlatformRule("facebook", "Facebook", "social_network", domains=(("facebook.com", None), ("fb.watch", None))),
    PlatformRule("vk", "VK", "social_network", domains=(("vk.com", None),)),
    # A path-prefix rule on a host another platform owns: VK's music section has its own desk.
    PlatformRule("vk-music", "VK Music", "audio_streaming", domains=(("vk.com", "/audio"), ("vk.com", "/music/"))),
    PlatformRule("mega", "MEGA", "file_host", domains=(("mega.nz", None), ("mega.co.nz", None))),
    PlatformRule("mediafire", "MediaFire", "file_host", domains=(("mediafire.com", None),)),
    PlatformRule("1fichier", "1fichier", "file_host", domains=(("1fichier.com", None),)),
    PlatformRule(
        "gdrive", "Google Drive", "file_host", domains=(("drive.google.com", None), ("docs.google.com", "/uc"))
    ),
    PlatformRule("gsites", "Google Sites", "other", domains=(("sites.google.com", None),)),
    PlatformRule("tpb", "The Pirate Bay", "torrent_index", domains=(("thepiratebay.org", None),)),
    PlatformRule("bitly", "Bitly", "url_shortener", domains=(("bit.ly", None),)),
)


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry(PLATFORMS)
