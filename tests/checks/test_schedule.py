"""Schedule, confirmation, escalation and reappearance end to end, time moved forward."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from sentinelle.checks import services
from sentinelle.checks.models import LinkCheck
from sentinelle.checks.tasks import run_due_checks
from sentinelle.notices import services as notices
from sentinelle.notices.models import Notice
from sentinelle.platforms.models import Platform
from sentinelle.recipients.models import Finding
from sentinelle.takedowns.models import (
    DailyQuotaUsage,
    EventKind,
    LinkEvent,
    LinkStatus,
    ReportedLink,
    TakedownRequest,
)
from sentinelle.takedowns.services import change_status
from tests.factories import InterestFactory, make_platform

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fast_polite_checks(settings):
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    settings.SENTINELLE_CHECK_HOST_DELAY_MS = 0


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are checked in English; the society's default language is French.
    with translation.override("en"):
        yield


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def at(clock: time_machine.Coordinates, hours: float) -> None:
    clock.move_to(T0 + dt.timedelta(hours=hours))


def make_link(url: str, *, platform: Platform | None = None, action: str = "remove") -> ReportedLink:
    interest = InterestFactory()
    request = TakedownRequest.objects.create(member=interest.member, work=interest.work, actions=[action])
    return ReportedLink.objects.create(
        request=request,
        member=interest.member,
        work=interest.work,
        action=action,
        status=LinkStatus.ACCEPTED,
        submitted_url=url,
        url=url,
        identity_key=url,
        host="127.0.0.1",
        registrable_domain="127.0.0.1",
        platform=platform,
        recipients=[{"platform_id": platform.pk if platform else None, "name": "x"}],
    )


def deliver(link: ReportedLink) -> None:
    """What the notices app does when a notice goes out."""
    change_status(link, LinkStatus.NOTICE_SENT, kind=EventKind.NOTICE_SENT, message="Notice sent.")


def status(link: ReportedLink) -> str:
    link.refresh_from_db()
    return link.status


def removed_link(local_server, clock: time_machine.Coordinates) -> ReportedLink:
    """A link verified removed by two checks at +1 h and +2 h."""
    local_server.live_status = 404
    link = make_link(local_server.url("/live"))
    deliver(link)
    at(clock, 1)
    services.run_checks()
    at(clock, 2)
    services.run_checks()
    assert status(link) == LinkStatus.REMOVED
    return link


def test_removed_after_two_removed_verdicts_at_least_an_hour_apart(local_server, clock):
    local_server.live_status = 404
    link = make_link(local_server.url("/live"))
    deliver(link)
    at(clock, 0.5)
    assert services.run_checks().checked == 0  # first check at +1 h
    at(clock, 1)
    assert services.run_checks().checked == 1
    assert status(link) == LinkStatus.NOTICE_SENT  # one verdict is not enough
    at(clock, 1.5)
    assert services.run_checks().checked == 0  # the confirmation comes an hour later
    at(clock, 2)
    summary = services.run_checks()
    assert summary.removed == [link.pk]
    assert status(link) == LinkStatus.REMOVED
    event = link.events.get(to_status=LinkStatus.REMOVED)
    assert event.kind == EventKind.CHECK
    assert "HTTP 404" in event.display_message()
    checks = list(LinkCheck.objects.filter(link=link).order_by("checked_at"))
    assert [(c.status_code, c.verdict, c.rule) for c in checks] == [(404, "removed", "http_404")] * 2
    assert checks[0].body_sha256 and checks[0].final_url == link.url


def test_unreachable_is_retried_and_never_counted_as_removed(local_server, clock):
    local_server.live_status = 503
    link = make_link(local_server.url("/live"))
    deliver(link)
    for hours in (1, 2, 3):
        at(clock, hours)
        assert services.run_checks().checked == 1
    assert status(link) == LinkStatus.NOTICE_SENT
    assert set(LinkCheck.objects.values_list("verdict", flat=True)) == {"unreachable"}


def test_a_still_online_verdict_between_two_removed_ones_breaks_the_pair(local_server, clock):
    link = make_link(local_server.url("/live"))
    deliver(link)
    local_server.live_status = 404
    at(clock, 1)
    services.run_checks()
    local_server.live_status = 200
    at(clock, 2)
    services.run_checks()
    assert status(link) == LinkStatus.STILL_ONLINE
    local_server.live_status = 404
    at(clock, 24)
    services.run_checks()
    assert status(link) == LinkStatus.STILL_ONLINE
    at(clock, 25)
    services.run_checks()
    assert status(link) == LinkStatus.REMOVED


def test_delist_links_are_not_fetched(local_server, clock):
    link = make_link(local_server.url("/live"), action="delist")
    deliver(link)
    at(clock, 2)
    assert services.run_checks(include_all=True).checked == 0
    assert local_server.hits["/live"] == 0


def _escalations(link: ReportedLink) -> list[tuple[str, int | None]]:
    return [(e.data.get("step"), e.data.get("level")) for e in link.events.filter(kind=EventKind.ESCALATED)]


def test_escalation_reminder_then_hosting_provider_then_delisting(local_server, clock, registry_platforms):
    host = make_platform("HostCo", "other", ["hostco.example"], jurisdiction="FR")
    pirate = make_platform("PirateBox", "file_host", ["piratebox.example"], jurisdiction="FR", hosting_provider=host)
    link = make_link(local_server.url("/live"), platform=pirate)
    deliver(link)
    at(clock, 1)
    services.run_checks()
    assert status(link) == LinkStatus.STILL_ONLINE
    at(clock, 24)
    services.run_checks()
    assert _escalations(link) == []  # before the 72 h deadline
    at(clock, 72)
    summary = services.run_checks()
    assert summary.escalated == [link.pk]
    link.refresh_from_db()
    assert (link.status, link.escalation_level) == (LinkStatus.ESCALATED, 1)
    assert "reminder" in link.events.filter(kind=EventKind.ESCALATED).last().display_message()
    at(clock, 73)
    deliver(link)  # the reminder goes out
    at(clock, 74)
    services.run_checks()
    assert status(link) == LinkStatus.STILL_ONLINE
    at(clock, 73 + 72)
    services.run_checks()
    link.refresh_from_db()
    assert (link.status, link.escalation_level) == (LinkStatus.ESCALATED, 2)
    assert "HostCo" in link.events.filter(kind=EventKind.ESCALATED).last().display_message()
    at(clock, 146)
    deliver(link)  # the hosting provider's notice goes out
    at(clock, 147)
    services.run_checks()
    at(clock, 146 + 72)
    services.run_checks()
    assert _escalations(link) == [("reminder", 1), ("hosting_provider", 2), ("delist", None)]
    delist = ReportedLink.objects.get(action="delist")
    assert (delist.status, delist.quota_day, delist.url, delist.work_id) == (
        LinkStatus.ACCEPTED,
        None,
        link.url,
        link.work_id,
    )
    assert {r["name"] for r in delist.recipients} == {"Google", "Bing"}
    assert list(delist.events.values_list("kind", flat=True)) == ["received", "accepted"]
    assert status(link) == LinkStatus.STILL_ONLINE
    at(clock, 146 + 96)
    services.run_checks(include_all=True)
    assert len(_escalations(link)) == 3  # no step repeats
    assert ReportedLink.objects.filter(action="delist").count() == 1


def test_without_hosting_provider_the_reminder_is_followed_by_delisting(local_server, clock, settings):
    link = make_link(local_server.url("/live"))
    deliver(link)
    at(clock, 72)
    services.run_checks()
    assert _escalations(link) == [("reminder", 1)]
    deliver(link)
    at(clock, 72 + 72)
    services.run_checks()
    assert _escalations(link) == [("reminder", 1), ("delist", None)]


def _registrar(domain: str = "127.0.0.1", *, suspect: bool = False) -> Finding:
    """What discovery records for the domain's RDAP registrar (recipients.engine)."""
    now = timezone.now()
    return Finding.objects.create(
        registrable_domain=domain,
        role="registrar",
        kind="email",
        address="abuse@registrar.example",
        source="rdap_domain",
        source_url=f"https://rdap.registrar.example/domain/{domain}",
        detail={"registrar": "Example Registrar SAS", "iana_id": "9999"},
        found_at=now,
        confirmed_at=now,
        expires_at=now + dt.timedelta(days=30),
        suspect_at=now if suspect else None,
    )


def _still_online_past(clock: time_machine.Coordinates, link: ReportedLink, hours: float) -> None:
    """The latest notice goes out at ``hours``; the link is still online at +1 h and past the 72 h deadline."""
    at(clock, hours)
    deliver(link)
    at(clock, hours + 1)
    services.run_checks()
    at(clock, hours + 72)
    services.run_checks()


def test_escalation_reminder_then_hosting_provider_then_registrar_then_delisting(
    local_server, clock, registry_platforms, client
):
    host = make_platform("HostCo", "other", ["hostco.example"], jurisdiction="FR")
    pirate = make_platform("PirateBox", "link_site", ["piratebox.example"], jurisdiction="FR", hosting_provider=host)
    finding = _registrar()
    link = make_link(local_server.url("/live"), platform=pirate)
    _still_online_past(clock, link, 0)
    _still_online_past(clock, link, 73)
    assert _escalations(link) == [("reminder", 1), ("hosting_provider", 2)]
    _still_online_past(clock, link, 146)
    link.refresh_from_db()
    assert (link.status, link.escalation_level) == (LinkStatus.ESCALATED, 3)
    assert _escalations(link) == [("reminder", 1), ("hosting_provider", 2), ("registrar", 3)]
    event = link.events.filter(kind=EventKind.ESCALATED).last()
    assert event.display_message() == (
        "Still online after the notices: a notice goes to Example Registrar SAS, the registrar of the domain 127.0.0.1."
    )

    # The notice is built by the notices app, routed to the registrar discovery found.
    built = notices.build_notices()
    notice = Notice.objects.get(pk__in=built.notices)
    assert (notice.recipient_key, notice.recipient_name, notice.escalation_level) == (
        "r:127.0.0.1",
        "Example Registrar SAS",
        3,
    )
    assert (notice.channel, notice.recipient_email, notice.status) == ("email", "abuse@registrar.example", "queued")
    assert notice.route == {
        "role": "registrar",
        "source": "rdap_domain",
        "source_url": "https://rdap.registrar.example/domain/127.0.0.1",
        "finding_id": finding.pk,
        "override_id": None,
    }
    assert list(notice.items.values_list("link_id", flat=True)) == [link.pk]
    assert "You are the registrar of the domain name(s)" in notice.body
    assert "You provide hosting to the site(s) below" not in notice.body
    assert notices.build_notices().notices == []  # built once

    # The member sees the step in the link's timeline, in French too.
    client.force_login(link.member.user)
    page = client.get(reverse("takedowns:link", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "le bureau d&#x27;enregistrement du domaine 127.0.0.1" in page
    assert "Example Registrar SAS" in page

    _still_online_past(clock, link, 219)
    assert [step for step, _ in _escalations(link)] == ["reminder", "hosting_provider", "registrar", "delist"]


def test_without_a_usable_registrar_the_ladder_is_unchanged(local_server, clock, registry_platforms):
    host = make_platform("HostCo", "other", ["hostco.example"], jurisdiction="FR")
    pirate = make_platform("PirateBox", "link_site", ["piratebox.example"], jurisdiction="FR", hosting_provider=host)
    _registrar("elsewhere.example")  # another domain's registrar
    _registrar(suspect=True)  # this one bounced: not usable
    link = make_link(local_server.url("/live"), platform=pirate)
    for hours in (0, 73, 146):
        _still_online_past(clock, link, hours)
    assert _escalations(link) == [("reminder", 1), ("hosting_provider", 2), ("delist", None)]
    assert link.events.filter(data__step="registrar").count() == 0


def test_without_hosting_provider_the_reminder_is_followed_by_the_registrar(local_server, clock, settings):
    settings.SENTINELLE_ESCALATE_TO_DELIST = False
    _registrar()
    link = make_link(local_server.url("/live"))
    for hours in (0, 73, 146):
        _still_online_past(clock, link, hours)
    assert _escalations(link) == [("reminder", 1), ("registrar", 3), ("exhausted", None)]


def _same_file_elsewhere(link: ReportedLink, action: str) -> ReportedLink:
    """An active report of the same file (same file key) at another address, for the same work."""
    link.file_key = "filehost:abc123"
    link.save(update_fields=["file_key"])
    return ReportedLink.objects.create(
        request=link.request,
        member=link.member,
        work=link.work,
        action=action,
        status=LinkStatus.ACCEPTED,
        submitted_url="https://mirror.example/abc123",
        url="https://mirror.example/abc123",
        identity_key="https://mirror.example/abc123",
        file_key="filehost:abc123",
        host="mirror.example",
        registrable_domain="mirror.example",
    )


def test_escalation_to_delisting_finds_an_active_delisting_of_the_same_file(local_server, clock):
    link = make_link(local_server.url("/live"))
    mirror = _same_file_elsewhere(link, "delist")
    deliver(link)
    at(clock, 72)
    services.run_checks()
    deliver(link)
    at(clock, 72 + 72)
    services.run_checks()
    assert _escalations(link) == [("reminder", 1), ("delist", None)]
    assert list(ReportedLink.objects.filter(action="delist")) == [mirror]
    step = link.events.filter(kind=EventKind.ESCALATED).latest("at")
    assert step.data["delist_link"] == mirror.pk


def test_a_reappearance_is_not_reported_twice_when_the_same_file_is_already_active(local_server, clock):
    link = removed_link(local_server, clock)
    mirror = _same_file_elsewhere(link, "remove")
    local_server.live_status = 200
    at(clock, 2 + 168)
    services.run_checks()
    at(clock, 2 + 169)
    summary = services.run_checks()
    assert status(link) == LinkStatus.REAPPEARED
    assert summary.reappeared == [mirror.pk]
    assert ReportedLink.objects.count() == 2


def test_delisting_step_can_be_switched_off(local_server, clock, settings):
    settings.SENTINELLE_ESCALATE_TO_DELIST = False
    link = make_link(local_server.url("/live"))
    deliver(link)
    at(clock, 72)
    services.run_checks()
    deliver(link)
    at(clock, 144)
    services.run_checks()
    assert _escalations(link) == [("reminder", 1), ("exhausted", None)]
    assert not ReportedLink.objects.filter(action="delist").exists()


def test_deadline_per_regime(local_server, clock, settings):
    settings.SENTINELLE_ESCALATION_DEADLINE_HOURS = {"eu": 24, "us": 240, "other": 240}
    eu = make_platform("EuHost", "file_host", ["euhost.example"], jurisdiction="FR")
    link = make_link(local_server.url("/live"), platform=eu)
    other = make_link(local_server.url("/live") + "?other")
    deliver(link)
    deliver(other)
    at(clock, 24)
    services.run_checks()
    assert _escalations(link) == [("reminder", 1)]
    assert _escalations(other) == []


def test_removed_link_seen_online_again_reappears_without_using_the_quota(local_server, clock):
    link = removed_link(local_server, clock)
    local_server.live_status = 200
    at(clock, 20)
    assert services.run_checks().checked == 0  # first look a day after the removal
    at(clock, 2 + 24)
    services.run_checks()
    assert status(link) == LinkStatus.REMOVED  # one sighting is not enough
    at(clock, 2 + 25)
    summary = services.run_checks()
    assert status(link) == LinkStatus.REAPPEARED
    again = ReportedLink.objects.exclude(pk=link.pk).get()
    assert summary.reappeared == [again.pk]
    assert (again.status, again.action, again.quota_day, again.escalation_level) == (
        LinkStatus.ACCEPTED,
        "remove",
        None,
        0,
    )
    accepted = again.events.get(kind=EventKind.ACCEPTED)
    assert accepted.data["reappearance_of"] == link.pk
    assert "daily limit" in accepted.message
    reappeared = link.events.get(to_status=LinkStatus.REAPPEARED)
    assert reappeared.data["follow_up_link"] == again.pk
    assert not DailyQuotaUsage.objects.filter(member=link.member).exclude(accepted=0).exists()


def test_check_links_command_and_task(local_server, clock):
    link = make_link(local_server.url("/live"))
    other = make_link(local_server.url("/live") + "?2")
    deliver(link)
    deliver(other)
    out = StringIO()
    call_command("check_links", "--all", "--limit", "1", "--no-progress", stdout=out)
    assert "1 links checked (still_online 1)" in out.getvalue()
    at(clock, 1)
    result = run_due_checks.call()
    assert result["checked"] == 2
    assert LinkCheck.objects.count() == 3
    assert LinkEvent.objects.filter(kind=EventKind.CHECK, to_status=LinkStatus.STILL_ONLINE).count() == 2
