"""Helpers for the notices tests: accepted links made directly (the intake is tested elsewhere)."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member
from sentinelle.platforms.models import Platform
from sentinelle.takedowns.models import LinkStatus, ReportedLink, TakedownRequest
from tests.factories import InterestFactory, PartyFactory, make_platform

SOCIETY = {
    "name": "Société de démonstration des auteurs",
    "short_name": "SDA",
    "address": "1 rue de la Musique, 75009 Paris, France",
    "legal_representative": "Camille Martin, directrice juridique",
    "email": "antipiraterie@example.org",
    "phone": "+33 1 00 00 00 00",
}


def email_platform(
    name: str, domain: str, *, regime: str = "eu", language: str = "fr", kind: str = "file_host", **extra: Any
) -> Platform:
    jurisdiction = {"eu": "FR", "us": "US"}.get(regime, "")
    return make_platform(
        name,
        kind,
        [domain],
        jurisdiction=jurisdiction,
        regime=regime,
        notice_language=language,
        notice_channel="email",
        contact_email=f"abuse@{domain}",
        **extra,
    )


@dataclass
class Rights:
    member: Member
    work: Work
    request: TakedownRequest


def rights(title: str = "La Vie en rose", **work: Any) -> Rights:
    interest = InterestFactory(work__title=title, **{f"work__{k}": v for k, v in work.items()})
    # A co-author: the notice names every rights holder of the work.
    InterestFactory(work=interest.work, role="C", party=PartyFactory(name="Coauteur", first_name="Paul"))
    request = TakedownRequest.objects.create(member=interest.member, work=interest.work, actions=["remove"])
    return Rights(interest.member, interest.work, request)


def make_links(
    r: Rights,
    platform: Platform | None,
    urls: list[str],
    *,
    action: str = "remove",
    recipients: list[Platform] | None = None,
    status: str = LinkStatus.ACCEPTED,
    level: int = 0,
    domain: str | None = None,
) -> list[ReportedLink]:
    if recipients is None:
        recipients = [platform] if platform is not None else []
    rows = [{"platform_id": p.pk, "name": p.name, "domain": p.domains.first().domain} for p in recipients]
    links = []
    for url in urls:
        host = url.split("/")[2]
        site = domain or ".".join(host.split(".")[-2:])
        links.append(
            ReportedLink(
                request=r.request,
                member=r.member,
                work=r.work,
                action=action,
                status=status,
                submitted_url=url,
                url=url,
                identity_key=url,
                host=host,
                registrable_domain=site,
                platform=platform,
                recipients=rows,
                escalation_level=level,
            )
        )
    return ReportedLink.objects.bulk_create(links)


def db_worker(*, interval: float, batch: bool) -> Any:
    """django-tasks-db's own worker (``db_worker``'s ``Worker``) on the default queue and backend,
    in this process: ``batch`` stops it once the queue is empty."""
    from django_tasks_db.management.commands.db_worker import Worker  # needs the apps loaded

    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    peer: Any = None  # the client's (address, port): one per SMTP connection

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    controller: Controller | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, session.peer)
            )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(r.message["Message-ID"]) for r in self.received]


class Endpoint:
    """A local HTTP server answering each POST with the next of ``statuses`` (then 200); each request
    is kept with the client's (address, port), one per connection. ``keep_alive``: HTTP/1.1, the
    connection kept open between requests (else HTTP/1.0, closed after each answer), and closed after
    ``idle_timeout`` seconds without a request."""

    def __init__(self, statuses: list[int], *, keep_alive: bool = False, idle_timeout: float | None = None) -> None:
        self.statuses = statuses
        self.requests: list[dict[str, Any]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            timeout = idle_timeout

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.requests.append({"headers": dict(self.headers), "body": body, "peer": self.client_address})
                status = endpoint.statuses.pop(0) if endpoint.statuses else 200
                answer = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_error(self, *args: Any) -> None:
                pass  # "Request timed out": the idle connection closed

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notices"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Endpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
