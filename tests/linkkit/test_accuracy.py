"""Accuracy table (issue 13): variants of one content collapse to one identity, contents stay apart.

Each group holds the shapes under which members report one piece of content: another host of
the same platform, another user name, path form, query or case. Every variant of a group must
get the same ``identity_key`` (what duplicate detection compares), and no two groups may share
one: neighbours are in the table on purpose (two tweets of one account, two files of one host,
one torrent on two indexes) so that a rule that reads too little fails here.
"""

from __future__ import annotations

import pytest

from sentinelle.linkkit import canonicalise

T1 = "1729567890123456789"
T2 = "1729567890123456790"
MAGNET_HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"

GROUPS: dict[str, list[str]] = {
    "one tweet": [
        f"https://x.com/OrelsanOfficiel/status/{T1}",
        f"https://twitter.com/OrelsanOfficiel/status/{T1}",
        f"https://twitter.com/orelsanofficiel/status/{T1}?lang=en",
        f"https://x.com/OrelsanOfficiel/status/{T1}?s=20&t=AbCdEfGhIjKlMn",
        f"https://mobile.twitter.com/OrelsanOfficiel/statuses/{T1}",
        f"https://twitter.com/i/web/status/{T1}",
        f"https://x.com/OrelsanOfficiel/status/{T1}/photo/1",
        f"https://x.com/OrelsanOfficiel/status/{T1}/video/1",
        f"https://twitter.com/OrelsanOfficiel/status/{T1}/analytics",
        f"https://x.com/a_reposter/status/{T1}",  # the same tweet under another user name
        f"https://www.x.com/OrelsanOfficiel/status/{T1}/",
        f"https://fxtwitter.com/OrelsanOfficiel/status/{T1}",
    ],
    "the next tweet of the same account": [
        f"https://x.com/OrelsanOfficiel/status/{T2}",
        f"https://twitter.com/OrelsanOfficiel/statuses/{T2}?lang=fr",
    ],
    "one X account": [
        "https://x.com/OrelsanOfficiel",
        "https://twitter.com/orelsanofficiel/",
        "https://mobile.twitter.com/OrelsanOfficiel",
    ],
    "one t.co short link": [
        "https://t.co/AbCdEf1234",
        "https://t.co/AbCdEf1234?amp=1",
        "http://t.co/AbCdEf1234",
    ],
    "one Instagram post": [
        "https://www.instagram.com/p/C0xYz12AbCd/",
        "https://instagram.com/p/C0xYz12AbCd",
        "https://www.instagram.com/reel/C0xYz12AbCd/?igsh=MTc4MmM1YmI2Ng==",
        "https://www.instagram.com/reels/C0xYz12AbCd/",
        "https://www.instagram.com/tv/C0xYz12AbCd/",
        "https://www.instagram.com/angele_vl/p/C0xYz12AbCd/?img_index=2",
        "https://m.instagram.com/p/C0xYz12AbCd/?utm_source=ig_web_copy_link",
    ],
    "another Instagram post (the same code in another case)": [
        "https://www.instagram.com/p/C0xYz12abcd/",
        "https://www.instagram.com/reel/C0xYz12abcd/",
    ],
    "one TikTok video": [
        "https://www.tiktok.com/@aya.nakamura/video/7301234567890123456",
        "https://www.tiktok.com/@Aya.Nakamura/video/7301234567890123456?is_from_webapp=1&sender_device=pc",
        "https://m.tiktok.com/v/7301234567890123456.html",
        "https://www.tiktok.com/embed/v2/7301234567890123456",
        "https://tiktok.com/@fan_account/video/7301234567890123456?_r=1&_t=8abc",
        "https://www.tiktok.com/share/video/7301234567890123456",
    ],
    "one TikTok account": [
        "https://www.tiktok.com/@aya.nakamura",
        "https://www.tiktok.com/@Aya.Nakamura/",
    ],
    "one Facebook post": [
        "https://www.facebook.com/JulEtLesFans/posts/10158912345678901",
        "https://m.facebook.com/story.php?story_fbid=10158912345678901&id=100044123456789",
        "https://www.facebook.com/permalink.php?story_fbid=10158912345678901&id=100044123456789",
        "https://www.facebook.com/100044123456789/posts/10158912345678901/?mibextid=cr9u03",
        "https://mbasic.facebook.com/JulEtLesFans/posts/10158912345678901",
    ],
    "one Facebook video": [
        "https://www.facebook.com/watch/?v=1234567890123456",
        "https://www.facebook.com/watch?v=1234567890123456&ref=sharing",
        "https://www.facebook.com/JulEtLesFans/videos/1234567890123456/",
        "https://www.facebook.com/JulEtLesFans/videos/clip-officiel/1234567890123456/",
        "https://www.facebook.com/reel/1234567890123456",
        "https://m.facebook.com/video.php?v=1234567890123456",
    ],
    "one MEGA file": [
        "https://mega.nz/file/AbC123xY#k3yK3yK3yK3yK3yK3yK3y",
        "https://mega.nz/#!AbC123xY!k3yK3yK3yK3yK3yK3yK3y",
        "https://mega.co.nz/#!AbC123xY!k3yK3yK3yK3yK3yK3yK3y",
        "https://mega.nz/embed/AbC123xY#k3yK3yK3yK3yK3yK3yK3y",
    ],
    "another MEGA file": [
        "https://mega.nz/file/ZzZ999qQ#k3yK3yK3yK3yK3yK3yK3y",
    ],
    "one Uploaded file": [
        "https://uploaded.net/file/x1y2z3a4/Angele-Nonante-Cinq.rar",
        "https://ul.to/x1y2z3a4",
        "https://uploaded.to/file/x1y2z3a4",
        "https://ul.to/file/x1y2z3a4/Angele-Nonante-Cinq.rar",
    ],
    "one Rapidgator file": [
        "https://rapidgator.net/file/0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d/Angele.rar.html",
        "https://rg.to/file/0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d/Angele.rar.html",
        "https://rapidgator.net/file/0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d",
    ],
    "one Google Drive file": [
        "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz/view?usp=sharing",
        "https://drive.google.com/open?id=1AbCdEfGhIjKlMnOpQrStUvWxYz",
        "https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz&export=download",
    ],
    "one torrent on The Pirate Bay": [
        "https://thepiratebay.org/description.php?id=71234567",
        "https://thepiratebay.org/torrent/71234567/Angele_-_Nonante-Cinq_(2021)_FLAC",
        "https://www.thepiratebay.org/torrent/71234567",
    ],
    "one torrent on 1337x": [
        "https://1337x.to/torrent/5512345/Angele-Nonante-Cinq-2021-FLAC/",
        "https://www.1337x.to/torrent/5512345/angele-nonante-cinq/",
    ],
    "the same torrent on BTDigg (its own notice)": [
        f"https://btdig.com/{MAGNET_HASH}/angele-nonante-cinq-flac",
        f"https://btdig.com/{MAGNET_HASH.upper()}",
    ],
    "one RuTracker topic": [
        "https://rutracker.org/forum/viewtopic.php?t=6291234",
        "https://rutracker.org/forum/dl.php?t=6291234",
    ],
}


def _keys(urls: list[str]) -> set[str]:
    return {canonicalise(url).identity_key for url in urls}


def test_the_table_is_large_enough() -> None:
    variants = sum(len(urls) for urls in GROUPS.values())
    assert variants >= 60
    assert len(GROUPS) >= 15


@pytest.mark.parametrize("name", list(GROUPS))
def test_each_group_collapses_to_one_identity(name: str) -> None:
    keys = _keys(GROUPS[name])
    assert len(keys) == 1, keys


def test_different_contents_stay_apart() -> None:
    owner: dict[str, str] = {}
    for name, urls in GROUPS.items():
        for key in _keys(urls):
            assert key not in owner, f"{name!r} and {owner.get(key)!r} share {key}"
            owner[key] = name
    assert len(owner) == len(GROUPS)


@pytest.mark.parametrize("name", list(GROUPS))
def test_each_variant_keeps_its_own_host_for_the_notice(name: str) -> None:
    for url in GROUPS[name]:
        assert canonicalise(url).host == url.split("/")[2].lower()
