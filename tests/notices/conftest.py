from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notices.helpers import SOCIETY, SmtpSink


@pytest.fixture(autouse=True)
def _notice_settings(settings: Any) -> None:
    settings.SENTINELLE_SOCIETY = dict(SOCIETY)
    # Tests drive delivery themselves (deliver_due / deliver_notice), not through a task worker.
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_TIMEOUT = 10
    yield sink
    sink.stop()
