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


# --- The schema says exactly what the API accepts (issue 10, 5) --------------------------------
# Positive mode: every request the schema allows must be taken — refused only for a reason the
# schema cannot say (no such row, not your work, not delivered yet, over the size or rate limit).
# The negative mode above (negative_data_rejection) checks the converse.
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

positive_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
positive_schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])
positive_schema.config.checks.update(
    included_check_names=["positive_data_acceptance"],
)
positive_schema.config.checks.positive_data_acceptance.expected_statuses = [
    "200",
    "201",
    "401",
    "403",
    "404",
    "409",
    "413",
    "429",
]


@pytest.mark.django_db
@positive_schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_request_the_schema_allows_is_taken(case: Any, alice: ApiUser) -> None:
    checks = (
        [not_a_server_error]
        if _a_period_the_schema_cannot_refuse(case) or _a_cursor_the_api_never_gave(case)
        else [not_a_server_error, positive_data_acceptance]
    )
    case.call_and_validate(headers=alice.headers(), checks=checks)


def _a_cursor_the_api_never_gave(case: Any) -> bool:
    """GET /links with a cursor: the schema can only say its alphabet; a cursor the API did not give
    is answered 400 with the reason (the cursors it gives are walked in tests/takedowns/test_history.py)."""
    return case.path.endswith("/links") and bool((case.query or {}).get("cursor"))


def _a_period_the_schema_cannot_refuse(case: Any) -> bool:
    """GET /stats with a day outside the years served, 'from' after 'to', or longer than ten years:
    rules OpenAPI's date format cannot state (the descriptions say them); the API answers 400 with
    the reason."""
    import datetime as dt

    from sentinelle.stats.forms import MAX_PERIOD_DAYS, MAX_YEAR, MIN_YEAR

    query = case.query or {}
    if not case.path.endswith("/stats"):
        return False
    try:
        days = {name: dt.date.fromisoformat(str(query[name])) for name in ("from", "to") if name in query}
    except ValueError:
        return False
    if any(not MIN_YEAR <= day.year <= MAX_YEAR for day in days.values()):
        return True
    if len(days) < 2:
        return False
    return days["from"] > days["to"] or (days["to"] - days["from"]).days > MAX_PERIOD_DAYS


def test_the_schema_refuses_what_the_api_refuses(client: Any) -> None:
    # Found by probing: the schema allowed a NUL in q and an empty urls list; the API answers 400.
    import re

    spec = client.get("/api/v1/openapi.json").json()
    q = next(p for p in spec["paths"]["/api/v1/works"]["get"]["parameters"] if p["name"] == "q")
    pattern = q["schema"]["pattern"]
    assert re.search(pattern, "La Vie en rose") and not re.search(pattern, "a\x00b")
    urls = spec["components"]["schemas"]["SubmissionIn"]["properties"]["urls"]
    urls = next(option for option in urls.get("anyOf", [urls]) if option.get("type") == "array")
    assert urls["minItems"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/works?q=a%00b", None), ("/api/v1/works/{work_id}/links", {"urls": [], "actions": ["remove"]})],
)
def test_and_the_api_refuses_them(alice: ApiUser, path: str, body: Any) -> None:
    from django.test import Client

    url = path.format(work_id=alice.work.pk)
    client = Client(headers=alice.headers())
    response = client.get(url) if body is None else client.post(url, body, content_type="application/json")
    assert response.status_code == 400
