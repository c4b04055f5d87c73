"""The daily quota holds when a member's submissions race each other."""

import threading

import pytest
from django.db import close_old_connections, connection

from sentinelle.takedowns import services
from sentinelle.takedowns.models import LinkStatus, ReportedLink
from tests.factories import InterestFactory

SUBMISSIONS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_one_link_submissions_accept_exactly_the_quota(registry_platforms, settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database cannot be shared by threads; CI runs this on PostgreSQL")
    settings.SENTINELLE_DAILY_LINK_QUOTA = 10
    interest = InterestFactory()
    member, work = interest.member, interest.work
    barrier = threading.Barrier(SUBMISSIONS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = services.submit_links(member, work.pk, f"https://race.example.org/file/{i}", ["remove"])
            with lock:
                outcomes.append(result.verdicts[0].reason or result.verdicts[0].outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["accepted"] * 10 + ["quota"] * 20
    assert ReportedLink.objects.filter(status=LinkStatus.ACCEPTED).count() == 10
    assert member.quota_usage.get().accepted == 10


@pytest.mark.django_db(transaction=True)
def test_co_owners_reporting_the_same_link_at_once_make_one_link(registry_platforms):
    """The work is locked for the judging and the writing (``intake.lock_work``): of the co-owners
    who report one link at the same moment, one opens it, the others are told it is a duplicate."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database cannot be shared by threads; CI runs this on PostgreSQL")
    first = InterestFactory()
    members = [first.member] + [InterestFactory(work=first.work).member for _ in range(5)]
    barrier = threading.Barrier(len(members))
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(member) -> None:
        try:
            barrier.wait(timeout=30)
            result = services.submit_links(member, first.work.pk, "https://race.example.org/file/same", ["remove"])
            with lock:
                outcomes.append(result.verdicts[0].reason or result.verdicts[0].outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["accepted"] + ["duplicate"] * (len(members) - 1)
    assert ReportedLink.objects.filter(work=first.work).count() == 1
