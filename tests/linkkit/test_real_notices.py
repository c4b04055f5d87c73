"""URL extraction on real notices nobody here wrote (../shared/data/notices, see its SOURCES.md).

``HAND_COUNT`` was counted by reading each notice: every web address written with its scheme
(``http://github.com`` in the Naxos notice counts; redactions such as ``[private]`` and bare host
names inside a sentence, such as "y.qq.com ;moo.qq.com" in the QQ Music notice, do not: the
extractor only takes a bare host name when it is alone on its line). The notices are pasted
whole, as a member pasting an e-mail would.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import quote

import pytest

from sentinelle.linkkit import extract_urls

HAND_COUNT = {
    "2015-03-08-Naxos-Music-Library.md": 5,
    "2018-01-25-IFPI.md": 1,
    "2019-06-12-IFPI.md": 1,
    "2019-07-02-bmg.md": 3,
    "2020-10-23-RIAA.md": 21,
    "2020-11-16-RIAA-reversal.md": 5,
    "2021-04-13-RIAA-counternotice.md": 2,
    "2022-02-23-qqmusic.md": 11,
    "2023-11-29-ifpi.md": 4,
    "2024-08-02-prsformusic.md": 14,
}


def _notice(shared_data: Path, name: str) -> str:
    return (shared_data / "notices" / "github-dmca" / "notices" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "count"), HAND_COUNT.items())
def test_a_notice_yields_the_urls_counted_by_hand(shared_data: Path, name: str, count: int) -> None:
    assert len(extract_urls(_notice(shared_data, name))) == count


def test_a_url_in_parentheses_keeps_its_own_parentheses(shared_data: Path) -> None:
    assert extract_urls(_notice(shared_data, "2019-06-12-IFPI.md")) == [
        "https://raw.githubusercontent.com/itunesm4aplus/singles/master/01%20No%20Guidance%20(feat.%20Drake).m4a"
    ]


def test_bold_markdown_around_a_sentence_is_not_part_of_its_url(shared_data: Path) -> None:
    assert extract_urls(_notice(shared_data, "2019-07-02-bmg.md"))[-1] == (
        "https://help.github.com/articles/guide-to-submitting-a-dmca-takedown-notice/"
    )


def test_html_links_tables_and_sentence_ends(shared_data: Path) -> None:
    qq = extract_urls(_notice(shared_data, "2022-02-23-qqmusic.md"))
    assert "https://www.lumendatabase.org/topics/22" in qq  # <a href="…">
    assert qq[8] == "https://github.com/unlock-music"  # "…all forks of https://github.com/unlock-music."
    ifpi = extract_urls(_notice(shared_data, "2023-11-29-ifpi.md"))
    assert ifpi[-1] == "https://mp3playpro.com/New%20Release/English/First-Person-Shooter-Drake.html"  # after a tab


def _compiled_rows(shared_data: Path, name: str) -> list[dict[str, str]]:
    raw = (shared_data / "notices" / "github-dmca" / "compiled-data" / name).read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def _published_url(row: dict[str, str], encode: bool) -> str:
    """Where GitHub publishes a notice of the compiled list: github/dmca ``YYYY/MM/<file>``."""
    name = quote(row["Filename"], safe="/'&+()!*,;=:@$~") if encode else row["Filename"].replace(" ", "%20")
    return f"https://github.com/github/dmca/blob/master/{row['Year']}/{row['Month']}/{name}"


@pytest.mark.parametrize("encode", [True, False], ids=["percent-encoded", "as-displayed"])
def test_every_notice_address_of_a_year_comes_out_whole(shared_data: Path, encode: bool) -> None:
    # 2020's list holds "2020-04-17-L'Oréal.md", "Simon&Schuster", "Shop++", "汇智e站": the
    # apostrophe used to cut the URL to ".../2020-04-17-L", a stump accepted as a link.
    urls = [_published_url(row, encode) for row in _compiled_rows(shared_data, "2020-COMPILED-DATA.csv")]
    assert len(urls) == 2136
    assert any("L'Or" in url for url in urls)
    assert extract_urls("Notices published this year: " + ", ".join(urls) + ".") == urls
    assert extract_urls("\n".join(urls)) == urls
