"""Bounces (issue 12, part 2): a 5xx at the final "." or a DSN marks the contact suspect and moves the notice on."""

from __future__ import annotations

import datetime as dt
import io
import mailbox
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sentinelle.notices import services
from sentinelle.notices.dsn import parse_dsn
from sentinelle.notices.models import Notice, NoticeStatus, ParkedLink
from sentinelle.notices.services.bounces import read_bounces, record_bounce
from sentinelle.recipients.models import Finding
from sentinelle.takedowns.models import LinkStatus
from tests.notices.helpers import SmtpSink, email_platform, make_links, rights

pytestmark = pytest.mark.django_db


def dsn(message_id: str, recipient: str, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A bounce shaped like Postfix's: multipart/report with the returned message's headers."""
    return (
        "From: MAILER-DAEMON@mx.example\r\n"
        "To: antipiraterie@example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\nArrival-Date: Tue, 1 Dec 2026 10:00:00 +0100\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nOriginal-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <x>: Recipient address rejected: User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: SDA <antipiraterie@example.org>\r\nTo: {recipient}\r\nMessage-ID: {message_id}\r\nSubject: Notice\r\n"
        "--B--\r\n"
    ).encode()


def found(domain: str, role: str, address: str, source: str, preference: int = 0) -> Finding:
    now = timezone.now()
    return Finding.objects.create(
        registrable_domain=domain,
        role=role,
        kind="email",
        address=address,
        source=source,
        preference=preference,
        found_at=now,
        confirmed_at=now,
        expires_at=now + dt.timedelta(days=30),
    )


@dataclass
class RefusingSink(SmtpSink):
    """A real SMTP server that refuses, at the final ".", the messages for the addresses it is told."""

    refused: tuple[str, ...] = ()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if any(rcpt in self.refused for rcpt in envelope.rcpt_tos):
            return "550 5.1.1 mailbox unavailable"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing_smtp(settings):
    sink = RefusingSink(refused=("dmca@gone.to",))
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    settings.EMAIL_HOST_USER, settings.EMAIL_TIMEOUT = "", 10
    yield sink
    sink.stop()


def test_the_dsn_parser_reads_permanent_failures_only():
    bounces = parse_dsn(dsn("<notice.abc@example.org>", "DMCA@gone.to"))
    assert [(b.message_id, b.recipient, b.status) for b in bounces] == [
        ("<notice.abc@example.org>", "dmca@gone.to", "5.1.1")
    ]
    assert "User unknown" in bounces[0].diagnostic
    assert parse_dsn(dsn("<notice.abc@example.org>", "a@b.to", action="delayed", status="4.4.1")) == []
    assert parse_dsn(b"From: someone\r\nSubject: hello\r\n\r\nnot a bounce") == []
    assert parse_dsn(b"\x00\xff garbage") == []
    assert parse_dsn(dsn("no-message-id-here", "a@b.to")) == []
    assert parse_dsn(b"x" * 3_000_000) == []


def test_a_5xx_at_the_final_dot_marks_the_contact_suspect_and_the_notice_moves_to_the_next_source(refusing_smtp):
    site = found("gone.to", "site", "dmca@gone.to", "security_txt")
    found("gone.to", "hosting", "abuse@hostco.example", "rdap_ip")
    links = make_links(rights(), None, ["https://gone.to/a", "https://gone.to/b"])
    services.build_notices()
    first = Notice.objects.get(recipient_key="d:gone.to")
    assert first.route["finding_id"] == site.pk

    assert services.deliver_notice(first.pk) == NoticeStatus.BOUNCED

    first.refresh_from_db()
    site.refresh_from_db()
    assert site.suspect_at is not None and "550 5.1.1" in site.suspect_reason
    assert first.route["bounced"]["source"] == "smtp" and first.hold_code == ""
    assert first.items.filter(discarded=True).count() == 2
    services.build_notices()  # the site has no other contact: its hosting provider already had one
    assert not Notice.objects.filter(recipient_key="d:gone.to", status=NoticeStatus.QUEUED).exists()
    assert set(Notice.objects.values_list("recipient_key", "status")) == {
        ("d:gone.to", NoticeStatus.BOUNCED),
        ("h:gone.to", NoticeStatus.QUEUED),
    }
    assert all(link.events.filter(data__bounced=True).exists() for link in links)


def test_a_bounce_moves_the_notice_to_the_sites_next_address(refusing_smtp):
    found("gone.to", "site", "dmca@gone.to", "security_txt", preference=0)
    found("gone.to", "site", "legal@gone.to", "site_page", preference=10)
    make_links(rights(), None, ["https://gone.to/a"])
    services.build_notices()
    first = Notice.objects.get(recipient_key="d:gone.to")
    services.deliver_notice(first.pk)
    services.build_notices()
    second = Notice.objects.get(recipient_key="d:gone.to", status=NoticeStatus.QUEUED)
    assert second.recipient_email == "legal@gone.to"
    assert services.deliver_notice(second.pk) == NoticeStatus.DELIVERED
    assert second.items.get().link.status == LinkStatus.NOTICE_SENT


def test_a_dsn_after_delivery_takes_the_link_back_and_a_registry_contact_is_held_for_staff(settings):
    host = email_platform("Host", "host.fr")
    link = make_links(rights(), host, ["https://host.fr/1"])[0]
    services.build_notices()
    notice = Notice.objects.get()
    assert services.deliver_notice(notice.pk) == NoticeStatus.DELIVERED
    link.refresh_from_db()
    assert link.status == LinkStatus.NOTICE_SENT

    report = read_bounces([dsn(notice.message_id, "abuse@host.fr"), dsn("<other@x.example>", "a@b.to")])

    assert report.recorded == [notice.pk] and report.unmatched == ["<other@x.example>"]
    notice.refresh_from_db()
    link.refresh_from_db()
    assert (notice.status, notice.hold_code) == (NoticeStatus.BOUNCED, "bounced")
    assert link.status == LinkStatus.ACCEPTED  # nothing reached anyone: it waits again
    assert ParkedLink.objects.filter(link=link, notice=notice).exists()  # held for staff: no other source
    assert services.build_notices().notices == []
    assert record_bounce(notice.pk, reason="again", source="dsn") is False  # once only

    host.contact_email = "legal@host.fr"
    host.save()
    assert services.release_held(["host.fr"]) == 1
    services.build_notices()
    assert Notice.objects.get(status=NoticeStatus.QUEUED).recipient_email == "legal@host.fr"


def test_read_bounces_reads_a_maildir_once_and_refuses_bad_input(tmp_path):
    host = email_platform("Host", "host.fr")
    make_links(rights(), host, ["https://host.fr/1"])
    services.build_notices()
    notice = Notice.objects.get()
    services.deliver_notice(notice.pk)
    box = mailbox.Maildir(str(tmp_path / "bounces"), create=True)
    box.add(mailbox.MaildirMessage(dsn(notice.message_id, "abuse@host.fr")))
    box.add(mailbox.MaildirMessage(b"Subject: not a bounce\r\n\r\nhello"))

    out = io.StringIO()
    call_command("read_bounces", "--maildir", str(tmp_path / "bounces"), stdout=out)
    assert "2 message(s) read, 1 bounce(s), 1 notice(s)" in out.getvalue()
    out = io.StringIO()
    call_command("read_bounces", "--maildir", str(tmp_path / "bounces"), stdout=out)
    assert "0 message(s) read" in out.getvalue()
    with pytest.raises(CommandError, match="not a Maildir"):
        call_command("read_bounces", "--maildir", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("read_bounces", str(tmp_path / "missing.eml"))
