"""Hostile or clumsy input: a clear 4xx or a verdict per line, never a 500, nothing half-saved."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from sentinelle.takedowns.models import DailyQuotaUsage, LinkEvent, LinkStatus, ReportedLink, TakedownRequest
from tests.api.conftest import API, ApiUser, error_code

pytestmark = pytest.mark.django_db


def nothing_saved() -> bool:
    return not (
        TakedownRequest.objects.exists()
        or ReportedLink.objects.exists()
        or LinkEvent.objects.exists()
        or DailyQuotaUsage.objects.filter(accepted__gt=0).exists()
    )


def test_a_megabyte_of_text_is_413_and_saves_nothing(alice: ApiUser) -> None:
    text = ("https://mega.nz/file/BIG#k " + "x" * 200 + "\n") * 5000
    assert len(text.encode()) > 1_048_576
    response = alice.submit(text)
    assert response.status_code == 413
    assert error_code(response) == "too_large"
    assert nothing_saved()


def test_a_body_over_django_s_upload_limit_is_413(alice: ApiUser, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = alice.submit("https://mega.nz/file/A#k\n" * 1000)
    assert response.status_code == 413
    assert error_code(response) == "too_large"
    assert nothing_saved()


def test_ten_thousand_lines_are_413_and_save_nothing(alice: ApiUser) -> None:
    text = "\n".join(f"https://pirate.example.net/{i}" for i in range(10_000))
    response = alice.submit(text)
    assert response.status_code == 413
    assert error_code(response) == "too_many_lines"
    assert "10000" in response.json()["error"]["message"].replace("\u202f", "").replace(",", "").replace(" ", "")
    assert nothing_saved()


def test_ten_thousand_urls_as_a_list_are_413(alice: ApiUser) -> None:
    urls = [f"https://pirate.example.net/{i}" for i in range(10_000)]
    response = alice.post(f"/works/{alice.work.pk}/links", {"urls": urls, "actions": ["remove"]})
    assert response.status_code == 413
    assert error_code(response) == "too_many_lines"
    assert nothing_saved()


def test_text_with_nul_bytes_is_refused_as_binary(alice: ApiUser) -> None:
    response = alice.submit("https://mega.nz/file/A#k\n\x00\x01\x02PK\x03\x04")
    assert response.status_code == 400
    assert error_code(response) == "binary"
    assert nothing_saved()


def test_random_binary_junk_as_text_gets_verdicts_or_a_clear_refusal(alice: ApiUser) -> None:
    junk = os.urandom(4096).decode("latin-1")
    response = alice.submit(junk)
    assert response.status_code in (200, 201, 400), response.content[:500]
    if response.status_code == 400:
        assert error_code(response) in {"binary", "empty"}
        assert nothing_saved()
    else:
        assert response.json()["verdicts"]


def test_a_binary_body_is_400(alice: ApiUser) -> None:
    response = Client().post(
        f"{API}/works/{alice.work.pk}/links",
        os.urandom(2048),
        content_type="application/octet-stream",
        headers=alice.headers(),
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid_request"
    assert nothing_saved()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'"just a string"',
        b'{"text": "https://mega.nz/file/A#k"}',
        b'{"text": "https://mega.nz/file/A#k", "actions": []}',
        b'{"text": "https://mega.nz/file/A#k", "actions": ["burn"]}',
        b'{"text": "https://mega.nz/file/A#k", "actions": "remove"}',
        b'{"text": 42, "actions": ["remove"]}',
        b'{"actions": ["remove"]}',
        b'{"text": "https://a.example/1", "urls": ["https://a.example/2"], "actions": ["remove"]}',
        b'{"urls": ["https://a.example/1\\nhttps://a.example/2"], "actions": ["remove"]}',
        b'{"text": "https://mega.nz/file/\\ud800#k", "actions": ["remove"]}',
        b'{"urls": ["\\udfff"], "actions": ["remove"]}',
        b'{"text": "https://mega.nz/file/A#k", "actions": ["remove"], "action": "delist"}',
    ],
)
def test_malformed_bodies_are_400_invalid_request(alice: ApiUser, body: bytes) -> None:
    response = Client().post(
        f"{API}/works/{alice.work.pk}/links", body, content_type="application/json", headers=alice.headers()
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid_request"
    assert nothing_saved()


def test_validation_errors_say_which_field(alice: ApiUser) -> None:
    response = alice.post(f"/works/{alice.work.pk}/links", {"text": "x", "actions": ["burn"]})
    details = response.json()["error"]["details"]
    assert any(d["loc"][:2] == ["body", "payload"] and "actions" in d["loc"] for d in details), details


def test_blank_text_is_400_empty(alice: ApiUser) -> None:
    response = alice.submit("   \n\n  ")
    assert response.status_code == 400
    assert error_code(response) == "empty"
    assert nothing_saved()


def test_a_100_kb_url_is_a_refused_line_not_an_error(alice: ApiUser) -> None:
    long_url = "https://pirate.example.net/" + "a" * 100_000
    response = alice.submit(f"{long_url}\nhttps://mega.nz/file/OK1#k")
    assert response.status_code == 201
    first, second = response.json()["verdicts"]
    assert (first["outcome"], first["reason"]) == ("refused", "not_a_url")
    assert len(first["text"]) <= 2000
    assert second["outcome"] == "accepted"
    assert ReportedLink.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "real_platform"),
    [
        ("https://www.y\u043eutube.com/watch?v=dQw4w9WgXcQ", "YouTube"),  # Cyrillic o
        ("https://m\u0435ga.nz/file/LOOK1#k", "MEGA"),  # Cyrillic e
        ("https://xn--mga-rdd.nz/file/LOOK2#k", "MEGA"),  # the same, already in punycode
    ],
)
def test_unicode_look_alike_hosts_are_not_taken_for_the_real_platform(
    alice: ApiUser, url: str, real_platform: str
) -> None:
    response = alice.submit(url)
    assert response.status_code in (200, 201)
    (verdict,) = response.json()["verdicts"]
    assert verdict["platform"] != real_platform
    assert verdict["reason"] != "licensed_platform"
    if verdict["outcome"] == "accepted":
        assert verdict["url"].startswith("https://") and "xn--" in verdict["url"]
        link = ReportedLink.objects.get(pk=verdict["link_ids"][0])
        assert link.platform is None and link.status == LinkStatus.ACCEPTED


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"offset": 25},
        {"cursor": "not a cursor"},
        {"cursor": "Zm9v"},
        {"cursor": "x" * 101},
        {"status": "bogus"},
        {"date_from": "yesterday"},
        {"date_to": "2024-02-30"},
        {"work": 0},
        {"work": "x"},
        {"work": 10**30},
        {"platform": "a\x00b"},
        {"platform": "p" * 300},
        {"stauts": "removed"},
    ],
)
def test_bad_history_filters_are_400_invalid_request(alice: ApiUser, params: dict[str, Any]) -> None:
    response = alice.get("/links", params)
    assert response.status_code == 400
    assert error_code(response) == "invalid_request"


@pytest.mark.parametrize(
    "params", [{"q": "x" * 201}, {"q": "a\x00"}, {"limit": -5}, {"offset": "z"}, {"query": "misspelt"}]
)
def test_bad_work_searches_are_400_invalid_request(alice: ApiUser, params: dict[str, Any]) -> None:
    response = alice.get("/works", params)
    assert response.status_code == 400
    assert error_code(response) == "invalid_request"


@pytest.mark.parametrize("link_id", ["0", "-1", str(10**30), "abc"])
def test_odd_link_ids_are_a_clear_4xx(alice: ApiUser, link_id: str) -> None:
    response = alice.get(f"/links/{link_id}")
    assert response.status_code in (400, 404)
    assert error_code(response) in ("invalid_request", "not_found")
