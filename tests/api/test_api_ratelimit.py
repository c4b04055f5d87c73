"""Rate limit per token: SENTINELLE_API_RATE_LIMIT requests a minute, then 429 with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from sentinelle.members.services import create_api_token
from tests.api.conftest import API, ApiUser, error_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_limit(settings: Any) -> int:
    settings.SENTINELLE_API_RATE_LIMIT = 3
    return 3


def test_the_call_after_the_limit_is_429_with_retry_after(alice: ApiUser, low_limit: int) -> None:
    for _ in range(low_limit):
        assert alice.get("/works").status_code == 200
    response = alice.get("/links")
    assert response.status_code == 429
    assert error_code(response) == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 61


def test_the_limit_is_per_token(alice: ApiUser, low_limit: int) -> None:
    for _ in range(low_limit):
        alice.get("/works")
    assert alice.get("/works").status_code == 429
    _row, other_token = create_api_token(alice.member.user, "second key")
    response = Client().get(f"{API}/works", headers={"Authorization": f"Bearer {other_token}"})
    assert response.status_code == 200


def test_unauthenticated_calls_do_not_spend_a_tokens_allowance(alice: ApiUser, low_limit: int) -> None:
    for _ in range(10):
        assert Client().get(f"{API}/works", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert alice.get("/works").status_code == 200


def test_the_count_starts_again_in_the_next_window(alice: ApiUser, low_limit: int) -> None:
    with time_machine.travel(1_000_000_000, tick=False) as clock:
        for _ in range(low_limit):
            assert alice.get("/works").status_code == 200
        refused = alice.get("/works")
        assert refused.status_code == 429
        clock.shift(int(refused["Retry-After"]))
        assert alice.get("/works").status_code == 200
