"""The official Public Suffix List test vectors (checkPublicSuffix) against registrable_domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sentinelle.linkkit import public_suffix, registrable_domain

_VECTOR = re.compile(r"^checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);")


def _vectors(shared: Path) -> list[tuple[str | None, str | None]]:
    found = []
    for line in (shared / "psl" / "test_psl.txt").read_text(encoding="utf-8").splitlines():
        match = _VECTOR.match(line.strip())
        if match:
            arg, expected = (None if g == "null" else g.strip("'") for g in match.groups())
            found.append((arg, expected))
    return found


def test_every_official_vector_passes(shared_data: Path) -> None:
    vectors = _vectors(shared_data)
    assert len(vectors) >= 70  # the file has 82 live vectors; a parsing slip must not pass as green
    failures = [
        (arg, expected, registrable_domain(arg) if arg is not None else None)
        for arg, expected in vectors
        if (registrable_domain(arg) if arg is not None else None) != expected
    ]
    assert failures == []


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("x.blogspot.com", "x.blogspot.com"),  # private section: its own site
        ("a.b.x.blogspot.com", "x.blogspot.com"),
        ("blogspot.com", None),
        ("user.github.io", "user.github.io"),
        ("www.example.co.uk", "example.co.uk"),
        ("93.184.216.34", "93.184.216.34"),
        ("[2001:db8::1]", "[2001:db8::1]"),
        ("", None),
    ],
)
def test_private_suffixes_and_addresses(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


def test_public_suffix() -> None:
    assert public_suffix("a.b.example.co.uk") == "co.uk"
    assert public_suffix("x.blogspot.com") == "blogspot.com"
