"""Answers: the platform's API and the staff's back office; each answer becomes LinkEvents."""

from __future__ import annotations

import json

import pytest

from sentinelle.notices import services
from sentinelle.notices.models import Notice, NoticeStatus, RecipientAnswer
from sentinelle.takedowns.models import EventKind, LinkEvent, LinkStatus
from tests.factories import UserFactory
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = [pytest.mark.django_db]
URLS = ["https://host.fr/a", "https://host.fr/b", "https://host.fr/c"]


@pytest.fixture
def delivered() -> Notice:
    host = email_platform("Host", "host.fr")
    make_links(rights(), host, URLS)
    services.build_notices()
    services.deliver_due()  # the locmem backend of the tests
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.DELIVERED
    return notice


def post(client, notice_id: int, token: str, body: object):
    return client.post(
        f"/api/v1/notices/{notice_id}/answer",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_platform_answers_per_url(client, delivered):
    _, token = services.create_platform_token(delivered.recipient_platform)
    response = post(
        client,
        delivered.pk,
        token,
        {
            "items": [
                {"url": URLS[0], "decision": "actioned"},
                {"url": URLS[1], "decision": "refused", "reason": "Licensed by the uploader"},
                {"n": 3, "decision": "counter_notice", "counter_notice": "I own this recording."},
            ]
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("notice_id", "status", "recorded")} == {
        "notice_id": delivered.pk,
        "status": "answered",
        "recorded": 3,
    }
    assert [(a["n"], a["url"], a["decision"], a["replay"]) for a in body["answers"]] == [
        (1, URLS[0], "actioned", False),
        (2, URLS[1], "refused", False),
        (3, URLS[2], "counter_notice", False),
    ]
    links = {i.url: i.link for i in delivered.items.select_related("link")}
    assert [links[u].status for u in URLS] == [
        LinkStatus.REMOVAL_ANNOUNCED,  # the checks confirm it
        LinkStatus.REFUSED_BY_PLATFORM,
        LinkStatus.COUNTER_NOTICE,
    ]
    counter = LinkEvent.objects.get(link=links[URLS[2]], kind=EventKind.ANSWER)
    assert "I own this recording." in counter.display_message()  # shown to the member in the history
    assert counter.data["counter_notice"] == "I own this recording."
    assert RecipientAnswer.objects.count() == 3


def test_another_platforms_token_sees_a_404(client, delivered):
    other = email_platform("Other", "other.fr")
    _, token = services.create_platform_token(other)
    response = post(client, delivered.pk, token, {"items": [{"url": URLS[0], "decision": "actioned"}]})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_bad_token_is_401(client, delivered):
    response = post(client, delivered.pk, "snp_nope_nope", {"items": [{"url": URLS[0], "decision": "actioned"}]})
    assert response.status_code == 401


def test_a_refusal_needs_a_reason_and_an_unknown_url_is_rejected(client, delivered):
    _, token = services.create_platform_token(delivered.recipient_platform)
    response = post(client, delivered.pk, token, {"items": [{"url": URLS[0], "decision": "refused"}]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "reason_required"
    response = post(client, delivered.pk, token, {"items": [{"url": "https://x/", "decision": "actioned"}]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_item"
    assert not RecipientAnswer.objects.exists()


def test_an_undelivered_notice_cannot_be_answered(client):
    host = email_platform("Host", "host.fr")
    make_links(rights(), host, URLS[:1])
    services.build_notices()
    notice = Notice.objects.get()
    _, token = services.create_platform_token(host)
    response = post(client, notice.pk, token, {"items": [{"url": URLS[0], "decision": "actioned"}]})
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_delivered"


def test_staff_record_an_answer_in_the_back_office(client, delivered):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    item = delivered.items.get(url=URLS[0])
    response = client.post(
        "/admin/notices/recipientanswer/add/",
        {
            "item": item.pk,
            "decision": "counter_notice",
            "reason": "",
            "counter_notice": "Fair use, says the uploader",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    answer = RecipientAnswer.objects.get()
    assert answer.recorded_by == staff
    item.link.refresh_from_db()
    assert item.link.status == LinkStatus.COUNTER_NOTICE
    assert LinkEvent.objects.get(link=item.link, kind=EventKind.ANSWER).actor == staff


# --- Idempotent and rate-limited (issue 10, 4) -------------------------------------------------

ANSWER = {
    "items": [
        {"url": URLS[0], "decision": "actioned"},
        {"url": URLS[1], "decision": "refused", "reason": "Licensed by the uploader"},
    ]
}


def test_an_identical_answer_is_recorded_once(client, delivered):
    _, token = services.create_platform_token(delivered.recipient_platform)
    first = post(client, delivered.pk, token, ANSWER).json()
    for _ in range(5):
        replay = post(client, delivered.pk, token, ANSWER)
        assert replay.status_code == 200, replay.content
        body = replay.json()
        assert body["recorded"] == 0
        assert [a["replay"] for a in body["answers"]] == [True, True]
        # The replay names the first record.
        assert [a["answer_id"] for a in body["answers"]] == [a["answer_id"] for a in first["answers"]]
        assert [a["received_at"] for a in body["answers"]] == [a["received_at"] for a in first["answers"]]
    assert RecipientAnswer.objects.count() == 2
    link = delivered.items.get(url=URLS[0]).link
    # The link's timeline shows the decision once.
    assert LinkEvent.objects.filter(link=link, kind=EventKind.ANSWER).count() == 1


def test_a_changed_answer_is_recorded_and_a_replay_within_one_request_is_not(client, delivered):
    _, token = services.create_platform_token(delivered.recipient_platform)
    post(client, delivered.pk, token, ANSWER)
    changed = {
        "items": [
            {"url": URLS[1], "decision": "refused", "reason": "Another reason"},
            {"n": 2, "decision": "refused", "reason": "Another reason"},  # the same address twice
            {"url": URLS[0], "decision": "actioned"},  # unchanged
        ]
    }
    body = post(client, delivered.pk, token, changed).json()
    assert body["recorded"] == 1
    assert [a["replay"] for a in body["answers"]] == [False, True, True]
    refused_link = delivered.items.get(url=URLS[1]).link
    assert LinkEvent.objects.filter(link=refused_link, kind=EventKind.ANSWER).count() == 2
    # Back to the first reason: a change from the latest answer, recorded.
    assert post(client, delivered.pk, token, ANSWER).json()["recorded"] == 1


def test_staff_recording_the_same_answer_twice_record_it_once(delivered):
    item = delivered.items.get(url=URLS[0])
    decision = [services.ItemDecision(item=item, decision="actioned")]
    first = services.record_answers(delivered, decision)
    again = services.record_answers(delivered, decision)
    assert [r.replay for r in first + again] == [False, True]
    assert again[0].answer == first[0].answer
    assert LinkEvent.objects.filter(link=item.link, kind=EventKind.ANSWER).count() == 1


def test_the_answer_api_is_rate_limited_per_platform_token(client, delivered, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SENTINELLE_ANSWER_API_RATE_LIMIT = 3
    _, token = services.create_platform_token(delivered.recipient_platform)
    _, other_token = services.create_platform_token(delivered.recipient_platform)
    for _ in range(3):
        assert post(client, delivered.pk, token, ANSWER).status_code == 200
    limited = post(client, delivered.pk, token, ANSWER)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    # Per token: the platform's other key still answers.
    assert post(client, delivered.pk, other_token, ANSWER).status_code == 200
    cache.clear()
