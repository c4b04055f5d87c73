"""Finding URLs in what members paste."""

from __future__ import annotations

import time

from sentinelle.linkkit import URLTooLong, canonicalise, extract_lines, extract_urls
from sentinelle.linkkit.extract import MAX_ECHO_CHARS, MAX_LINES


def test_one_url_per_line_keeps_order_and_duplicates() -> None:
    text = "https://a.example/1\nhttps://b.example/2\n\nhttps://a.example/1\n"
    assert extract_urls(text) == ["https://a.example/1", "https://b.example/2", "https://a.example/1"]


def test_urls_inside_an_email_body() -> None:
    text = (
        "Bonjour,\n"
        "Please remove <https://pirate.example.org/album?id=3>, and also\n"
        '"http://other.example.net/x". The third one (https://third.example.com/a_(live)) too!\n'
        "See [this](https://md.example.org/page).\n"
        "Thanks.\n"
    )
    assert extract_urls(text) == [
        "https://pirate.example.org/album?id=3",
        "http://other.example.net/x",
        "https://third.example.com/a_(live)",
        "https://md.example.org/page",
    ]


def test_trailing_punctuation_is_stripped() -> None:
    for suffix in (".", ",", ";", ":", "!", "?", ")", '"', ">", "…", "».", ").", "”", "\uff0c", "。"):
        assert extract_urls(f"see https://example.org/a{suffix}") == ["https://example.org/a"]


def test_an_apostrophe_stays_in_the_url() -> None:
    # Issue 13: four such URLs were cut at the "'" and the stump was accepted as a link.
    text = "remove https://cdn.example.org/OK%20It's%20On%20Graphics/cover.png and https://example.org/rock'n'roll/"
    assert extract_urls(text) == [
        "https://cdn.example.org/OK%20It's%20On%20Graphics/cover.png",
        "https://example.org/rock'n'roll/",
    ]


def test_a_trailing_apostrophe_belongs_to_the_url_unless_a_quote_opened_it() -> None:
    assert extract_urls("the link https://example.org/players' is down") == ["https://example.org/players'"]
    assert extract_urls("the link 'https://example.org/It's' is down") == ["https://example.org/It's"]
    assert extract_urls("('https://example.org/a'), then") == ["https://example.org/a"]


def test_every_rfc_3986_character_stays_in_the_url() -> None:
    url = "https://example.org/a-b._~!$&'()*+,;=:@%20/c?d=e/f?g&h='i'#j"
    assert extract_urls(f"see {url} now") == [url]


def test_emphasis_marks_are_trimmed_only_when_they_open_the_url() -> None:
    assert extract_urls("**https://example.org/a**") == ["https://example.org/a"]
    assert extract_urls("~~https://example.org/a~~") == ["https://example.org/a"]
    assert extract_urls("see https://example.org/file_") == ["https://example.org/file_"]
    assert extract_urls("see https://example.org/a*") == ["https://example.org/a*"]


def test_a_url_ends_where_quotes_or_cjk_punctuation_close_the_text() -> None:
    assert extract_urls("«https://example.org/a»") == ["https://example.org/a"]
    assert extract_urls("“https://example.org/a”, then") == ["https://example.org/a"]
    # a Chinese sentence: full-width colon and comma, corner brackets
    assert extract_urls("链接\uff1ahttps://example.org/a\uff0c下一个「https://example.org/b」") == [
        "https://example.org/a",
        "https://example.org/b",
    ]
    assert extract_urls('<a href="https://example.org/a">x</a>') == ["https://example.org/a"]


def test_defanged_urls_are_restored() -> None:
    text = "hxxps://pirate[.]example[.]org/a\nhxxp://bad(.)example.net/b\nhttps[:]//x[.]example.com/c\nwww[.]leak.example.org/d"
    assert extract_urls(text) == [
        "https://pirate.example.org/a",
        "http://bad.example.net/b",
        "https://x.example.com/c",
        "www.leak.example.org/d",
    ]


def test_every_line_is_reported_with_its_number() -> None:
    text = "https://a.example/1\ngarbage here\n\nexample.org/page\nmagnet:?xt=urn:btih:abc\nthanks."
    lines = list(extract_lines(text))
    assert [(line.line_no, line.url) for line in lines] == [
        (1, "https://a.example/1"),
        (2, None),
        (4, "example.org/page"),
        (5, "magnet:?xt=urn:btih:abc"),  # returned so that canonicalise can say "unsupported scheme"
        (6, None),
    ]
    assert lines[1].text == "garbage here"


def test_two_urls_on_one_line_share_its_number() -> None:
    lines = list(extract_lines("https://a.example/1 https://b.example/2"))
    assert [(line.line_no, line.url) for line in lines] == [(1, "https://a.example/1"), (1, "https://b.example/2")]


def test_bare_words_with_a_dot_are_not_urls() -> None:
    assert extract_urls("file.xyzzy\nversion 1.2\nreadme.notatld") == []


def test_huge_inputs_are_capped_not_fatal() -> None:
    started = time.process_time()
    big_text = ("https://example.org/album/" + "x" * 80 + "\n") * 12_000  # ~1.3 MB, 12,000 lines
    lines = list(extract_lines(big_text))
    assert len(lines) <= MAX_LINES
    assert lines[-1].line_no <= MAX_LINES

    huge_url = "https://example.org/" + "a" * 100_000
    [line] = list(extract_lines("please remove " + huge_url))
    assert line.url == huge_url
    assert len(line.text) == MAX_ECHO_CHARS
    try:
        canonicalise(line.url)
    except URLTooLong:
        pass
    else:
        raise AssertionError("a 100 KB URL must be refused as too long")

    one_line = "x " * 500_000  # 1 MB without a URL on one line
    assert next(iter(extract_lines(one_line))).url is None
    # Generous bound: catches a quadratic regression, not a slow machine.
    assert time.process_time() - started < 30


def test_non_text_input_gives_nothing() -> None:
    assert extract_urls("") == []
    assert extract_urls(None) == []  # type: ignore[arg-type]
