"""Every notice a link needs is built, whatever the task backend or the order deliveries finish in."""

from __future__ import annotations

from typing import Any

import pytest

from sentinelle.notices import services
from sentinelle.notices.models import Notice, NoticeStatus
from sentinelle.takedowns.models import LinkStatus
from tests.factories import make_platform
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db

ENGINES = [f"engine{n}" for n in range(10)]


@pytest.fixture
def ten_engines() -> list[Any]:
    return [email_platform(f"Engine {n}", f"{name}.example", kind="search_engine") for n, name in enumerate(ENGINES)]


def _delist_link(engines: list[Any]) -> Any:
    site = make_platform("Pirate", "link_site", ["pirate.example"])
    (link,) = make_links(rights(), site, ["https://pirate.example/song"], action="delist", recipients=engines)
    return link


@pytest.mark.django_db(transaction=True)
def test_with_the_immediate_backend_every_engine_gets_its_notice(settings, ten_engines):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = True
    link = _delist_link(ten_engines)

    services.build_notices()

    notices = Notice.objects.filter(items__link=link)
    assert sorted(notices.values_list("recipient_name", flat=True)) == sorted(f"Engine {n}" for n in range(10))
    assert set(notices.values_list("status", flat=True)) == {NoticeStatus.DELIVERED}
    link.refresh_from_db()
    assert link.status == LinkStatus.NOTICE_SENT
    assert link.events.filter(kind="notice_sent").count() == 10


def test_a_delivery_finishing_before_the_builder_reaches_the_next_engine_loses_nothing(ten_engines, monkeypatch):
    # A fast worker: each notice is delivered as soon as it is built, before the builder goes on to
    # the next engine, so the link is already "notice sent" when the next notice is made.
    from sentinelle.notices.services import make

    create = make.make_notices

    def create_then_deliver(*args: Any, **kwargs: Any) -> Any:
        built = create(*args, **kwargs)
        for notice, _links in built:
            services.deliver_notice(notice.pk)
        return built

    monkeypatch.setattr(make, "BATCH_LINKS", 1)  # one notice per batch: delivered before the next is made
    monkeypatch.setattr(make, "make_notices", create_then_deliver)
    link = _delist_link(ten_engines)

    result = services.build_notices()

    assert len(result.notices) == 10
    assert set(Notice.objects.filter(items__link=link).values_list("status", flat=True)) == {NoticeStatus.DELIVERED}
    link.refresh_from_db()
    assert link.status == LinkStatus.NOTICE_SENT
    assert services.build_notices().notices == []  # and nothing twice


def test_deliveries_wait_until_the_whole_pass_is_built(
    settings, ten_engines, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = True
    built_when_enqueued: list[int] = []

    def enqueue(notice_id: int, run_after: object = None) -> None:
        built_when_enqueued.append(Notice.objects.count())

    monkeypatch.setattr("sentinelle.notices.services.build.enqueue_delivery", enqueue)
    _delist_link(ten_engines)
    with django_capture_on_commit_callbacks(execute=True):
        services.build_notices()
    assert built_when_enqueued == [10] * 10
