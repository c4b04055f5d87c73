"""Schemathesis against the OpenAPI schema: no 5xx, and every answer matches the schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sentinelle.takedowns.models import ReportedLink
from tests.api.conftest import ApiUser

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
]

# Loaded at collection: schemathesis's lazy pytest loader (from_fixture) breaks on pytest 9.
# Fetching the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # Schemathesis calls the real WSGI handler, whose request signals would close the database
    # connection (and with it the test's transaction on PostgreSQL). Django's test client
    # disconnects the same handler for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_calls_keep_the_schema(case: Any, alice: ApiUser) -> None:
    checks = CHECKS
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        # A case made "invalid" by leaving out the Authorization header is made valid again by
        # the token added here, so a 200 is right; the missing header's 401 is tested below.
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    case.call_and_validate(headers=alice.headers(), checks=checks)


def validate(alice: ApiUser, path: str, method: str, **case: Any) -> Any:
    response = schema[f"/api/v1{path}"][method].Case(**case).call_and_validate(headers=alice.headers(), checks=CHECKS)
    return response


@pytest.mark.django_db
def test_answers_about_real_rows_keep_the_schema(alice: ApiUser) -> None:
    # Random ids rarely name a real row: these calls make sure full answers are checked too.
    lines = {"text": "https://mega.nz/file/S1#k\nhttps://youtu.be/x\nnot a url", "actions": ["remove", "delist"]}
    created = validate(alice, "/works/{work_id}/links", "POST", path_parameters={"work_id": alice.work.pk}, body=lines)
    assert created.status_code == 201
    refused = validate(
        alice,
        "/works/{work_id}/links",
        "POST",
        path_parameters={"work_id": alice.work.pk},
        body={"urls": ["https://youtu.be/y"], "actions": ["remove"]},
    )
    assert refused.status_code == 200
    too_big = validate(
        alice,
        "/works/{work_id}/links",
        "POST",
        path_parameters={"work_id": alice.work.pk},
        body={"text": "x\n" * 2000, "actions": ["remove"]},
    )
    assert too_big.status_code == 413
    works = validate(alice, "/works", "GET", query={"q": ""})
    assert works.json()["items"][0]["open_links"] == 1  # one address, two actions
    links = validate(alice, "/links", "GET", query={"limit": 100})
    assert links.json()["count"] == ReportedLink.objects.count() > 2
    for item in links.json()["items"]:
        detail = validate(alice, "/links/{link_id}", "GET", path_parameters={"link_id": item["id"]})
        assert detail.json()["events"]
    unauthenticated = schema["/api/v1/works"]["GET"].Case().call_and_validate(checks=CHECKS)
    assert unauthenticated.status_code == 401
