"""The info-hash a torrent index's page shows (linkkit.torrentpage), on pages shaped like the real ones."""

from __future__ import annotations

import base64

import pytest

from sentinelle import linkkit

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
OTHER = "3f8f219568b8b229581dddd7bc5a5e889e906a9b"
BASE32 = base64.b32encode(bytes.fromhex(HASH)).decode()

PAGES = {
    # 1337x: a magnet button and the hash in an "infohash-box".
    "1337x": (
        f'<ul class="dropdown-menu"><li><a class="btn" href="magnet:?xt=urn:btih:{HASH.upper()}&amp;dn=Album'
        '&amp;tr=udp%3A%2F%2Fopen.stealth.si%3A80%2Fannounce">Magnet Download</a></li></ul>'
        f'<div class="infohash-box"><p><strong>Infohash :</strong> <span>{HASH.upper()}</span></p></div>'
    ),
    # Nyaa: the label and the hash in two cells, a magnet link beside the download.
    "nyaa": (
        '<div class="row"><div class="col-md-1">Info hash:</div>'
        f'<div class="col-md-5"><kbd>{HASH}</kbd></div></div>'
        f'<a href="magnet:?xt=urn:btih:{HASH}&amp;dn=%5BFLAC%5D"><i class="fa fa-magnet"></i></a>'
    ),
    # The old static Pirate Bay page: a definition list, a non-breaking space before the hash.
    "tpb": f"<dl><dt>Info Hash:</dt><dd>&nbsp;</dd>{HASH.upper()}</dl>",
    # A magnet link percent-encoded inside another link (a download button through a redirector).
    "encoded": f'<a href="/go?to=magnet%3A%3Fxt%3Durn%3Abtih%3A{HASH}%26dn%3Dalbum">Get</a>',
    # A magnet link in its base32 form (BEP 9).
    "base32": f'<a href="magnet:?xt=urn:btih:{BASE32}&dn=album">magnet</a>',
    # Rutracker: the hash only as the magnet link's title.
    "rutracker": f'<a href="magnet:?xt=urn:btih:{HASH.upper()}&tr=http%3A%2F%2Fbt.t-ru.org%2Fann" class="magnet-link">',
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_one_hash_a_torrent_page_shows_is_read(name: str) -> None:
    assert linkkit.page_info_hash(PAGES[name]) == HASH


def test_a_list_page_names_several_torrents_and_none_is_taken() -> None:
    listing = PAGES["1337x"] + PAGES["nyaa"].replace(HASH, OTHER)
    assert linkkit.page_info_hashes(listing) == {HASH, OTHER}
    assert linkkit.page_info_hash(listing) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<p>Please log in to see this torrent.</p>",
        f"<p>Uploaded by user {HASH}</p>",  # 40 hex digits without a label or a magnet link
        f"<p>Info hash: {HASH}0</p>",  # 41 digits: not a hash
        f'<a href="magnet:?xt=urn:btih:{HASH[:39]}">cut</a>',
        '<a href="magnet:?xt=urn:btmh:1220caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e">v2</a>',
    ],
    ids=["empty", "no-hash", "unlabelled-hex", "41-digits", "39-digits", "bittorrent-v2-only"],
)
def test_no_hash_is_guessed(text: str) -> None:
    assert linkkit.page_info_hash(text) is None


def test_only_numbered_pages_need_their_page_read() -> None:
    needs = {
        url: linkkit.shows_its_hash_only_on_the_page(linkkit.canonicalise(url).content_key or "")
        for url in (
            "https://1337x.to/torrent/5123456/Artist-Album-2024-FLAC/",
            "https://thepiratebay.org/description.php?id=71234567",
            "https://nyaa.si/view/1712345",
            f"https://btdig.com/{HASH}",
            "https://x.com/someone/status/1729567890123456789",
        )
    }
    assert list(needs.values()) == [True, True, True, False, False]
