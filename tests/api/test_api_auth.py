"""Who may call what: 401 without a live token, 404 (never 403) for another member's things."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sentinelle.members.models import ApiToken
from sentinelle.members.services import create_api_token, revoke_api_token
from sentinelle.takedowns.models import ReportedLink
from tests.api.conftest import API, ApiUser, error_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/works", None),
    ("get", "/links", None),
    ("get", "/links/1", None),
    ("post", "/works/1/links", {"text": "https://mega.nz/file/A#k", "actions": ["remove"]}),
]


def call(method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    client = Client()
    if method == "post":
        return client.post(f"{API}{path}", body, content_type="application/json", headers=headers)
    return client.get(f"{API}{path}", headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer garbage"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer snt_00000000_" + "A" * 43},
    ],
    ids=["none", "empty", "garbage", "basic", "unknown"],
)
def test_calls_without_a_live_token_are_401(
    alice: ApiUser, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    response = call(method, path, body, headers)
    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ReportedLink.objects.exists()


def test_a_revoked_token_is_401(alice: ApiUser) -> None:
    assert alice.get("/works").status_code == 200
    token = ApiToken.objects.get(user=alice.member.user)
    revoke_api_token(alice.member.user, token.pk)
    response = alice.get("/works")
    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"


def test_the_scheme_is_case_insensitive(alice: ApiUser) -> None:
    response = Client().get(f"{API}/works", headers={"Authorization": f"bearer {alice.token}"})
    assert response.status_code == 200


def test_a_token_of_an_account_without_member_profile_is_403(registry_platforms: Any) -> None:
    staff = UserFactory(is_staff=True)
    _row, token = create_api_token(staff, "staff")
    response = Client().get(f"{API}/works", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert error_code(response) == "not_a_member"


def test_the_schema_and_docs_are_public(client: Client) -> None:
    schema = client.get(f"{API}/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Sentinelle API"
    assert "/api/v1/works/{work_id}/links" in schema.json()["paths"]
    assert client.get(f"{API}/docs").status_code == 200


# --- own works and links only -------------------------------------------------------------------


def test_my_works_list_only_mine(alice: ApiUser, bob: ApiUser) -> None:
    ids = [w["id"] for w in alice.get("/works").json()["items"]]
    assert ids == [alice.work.pk]
    assert bob.work.pk not in ids


def test_reporting_for_another_members_work_is_404_and_saves_nothing(alice: ApiUser, bob: ApiUser) -> None:
    response = bob.submit("https://mega.nz/file/ALICE1#k", work_id=alice.work.pk)
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert not ReportedLink.objects.exists()


def test_a_work_that_does_not_exist_is_the_same_404(alice: ApiUser, bob: ApiUser) -> None:
    other = bob.submit("https://mega.nz/file/X#k", work_id=alice.work.pk)
    missing = bob.submit("https://mega.nz/file/X#k", work_id=10**9)
    huge = bob.submit("https://mega.nz/file/X#k", work_id=10**30)
    assert other.status_code == missing.status_code == huge.status_code == 404
    assert other.json() == missing.json() == huge.json()


def test_another_members_link_and_its_timeline_are_404(alice: ApiUser, bob: ApiUser) -> None:
    created = alice.submit("https://mega.nz/file/ALICE2#k").json()
    link_id = created["verdicts"][0]["link_ids"][0]
    assert alice.get(f"/links/{link_id}").status_code == 200
    response = bob.get(f"/links/{link_id}")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert "events" not in response.json()
    assert bob.get(f"/links/{10**30}").status_code == 404


def test_another_members_links_are_not_listed_even_when_filtered_by_their_work(alice: ApiUser, bob: ApiUser) -> None:
    alice.submit("https://mega.nz/file/ALICE3#k")
    assert alice.get("/links").json()["count"] == 1
    assert bob.get("/links").json() == {
        "count": 0,
        "count_more_than": None,
        "limit": 25,
        "next_cursor": None,
        "previous_cursor": None,
        "items": [],
    }
    assert bob.get("/links", {"work": alice.work.pk}).json()["count"] == 0
