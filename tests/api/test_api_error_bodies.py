"""Every 404 and 405 under /api/v1/ carries the API's error body (core.middleware)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import API, ApiUser, error_code

pytestmark = pytest.mark.django_db


def test_an_unknown_endpoint_is_a_json_404(alice: ApiUser) -> None:
    response = alice.get("/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error_code(response) == "not_found"
    assert "/api/v1/docs" in response.json()["error"]["message"]


def test_a_post_to_an_unknown_endpoint_is_a_json_404_not_a_csrf_page(alice: ApiUser) -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/works/1/nowhere", {"urls": []}, content_type="application/json", headers=alice.headers()
    )
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_another_method_on_a_known_path_is_a_json_405_with_allow(alice: ApiUser) -> None:
    response = alice.client.delete(f"{API}/works", headers=alice.headers())
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert error_code(response) == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert "GET" in response.json()["error"]["message"]


def test_the_messages_follow_the_request_language(alice: ApiUser) -> None:
    french = alice.client.get(f"{API}/nowhere", headers={**alice.headers(), "Accept-Language": "fr"})
    english = alice.client.get(f"{API}/nowhere", headers={**alice.headers(), "Accept-Language": "en"})
    assert french.json()["error"]["message"].startswith("Aucun point d'accès")
    assert english.json()["error"]["message"].startswith("No such endpoint")


def test_the_api_s_own_404_is_left_as_it_is(alice: ApiUser) -> None:
    response = alice.get("/links/999999")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert "/api/v1/docs" not in response.json()["error"]["message"]


def test_pages_outside_the_api_keep_their_html_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
