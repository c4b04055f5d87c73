"""The daily quota, and the work's lock, hold when submissions race each other."""

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import close_old_connections, connection

from sentinelle.takedowns import services
from sentinelle.takedowns.models import LinkStatus, ReportedLink
from tests.factories import InterestFactory

SUBMISSIONS = 30


def _race(arguments: Sequence[Any], submit: Callable[[Any], Any]) -> list[str]:
    """``submit(argument)`` for each argument, in as many threads released at the same moment; the
    outcome of each one's first line (its refusal reason or "accepted"). Fails on any error."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database cannot be shared by threads; CI runs this on PostgreSQL")
    barrier = threading.Barrier(len(arguments))
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(argument: Any) -> None:
        try:
            barrier.wait(timeout=30)
            result = submit(argument)
            with lock:
                outcomes.append(result.verdicts[0].reason or result.verdicts[0].outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_one_link_submissions_accept_exactly_the_quota(registry_platforms, settings):
    settings.SENTINELLE_DAILY_LINK_QUOTA = 10
    interest = InterestFactory()
    member, work = interest.member, interest.work
    outcomes = _race(
        range(SUBMISSIONS),
        lambda i: services.submit_links(member, work.pk, f"https://race.example.org/file/{i}", ["remove"]),
    )
    assert outcomes == ["accepted"] * 10 + ["quota"] * 20
    assert ReportedLink.objects.filter(status=LinkStatus.ACCEPTED).count() == 10
    assert member.quota_usage.get().accepted == 10


@pytest.mark.django_db(transaction=True)
def test_co_owners_reporting_the_same_link_at_once_make_one_link(registry_platforms):
    """The work is locked for the judging and the writing (``links.lock_work``): of the co-owners
    who report one link at the same moment, one opens it, the others are told it is a duplicate."""
    first = InterestFactory()
    members = [first.member] + [InterestFactory(work=first.work).member for _ in range(5)]
    outcomes = _race(
        members,
        lambda member: services.submit_links(member, first.work.pk, "https://race.example.org/file/same", ["remove"]),
    )
    assert outcomes == ["accepted"] + ["duplicate"] * (len(members) - 1)
    assert ReportedLink.objects.filter(work=first.work).count() == 1
