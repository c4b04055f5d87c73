"""The stored schedule: due links found by an indexed range, kept in step with the links'
events, and claimed by one worker at a time."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.utils import timezone

from sentinelle.checks import services
from sentinelle.checks.models import LinkCheck, LinkSchedule, ScheduleCursor
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink
from sentinelle.takedowns.services import change_status, change_status_many
from tests.checks.test_schedule import make_link

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fast_polite_checks(settings):
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    settings.SENTINELLE_CHECK_HOST_DELAY_MS = 0


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def at(clock: time_machine.Coordinates, hours: float) -> None:
    clock.move_to(T0 + dt.timedelta(hours=hours))


def deliver_many(links: list[ReportedLink], at: dt.datetime | None = None) -> None:
    """What the notices app does when a notice goes out: a bulk status change, no signal."""
    change_status_many(
        [link.pk for link in links], LinkStatus.NOTICE_SENT, kind=EventKind.NOTICE_SENT, message="Sent.", at=at
    )


def schedule(link: ReportedLink) -> LinkSchedule:
    return LinkSchedule.objects.get(link=link)


@pytest.mark.django_db
def test_a_bulk_notice_plans_the_first_check_an_hour_later(local_server, clock):
    links = [make_link(local_server.url(f"/live?{i}")) for i in range(3)]
    deliver_many(links)
    at(clock, 0.5)
    assert services.run_checks().checked == 0
    assert {schedule(link).next_check_at for link in links} == {T0 + dt.timedelta(hours=1)}
    at(clock, 1)
    assert services.run_checks().checked == 3
    assert {schedule(link).next_check_at for link in links} == {T0 + dt.timedelta(hours=24)}
    assert {schedule(link).leased_until for link in links} == {None}


@pytest.mark.django_db
def test_links_noticed_before_the_schedule_existed_are_planned_by_the_first_pass(local_server, clock):
    link = make_link(local_server.url("/live"))
    deliver_many([link])
    at(clock, 30)
    services.run_checks()  # the 1 h and 24 h slots are past: one check now
    LinkSchedule.objects.all().delete()
    ScheduleCursor.objects.all().delete()  # as on the day the table was created
    at(clock, 72)
    assert services.run_checks().checked == 1
    assert schedule(link).next_check_at == T0 + dt.timedelta(hours=168)


@pytest.mark.django_db
def test_a_notice_recorded_late_is_read_within_the_overlap(local_server, clock):
    link = make_link(local_server.url("/live"))
    at(clock, 10)
    services.run_checks()  # a pass at +10 h; the notice below is stamped +9.5 h but committed after it
    deliver_many([link], at=T0 + dt.timedelta(hours=9.5))
    at(clock, 10.5)
    assert services.run_checks().checked == 1


@pytest.mark.django_db
def test_a_link_answered_elsewhere_is_not_fetched_again(local_server, clock):
    link = make_link(local_server.url("/live"))
    deliver_many([link])
    at(clock, 1)
    services.run_checks()
    change_status(link, LinkStatus.REFUSED_BY_PLATFORM, kind=EventKind.ANSWER, message="No.")
    at(clock, 24)
    assert services.run_checks(include_all=True).checked == 0
    assert schedule(link).next_check_at is None


@pytest.mark.django_db
def test_a_removal_answered_by_the_platform_is_watched_for_reappearance(local_server, clock):
    link = make_link(local_server.url("/live"))
    deliver_many([link])
    at(clock, 2)
    change_status(link, LinkStatus.REMOVED, kind=EventKind.ANSWER, message="Actioned.")
    at(clock, 3)
    assert services.run_checks().checked == 0
    assert schedule(link).next_check_at == T0 + dt.timedelta(hours=2 + 24)  # a day after the removal
    at(clock, 2 + 24)
    assert services.run_checks().checked == 1


@pytest.mark.django_db
def test_a_stale_plan_costs_a_claim_not_a_check(local_server, clock):
    link = make_link(local_server.url("/live"))
    deliver_many([link])
    at(clock, 1)
    services.run_checks()
    LinkSchedule.objects.filter(link=link).update(next_check_at=T0)  # wrong: the next slot is +24 h
    at(clock, 2)
    assert services.run_checks().checked == 0
    assert schedule(link).next_check_at == T0 + dt.timedelta(hours=24)


@pytest.mark.django_db
def test_a_claimed_link_is_left_alone_until_its_lease_ends(local_server, clock, settings):
    settings.SENTINELLE_CHECK_LEASE_SECONDS = 600
    link = make_link(local_server.url("/live"))
    deliver_many([link])
    at(clock, 1)
    services.sync_schedules()
    assert services.claim_links(timezone.now(), 10) == [link.pk]  # a worker claims it, then dies
    assert services.run_checks().checked == 0
    at(clock, 1 + 10 / 60)
    assert services.run_checks().checked == 1  # the lease has lapsed
    assert schedule(link).leased_until is None


@pytest.mark.django_db
def test_limit_takes_the_soonest_plans_first(local_server, clock, settings):
    settings.SENTINELLE_CHECK_BATCH = 2
    early = [make_link(local_server.url(f"/live?early{i}")) for i in range(3)]
    late = [make_link(local_server.url(f"/live?late{i}")) for i in range(3)]
    deliver_many(early)
    at(clock, 0.5)
    deliver_many(late)
    at(clock, 2)
    assert services.run_checks(limit=3).checked == 3
    assert set(LinkCheck.objects.values_list("link_id", flat=True)) == {link.pk for link in early}
    assert services.run_checks().checked == 3


LINKS = 60
WORKERS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_check_every_link_exactly_once(local_server, settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database cannot be shared by threads; CI runs this on PostgreSQL")
    settings.SENTINELLE_CHECK_BATCH = 5  # many small claims, so the workers interleave
    links = [make_link(local_server.url(f"/live?{i}")) for i in range(LINKS)]
    deliver_many(links, at=timezone.now() - dt.timedelta(hours=2))
    # Planned beforehand, and the notices are older than the passes' overlap: the workers meet
    # only in their claims.
    assert services.sync_schedules() == LINKS
    barrier = threading.Barrier(WORKERS)
    checked: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            summary = services.run_checks(escalate=False)
            with lock:
                checked.append(summary.checked)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(checked) == LINKS
    per_link = Counter(LinkCheck.objects.values_list("link_id", flat=True))
    assert per_link == Counter({link.pk: 1 for link in links})
    assert not LinkSchedule.objects.filter(leased_until__isnull=False).exists()
