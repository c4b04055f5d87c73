"""Every link reaches an outcome (issue 19): unverifiable links, announced removals checked,
contradictions escalated, a denser watch after removal, the redirect quoted, a dry run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from sentinelle.checks import selectors, services
from sentinelle.checks.models import LinkCheck, LinkSchedule
from sentinelle.core.errors import DomainError
from sentinelle.notices import services as notices
from sentinelle.notices.models import Decision, Notice, NoticeItem
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink
from tests.factories import UserFactory
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _settings(settings) -> None:
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    settings.SENTINELLE_CHECK_HOST_DELAY_MS = 0
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False
    # A short plan, so the window ends after a few runs: slots at +1 h and +24 h, retries 3 h after.
    settings.SENTINELLE_CHECK_SCHEDULE_HOURS = "1,24"
    settings.SENTINELLE_CHECK_RETRY_WINDOW_HOURS = 3


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def at(clock: time_machine.Coordinates, hours: float) -> None:
    clock.move_to(T0 + dt.timedelta(hours=hours))


def noticed(local_server, path: str = "/live") -> ReportedLink:
    """A link on the local site whose notice to "Host" has just been delivered."""
    host = email_platform("Host", "host.fr")
    (link,) = make_links(rights(), host, [local_server.url(path)], domain="host.fr")
    notices.build_notices()
    notices.deliver_due()
    link.refresh_from_db()
    assert link.status == LinkStatus.NOTICE_SENT
    return link


def status(link: ReportedLink) -> str:
    link.refresh_from_db()
    return link.status


def run_until(clock, hours: float, step: float = 1.0, start: float = 1.0) -> None:
    h = start
    while h <= hours:
        at(clock, h)
        services.run_checks()
        h += step


def answer(link: ReportedLink, decision: str, **extra: str) -> None:
    item = NoticeItem.objects.filter(link=link).latest("pk")
    notices.record_answers(Notice.objects.get(pk=item.notice_id), [notices.ItemDecision(item, decision, **extra)])


# --- 2. a final outcome for every link --------------------------------------------------------


def test_a_site_that_never_answers_becomes_unverifiable_after_the_retry_window(local_server, clock):
    local_server.live_status = 503
    link = noticed(local_server)
    run_until(clock, 26)
    assert status(link) == LinkStatus.NOTICE_SENT  # retried hourly, the window not over yet
    run_until(clock, 28, start=27)
    assert status(link) == LinkStatus.UNVERIFIABLE
    event = link.events.get(to_status=LinkStatus.UNVERIFIABLE)
    assert "unreachable since 2026-03-02 11:00" in event.display_message()  # local time of the first check
    assert list(selectors.unverifiable_links()) == [link]
    checked = LinkCheck.objects.filter(link=link).count()
    run_until(clock, 60, step=6, start=30)
    assert LinkCheck.objects.filter(link=link).count() == checked  # no more checks


def test_a_site_always_inconclusive_becomes_unverifiable_too(local_server, clock):
    link = noticed(local_server, "/403")
    run_until(clock, 28)
    assert status(link) == LinkStatus.UNVERIFIABLE
    assert "inconclusive" in link.events.get(to_status=LinkStatus.UNVERIFIABLE).display_message()
    # Checked at the slots and once more at the end of the window: not hourly.
    assert LinkCheck.objects.filter(link=link).count() == 3


def test_staff_close_an_unverifiable_link_by_hand_with_a_reason(local_server, clock):
    local_server.live_status = 503
    link = noticed(local_server)
    run_until(clock, 28)
    staff = UserFactory(is_staff=True)
    with pytest.raises(DomainError):
        services.close_by_hand(link, actor=staff, reason="  ")
    services.close_by_hand(link, actor=staff, reason="The whole site is gone (domain expired).")
    assert status(link) == LinkStatus.CLOSED
    event = link.events.last()
    assert (event.actor, event.kind) == (staff, EventKind.NOTE)
    assert "domain expired" in event.display_message()
    assert list(selectors.unverifiable_links()) == []


# --- 3. an announced removal is checked ------------------------------------------------------


def test_an_actioned_answer_announces_the_removal_and_two_checks_confirm_it(local_server, clock):
    link = noticed(local_server)
    local_server.live_status = 404
    answer(link, Decision.ACTIONED)
    assert status(link) == LinkStatus.REMOVAL_ANNOUNCED
    at(clock, 1)
    services.run_checks()
    assert status(link) == LinkStatus.REMOVAL_ANNOUNCED  # one verdict is not enough
    at(clock, 2)
    services.run_checks()
    assert status(link) == LinkStatus.REMOVED


def test_an_announced_removal_still_online_is_a_contradiction_that_escalates(local_server, clock):
    link = noticed(local_server)
    answer(link, Decision.ACTIONED)  # ... and the page stays up
    at(clock, 1)
    services.run_checks()
    at(clock, 2)
    services.run_checks()
    link.refresh_from_db()
    assert (link.status, link.escalation_level) == (LinkStatus.ESCALATED, 1)
    contradiction = link.events.get(data__contradiction=True)
    assert "Host" in contradiction.display_message() and "still online" in contradiction.display_message()
    assert contradiction.data["platform_id"] == link.platform_id
    assert selectors.contradictions(platform_id=link.platform_id).count() == 1


# --- 4. a denser watch after removal ---------------------------------------------------------


def test_a_file_back_online_the_next_day_is_seen_within_a_day(local_server, clock, settings):
    settings.SENTINELLE_REAPPEARANCE_SCHEDULE_HOURS = "24,72,168"
    local_server.live_status = 404
    link = noticed(local_server)
    run_until(clock, 2)
    assert status(link) == LinkStatus.REMOVED
    local_server.live_status = 200  # back at +20 h
    run_until(clock, 30, start=20)
    assert status(link) == LinkStatus.REAPPEARED
    seen = link.events.get(to_status=LinkStatus.REAPPEARED).at
    assert seen - T0 <= dt.timedelta(hours=27)


def test_after_the_dense_slots_a_removed_link_is_watched_weekly(local_server, clock, settings):
    settings.SENTINELLE_REAPPEARANCE_SCHEDULE_HOURS = "24,72"
    settings.SENTINELLE_REAPPEARANCE_CHECK_HOURS = 168
    local_server.live_status = 404
    link = noticed(local_server)
    run_until(clock, 2)
    removed_at = link.events.get(to_status=LinkStatus.REMOVED).at
    planned = []
    for _ in range(4):
        nxt = LinkSchedule.objects.get(link=link).next_check_at
        planned.append(round((nxt - removed_at).total_seconds() / 3600))
        clock.move_to(nxt)
        assert services.run_checks().checked == 1
    assert planned == [24, 72, 72 + 168, 72 + 336]


# --- 7. messages and rehearsal ---------------------------------------------------------------


def test_the_redirect_home_message_quotes_the_redirect(local_server, clock):
    link = noticed(local_server, "/to-home")
    run_until(clock, 2)
    message = link.events.get(to_status=LinkStatus.REMOVED).display_message()
    assert "HTTP 302" in message and local_server.url("/") in message
    assert "HTTP 200" not in message


def test_check_links_dry_run_records_nothing(local_server, clock):
    local_server.live_status = 404
    link = noticed(local_server)
    at(clock, 1)
    out = StringIO()
    call_command("check_links", "--dry-run", "--no-progress", stdout=out)
    assert f"{link.url} removed http_404" in out.getvalue()
    assert not LinkCheck.objects.exists()
    assert status(link) == LinkStatus.NOTICE_SENT
    assert services.run_checks().checked == 1  # still due afterwards


def test_fetch_resolve_sends_a_name_to_the_given_address(local_server, settings):
    from sentinelle.checks.fetch import fetch_sync

    settings.SENTINELLE_FETCH_RESOLVE = {"pirate.test": "127.0.0.1"}
    result = fetch_sync(f"http://pirate.test:{local_server.port}/ok")
    assert result.status_code == 200 and local_server.hits["/ok"] == 1
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = False
    with pytest.raises(Exception, match="SENTINELLE_FETCH_ALLOW_LOOPBACK"):
        fetch_sync(f"http://pirate.test:{local_server.port}/ok")
