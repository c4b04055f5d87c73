"""The background tasks through the configured backend, run by that backend's own worker.

The main suite runs these on the default database backend (django-tasks-db, ``db_worker``);
``make test`` runs them once more with ``SENTINELLE_TASK_BACKEND=rq`` against the real Redis
(django-tasks-rq, an RQ worker), so each backend carries the real tasks end to end.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task_backends

from sentinelle import conf
from sentinelle.core.scheduler import Scheduler, periodic_tasks
from sentinelle.notices import tasks as notice_tasks
from sentinelle.notices.models import Notice, NoticeStatus
from sentinelle.notices.services import enqueue_delivery
from tests.factories import make_platform
from tests.notices.helpers import db_worker, email_platform, make_links, rights

pytestmark = [pytest.mark.tasks, pytest.mark.django_db(transaction=True)]

# The RQ run keeps its queue in a Redis database of its own, one test session at a time.
RQ_TEST_URL = "redis://127.0.0.1:6379/13"
RQ_LOCK = "sentinelle-tests:rq-lock"


def _backend_path() -> str:
    return str(django_settings.TASKS["default"]["BACKEND"])


def _on_rq() -> bool:
    return _backend_path() == "django_tasks_rq.RQBackend"


@pytest.fixture(scope="module")
def _rq_redis() -> Iterator[Any]:
    """The test Redis database, emptied, and held for this session (other checkouts' runs wait)."""
    if not _on_rq():
        yield None
        return
    import redis

    client = redis.Redis.from_url(RQ_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("SENTINELLE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (SENTINELLE_REQUIRE_REDIS=1) but does not answer: {exc}")
        pytest.skip(f"Redis does not answer at {RQ_TEST_URL}")
    token = f"{os.getpid()}-{time.time()}"
    for _ in range(600):  # up to 5 minutes behind another checkout's run
        if client.set(RQ_LOCK, token, nx=True, ex=600):
            break
        time.sleep(0.5)
    else:
        pytest.fail("another test run holds the RQ test database")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def backend(settings: Any, _rq_redis: Any) -> Iterator[str]:
    """The configured backend, with the RQ queue in the test's Redis database."""
    if _on_rq():
        settings.RQ_QUEUES = {"default": {"URL": RQ_TEST_URL, "DEFAULT_TIMEOUT": 600}}
        _rq_redis.flushdb()
        _rq_redis.set(RQ_LOCK, "held", ex=600)
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = True
    task_backends["default"]
    yield _backend_path()


def run_worker() -> None:
    """The backend's own worker, in this process, until its queue is empty."""
    if _on_rq():
        from django_rq import get_worker
        from rq import SimpleWorker

        get_worker("default", worker_class=SimpleWorker).work(burst=True, with_scheduler=False)
        return
    db_worker(interval=0, batch=True).run()


def test_the_backend_is_the_one_the_setting_names(backend: str) -> None:
    named = os.environ.get("SENTINELLE_TASK_BACKEND") or "database"
    assert backend == conf.task_backend_path(named)
    found = type(task_backends["default"])
    assert f"{found.__module__.split('.')[0]}.{found.__name__}" == backend


def test_every_periodic_task_is_enqueued_and_run_to_success_by_a_worker(backend: str) -> None:
    scheduler = Scheduler(periodic_tasks(), clock=lambda: 1000.0)
    results = []
    for periodic in periodic_tasks():
        results.append(import_string(periodic.task_path).enqueue())
    assert scheduler.tick()  # the scheduler's own enqueue works on this backend too
    run_worker()
    for result in results:
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL, (result.task.module_path, result.errors)


def test_a_link_becomes_notices_built_then_delivered_by_the_worker(backend: str) -> None:
    engines = [email_platform(f"Engine {n}", f"engine{n}.example", kind="search_engine") for n in range(2)]
    site = make_platform("Pirate", "link_site", ["pirate.example"])
    make_links(rights(), site, ["https://pirate.example/song"], action="delist", recipients=engines)

    built = notice_tasks.build_notices.enqueue()
    run_worker()  # builds, and on commit enqueues one delivery per notice, which the same run delivers

    built.refresh()
    assert built.status == TaskResultStatus.SUCCESSFUL
    assert built.return_value == 2
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.DELIVERED}
    assert sorted(message.to[0] for message in mail.outbox) == ["abuse@engine0.example", "abuse@engine1.example"]


def test_a_retry_is_not_run_before_its_time(backend: str, settings: Any) -> None:
    engine = email_platform("Engine", "engine.example", kind="search_engine")
    site = make_platform("Pirate", "link_site", ["pirate.example"])
    make_links(rights(), site, ["https://pirate.example/later"], action="delist", recipients=[engine])
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False
    notice_tasks.build_notices.call()
    notice = Notice.objects.get()
    assert task_backends["default"].supports_defer
    enqueue_delivery(notice.pk, run_after=timezone.now() + dt.timedelta(hours=1))

    run_worker()

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.QUEUED
    assert mail.outbox == []
