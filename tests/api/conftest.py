from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member
from sentinelle.members.services import create_api_token
from sentinelle.platforms.models import Platform
from tests.factories import InterestFactory

API = "/api/v1"


@dataclass
class ApiUser:
    member: Member
    work: Work
    token: str
    client: Client

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"{API}{path}", data or {}, headers=self.headers())

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"{API}{path}", body, content_type="application/json", headers=self.headers())

    def submit(self, text: str, actions: list[str] | None = None, work_id: int | None = None) -> Any:
        return self.post(f"/works/{work_id or self.work.pk}/links", {"text": text, "actions": actions or ["remove"]})


def make_api_user() -> ApiUser:
    interest = InterestFactory()
    _row, token = create_api_token(interest.member.user, "tests")
    return ApiUser(member=interest.member, work=interest.work, token=token, client=Client())


@pytest.fixture
def alice(registry_platforms: dict[str, Platform]) -> ApiUser:
    return make_api_user()


@pytest.fixture
def bob(registry_platforms: dict[str, Platform]) -> ApiUser:
    return make_api_user()


def error_code(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["message"], body
    return str(body["error"]["code"])
