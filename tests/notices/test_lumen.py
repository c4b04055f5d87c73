"""Posting sent notices to Lumen: one request per notice, retried, every attempt a row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from sentinelle.notices import services
from sentinelle.notices.models import AttemptOutcome, LumenState, LumenSubmission, Notice
from tests.notices.helpers import email_platform, make_links, rights
from tests.notices.specs import LumenReceiver

pytestmark = pytest.mark.django_db
TOKEN = "lumen-test-token"


@pytest.fixture
def lumen_settings(settings: Any) -> Any:
    settings.SENTINELLE_LUMEN_TOKEN = TOKEN
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def sent_notices(count: int) -> list[Notice]:
    for n in range(count):
        make_links(rights(f"Chanson {n}"), email_platform(f"Hôte {n}", f"hote{n}.fr"), [f"https://hote{n}.fr/f/{n}"])
    services.build_notices()
    services.deliver_due()
    return list(Notice.objects.order_by("pk"))


def test_nothing_is_posted_without_the_url_and_the_token(settings):
    settings.SENTINELLE_LUMEN_URL = "https://lumen.example"
    settings.SENTINELLE_LUMEN_TOKEN = ""
    sent_notices(1)
    assert services.post_lumen_due()["queued"] == 0 and LumenSubmission.objects.count() == 0


def test_each_sent_notice_is_one_request_with_the_token(lumen_settings):
    notices = sent_notices(2)
    with LumenReceiver(TOKEN) as lumen:
        lumen_settings.SENTINELLE_LUMEN_URL = lumen.url
        counts = services.post_lumen_due()
    assert counts["posted"] == 2 and len(lumen.received) == 2 and lumen.refused == []
    submission = LumenSubmission.objects.get(notice=notices[0])
    assert submission.state == LumenState.POSTED and submission.lumen_id
    assert submission.attempts.get().status_code == 201


def test_a_server_error_is_retried_later_and_each_attempt_is_a_row(lumen_settings):
    (notice,) = sent_notices(1)
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False) as clock, LumenReceiver(TOKEN, [503]) as lumen:
        lumen_settings.SENTINELLE_LUMEN_URL = lumen.url
        assert services.post_lumen_due()["retrying"] == 1
        assert services.post_lumen_due()["retrying"] == 0  # not before its time
        clock.shift(dt.timedelta(hours=1))
        assert services.post_lumen_due()["posted"] == 1
    attempts = list(notice.lumen_submission.attempts.values_list("status_code", "outcome"))
    assert attempts == [(503, AttemptOutcome.TEMPORARY_FAILURE), (201, AttemptOutcome.DELIVERED)]
    assert len(lumen.received) == 1


def test_a_refused_document_is_not_posted_again(lumen_settings):
    (notice,) = sent_notices(1)
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False) as clock, LumenReceiver("another token") as lumen:
        lumen_settings.SENTINELLE_LUMEN_URL = lumen.url
        assert services.post_lumen_due()["failed"] == 1
        clock.shift(dt.timedelta(days=1))
        services.post_lumen_due()
    submission = LumenSubmission.objects.get(notice=notice)
    assert submission.state == LumenState.FAILED and submission.attempts.get().status_code == 401
