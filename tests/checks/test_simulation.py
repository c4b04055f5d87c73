"""Ten simulated days of links (issue 19): the real scheduler, tasks run by the immediate backend,
a local site whose answers change, a real SMTP server, the platforms answering over the API.

Every scenario of docs/checks.md ("Scenarios") walks in the same world, one link each; the test
asserts each link's status sequence, the e-mails sent and what the member's history and digests say.
The clock moves an hour a tick: every periodic task is due at each tick (their periods are shorter).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.test import Client

from sentinelle.checks import selectors
from sentinelle.core.scheduler import Periodic, Scheduler
from sentinelle.notices import services as notices
from sentinelle.notices.models import Notice
from sentinelle.takedowns import services as takedowns
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink
from tests.factories import InterestFactory, UserFactory, make_platform
from tests.notices.helpers import SOCIETY, SmtpSink

T0 = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)  # a Monday, 8:00 in Paris
DAYS = 10
PAGE = b"<html><title>My Song - download</title><body><h1>My Song</h1>Download the mp3.</body></html>"
HOME = b"<html><title>Pirate</title><body>Welcome home</body></html>"


@dataclass
class Site:
    """Answers per (host name, path), switched by the test: "ok", "404", "503", "403", "home"."""

    port: int = 0
    modes: dict[tuple[str, str], str] = field(default_factory=dict)

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            path = self.path.split("?", 1)[0]
            mode = site.modes.get((host, path), "home" if path == "/" else "404")
            code, body, headers = {
                "ok": (200, PAGE, {}),
                "home": (200, HOME, {}),
                "404": (404, b"gone", {}),
                "503": (503, b"busy", {}),
                "403": (403, b"forbidden", {}),
                "to_home": (302, b"", {"Location": "/"}),
            }[mode]
            self.send_response(code)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def world(settings: Any, site: Site) -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    settings.SENTINELLE_SOCIETY = dict(SOCIETY)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = True
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    names = ("pirate.example", "dead.example", "mega.nz", "mega.co.nz")
    settings.SENTINELLE_FETCH_RESOLVE = {name: "127.0.0.1" for name in names}
    settings.SENTINELLE_CHECK_HOST_DELAY_MS = 0
    settings.SENTINELLE_DELIST_SEARCH_ENGINES = []  # the world's own engines, not Google and Bing
    yield sink
    sink.stop()


def email_platform(name: str, domains: list[str], kind: str = "file_host", regime: str = "eu") -> Any:
    return make_platform(
        name,
        kind,
        domains,
        jurisdiction="US" if regime == "us" else "FR",
        regime=regime,
        notice_language="en",
        notice_channel="email",
        contact_email=f"abuse@{domains[0]}",
    )


def sequence(link: ReportedLink) -> list[str]:
    """The link's statuses in order, each change once (from its events: the member's history)."""
    out: list[str] = []
    for to_status in link.events.order_by("at", "id").values_list("to_status", flat=True):
        if to_status and (not out or out[-1] != to_status):
            out.append(to_status)
    return out


def answer(client: Client, token: str, notice: Notice, items: list[dict[str, str]]) -> None:
    response = client.post(
        f"/api/v1/notices/{notice.pk}/answer",
        json.dumps({"items": items}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db(transaction=True)
def test_ten_days_of_links(world: SmtpSink, site: Site, settings: Any) -> None:
    pirate = email_platform("PirateHost", ["pirate.example", "dead.example"])
    email_platform("MEGA", ["mega.nz", "mega.co.nz"])
    engines = [email_platform(f"Engine {n}", [f"engine{n}.example"], "search_engine", "us") for n in range(3)]
    interest = InterestFactory(work__title="My Song")
    member, work = interest.member, interest.work
    dead = closed_port()
    urls = {
        "gone": site.url("pirate.example", "/gone"),
        "dead": f"http://dead.example:{dead}/dead",
        "forbidden": site.url("pirate.example", "/forbidden"),
        "announced_gone": site.url("pirate.example", "/announced-gone"),
        "announced_lie": site.url("pirate.example", "/announced-lie"),
        "reappears": site.url("pirate.example", "/reappears"),
        "counter": site.url("pirate.example", "/counter"),
        "redirect": site.url("pirate.example", "/redirect"),
        "mega": site.url("mega.nz", "/file/AbCdEf12#key"),
    }
    modes = {
        "gone": "404",
        "forbidden": "403",
        "announced_gone": "ok",
        "announced_lie": "ok",
        "reappears": "404",
        "counter": "ok",
        "redirect": "to_home",
    }
    for name, mode in modes.items():
        site.modes[("pirate.example", urls[name].split(str(site.port), 1)[1])] = mode
    site.modes[("mega.nz", "/file/AbCdEf12")] = "404"
    site.modes[("mega.co.nz", "/")] = "ok"  # the same file, on the other address of the file host

    scheduler_clock = [0.0]
    scheduler = Scheduler(
        [
            Periodic(
                "sentinelle.notices.tasks.build_notices",
                settings.SENTINELLE_PERIODIC_TASKS["sentinelle.notices.tasks.build_notices"],
            ),
            Periodic("sentinelle.notices.tasks.deliver_due_notices", 120),
            Periodic("sentinelle.checks.tasks.run_due_checks", 600),
            Periodic("sentinelle.takedowns.tasks.send_result_digests", 3600),
        ],
        clock=lambda: scheduler_clock[0],
    )
    client = Client()
    staff = UserFactory(is_staff=True)
    with time_machine.travel(T0, tick=False) as clock:

        def tick(hour: int) -> None:
            clock.move_to(T0 + dt.timedelta(hours=hour))
            scheduler_clock[0] = hour * 3600.0
            scheduler.tick()

        remove = "\n".join(urls[name] for name in urls if name != "mega")
        takedowns.submit_links(member, work.pk, remove, ["remove"])
        takedowns.submit_links(member, work.pk, urls["mega"], ["remove"])
        takedowns.submit_links(member, work.pk, site.url("pirate.example", "/listed"), ["delist"])
        links = {
            name: ReportedLink.objects.get(url__startswith=url.split("#")[0], action="remove")
            for name, url in urls.items()
        }
        delist = ReportedLink.objects.get(action="delist")
        _token, pirate_token = notices.create_platform_token(pirate)
        engine_tokens = [notices.create_platform_token(engine)[1] for engine in engines]

        for hour in range(0, DAYS * 24 + 1):
            tick(hour)
            if hour == 0:  # the notices are out: the platforms answer over the API
                notice = Notice.objects.get(recipient_platform=pirate, escalation_level=0)
                answer(
                    client,
                    pirate_token,
                    notice,
                    [
                        {"url": links["announced_gone"].url, "decision": "actioned"},
                        {"url": links["announced_lie"].url, "decision": "actioned"},
                        {"url": links["counter"].url, "decision": "counter_notice", "counter_notice": "Mine."},
                    ],
                )
                site.modes[("pirate.example", "/announced-gone")] = "404"
                for engine, token in zip(engines, engine_tokens, strict=True):
                    engine_notice = Notice.objects.get(recipient_platform=engine)
                    answer(client, token, engine_notice, [{"url": delist.url, "decision": "actioned"}])
            if hour == 20:
                site.modes[("pirate.example", "/reappears")] = "ok"  # back online
            if hour == 50:
                notices.decide_counter_notice(
                    links["counter"], actor=staff, pursue=False, reason="The uploader holds a licence."
                )
                again = takedowns.submit_links(member, work.pk, urls["counter"], ["remove"]).verdicts[0]
                assert again.outcome == "accepted"
                mirror = takedowns.submit_links(
                    member, work.pk, site.url("mega.co.nz", "/#!AbCdEf12!key"), ["remove"]
                ).verdicts[0]
                assert (mirror.outcome, mirror.reappearance_of) == ("accepted", None)

    for link in [*links.values(), delist]:
        link.refresh_from_db()
    base = [LinkStatus.ACCEPTED, LinkStatus.NOTICE_SENT]
    assert sequence(links["gone"]) == [*base, LinkStatus.REMOVED]
    assert sequence(links["dead"]) == [*base, LinkStatus.UNVERIFIABLE]
    assert sequence(links["forbidden"]) == [*base, LinkStatus.UNVERIFIABLE]
    assert sequence(links["announced_gone"]) == [*base, LinkStatus.REMOVAL_ANNOUNCED, LinkStatus.REMOVED]
    assert sequence(links["announced_lie"])[:6] == [
        *base,
        LinkStatus.REMOVAL_ANNOUNCED,
        LinkStatus.STILL_ONLINE,
        LinkStatus.ESCALATED,
        LinkStatus.NOTICE_SENT,  # the reminder went out
    ]
    assert sequence(links["reappears"]) == [*base, LinkStatus.REMOVED, LinkStatus.REAPPEARED]
    assert sequence(links["counter"]) == [*base, LinkStatus.COUNTER_NOTICE, LinkStatus.CLOSED]
    assert sequence(links["redirect"]) == [*base, LinkStatus.REMOVED]
    assert sequence(links["mega"]) == [*base, LinkStatus.REMOVED]  # the mirror left it alone
    assert sequence(delist) == [*base, LinkStatus.DELISTED]

    # What the history says.
    unverifiable = links["dead"].events.get(to_status=LinkStatus.UNVERIFIABLE)
    assert "unreachable since" in unverifiable.display_message()
    assert unverifiable.at - T0 == dt.timedelta(hours=216)  # the last slot (+168 h) and the window (48 h)
    assert "HTTP 302 redirect" in links["redirect"].events.get(to_status=LinkStatus.REMOVED).display_message()
    contradiction = links["announced_lie"].events.get(data__contradiction=True)
    assert contradiction.data["platform_id"] == pirate.pk
    reappeared_at = links["reappears"].events.get(to_status=LinkStatus.REAPPEARED).at
    assert reappeared_at - T0 <= dt.timedelta(hours=28)  # back at +20 h, seen the next day
    follow_up = ReportedLink.objects.get(
        pk=links["reappears"].events.get(to_status=LinkStatus.REAPPEARED).data["follow_up_link"]
    )
    assert LinkStatus.NOTICE_SENT in sequence(follow_up)
    assert ReportedLink.objects.get(host="mega.co.nz", action="remove").status != LinkStatus.ACCEPTED  # noticed

    # The e-mails: each search engine got its notice; the host its notices and the reminder.
    listed = [m for m in world.received if b"/listed" in m.raw and member.user.email not in m.rcpt_tos]
    assert sorted(rcpt for m in listed for rcpt in m.rcpt_tos) == [f"abuse@engine{n}.example" for n in range(3)]
    reminders = [
        m for m in world.received if "abuse@pirate.example" in m.rcpt_tos and "REMINDER" in m.message["Subject"].upper()
    ]
    assert [m for m in reminders if b"/announced-lie" in m.raw]  # the contradiction escalated to a reminder
    digests = [m.message for m in world.received if member.user.email in m.rcpt_tos]
    told = "\n".join(d.get_body(preferencelist=("plain",)).get_content() for d in digests).lower()
    for change in (
        "removed",
        "delisted",
        "removal announced",
        "counter-notice",
        "reappeared",
        "escalated",
        "unverifiable",
        "closed",
    ):
        assert change in told, change
    assert len(digests) <= DAYS + 1  # at most one a day
    assert EventKind.CHECK in set(links["gone"].events.values_list("kind", flat=True))
    assert set(selectors.unverifiable_links()) == {links["dead"], links["forbidden"]}
