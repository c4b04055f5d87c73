"""Content keys (identity.py): one rule per platform, each shape it reads shown by an example.

Each table lists URLs as members paste them and the key the rule must read; the "no key" lists
are shapes a rule must leave alone (compared by their URL instead), because reading an id there
would merge different content.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinelle.linkkit import (
    CONTENT_HOSTS,
    FILE_HOSTS,
    LinkError,
    PlatformRule,
    Registry,
    canonicalise,
    classify,
    info_hash,
    info_hash_of,
    magnet_key,
    routing_domain,
    short_link_target,
)

TWEET = "x.com:status/1729567890123456789"
X_KEYS = [
    ("https://x.com/OrelsanOfficiel/status/1729567890123456789", TWEET),
    ("https://twitter.com/orelsanofficiel/status/1729567890123456789?lang=en", TWEET),
    ("https://twitter.com/OrelsanOfficiel/statuses/1729567890123456789", TWEET),
    ("https://mobile.twitter.com/i/web/status/1729567890123456789", TWEET),
    ("https://twitter.com/i/status/1729567890123456789", TWEET),
    ("https://x.com/statuses/1729567890123456789", TWEET),
    ("https://x.com/someone_else/status/1729567890123456789/photo/1", TWEET),
    ("https://x.com/OrelsanOfficiel/status/1729567890123456789/video/1", TWEET),
    ("https://twitter.com/OrelsanOfficiel/status/1729567890123456789/analytics", TWEET),
    ("https://fxtwitter.com/OrelsanOfficiel/status/1729567890123456789", TWEET),
    ("https://vxtwitter.com/OrelsanOfficiel/status/1729567890123456789", TWEET),
    ("https://fixupx.com/OrelsanOfficiel/status/1729567890123456789", TWEET),
    ("https://platform.twitter.com/embed/Tweet.html?id=1729567890123456789", TWEET),
    ("https://x.com/OrelsanOfficiel", "x.com:user/orelsanofficiel"),
    ("https://twitter.com/orelsanofficiel/", "x.com:user/orelsanofficiel"),
]
X_NO_KEY = [
    "https://x.com/",
    "https://x.com/search?q=orelsan&src=typed_query",
    "https://x.com/explore",
    "https://x.com/OrelsanOfficiel/status/latest",
    "https://x.com/i/lists/1234567890",
    "https://x.com/hashtag/orelsan",
    "https://x.com/OrelsanOfficiel?lang=fr",  # a page with a query is compared by its URL
    "https://x.com/OrelsanOfficiel/media",
]

IG_POST = "instagram.com:post/C0xYz12AbCd"
INSTAGRAM_KEYS = [
    ("https://www.instagram.com/p/C0xYz12AbCd/", IG_POST),
    ("https://instagram.com/p/C0xYz12AbCd/?igsh=MTc4MmM1YmI2Ng==", IG_POST),
    ("https://www.instagram.com/reel/C0xYz12AbCd/?utm_source=ig_web_copy_link", IG_POST),
    ("https://www.instagram.com/reels/C0xYz12AbCd/", IG_POST),
    ("https://www.instagram.com/tv/C0xYz12AbCd/", IG_POST),
    ("https://www.instagram.com/angele_vl/p/C0xYz12AbCd/", IG_POST),
    ("https://www.instagram.com/angele_vl/reel/C0xYz12AbCd/", IG_POST),
    ("https://www.instagram.com/p/C0xYz12AbCd/embed/captioned/", IG_POST),
    ("https://instagr.am/p/C0xYz12AbCd/", IG_POST),
    ("https://www.instagram.com/stories/angele_vl/3256789012345678901/", "instagram.com:story/3256789012345678901"),
    ("https://www.instagram.com/stories/highlights/17912345678901234/", "instagram.com:highlight/17912345678901234"),
    ("https://www.instagram.com/reels/audio/1234567890123456/", "instagram.com:audio/1234567890123456"),
    ("https://www.instagram.com/Angele_VL/", "instagram.com:user/angele_vl"),
]
INSTAGRAM_NO_KEY = [
    "https://www.instagram.com/",
    "https://www.instagram.com/explore/tags/angele/",
    "https://www.instagram.com/accounts/login/",
    "https://www.instagram.com/p/",
    "https://www.instagram.com/direct/inbox/",
]

TIKTOK_VIDEO = "tiktok.com:video/7301234567890123456"
TIKTOK_KEYS = [
    ("https://www.tiktok.com/@aya.nakamura/video/7301234567890123456", TIKTOK_VIDEO),
    ("https://www.tiktok.com/@AYA.NAKAMURA/video/7301234567890123456?is_from_webapp=1&sender_device=pc", TIKTOK_VIDEO),
    ("https://www.tiktok.com/@someone/video/7301234567890123456?lang=fr", TIKTOK_VIDEO),
    ("https://m.tiktok.com/v/7301234567890123456.html", TIKTOK_VIDEO),
    ("https://www.tiktok.com/embed/v2/7301234567890123456", TIKTOK_VIDEO),
    ("https://www.tiktok.com/embed/7301234567890123456", TIKTOK_VIDEO),
    ("https://www.tiktok.com/player/v1/7301234567890123456", TIKTOK_VIDEO),
    ("https://www.tiktok.com/share/video/7301234567890123456", TIKTOK_VIDEO),
    ("https://www.tiktok.com/@aya.nakamura/photo/7301234567890123456", TIKTOK_VIDEO),
    ("https://www.tiktok.com/music/Djadja-6789012345678901234", "tiktok.com:sound/6789012345678901234"),
    ("https://www.tiktok.com/@Aya.Nakamura", "tiktok.com:user/aya.nakamura"),
]
TIKTOK_NO_KEY = [
    "https://vm.tiktok.com/ZMjAbC123/",  # short links: what they point to needs a fetch
    "https://vt.tiktok.com/ZSjAbC123/",
    "https://www.tiktok.com/t/ZTRabc123/",
    "https://www.tiktok.com/@aya.nakamura/video/",
    "https://www.tiktok.com/discover/aya-nakamura",
    "https://www.tiktok.com/@",
]

FB_POST = "facebook.com:post/10158912345678901"
FB_VIDEO = "facebook.com:video/1234567890123456"
FACEBOOK_KEYS = [
    ("https://www.facebook.com/JulEtLesFans/posts/10158912345678901", FB_POST),
    ("https://m.facebook.com/story.php?story_fbid=10158912345678901&id=100044123456789", FB_POST),
    ("https://www.facebook.com/permalink.php?story_fbid=10158912345678901&id=100044123456789", FB_POST),
    ("https://www.facebook.com/100044123456789/posts/10158912345678901/?mibextid=cr9u03", FB_POST),
    ("https://www.facebook.com/groups/123456789012345/posts/10158912345678901/", FB_POST),
    ("https://www.facebook.com/groups/rapfr/permalink/10158912345678901/", FB_POST),
    (
        "https://www.facebook.com/JulEtLesFans/posts/pfbid02Xyz9AbCdEfGh1234567",
        "facebook.com:post/pfbid02Xyz9AbCdEfGh1234567",
    ),
    ("https://www.facebook.com/watch/?v=1234567890123456", FB_VIDEO),
    ("https://www.facebook.com/watch?v=1234567890123456&ref=sharing", FB_VIDEO),
    ("https://www.facebook.com/watch/live/?v=1234567890123456", FB_VIDEO),
    ("https://www.facebook.com/JulEtLesFans/videos/1234567890123456/", FB_VIDEO),
    ("https://www.facebook.com/JulEtLesFans/videos/clip-officiel/1234567890123456/", FB_VIDEO),
    ("https://www.facebook.com/JulEtLesFans/videos/vb.100044123456789/1234567890123456/", FB_VIDEO),
    ("https://www.facebook.com/video.php?v=1234567890123456", FB_VIDEO),
    ("https://www.facebook.com/reel/1234567890123456", FB_VIDEO),
    ("https://mbasic.facebook.com/reel/1234567890123456/?s=fb_shorts_profile", FB_VIDEO),
    ("https://www.facebook.com/photo.php?fbid=987654321098765", "facebook.com:photo/987654321098765"),
    ("https://www.facebook.com/photo/?fbid=987654321098765&set=a.123", "facebook.com:photo/987654321098765"),
    ("https://www.facebook.com/JulEtLesFans/photos/a.123456/987654321098765/", "facebook.com:photo/987654321098765"),
]
FACEBOOK_NO_KEY = [
    "https://www.facebook.com/JulEtLesFans",
    "https://www.facebook.com/share/v/1AbCdEfGh/",  # a share link: a short link
    "https://www.facebook.com/watch/",
    "https://www.facebook.com/JulEtLesFans/videos/",
    "https://www.facebook.com/groups/rapfr/",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.org%2F",
]

YT = "youtube.com:video/dQw4w9WgXcQ"
VIDEO_KEYS = [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", YT),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share", YT),
    ("https://youtu.be/dQw4w9WgXcQ?si=AbCdEf", YT),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", YT),
    ("https://www.youtube.com/embed/dQw4w9WgXcQ?start=10", YT),
    ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", YT),
    ("https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RDAMVM", YT),
    ("https://www.youtube.com/live/dQw4w9WgXcQ", YT),
    ("https://vimeo.com/76979871", "vimeo.com:video/76979871"),
    ("https://player.vimeo.com/video/76979871?h=8272103f6e", "vimeo.com:video/76979871"),
    ("https://vimeo.com/76979871/8272103f6e", "vimeo.com:video/76979871"),
    ("https://vimeo.com/channels/staffpicks/76979871", "vimeo.com:video/76979871"),
    ("https://vimeo.com/groups/musicvideo/videos/76979871", "vimeo.com:video/76979871"),
    ("https://www.dailymotion.com/video/x8p1abc", "dailymotion.com:video/x8p1abc"),
    ("https://dai.ly/x8p1abc", "dailymotion.com:video/x8p1abc"),
    ("https://www.dailymotion.com/embed/video/x8p1abc", "dailymotion.com:video/x8p1abc"),
    ("https://www.dailymotion.com/video/x8p1abc_clip-officiel_music", "dailymotion.com:video/x8p1abc"),
    ("https://www.reddit.com/r/musicfr/comments/1abc2de/nouvel_album_en_flac/", "reddit.com:post/1abc2de"),
    ("https://old.reddit.com/r/musicfr/comments/1abc2de/", "reddit.com:post/1abc2de"),
    ("https://redd.it/1abc2de", "reddit.com:post/1abc2de"),
    ("https://www.reddit.com/comments/1abc2de", "reddit.com:post/1abc2de"),
    ("https://www.reddit.com/r/musicfr/comments/1abc2de/nouvel_album/kq1x2yz/", "reddit.com:comment/kq1x2yz"),
    ("https://www.reddit.com/r/musicfr/comments/1abc2de/comment/kq1x2yz/", "reddit.com:comment/kq1x2yz"),
]
VIDEO_NO_KEY = [
    "https://www.youtube.com/playlist?list=PL1234567890",
    "https://www.youtube.com/@angele",
    "https://www.youtube.com/watch?v=short",
    "https://vimeo.com/showcase/1234567",
    "https://www.dailymotion.com/angele",
    "https://www.reddit.com/r/musicfr/",
    "https://www.reddit.com/r/musicfr/s/AbC123xyz",
]

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
TORRENT_KEYS = [
    (f"https://btdig.com/{HASH}/angele-nonante-cinq-flac", f"btdig.com:btih/{HASH}"),
    (f"https://btdig.com/{HASH.upper()}", f"btdig.com:btih/{HASH}"),
    (f"https://itorrents.org/torrent/{HASH.upper()}.torrent", f"itorrents.org:btih/{HASH}"),
    (f"https://yts.mx/torrent/download/{HASH.upper()}", f"yts.mx:btih/{HASH}"),
    (f"https://bt4gprx.com/magnet/{HASH}", f"bt4gprx.com:btih/{HASH}"),
    (f"https://torrentz2.eu/{HASH}", f"torrentz2.eu:btih/{HASH}"),
    (f"https://links.example.net/go?url=magnet%3A%3Fxt%3Durn%3Abtih%3A{HASH.upper()}", f"example.net:btih/{HASH}"),
    (f"https://dl.example.org/get.php?xt=urn:btih:{HASH}&dn=album", f"example.org:btih/{HASH}"),
    ("https://thepiratebay.org/description.php?id=71234567", "thepiratebay.org:torrent/71234567"),
    ("https://thepiratebay.org/torrent/71234567/Angele_-_Nonante-Cinq_FLAC", "thepiratebay.org:torrent/71234567"),
    ("https://1337x.to/torrent/5512345/Angele-Nonante-Cinq-2021-FLAC/", "1337x.to:torrent/5512345"),
    ("https://1337x.to/torrent/5512345/another-slug/", "1337x.to:torrent/5512345"),
    ("https://nyaa.si/view/1712345", "nyaa.si:torrent/1712345"),
    ("https://nyaa.si/download/1712345.torrent", "nyaa.si:torrent/1712345"),
    ("https://rutracker.org/forum/viewtopic.php?t=6291234", "rutracker.org:torrent/6291234"),
    ("https://rutracker.org/forum/dl.php?t=6291234", "rutracker.org:torrent/6291234"),
]
TORRENT_NO_KEY = [
    "https://btdig.com/search?q=angele",
    "https://1337x.to/search/angele/1/",
    "https://thepiratebay.org/search.php?q=angele",
    "https://rutracker.org/forum/index.php",
    # A 40-hex segment elsewhere is a commit, not a torrent.
    f"https://github.com/example/repo/commit/{HASH}",
]

FILE_KEYS = [
    ("https://ul.to/x1y2z3a4", "uploaded.net:x1y2z3a4"),
    ("https://uploaded.net/file/x1y2z3a4/Angele-Nonante-Cinq.rar", "uploaded.net:x1y2z3a4"),
    ("https://rg.to/file/0a1b2c3d4e5f/Angele.rar.html", "rapidgator.net:0a1b2c3d4e5f"),
    ("https://mega.nz/file/AbC123xY#k3yK3yK3y", "mega.nz:AbC123xY"),
    ("https://www.mediafire.com/file/abc123def/album.zip/file", "mediafire.com:abc123def"),
]

ALL_KEYS = X_KEYS + INSTAGRAM_KEYS + TIKTOK_KEYS + FACEBOOK_KEYS + VIDEO_KEYS + TORRENT_KEYS + FILE_KEYS
ALL_NO_KEY = X_NO_KEY + INSTAGRAM_NO_KEY + TIKTOK_NO_KEY + FACEBOOK_NO_KEY + VIDEO_NO_KEY + TORRENT_NO_KEY


@pytest.mark.parametrize(("url", "key"), ALL_KEYS)
def test_rule_reads_the_content_key(url: str, key: str) -> None:
    assert canonicalise(url).content_key == key


@pytest.mark.parametrize("url", ALL_NO_KEY)
def test_rule_leaves_other_pages_to_their_url(url: str) -> None:
    result = canonicalise(url)
    assert result.content_key is None
    assert ":" not in result.identity_key.partition("/")[0]  # the URL form: host[/path…]


@pytest.mark.parametrize(("url", "key"), ALL_KEYS)
def test_the_content_key_is_the_identity_key(url: str, key: str) -> None:
    assert canonicalise(url).identity_key == key


def test_only_file_hosts_have_a_file_key() -> None:
    assert canonicalise("https://ul.to/x1y2z3a4").file_key == "uploaded.net:x1y2z3a4"
    assert canonicalise("https://x.com/a/status/1729567890123456789").file_key is None
    assert canonicalise(f"https://btdig.com/{HASH}").file_key is None


def test_ids_that_differ_stay_apart() -> None:
    pairs = [
        ("https://x.com/a/status/1729567890123456789", "https://x.com/a/status/1729567890123456780"),
        ("https://www.instagram.com/p/C0xYz12AbCd/", "https://www.instagram.com/p/C0xYz12abcd/"),  # case matters
        ("https://www.tiktok.com/@a/video/7301234567890123456", "https://www.tiktok.com/@a/video/7301234567890123457"),
        ("https://www.facebook.com/reel/1234567890123456", "https://www.facebook.com/photo.php?fbid=1234567890123456"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcq"),
        ("https://x.com/angele_vl", "https://www.instagram.com/angele_vl/"),
        (f"https://btdig.com/{HASH}", f"https://itorrents.org/torrent/{HASH}.torrent"),  # two indexes, two notices
        ("https://1337x.to/torrent/5512345/a/", "https://1337x.st/torrent/5512345/a/"),
    ]
    for left, right in pairs:
        assert canonicalise(left).identity_key != canonicalise(right).identity_key, (left, right)


def test_the_cited_url_keeps_what_was_reported() -> None:
    # Aliases and mirrors share a key; the URL a notice cites stays the member's.
    for url in (
        "https://ul.to/x1y2z3a4",
        "https://rg.to/file/0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d/Angele.rar.html",
        "https://mobile.twitter.com/i/web/status/1729567890123456789",
        "https://fxtwitter.com/OrelsanOfficiel/status/1729567890123456789",
        "https://m.tiktok.com/v/7301234567890123456.html",
        "https://www.facebook.com/reel/1234567890123456",
    ):
        assert canonicalise(url).url == url


def test_routing_follows_an_alias_the_registry_does_not_list() -> None:
    registry = Registry(
        [
            PlatformRule("uploaded", "Uploaded", "file_host", domains=(("uploaded.net", None),)),
            PlatformRule("rapidgator", "Rapidgator", "file_host", domains=(("rapidgator.net", None),)),
            PlatformRule("rg-desk", "rg.to desk", "file_host", domains=(("rg.to", None),)),
        ]
    )
    alias = classify("https://ul.to/x1y2z3a4", registry)
    assert alias.platform is not None and alias.platform.platform_id == "uploaded"
    assert alias.url.url == "https://ul.to/x1y2z3a4"
    assert alias.remove_recipient is not None and alias.remove_recipient.domain == "ul.to"
    # A registry row for the alias itself wins over the alias's platform.
    own = classify("https://rg.to/file/0a1b2c3d/a.rar.html", registry)
    assert own.platform is not None and own.platform.platform_id == "rg-desk"


def test_routing_domain() -> None:
    assert routing_domain("ul.to", "ul.to") == "uploaded.net"
    assert routing_domain("www.fxtwitter.com", "fxtwitter.com") == "x.com"
    assert routing_domain("uploaded.net", "uploaded.net") is None
    assert routing_domain("btdig.com", "btdig.com") is None  # an index is its own platform
    assert routing_domain("example.org", "example.org") is None


def test_magnet_hex_and_base32_forms_are_one_torrent() -> None:
    base32 = base64.b32encode(bytes.fromhex(HASH)).decode("ascii")
    assert len(base32) == 32
    forms = [
        f"magnet:?xt=urn:btih:{HASH}&dn=Angele+-+Nonante-Cinq",
        f"magnet:?xt=urn:btih:{HASH.upper()}&tr=udp%3A%2F%2Ftracker.example.org%3A1337",
        f"magnet:?dn=album&xt=urn:btih:{base32}",
        f"magnet:?xt=urn:btih:{base32.lower()}",
        f"MAGNET:?xt=urn%3Abtih%3A{HASH}",
    ]
    assert {magnet_key(form) for form in forms} == {f"magnet:btih/{HASH}"}


def test_a_known_base32_info_hash() -> None:
    # RFC 4648 base32 of the 20 bytes 0x00..0x13: checked against the standard library's decoder.
    assert info_hash("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT") == bytes(range(20)).hex()


@pytest.mark.parametrize(
    "text",
    [
        "magnet:?xt=urn:btih:nothex0000000000000000000000000000000000",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a8",  # 38 digits
        "magnet:?dn=no-hash",
        f"https://example.org/?xt=urn:btih:{HASH}",  # not a magnet link
        "",
        None,
    ],
)
def test_no_magnet_key_without_a_v1_info_hash(text: str | None) -> None:
    assert magnet_key(text) is None


def test_a_torrent_on_two_sites_shares_its_info_hash() -> None:
    keys = [
        canonicalise(f"https://btdig.com/{HASH}").content_key,
        canonicalise(f"https://yts.mx/torrent/download/{HASH.upper()}").content_key,
        magnet_key(f"magnet:?xt=urn:btih:{HASH}"),
    ]
    assert len(set(keys)) == 3
    assert {info_hash_of(key or "") for key in keys} == {HASH}
    assert info_hash_of("thepiratebay.org:torrent/71234567") is None


def test_every_file_host_is_in_the_identity_table() -> None:
    for host, (prefix, _extractor) in FILE_HOSTS.items():
        rule = CONTENT_HOSTS[host]
        assert rule.file_host
        assert rule.namespace == prefix


_RULE_HOSTS = [*sorted(CONTENT_HOSTS), "mobile.twitter.com", "m.tiktok.com", "vm.tiktok.com", "m.facebook.com"]
_SEGMENT = st.one_of(
    st.sampled_from(["", "status", "statuses", "i", "web", "p", "reel", "reels", "audio", "stories", "video", "v"]),
    st.sampled_from(["@user", "posts", "videos", "photos", "a.1", "groups", "comments", "r", "torrent", "file"]),
    st.sampled_from(["1729567890123456789", "C0xYz12AbCd", HASH, "x8p1abc", "123.html", "Tweet.html", "embed"]),
    st.text(alphabet="abcXYZ019-_.@%'", max_size=12),
)
_QUERY = st.sampled_from(["", "v=123", "story_fbid=1&id=2", "fbid=9", f"xt=urn:btih:{HASH}", "t=5", "id=", "v"])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_RULE_HOSTS), st.lists(_SEGMENT, max_size=6), _QUERY)
def test_a_rule_never_fails_and_keys_under_its_namespace(host: str, segments: list[str], query: str) -> None:
    url = f"https://{host}/{'/'.join(segments)}" + (f"?{query}" if query else "")
    try:
        result = canonicalise(url)
    except LinkError:
        return
    if result.content_key is not None:
        namespace, _, content = result.content_key.partition(":")
        assert namespace and content
        assert result.identity_key == result.content_key
        assert canonicalise(result.url).content_key == result.content_key


@pytest.mark.parametrize(
    ("chain", "target"),
    [
        (["https://t.co/abc", "https://pirate.example/song"], "https://pirate.example/song"),
        (
            ["https://bit.ly/x", "https://t.co/y", "http://pirate.example/a", "https://pirate.example/a"],
            "http://pirate.example/a",
        ),
        (
            ["https://bit.ly/x", "https://www.tiktok.com/t/ZT8abc/", "https://www.tiktok.com/@a/video/1"],
            "https://www.tiktok.com/@a/video/1",
        ),
        (["https://bit.ly/x", "https://tinyurl.com/y"], None),
        (["https://bit.ly/x"], None),
        (["https://bit.ly/x", "ftp://pirate.example/a"], None),
    ],
)
def test_a_short_links_target_is_the_first_address_that_is_not_a_short_link(
    chain: list[str], target: str | None
) -> None:
    assert short_link_target(chain) == target
